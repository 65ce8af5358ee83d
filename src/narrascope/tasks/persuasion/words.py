"""Words for persuasive spans: a span starts where a word starts and ends where a word ends.

A word is a run of letters or digits, joined by inner hyphens and apostrophes ("anti-Russian", "don't"), so a span
never holds half of one ("anti-Russian battering" without "ram" is a tagging error, "Russian" alone a cut word).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+(?:[-'’‐]\w+)*")

#: English words a phrase does not end on: articles, prepositions, conjunctions, possessive determiners. A span
#: ending on one ("security and stability of", "middle reaches of the") lost its last words to the word threshold.
#: English only: the span tagger learnt from English (PTC), and words of other languages clash ("die", "se").
DANGLING_WORDS = frozenset(
    """a an the of to in on at by for from with into onto upon about against between among amongst through
    during toward towards across within without via than as and or but nor because although though whereas
    unless until whether if my your his its our their whose very""".split()
)


def word_offsets(text: str) -> np.ndarray:
    """``[start, end)`` of every word of ``text`` (words × 2, int64)."""
    return np.array([match.span() for match in _WORD.finditer(text)], dtype=np.int64).reshape(-1, 2)


def dangling(text: str, words: np.ndarray) -> np.ndarray:
    """Whether each word is one a span must not end on (:data:`DANGLING_WORDS`)."""
    return np.array([text[start:end].casefold() in DANGLING_WORDS for start, end in words], dtype=bool)


def snap_to_words(
    text: str, spans: Sequence[tuple[int, int]], words: np.ndarray | None = None
) -> list[tuple[int, int]]:
    """Each span widened to the whole words it touches (from the first word's start to the last word's end);
    spans that touch no word are dropped, and spans that come to overlap are merged."""
    words = word_offsets(text) if words is None else words
    snapped: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        first = int(np.searchsorted(words[:, 1], start, side="right"))  # first word ending after start
        last = int(np.searchsorted(words[:, 0], end, side="left"))  # words starting before end
        if last <= first:
            continue
        span = (int(words[first, 0]), int(words[last - 1, 1]))
        if snapped and span[0] < snapped[-1][1]:
            snapped[-1] = (snapped[-1][0], max(snapped[-1][1], span[1]))
        else:
            snapped.append(span)
    return snapped


def on_word_boundaries(text: str, start: int, end: int, words: np.ndarray | None = None) -> bool:
    """Whether ``text[start:end]`` is not empty, neither starts nor ends with a space, and cuts no word."""
    if not 0 <= start < end <= len(text) or text[start].isspace() or text[end - 1].isspace():
        return False
    words = word_offsets(text) if words is None else words
    for position in (start, end):
        inside = int(np.searchsorted(words[:, 1], position, side="right"))  # first word ending after position
        if inside < len(words) and words[inside, 0] < position:
            return False
    return True
