"""Scores of entity-framing predictions (SemEval-2025 Task 10 subtask 1).

The official ranking metric is the exact-match ratio (EMR): the share of gold mentions whose predicted set of fine
roles equals the gold set; main-role accuracy is reported next to it. Given-mention predictions carry the gold
offsets; raw-text predictions are matched to gold mentions by overlap (exact offsets first, then the predicted
span overlapping the gold one most), which also gives mention recall and precision. An unmatched gold mention counts
as wrong in EMR and accuracy, so raw-text scores are end-to-end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from narrascope.errors import InputError
from narrascope.evaluate.files import dataset_name, refuse_extra, refuse_missing, unique_name
from narrascope.io.semeval import EntityAnnotation, read_entity_annotations
from narrascope.taxonomy import roles


@dataclass(frozen=True, slots=True)
class EntityScores:
    mentions: int  # gold mentions
    exact_match_ratio: float
    main_role_accuracy: float
    mention_recall: float  # gold mentions overlapped by a predicted one
    mention_precision: float  # predicted mentions overlapping a gold one
    exact_offsets: float  # gold mentions predicted with exactly their offsets

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def score_entities(gold: Sequence[EntityAnnotation], predicted: Sequence[EntityAnnotation]) -> EntityScores:
    """Scores of ``predicted`` against ``gold``; only predictions for articles that have gold mentions count."""
    by_article: dict[str, list[EntityAnnotation]] = defaultdict(list)
    gold_articles = {item.article_id for item in gold}
    for item in predicted:
        if item.article_id in gold_articles:
            by_article[item.article_id].append(item)
    exact = main = matched = same_offsets = 0
    for item in gold:
        match = _best_match(item, by_article[item.article_id])
        if match is None:
            continue
        matched += 1
        same_offsets += (match.start, match.end) == (item.start, item.end)
        main += match.main_role == item.main_role
        exact += set(match.fine_roles) == set(item.fine_roles)
    candidates = [item for items in by_article.values() for item in items]
    gold_spans: dict[str, list[EntityAnnotation]] = defaultdict(list)
    for item in gold:
        gold_spans[item.article_id].append(item)
    useful = sum(any(_overlap(item, other) for other in gold_spans[item.article_id]) for item in candidates)
    total = max(len(gold), 1)
    return EntityScores(
        mentions=len(gold),
        exact_match_ratio=exact / total,
        main_role_accuracy=main / total,
        mention_recall=matched / total,
        mention_precision=useful / len(candidates) if candidates else 0.0,
        exact_offsets=same_offsets / total,
    )


def _overlap(a: EntityAnnotation, b: EntityAnnotation) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _best_match(item: EntityAnnotation, candidates: Sequence[EntityAnnotation]) -> EntityAnnotation | None:
    best, best_overlap = None, 0
    for candidate in candidates:
        if (candidate.start, candidate.end) == (item.start, item.end):
            return candidate
        overlap = _overlap(item, candidate)
        if overlap > best_overlap:
            best, best_overlap = candidate, overlap
    return best


def evaluate_entity_files(gold_paths: Sequence[Path], predicted_paths: Sequence[Path]) -> dict[str, EntityScores]:
    """Scores per gold file (named by language where the path shows one), plus ``all`` for several files."""
    taxonomy = roles()
    predicted = []
    for path in predicted_paths:
        seen: set[tuple[str, int, int]] = set()
        for item in read_entity_annotations(path, taxonomy, with_roles=True):
            if (item.article_id, item.start, item.end) in seen:
                raise InputError(path, f"mention {item.mention!r} at {item.start} is predicted twice", item.line)
            seen.add((item.article_id, item.start, item.end))
            predicted.append(item)
    predicted_articles = {item.article_id for item in predicted}
    results: dict[str, EntityScores] = {}
    all_gold: list[EntityAnnotation] = []
    for path in gold_paths:
        gold = read_entity_annotations(path, taxonomy, with_roles=True)
        refuse_missing([item.article_id for item in gold], predicted_articles, path, predicted_paths)
        results[unique_name(results, dataset_name(path))] = score_entities(gold, predicted)
        all_gold.extend(gold)
    refuse_extra({item.article_id for item in all_gold}, predicted_articles, predicted_paths)
    if len(gold_paths) > 1:
        results["all"] = score_entities(all_gold, predicted)
    return results
