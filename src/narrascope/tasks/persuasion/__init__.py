"""Persuasion techniques: which of the 23 techniques each paragraph uses, and the spans of text that persuade."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.document import Analysis, Label, Span
from narrascope.io.persuasion import paragraphs
from narrascope.ml.artifacts import load_parts, save_parts, shipped_model_dir
from narrascope.tasks.persuasion.model import SpanTagger, TechniqueClassifier

MODEL_NAME = "techniques"
REBUILD_COMMAND = "narrascope train techniques --data ../shared/data --out src/narrascope/models/techniques"


@dataclass
class PersuasionModel:
    techniques: TechniqueClassifier
    spans: SpanTagger
    version: str = "untrained"

    def paragraph_techniques(self, text: str, document: str = "article") -> list[tuple[int, int, int, np.ndarray]]:
        """``(line_no, start, end, probabilities)`` for every paragraph (non-empty line) of ``text``."""
        found = paragraphs(text)
        if not found:
            return []
        probabilities = self.techniques.predict_proba([text[s:e] for _, s, e in found], [document] * len(found))
        return [(line, start, end, row) for (line, start, end), row in zip(found, probabilities, strict=True)]

    def technique_spans(
        self, text: str, document: str = "article", sentence_spans: Sequence[Span] | None = None
    ) -> list[Label]:
        """One label per persuasive span: the most likely technique of the paragraph it stands in.

        ``sentence_spans``: the text's sentences when the caller has already split it.
        """
        spans = _within_lines(text, self.spans.predict(text, sentence_spans))
        if not spans:
            return []
        names = self.techniques.labels
        by_paragraph = self.paragraph_techniques(text, document)
        labels = []
        for start, end in spans:
            scores = next((row for _, s, e, row in by_paragraph if s <= start < e), None)
            if scores is None:
                continue
            best = int(np.argmax(scores))
            labels.append(Label(names[best], round(float(scores[best]), 3), (Span.of(text, start, end),)))
        return labels


#: Pieces shorter than this are dropped when a span is cut at a line break.
MIN_SPAN_CHARS = 5


def _within_lines(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans cut at line breaks: a persuasive span never runs from a title into the body or across paragraphs."""
    pieces = []
    for start, end in spans:
        position = start
        for part in text[start:end].split("\n"):
            stripped_start = position + (len(part) - len(part.lstrip()))
            stripped_end = position + len(part.rstrip())
            if stripped_end - stripped_start >= MIN_SPAN_CHARS:
                pieces.append((stripped_start, stripped_end))
            position += len(part) + 1
    return pieces


def save_model(model: PersuasionModel, directory: str | Path, extra_manifest: dict[str, Any] | None = None) -> None:
    save_parts(directory, MODEL_NAME, {"techniques": model.techniques, "spans": model.spans}, extra_manifest)


def load_model(directory: str | Path) -> PersuasionModel:
    parts, version = load_parts(directory, REBUILD_COMMAND, {"techniques": TechniqueClassifier, "spans": SpanTagger})
    return PersuasionModel(parts["techniques"], parts["spans"], version)


class TechniqueTagger:
    """Pipeline component: fills ``Analysis.techniques`` (one label per persuasive span, the span as evidence)."""

    name = MODEL_NAME

    def __init__(self, model: PersuasionModel) -> None:
        self.model = model
        self.version = model.version

    @classmethod
    def load_shipped(cls) -> TechniqueTagger:
        return cls(load_model(shipped_model_dir(MODEL_NAME)))

    def annotate(self, analyses: Sequence[Analysis]) -> None:
        for analysis in analyses:
            analysis.techniques = self.model.technique_spans(
                analysis.article.text, analysis.article.id, analysis.sentences or None
            )
