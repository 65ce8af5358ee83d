"""Word tokens for all five languages, with offsets when needed.

Python's ``\\w`` leaves out combining marks, so Devanagari words would break at every vowel sign; the pattern adds
them (and Latin combining accents). The Devanagari danda is punctuation, not part of a word.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[\w\u0300-\u036f\u0900-\u0963\u0966-\u097f]+")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return WORD.findall(text.lower())


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, token)`` of every word token, as written."""
    return [(match.start(), match.end(), match.group()) for match in WORD.finditer(text)]
