"""Set-based multi-label metrics, written to match the SemEval scorers exactly.

The SemEval-2025 Task 10 subtask-2 scorer one-hot encodes each document's gold and predicted labels over the
official class list (labels outside it are ignored), computes the binary F1 of that document with
``zero_division=0`` and averages over documents ("samples-F1"). So an article whose gold and predicted labels are
both ``{Other}`` scores 1, and an empty prediction scores 0.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from statistics import fmean, pstdev


def document_f1(gold: Collection[str], predicted: Collection[str], classes: Collection[str]) -> float:
    """Binary F1 of one document's label sets, restricted to ``classes``; 0 when either side is empty."""
    gold_set = {label for label in gold if label in classes}
    predicted_set = {label for label in predicted if label in classes}
    true_positives = len(gold_set & predicted_set)
    if true_positives == 0:
        return 0.0
    return 2 * true_positives / (len(gold_set) + len(predicted_set))


def samples_f1(
    gold: Mapping[str, Collection[str]], predicted: Mapping[str, Collection[str]], classes: Collection[str]
) -> tuple[float, float]:
    """Mean and (population) standard deviation over documents of :func:`document_f1`, aligned by id."""
    scores = [document_f1(gold[doc_id], predicted.get(doc_id, ()), classes) for doc_id in gold]
    if not scores:
        return 0.0, 0.0
    return fmean(scores), pstdev(scores)


def macro_f1(
    gold: Mapping[str, Collection[str]], predicted: Mapping[str, Collection[str]], classes: Sequence[str]
) -> float:
    """F1 of each class over documents, averaged over the classes that occur in gold or predictions."""
    scores = []
    for label in classes:
        in_gold = {doc_id for doc_id, labels in gold.items() if label in labels}
        in_predicted = {doc_id for doc_id in gold if label in predicted.get(doc_id, ())}
        if not in_gold and not in_predicted:
            continue
        scores.append(2 * len(in_gold & in_predicted) / (len(in_gold) + len(in_predicted)))
    return fmean(scores) if scores else 0.0
