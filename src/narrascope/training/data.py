"""Loading the SemEval-2025 Task 10 splits as articles with their gold annotations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from narrascope.document import Article
from narrascope.errors import InputError
from narrascope.io.files import read_text
from narrascope.io.semeval import NarrativeAnnotation, read_narrative_annotations
from narrascope.io.txt import article_from_text
from narrascope.taxonomy import narratives

LANGUAGES = ("BG", "EN", "HI", "PT", "RU")
_DOCUMENT_FOLDERS = {"train": "raw-documents", "dev": "subtask-2-documents"}


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
        folder = data / language / split
        annotations = folder / "subtask-2-annotations.txt"
        if not annotations.is_file():
            raise InputError(annotations, f"missing: is {data} the SemEval-2025 Task 10 folder?")
        for gold in read_narrative_annotations(annotations, narratives()):
            document = folder / _DOCUMENT_FOLDERS[split] / gold.article_id
            article = article_from_text(gold.article_id, read_text(document), language=language.lower())
            examples.append(NarrativeExample(article, language, gold))
    return examples
