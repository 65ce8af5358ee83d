"""Persuasion-technique formats: SemEval-2023 Task 3 subtask 3 (paragraph labels) and SemEval-2020 Task 11 spans.

* paragraph labels: ``article_id<TAB>line_no<TAB>technique,technique,...`` (empty list allowed), where a paragraph is a
  non-empty line of the article file and ``line_no`` its 1-based line number;
* paragraph texts (``.template``): ``article_id<TAB>line_no<TAB>text``;
* spans: ``article_id<TAB>technique<TAB>start<TAB>end`` (end exclusive); the PTC span-identification file has no
  technique column (``article_id<TAB>start<TAB>end``).

A file named ``article<ID>.txt`` has the id ``<ID>``, as in both tasks; other files are named by their stem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from narrascope.errors import InputError
from narrascope.io.files import read_table_text, write_tsv
from narrascope.taxonomy import Taxonomy

_ARTICLE_NAME = re.compile(r"^article(.+)\.txt$")


def article_id_from_name(name: str) -> str:
    match = _ARTICLE_NAME.match(name)
    return match.group(1) if match else Path(name).stem


@dataclass(frozen=True, slots=True)
class ParagraphLabels:
    article_id: str
    line: int  # 1-based line number of the paragraph in its article file
    techniques: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TechniqueSpan:
    article_id: str
    technique: str | None
    start: int
    end: int  # exclusive


def paragraphs(text: str) -> list[tuple[int, int, int]]:
    """``(line_no, start, end)`` of every non-empty line, offsets into ``text`` (the line without its newline)."""
    found, position = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.rstrip("\r")
        if stripped.strip():
            found.append((number, position, position + len(stripped)))
        position += len(line) + 1
    return found


def _fields(path: str | Path) -> Iterable[tuple[int, list[str]]]:
    for number, line in enumerate(read_table_text(path).splitlines(), start=1):
        if line.strip():
            yield number, line.split("\t")


def read_paragraph_labels(path: str | Path, taxonomy: Taxonomy | None = None) -> list[ParagraphLabels]:
    rows = []
    for number, fields in _fields(path):
        if len(fields) not in (2, 3):
            raise InputError(
                path, f"expected 3 tab-separated columns (article, line, techniques), found {len(fields)}", number
            )
        if not fields[1].strip().isdigit():
            raise InputError(path, f"line number {fields[1]!r} is not a positive integer", number)
        names = tuple(name.strip() for name in (fields[2] if len(fields) == 3 else "").split(",") if name.strip())
        if taxonomy is not None:
            for name in names:
                if name not in taxonomy.fine:
                    raise InputError(path, f"unknown technique {name!r}", number)
        rows.append(ParagraphLabels(fields[0], int(fields[1]), names))
    return rows


def read_paragraph_texts(path: str | Path) -> dict[tuple[str, int], str]:
    """``.template`` files: the text of each (article, line) paragraph."""
    texts = {}
    for number, fields in _fields(path):
        if len(fields) < 3 or not fields[1].strip().isdigit():
            raise InputError(path, "expected article<TAB>line<TAB>text", number)
        texts[(fields[0], int(fields[1]))] = "\t".join(fields[2:])
    return texts


def read_spans(path: str | Path, taxonomy: Taxonomy | None = None) -> list[TechniqueSpan]:
    """Span files with or without the technique column (``?`` counts as none)."""
    spans = []
    for number, fields in _fields(path):
        if len(fields) == 3:
            article_id, technique, start, end = fields[0], None, fields[1], fields[2]
        elif len(fields) == 4:
            article_id, technique, start, end = fields
        else:
            raise InputError(path, f"expected 3 or 4 tab-separated columns, found {len(fields)}", number)
        if not (start.strip().isdigit() and end.strip().isdigit()) or int(end) < int(start):
            raise InputError(path, f"bad offsets {start!r}-{end!r}", number)
        technique = None if technique in (None, "?", "") else technique
        if taxonomy is not None and technique is not None and technique not in taxonomy.fine:
            raise InputError(path, f"unknown technique {technique!r}", number)
        spans.append(TechniqueSpan(article_id, technique, int(start), int(end)))
    return spans


def write_paragraph_labels(path: str | Path, rows: Iterable[ParagraphLabels]) -> None:
    write_tsv(path, ((row.article_id, row.line, ",".join(row.techniques)) for row in rows))


def write_spans(path: str | Path, spans: Iterable[TechniqueSpan]) -> None:
    write_tsv(path, ((span.article_id, span.technique or "?", span.start, span.end) for span in spans))
