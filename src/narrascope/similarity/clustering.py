"""Online single-pass clustering of article vectors into stories, in publication order.

An article joins the most similar open story — one whose centroid (the normalised sum of its members' unit vectors)
is within cosine ``threshold`` and whose last article is at most ``window`` days older — or starts a story. The
result depends only on the articles and their order, so re-clustering the same corpus gives the same stories.

Speed: articles are taken in blocks; one matrix product scores a block against the stories open at its start, and
only the stories changed inside the block (joined or started) are scored again per article. The answer is the
same as scoring every article against every open story one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Articles scored against the open stories in one matrix product.
BLOCK = 256


@dataclass
class StoryState:
    """Stories as growable arrays: row ``s`` is story ``s`` (its members' vector sum, size, first and last day)."""

    dims: int
    count: int = 0
    sums: np.ndarray = field(init=False)
    units: np.ndarray = field(init=False)  # the normalised sums: what articles are compared with
    sizes: np.ndarray = field(init=False)
    first: np.ndarray = field(init=False)  # day ordinals
    last: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.sums = np.zeros((0, self.dims), np.float32)
        self.units = np.zeros((0, self.dims), np.float32)
        self.sizes = np.zeros(0, np.int64)
        self.first = np.zeros(0, np.int64)
        self.last = np.zeros(0, np.int64)

    def add(self, sums: np.ndarray, sizes: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Append stories; returns their rows."""
        rows = np.arange(self.count, self.count + len(sizes))
        self._reserve(self.count + len(sizes))
        self.sums[rows], self.sizes[rows], self.first[rows], self.last[rows] = sums, sizes, first, last
        self.units[rows] = _normalised(sums)
        self.count += len(sizes)
        return rows

    def join(self, story: int, vector: np.ndarray, day: int) -> None:
        self.sums[story] += vector
        self.units[story] = _normalised(self.sums[story])
        self.sizes[story] += 1
        self.first[story] = min(self.first[story], day)
        self.last[story] = max(self.last[story], day)

    def start(self, vector: np.ndarray, day: int) -> int:
        return int(self.add(vector[None, :], np.array([1]), np.array([day]), np.array([day]))[0])

    def _reserve(self, size: int) -> None:
        if size <= len(self.sizes):
            return
        capacity = max(size, 2 * len(self.sizes), 1024)
        for name in ("sums", "units", "sizes", "first", "last"):
            old = getattr(self, name)
            new = np.zeros((capacity, *old.shape[1:]), old.dtype)
            new[: self.count] = old[: self.count]
            setattr(self, name, new)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1)


def _best(stories: np.ndarray, scores: np.ndarray, closed: np.ndarray) -> tuple[int, float]:
    """The highest-scoring story that is not ``closed`` (the first, i.e. lowest row, on a tie), or (-1, -inf)."""
    scores = np.where(closed, -np.inf, scores)
    if not len(scores):
        return -1, -np.inf
    top = int(np.argmax(scores))
    return int(stories[top]), float(scores[top])


def assign(
    state: StoryState, days: np.ndarray, vectors: np.ndarray, threshold: float, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Put each article (``days``: ordinals, ascending; ``vectors``: unit rows) into a story of ``state``, which
    grows; returns each article's story row and its similarity to that story's centroid when it joined (1.0 for
    the article that started it)."""
    stories = np.empty(len(days), np.int64)
    similarities = np.ones(len(days), np.float32)
    for start in range(0, len(days), BLOCK):
        block = range(start, min(start + BLOCK, len(days)))
        candidates = np.flatnonzero(state.last[: state.count] >= days[start] - window)
        scores = state.units[candidates] @ vectors[block.start : block.stop].T  # candidates × block
        changed: set[int] = set()  # stories joined or started in this block: their scores above are stale
        stale = np.zeros(len(candidates), bool)
        position = {int(story): i for i, story in enumerate(candidates)}
        for column, article in enumerate(block):
            vector, day = vectors[article], int(days[article])
            best, best_score = _best(candidates, scores[:, column], stale | (state.last[candidates] < day - window))
            if changed:
                rows = np.array(sorted(changed))
                rescored = state.units[rows] @ vector
                story, score = _best(rows, rescored, state.last[rows] < day - window)
                if score > best_score or (score == best_score and story < best):
                    best, best_score = story, score
            if best_score >= threshold:
                state.join(best, vector, day)
                similarities[article] = best_score
            else:
                best = state.start(vector, day)
            stories[article] = best
            changed.add(best)
            if best in position:
                stale[position[best]] = True
    return stories, similarities
