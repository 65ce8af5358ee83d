"""Scores of narrative predictions (SemEval-2025 Task 10 subtask 2): samples-F1 fine and coarse, macro-F1."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from narrascope.errors import InputError
from narrascope.evaluate.files import dataset_name, refuse_extra, refuse_missing, unique_name
from narrascope.evaluate.multilabel import macro_f1, samples_f1
from narrascope.io.semeval import NarrativeAnnotation, read_narrative_annotations
from narrascope.taxonomy import Taxonomy, narratives


@dataclass(frozen=True, slots=True)
class NarrativeScores:
    """``f1_fine`` (samples-F1 on sub-narratives) is the official ranking metric."""

    documents: int
    f1_fine: float
    f1_fine_std: float
    f1_coarse: float
    f1_coarse_std: float
    macro_f1_fine: float
    macro_f1_coarse: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def score_narratives(
    gold: Sequence[NarrativeAnnotation], predicted: Sequence[NarrativeAnnotation], taxonomy: Taxonomy
) -> NarrativeScores:
    """Official metrics over the taxonomy's scored classes; predictions are matched to gold by article id."""
    gold_fine = {item.article_id: item.subnarratives for item in gold}
    gold_coarse = {item.article_id: item.narratives for item in gold}
    predicted_fine = {item.article_id: item.subnarratives for item in predicted}
    predicted_coarse = {item.article_id: item.narratives for item in predicted}
    fine_classes = [label for label in taxonomy.fine if label in taxonomy.scored_fine]
    fine, fine_std = samples_f1(gold_fine, predicted_fine, set(fine_classes))
    coarse, coarse_std = samples_f1(gold_coarse, predicted_coarse, set(taxonomy.coarse))
    return NarrativeScores(
        documents=len(gold),
        f1_fine=fine,
        f1_fine_std=fine_std,
        f1_coarse=coarse,
        f1_coarse_std=coarse_std,
        macro_f1_fine=macro_f1(gold_fine, predicted_fine, fine_classes),
        macro_f1_coarse=macro_f1(gold_coarse, predicted_coarse, list(taxonomy.coarse)),
    )


def evaluate_files(gold_paths: Sequence[Path], predicted_paths: Sequence[Path]) -> dict[str, NarrativeScores]:
    """Scores per gold file (named by its language where the path shows one), plus ``all`` for several files.

    Predictions may come in one file or several; together they must cover exactly the gold articles.
    """
    taxonomy = narratives()
    predicted: dict[str, NarrativeAnnotation] = {}
    for path in predicted_paths:
        for item in read_narrative_annotations(path, taxonomy):
            if item.article_id in predicted:
                raise InputError(path, f"article {item.article_id!r} is predicted twice")
            predicted[item.article_id] = item
    results: dict[str, NarrativeScores] = {}
    all_gold: list[NarrativeAnnotation] = []
    for path in gold_paths:
        gold = read_narrative_annotations(path, taxonomy)
        refuse_missing([item.article_id for item in gold], predicted, path, predicted_paths)
        results[unique_name(results, dataset_name(path))] = score_narratives(
            gold, [predicted[item.article_id] for item in gold], taxonomy
        )
        all_gold.extend(gold)
    refuse_extra({item.article_id for item in all_gold}, predicted, predicted_paths)
    if len(gold_paths) > 1:
        results["all"] = score_narratives(all_gold, [predicted[item.article_id] for item in all_gold], taxonomy)
    return results
