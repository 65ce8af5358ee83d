"""Sentence segmentation with character offsets for BG, EN, HI, PT and RU.

Rule-based on purpose: it is fast (~100k sentences/s), deterministic and has no model to ship. Line breaks always
end a sentence (news files put titles, sub-headings and paragraphs on their own lines). Inside a line a sentence
ends at ``.``, ``!``, ``?``, ``…`` or the Devanagari danda ``।`` (and ``॥``), followed by optional closing
quotes/brackets, whitespace, and a character that can start a sentence (not a lower-case letter), unless the word
before the full stop is a known abbreviation or an initial ("V. Putin", "В. Путин").
"""

from __future__ import annotations

import re

import numpy as np

from narrascope.document import Span

#: Words that end with a full stop without ending the sentence, per language (lower case, final stop removed).
_ABBREVIATIONS = frozenset(
    {
        # English
        *("mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm", "gov", "sen", "rep"),
        *("st", "jr", "sr", "vs", "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "no", "fig", "approx", "inc", "ltd"),
        *("co", "corp", "dept", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct"),
        *("nov", "dec", "mt", "ft"),
        # Portuguese
        *("sra", "srta", "dra", "av", "pág", "n.º", "nº", "art", "cap"),
        # Russian and Bulgarian
        *("г", "гг", "т.е", "т.к", "т.н", "др", "им", "ул", "стр", "см", "млн", "млрд", "тыс", "руб", "коп"),
        *("проф", "акад", "ген", "полк", "д-р", "чл", "напр", "вкл", "прибл", "с.г", "г-н", "г-жа", "бр", "ок"),
        *("пр.н.е", "сл.н.е"),
        # Hindi
        *("डॉ", "श्री", "श्रीमती", "सं"),
    }
)
_TERMINATOR = re.compile(r"[.!?…।॥]+[\"'”’»)\]]*(?=\s)")
_SENTENCE_START = re.compile(r"\s+[\"'“‘«(\[–—-]?\s*([\w¿¡])", re.UNICODE)
_WORD_BEFORE = re.compile(r"([^\s\"'“‘«(\[]+)\.$", re.UNICODE)


def sentences(text: str) -> list[Span]:
    """The sentences of ``text`` as spans with surrounding whitespace trimmed; titles and headings included."""
    spans: list[Span] = []
    line_start = 0
    for line in text.split("\n"):
        _split_line(text, line_start, line_start + len(line), spans)
        line_start += len(line) + 1
    return spans


def _split_line(text: str, start: int, end: int, spans: list[Span]) -> None:
    sentence_start = start
    for match in _TERMINATOR.finditer(text, start, end):
        boundary = match.end()
        start_match = _SENTENCE_START.match(text, boundary, end)
        if not start_match or start_match.group(1).islower():
            continue
        if match.group().startswith(".") and _is_abbreviation(text[sentence_start : match.start() + 1]):
            continue
        _add(text, sentence_start, boundary, spans)
        sentence_start = boundary
    _add(text, sentence_start, end, spans)


def _is_abbreviation(prefix: str) -> bool:
    found = _WORD_BEFORE.search(prefix)
    if not found:
        return False
    word = found.group(1)
    bare = word.lower().rstrip(".")
    if bare in _ABBREVIATIONS or word.lower() in _ABBREVIATIONS:
        return True
    return len(bare) == 1 and word[:1].isupper()


def _add(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start, end, text[start:end]))


def sentence_at(sentence_starts: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Index of the sentence each character position falls in: the last one starting at or before it (the first
    for a position before them all); ``sentence_starts`` in text order."""
    return np.maximum(np.searchsorted(sentence_starts, positions, side="right") - 1, 0)
