"""Word tokens for all five languages, with offsets when needed.

Python's ``\\w`` leaves out combining marks, so Devanagari words would break at every vowel sign; the pattern adds
them (and Latin combining accents). The Devanagari danda is punctuation, not part of a word.
"""

from __future__ import annotations

import re
from itertools import chain

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
