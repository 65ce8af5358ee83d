"""One entry point for every input users have: files, folders, SemEval dataset folders, JSONL and HTML."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from narrascope.document import Article, content_hash
from narrascope.errors import InputError
from narrascope.io.files import MAX_FILE_BYTES, read_text
from narrascope.io.html import HTML_SUFFIXES, article_from_html
from narrascope.io.jsonl import JSONL_SUFFIXES, iter_jsonl
from narrascope.io.txt import article_from_text

TEXT_SUFFIXES = (".txt",)
ARTICLE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES


def iter_articles(
    paths: Iterable[str | Path],
    errors: list[InputError] | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    distinct: bool = True,
    others: list[Path] | None = None,
) -> Iterator[Article]:
    """The articles in files and folders (searched recursively), in a stable order.

    A file's article id is its name (``EN_UA_300009.txt``), as in SemEval files. Folders skip SemEval annotation
    files (``subtask-*``) and hidden files. Without an ``errors`` list the first bad input raises
    :class:`InputError`; with one, bad inputs are recorded there and skipped, so one broken file does not stop a
    folder. ``distinct``: an article found twice with the same text is read once, and a repeated id with another
    text becomes ``id#2`` — which remembers every id read, so streams into the store (which keeps one row per
    text by itself) turn it off to keep memory flat over millions of articles. ``others`` gets the files of
    folders that are skipped for their extension (``.pdf``, ``.md``…), for commands to count in their summary.
    """
    seen: dict[str, str] = {}
    for path in map(Path, paths):
        for item in _articles_at(path, max_bytes, others):
            if isinstance(item, InputError):
                if errors is None:
                    raise item
                errors.append(item)
                continue
            if not distinct:
                yield item
                continue
            digest = content_hash(item.text)
            if item.id in seen:
                if seen[item.id] == digest:
                    continue
                item.id = _unique_id(item.id, seen)
            seen[item.id] = digest
            yield item


def _articles_at(path: Path, max_bytes: int, others: list[Path] | None) -> Iterator[Article | InputError]:
    if path.is_dir():
        files = article_files(path, others=others)
        if not files:
            yield InputError(path, f"folder has no article files ({', '.join(ARTICLE_SUFFIXES)})")
        for file in files:
            yield from _articles_in_file(file, max_bytes)
    elif path.exists():
        yield from _articles_in_file(path, max_bytes)
    else:
        yield InputError(path, "no such file or folder")


def article_files(
    folder: Path, suffixes: tuple[str, ...] = ARTICLE_SUFFIXES, others: list[Path] | None = None
) -> list[Path]:
    """The files under ``folder`` that readers take for articles, sorted: not hidden, not SemEval annotation files
    (``subtask-*``), with one of ``suffixes``. ``others`` gets the files left out only for their suffix."""
    found = []
    for file in sorted(folder.rglob("*")):
        if not file.is_file() or not _listed(file.relative_to(folder)):
            continue
        if file.suffix.lower() in suffixes:
            found.append(file)
        elif others is not None:
            others.append(file)
    return found


def _read_as_article(relative: Path, suffixes: tuple[str, ...]) -> bool:
    return _listed(relative) and relative.suffix.lower() in suffixes


def _listed(relative: Path) -> bool:
    """Not hidden and not a SemEval annotation file: a file a folder's reader looks at (by its suffix)."""
    return not any(part.startswith(".") for part in relative.parts) and not relative.name.startswith("subtask-")


def _articles_in_file(file: Path, max_bytes: int) -> Iterator[Article | InputError]:
    suffix = file.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from iter_jsonl(file)
        return
    try:
        text = read_text(file, max_bytes)
        if suffix in HTML_SUFFIXES:
            yield article_from_html(file.name, text, file)
        else:
            yield article_from_text(file.name, text)
    except InputError as error:
        yield error


def _unique_id(article_id: str, seen: dict[str, str]) -> str:
    number = 2
    while f"{article_id}#{number}" in seen:
        number += 1
    return f"{article_id}#{number}"


def refuse_overwriting_inputs(out: Path, inputs: Iterable[Path]) -> None:
    """Refuse an output path that is one of the inputs, or an article file inside an input folder (the next run
    would read it as an article): a typo must not destroy the data or quietly change the next result."""
    target = out.resolve()
    for given in inputs:
        source = given.resolve()
        if target == source:
            raise InputError(out, "the output file is also an input; choose another --out")
        if (
            source.is_dir()
            and source in target.parents
            and _read_as_article(target.relative_to(source), ARTICLE_SUFFIXES)
        ):
            raise InputError(out, f"the output would be read as an article of {given}; write it outside that folder")
