"""Word tokens for all five languages, with offsets when needed.

Python's ``\\w`` leaves out combining marks, so Devanagari words would break at every vowel sign; the pattern adds
them (and Latin combining accents). The Devanagari danda is punctuation, not part of a word.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import overload

import numpy as np

WORD = re.compile(r"[\w\u0300-\u036f\u0900-\u0963\u0966-\u097f]+")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return WORD.findall(text.lower())


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, token)`` of every word token, as written."""
    return [(match.start(), match.end(), match.group()) for match in WORD.finditer(text)]


def token_offsets(text: str) -> np.ndarray:
    """``[start, end)`` of every word token (tokens × 2, int64): a long article's millions of tokens as two
    numbers each, not as tuples and strings."""
    flat = np.fromiter(chain.from_iterable(match.span() for match in WORD.finditer(text)), dtype=np.int64)
    return flat.reshape(-1, 2)


class TokenSpans(Sequence[tuple[int, int, str]]):
    """:func:`token_spans` as a sequence that holds two numbers a token: each ``(start, end, token)`` is made from
    the text when it is read. A long article has millions of tokens; as tuples of ints and strings they took
    180 bytes each."""

    def __init__(self, text: str) -> None:
        self.text = text
        offsets = token_offsets(text)  # Python's int arrays: indexing them is as fast as a list's
        self._starts, self._ends = array("q", offsets[:, 0].tobytes()), array("q", offsets[:, 1].tobytes())

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, index: int) -> tuple[int, int, str]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, int, str]]: ...
    def __getitem__(self, index: int | slice) -> tuple[int, int, str] | list[tuple[int, int, str]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        start, end = self._starts[index], self._ends[index]
        return start, end, self.text[start:end]

    def __iter__(self) -> Iterator[tuple[int, int, str]]:
        text = self.text
        for start, end in zip(self._starts, self._ends, strict=True):
            yield start, end, text[start:end]
