"""Turning label probabilities into the label set with the best expected samples-F1.

Samples-F1 scores each document on its own, so the decoder works per document:

1. every sub-narrative ``j`` (including ``X: Other``) gets ``s_j = (p_fine(j)^a * p_narrative(parent j)^(1-a))^g``;
2. of the top-``k`` prefixes of the sorted scores (``k <= max_labels``) it keeps the one maximising the usual
   plug-in approximation of expected F1, ``v = 2 * sum(top k) / (k + sum(all))``;
3. it answers ``Other`` instead when ``q = w * p_domain(none) + (1 - w) * sqrt(p_narrative(Other) *
   p_fine(Other))`` reaches ``o * v``.

The narratives are the parents of the chosen sub-narratives, so the output always obeys the taxonomy. The four
settings are tuned on out-of-fold training predictions (:meth:`ExpectedF1Decoder.tune`).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from narrascope.evaluate.multilabel import document_f1
from narrascope.taxonomy import Taxonomy

#: Column order of the domain level.
DOMAINS = ("URW", "CC", "none")


@dataclass(frozen=True, slots=True)
class DecoderSettings:
    other: float = 1.0
    sharpness: float = 1.0
    fine_weight: float = 0.75
    domain_weight: float = 0.5
    max_labels: int = 8

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class LabelProbabilities:
    """Per-document probabilities of the domains, the narratives and the sub-narratives (``Other`` included)."""

    domain: np.ndarray  # documents × DOMAINS
    coarse: np.ndarray  # documents × coarse labels
    fine: np.ndarray  # documents × fine labels

    def __len__(self) -> int:
        return len(self.domain)


@dataclass(frozen=True, slots=True)
class Decision:
    """The chosen labels of one document as column indices; empty means ``Other``."""

    fine: tuple[int, ...]
    coarse: tuple[int, ...]


class ExpectedF1Decoder:
    def __init__(self, taxonomy: Taxonomy, coarse_labels: Sequence[str], fine_labels: Sequence[str]) -> None:
        self.taxonomy = taxonomy
        self.coarse_labels = list(coarse_labels)
        self.fine_labels = list(fine_labels)
        coarse_index = {label: i for i, label in enumerate(self.coarse_labels)}
        other = taxonomy.other
        self._other_coarse = coarse_index[other]
        self._other_fine = self.fine_labels.index(other)
        self._parent = np.array([coarse_index[taxonomy.parent(label) or other] for label in self.fine_labels])

    def decide(self, probabilities: LabelProbabilities, row: int, settings: DecoderSettings) -> Decision:
        coarse, fine = probabilities.coarse[row], probabilities.fine[row]
        combined = (fine**settings.fine_weight) * (coarse[self._parent] ** (1 - settings.fine_weight))
        combined[self._other_fine] = 0.0
        combined = combined**settings.sharpness
        order = np.argsort(-combined, kind="stable")[: settings.max_labels]
        expected = 2 * np.cumsum(combined[order]) / (np.arange(1, len(order) + 1) + combined.sum())
        size = int(np.argmax(expected)) + 1
        other = settings.domain_weight * probabilities.domain[row, DOMAINS.index("none")] + (
            1 - settings.domain_weight
        ) * np.sqrt(coarse[self._other_coarse] * fine[self._other_fine])
        if other >= settings.other * expected[size - 1]:
            return Decision((), ())
        chosen = tuple(int(j) for j in order[:size])
        parents = tuple(dict.fromkeys(int(self._parent[j]) for j in chosen))
        return Decision(chosen, parents)

    def names(self, decision: Decision) -> tuple[list[str], list[str]]:
        """``(narratives, sub-narratives)`` of a decision; ``(["Other"], ["Other"])`` for none."""
        if not decision.fine:
            return [self.taxonomy.other], [self.taxonomy.other]  # type: ignore[list-item]
        return [self.coarse_labels[i] for i in decision.coarse], [self.fine_labels[j] for j in decision.fine]

    def decode(self, probabilities: LabelProbabilities, settings: DecoderSettings) -> list[tuple[list[str], list[str]]]:
        return [self.names(self.decide(probabilities, row, settings)) for row in range(len(probabilities))]

    def tune(
        self,
        probabilities: LabelProbabilities,
        gold_fine: Sequence[Collection[str]],
        grid: dict[str, Sequence[float]],
    ) -> tuple[DecoderSettings, float]:
        """The grid settings with the best mean samples-F1 on sub-narratives (the ranking metric)."""
        classes = set(self.taxonomy.scored_fine)
        best_settings, best_score = DecoderSettings(), -1.0
        names = list(grid)
        for values in itertools.product(*(grid[name] for name in names)):
            settings = DecoderSettings(**dict(zip(names, values, strict=True)))
            decoded = self.decode(probabilities, settings)
            score = float(
                np.mean([document_f1(gold, fine, classes) for gold, (_, fine) in zip(gold_fine, decoded, strict=True)])
            )
            if score > best_score:
                best_settings, best_score = settings, score
        return best_settings, best_score
