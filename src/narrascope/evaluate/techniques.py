"""Scores of persuasion-technique predictions.

* paragraph level (SemEval-2023 Task 3 subtask 3): micro-F1 (the ranking metric) and macro-F1 over techniques,
  pooling every (paragraph, technique) decision;
* span level (SemEval-2020 Task 11, span identification): precision = Σ over predicted spans s and gold spans t of the
  same article of |s ∩ t| / |s|, divided by the number of predicted spans; recall the same with |t| and the number of
  gold spans; spans of one article that share characters are merged first, as in the official scorer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from narrascope.io.persuasion import ParagraphLabels, TechniqueSpan


@dataclass(frozen=True, slots=True)
class ParagraphScores:
    paragraphs: int
    micro_f1: float
    macro_f1: float
    micro_precision: float
    micro_recall: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SpanScores:
    gold_spans: int
    predicted_spans: int
    precision: float
    recall: float
    f1: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_paragraphs(
    gold: Sequence[ParagraphLabels], predicted: Sequence[ParagraphLabels], techniques: Sequence[str]
) -> ParagraphScores:
    """Paragraphs are matched by (article, line); a missing prediction counts as no technique."""
    answers = {(row.article_id, row.line): set(row.techniques) for row in predicted}
    true_positive: dict[str, int] = defaultdict(int)
    false_positive: dict[str, int] = defaultdict(int)
    false_negative: dict[str, int] = defaultdict(int)
    for row in gold:
        expected, found = set(row.techniques), answers.get((row.article_id, row.line), set())
        for name in expected & found:
            true_positive[name] += 1
        for name in found - expected:
            false_positive[name] += 1
        for name in expected - found:
            false_negative[name] += 1
    tp, fp, fn = (sum(counts.values()) for counts in (true_positive, false_positive, false_negative))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    per_label = []
    for name in techniques:
        p = true_positive[name] / (true_positive[name] + false_positive[name]) if true_positive[name] else 0.0
        r = true_positive[name] / (true_positive[name] + false_negative[name]) if true_positive[name] else 0.0
        per_label.append(_f1(p, r))
    return ParagraphScores(
        len(gold), _f1(precision, recall), sum(per_label) / max(len(per_label), 1), precision, recall
    )


def _merged(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:  # spans sharing a character; touching spans stay apart
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def span_prf(predicted: Sequence[Sequence[tuple[int, int]]], gold: Sequence[Sequence[tuple[int, int]]]) -> SpanScores:
    """SemEval-2020 span scores over documents given as parallel lists of (start, end) spans."""
    precision_sum = recall_sum = 0.0
    gold_count = predicted_count = 0
    for document_predicted, document_gold in zip(predicted, gold, strict=True):
        guesses, truth = _merged(document_predicted), _merged(document_gold)
        gold_count += len(truth)
        predicted_count += len(guesses)
        for start, end in guesses:
            for gold_start, gold_end in truth:
                overlap = min(end, gold_end) - max(start, gold_start)
                if overlap > 0:
                    precision_sum += overlap / (end - start)
                    recall_sum += overlap / (gold_end - gold_start)
    precision = precision_sum / predicted_count if predicted_count else 0.0
    recall = recall_sum / gold_count if gold_count else 0.0
    return SpanScores(gold_count, predicted_count, precision, recall, _f1(precision, recall))


def score_spans(gold: Sequence[TechniqueSpan], predicted: Sequence[TechniqueSpan]) -> SpanScores:
    """SemEval-2020 span-identification scores (techniques ignored), documents matched by article id."""
    gold_by_article: dict[str, list[tuple[int, int]]] = defaultdict(list)
    predicted_by_article: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for span in gold:
        gold_by_article[span.article_id].append((span.start, span.end))
    for span in predicted:
        predicted_by_article[span.article_id].append((span.start, span.end))
    articles = sorted(set(gold_by_article) | set(predicted_by_article))
    return span_prf([predicted_by_article[a] for a in articles], [gold_by_article[a] for a in articles])
