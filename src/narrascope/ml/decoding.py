"""Turning label probabilities into taxonomy-consistent label sets that score well on samples-F1.

Samples-F1 rewards each document separately, so the decoder works per document and top-down: first whether the
article pushes any narrative at all (else ``Other``), then which narratives, then which sub-narratives of those
narratives (``X: Other`` when none fits). Its few thresholds are tuned on out-of-fold training predictions.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from narrascope.evaluate.multilabel import document_f1
from narrascope.taxonomy import Taxonomy


@dataclass(frozen=True, slots=True)
class DecoderSettings:
    """Thresholds of :class:`HierarchicalDecoder`; ``relative`` thresholds are fractions of the best score."""

    other: float = 0.5
    coarse: float = 0.4
    coarse_relative: float = 0.6
    fine: float = 0.3
    fine_relative: float = 0.5

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class LabelProbabilities:
    """Per-document probabilities: of ``Other`` (no narrative), of each narrative and of each sub-narrative."""

    other: np.ndarray  # (documents,)
    coarse: np.ndarray  # (documents, coarse labels)
    fine: np.ndarray  # (documents, fine labels)

    def rows(self, index: np.ndarray) -> LabelProbabilities:
        return LabelProbabilities(self.other[index], self.coarse[index], self.fine[index])


class HierarchicalDecoder:
    """Chooses ``(narratives, sub-narratives)`` per document from :class:`LabelProbabilities`."""

    def __init__(self, taxonomy: Taxonomy, coarse: Sequence[str], fine: Sequence[str]) -> None:
        self.taxonomy = taxonomy
        self.coarse = list(coarse)
        self.fine = list(fine)
        self._children = [
            [
                j
                for j, label in enumerate(self.fine)
                if taxonomy.parent(label) == parent and not label.endswith(": Other")
            ]
            for parent in self.coarse
        ]
        fine_index = {label: j for j, label in enumerate(self.fine)}
        self._other_child = [fine_index.get(f"{parent}: Other") for parent in self.coarse]

    def decode_one(
        self, other: float, coarse: np.ndarray, fine: np.ndarray, settings: DecoderSettings
    ) -> tuple[list[int], list[int]]:
        """Indices of the chosen narratives and sub-narratives; two empty lists mean ``Other``."""
        best = float(coarse.max())
        if other >= settings.other and other >= best:
            return [], []
        cutoff = max(settings.coarse, settings.coarse_relative * best)
        chosen = [i for i in np.argsort(-coarse) if coarse[i] >= cutoff] or [int(np.argmax(coarse))]
        chosen_fine: list[int] = []
        for parent in chosen:
            children = self._children[parent]
            scores = fine[children] if children else np.zeros(0)
            top = float(scores.max()) if len(scores) else 0.0
            fine_cutoff = max(settings.fine, settings.fine_relative * top)
            picked = [children[k] for k in np.argsort(-scores) if scores[k] >= fine_cutoff]
            if not picked and self._other_child[parent] is not None:
                picked = [self._other_child[parent]]
            chosen_fine.extend(picked)
        return chosen, chosen_fine

    def decode(self, probabilities: LabelProbabilities, settings: DecoderSettings) -> list[tuple[list[str], list[str]]]:
        """Label names per document, repaired to obey the taxonomy (``["Other"], ["Other"]`` for none)."""
        results = []
        for row in range(len(probabilities.other)):
            coarse, fine = self.decode_one(
                float(probabilities.other[row]), probabilities.coarse[row], probabilities.fine[row], settings
            )
            results.append(self.taxonomy.consistent([self.coarse[i] for i in coarse], [self.fine[j] for j in fine]))
        return results

    def tune(
        self,
        probabilities: LabelProbabilities,
        gold_fine: Sequence[set[str]],
        gold_coarse: Sequence[set[str]],
        grid: dict[str, Sequence[float]],
    ) -> tuple[DecoderSettings, float]:
        """The settings in ``grid`` that maximise mean samples-F1 (fine + coarse) / 2 on the given documents."""
        fine_classes = set(self.taxonomy.scored_fine)
        coarse_classes = set(self.taxonomy.coarse)
        best_settings, best_score = DecoderSettings(), -1.0
        names = list(grid)
        for values in itertools.product(*(grid[name] for name in names)):
            settings = DecoderSettings(**dict(zip(names, values, strict=True)))
            decoded = self.decode(probabilities, settings)
            fine_score = np.mean(
                [document_f1(g, f, fine_classes) for g, (_, f) in zip(gold_fine, decoded, strict=True)]
            )
            coarse_score = np.mean(
                [document_f1(g, c, coarse_classes) for g, (c, _) in zip(gold_coarse, decoded, strict=True)]
            )
            score = float(fine_score + coarse_score) / 2
            if score > best_score:
                best_settings, best_score = settings, score
        return best_settings, best_score
