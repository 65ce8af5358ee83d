"""Persuasion techniques: which of the 23 techniques each paragraph uses, and the spans of text that persuade."""

from __future__ import annotations

import bisect
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

    def paragraph_techniques(self, text: str) -> list[tuple[int, int, int, np.ndarray]]:
        """``(line_no, start, end, probabilities)`` for every paragraph (non-empty line) of ``text``."""
        return self.paragraph_techniques_of([text])[0]

    def paragraph_techniques_of(self, texts: Sequence[str]) -> list[list[tuple[int, int, int, np.ndarray]]]:
        """:meth:`paragraph_techniques` of each text, scored in one batch (the classifier's fixed cost per call is
        a third of its time on one article); each text is a document of its own, so the results are the same."""
        found = [paragraphs(text) for text in texts]
        pieces = [text[start:end] for text, rows in zip(texts, found, strict=True) for _, start, end in rows]
        if not pieces:
            return [[] for _ in texts]
        documents = [str(number) for number, rows in enumerate(found) for _ in rows]
        probabilities = iter(self.techniques.predict_proba(pieces, documents))
        return [[(line, start, end, next(probabilities)) for line, start, end in rows] for rows in found]

    def technique_spans(self, text: str, sentence_spans: Sequence[Span] | None = None) -> list[Label]:
        """One label per persuasive span: the most likely technique of the paragraph it stands in.

        ``sentence_spans``: the text's sentences when the caller has already split it.
        """
        return self.technique_spans_of([text], [sentence_spans])[0]

    def technique_spans_of(
        self, texts: Sequence[str], sentence_spans: Sequence[Sequence[Span] | None]
    ) -> list[list[Label]]:
        """:meth:`technique_spans` of each text, the paragraphs of all texts classified in one batch."""
        spans = [
            _within_lines(text, self.spans.predict(text, given))
            for text, given in zip(texts, sentence_spans, strict=True)
        ]
        with_spans = [number for number, found in enumerate(spans) if found]
        scored = dict(
            zip(with_spans, self.paragraph_techniques_of([texts[number] for number in with_spans]), strict=True)
        )
        return [self._labels(texts[number], found, scored.get(number, [])) for number, found in enumerate(spans)]

    def _labels(
        self, text: str, spans: list[tuple[int, int]], by_paragraph: list[tuple[int, int, int, np.ndarray]]
    ) -> list[Label]:
        names = self.techniques.labels
        starts = [start for _, start, _, _ in by_paragraph]  # paragraphs in text order: bisect, not scan each
        labels = []
        for start, end in spans:
            at = bisect.bisect_right(starts, start) - 1
            if at < 0 or start >= by_paragraph[at][2]:
                continue
            scores = by_paragraph[at][3]
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
        found = self.model.technique_spans_of(
            [analysis.article.text for analysis in analyses], [analysis.sentences or None for analysis in analyses]
        )
        for analysis, labels in zip(analyses, found, strict=True):
            analysis.techniques = labels
