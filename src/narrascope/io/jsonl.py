"""JSONL: one article per line, ``{"id", "title", "text", "url", "source", "published", "language"}``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from narrascope.document import Article
from narrascope.errors import InputError
from narrascope.io.dates import parse_date
from narrascope.io.files import MAX_FILE_BYTES, NO_WORDS, has_words, valid_unicode
from narrascope.io.txt import with_title

JSONL_SUFFIXES = (".jsonl", ".ndjson")
_OPTIONAL_TEXT_FIELDS = ("title", "url", "source", "language")

#: A JSONL file may hold many articles, so its limit is per line rather than per file.
MAX_LINE_BYTES = MAX_FILE_BYTES


def iter_jsonl(path: str | Path) -> Iterator[Article | InputError]:
    """Each line's article, or the error that line has; a bad line never stops the lines after it."""
    path = Path(path)
    try:
        stream = path.open("rb")
    except OSError as error:
        yield InputError(path, f"cannot read file ({error.strerror or error})")
        return
    found_any = False
    with stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            found_any = True
            try:
                yield _article_from_line(raw, path, number)
            except InputError as error:
                yield error
    if not found_any:
        yield InputError(path, "file is empty")


def _article_from_line(raw: bytes, path: Path, number: int) -> Article:
    if len(raw) > MAX_LINE_BYTES:
        raise InputError(path, f"line is too large ({len(raw)} bytes)", number)
    try:
        record = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(path, "line is not valid UTF-8", number) from None
    except json.JSONDecodeError as error:
        raise InputError(path, f"invalid JSON ({error.msg} at column {error.colno})", number) from None
    if not isinstance(record, dict):
        raise InputError(path, f"expected a JSON object, got {type(record).__name__}", number)
    body = record.get("text")
    if not isinstance(body, str) or not body.strip():
        raise InputError(path, "field 'text' must be a non-empty string", number)
    if not has_words(body):
        raise InputError(path, f"field 'text' has {NO_WORDS}", number)
    for name in _OPTIONAL_TEXT_FIELDS:
        if record.get(name) is not None and not isinstance(record[name], str):
            raise InputError(path, f"field '{name}' must be a string", number)
    for name in ("text", "id", *_OPTIONAL_TEXT_FIELDS):
        if isinstance(record.get(name), str) and not valid_unicode(record[name]):
            raise InputError(
                path, f"field '{name}' is not valid Unicode (a lone surrogate escape such as \\ud800)", number
            )
    article_id = record.get("id")
    if article_id is None:
        article_id = f"{path.stem}-{number}"
    elif not isinstance(article_id, str | int) or isinstance(article_id, bool):
        raise InputError(path, "field 'id' must be a string or an integer", number)
    elif isinstance(article_id, str) and (not article_id.strip() or any(c in article_id for c in "\t\r\n")):
        raise InputError(
            path, "field 'id' must be non-empty and without tabs or line breaks (ids go into TSV files)", number
        )
    published = record.get("published")
    published_date = parse_date(published)
    if published not in (None, "") and published_date is None:
        raise InputError(path, f"field 'published' is not an ISO-8601 date: {str(published)[:40]!r}", number)
    title = record.get("title") or ""
    return Article(
        id=str(article_id),
        text=with_title(title, body),
        title=title.strip(),
        language=(record.get("language") or "").strip().lower() or None,
        source=record.get("source") or None,
        url=record.get("url") or None,
        published=published_date,
    )
