"""Loading the SemEval-2025 Task 10 splits as articles with their gold annotations."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from narrascope.document import Article
from narrascope.errors import InputError
from narrascope.io.files import read_text
from narrascope.io.semeval import (
    EntityAnnotation,
    ExplanationAnnotation,
    NarrativeAnnotation,
    check_mentions,
    read_entity_annotations,
    read_explanation_annotations,
    read_narrative_annotations,
)
from narrascope.io.txt import article_from_text
from narrascope.taxonomy import narratives, roles

LANGUAGES = ("BG", "EN", "HI", "PT", "RU")
T = TypeVar("T")

_DOCUMENT_FOLDERS = {"train": "raw-documents", "dev": "subtask-2-documents"}
_ENTITY_DOCUMENT_FOLDERS = {"train": "raw-documents", "dev": "subtask-1-documents"}


def by_language(items: Sequence[T], language: Callable[[T], str]) -> dict[str, list[T]]:
    """The items of each language folder (in :data:`LANGUAGES` order), then all of them as ``all``.

    How every dev report is grouped; languages without items are left out.
    """
    groups = {name: [item for item in items if language(item) == name] for name in LANGUAGES}
    groups["all"] = list(items)
    return {name: chosen for name, chosen in groups.items() if chosen}


def _annotations(data: Path, language: str, split: str, subtask: int) -> Path:
    """``<data>/<L>/<split>/subtask-<n>-annotations.txt``, or a clear error if the folder is not the dataset."""
    path = data / language / split / f"subtask-{subtask}-annotations.txt"
    if not path.is_file():
        raise InputError(path, f"missing: is {data} the SemEval-2025 Task 10 folder?")
    return path


def _article(path: Path, language: str) -> Article:
    return article_from_text(path.name, read_text(path), language=language.lower())


@dataclass(frozen=True, slots=True)
class NarrativeExample:
    """An article with its language folder and gold narratives."""

    article: Article
    language: str
    gold: NarrativeAnnotation


def load_narrative_split(
    data: str | Path, split: str, languages: tuple[str, ...] = LANGUAGES
) -> list[NarrativeExample]:
    """Every annotated article of ``split`` (``train`` or ``dev``) in the given language folders."""
    data = Path(data)
    if not data.is_dir():
        raise InputError(data, "no such data folder")
    examples = []
    for language in languages:
        annotations = _annotations(data, language, split, 2)
        for gold in read_narrative_annotations(annotations, narratives()):
            article = _article(annotations.parent / _DOCUMENT_FOLDERS[split] / gold.article_id, language)
            examples.append(NarrativeExample(article, language, gold))
    return examples


@dataclass(frozen=True, slots=True)
class EntityExample:
    """An article with its language folder and its gold entity mentions (half-open offsets, roles)."""

    article: Article
    language: str
    mentions: tuple[EntityAnnotation, ...]


def load_entity_split(
    data: str | Path, split: str, languages: tuple[str, ...] = LANGUAGES, warnings: list[str] | None = None
) -> list[EntityExample]:
    """Every article of ``split`` with subtask-1 annotations; misplaced offsets are repaired (see warnings)."""
    data = Path(data)
    examples = []
    for language in languages:
        annotations_path = _annotations(data, language, split, 1)
        annotations = read_entity_annotations(annotations_path, roles(), with_roles=True)
        documents = annotations_path.parent / _ENTITY_DOCUMENT_FOLDERS[split]
        texts = {article_id: read_text(documents / article_id) for article_id in {a.article_id for a in annotations}}
        checked = check_mentions(annotations, texts, annotations_path, lenient=True, warnings=warnings)
        by_article: dict[str, list[EntityAnnotation]] = {}
        for item in checked:
            by_article.setdefault(item.article_id, []).append(item)
        for article_id in sorted(by_article):
            article = article_from_text(article_id, texts[article_id], language=language.lower())
            examples.append(EntityExample(article, language, tuple(by_article[article_id])))
    return examples


@dataclass(frozen=True, slots=True)
class ExplanationExample:
    """An article with its dominant narrative and (in annotation files) the gold explanation."""

    article: Article
    language: str
    gold: ExplanationAnnotation

    # The attributes the explanation engine trains on.
    @property
    def text(self) -> str:
        return self.article.text

    @property
    def narrative(self) -> str:
        return self.gold.narrative

    @property
    def subnarrative(self) -> str | None:
        return self.gold.subnarrative

    @property
    def explanation(self) -> str:
        return self.gold.explanation or ""


_EXPLANATION_DOCUMENT_FOLDERS = {"train": "raw-documents", "dev": "subtask-3-documents"}


def load_explanation_split(
    data: str | Path, split: str, languages: tuple[str, ...] = LANGUAGES
) -> list[ExplanationExample]:
    """Every article of ``split`` with a subtask-3 annotation (dominant narrative and explanation)."""
    data = Path(data)
    examples = []
    for language in languages:
        annotations = _annotations(data, language, split, 3)
        for gold in read_explanation_annotations(annotations, narratives()):
            if gold.explanation is None:
                raise InputError(annotations, f"article {gold.article_id!r} has no explanation (4th column)")
            article = _article(annotations.parent / _EXPLANATION_DOCUMENT_FOLDERS[split] / gold.article_id, language)
            examples.append(ExplanationExample(article, language, gold))
    return examples


#: The languages of ``offtopic-news``: the five trained ones and two that are not.
OFFTOPIC_LANGUAGES = ("en", "bg", "hi", "pt", "ru", "de", "fr")


def offtopic_part(file_name: str) -> str:
    """``train`` or ``check``: a fixed 60/40 split of ``offtopic-news`` by file name (the check part is never
    trained on; ``benchmarks/bench_scope.py`` measures on it)."""
    return "check" if zlib.crc32(file_name.encode("utf-8")) % 5 < 2 else "train"


def load_offtopic(data: str | Path, part: str) -> list[tuple[Article, str]]:
    """The ordinary-news articles of ``part`` with their language, from ``<data>/offtopic-news/<lang>/*.txt``."""
    folder = Path(data) / "offtopic-news"
    if not folder.is_dir():
        raise InputError(folder, f"missing: is {data} the shared data folder (with offtopic-news/)?")
    return [
        (article_from_text(path.name, read_text(path), language=language), language)
        for language in OFFTOPIC_LANGUAGES
        for path in sorted((folder / language).glob("*.txt"))
        if offtopic_part(path.name) == part
    ]
