"""Persuasion techniques: which of the 23 techniques each paragraph uses, and the spans of text that persuade."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.document import Analysis, Label, Span
from narrascope.encoder.encoding import Encoding
from narrascope.io.persuasion import paragraphs
from narrascope.ml.artifacts import build_from_artifact, save_parts, shipped_model_dir
from narrascope.tasks.persuasion.heads import TechniqueHeads, decoding_units, paragraph_features, span_features
from narrascope.tasks.persuasion.model import SpanTagger, TechniqueClassifier
from narrascope.tasks.persuasion.words import dangling, snap_to_words, word_offsets

MODEL_NAME = "techniques"
REBUILD_COMMAND = "narrascope train techniques --data ../shared/data --out src/narrascope/models/techniques"


@dataclass
class PersuasionModel:
    """The n-gram models (the fast engine) and the reading engine's heads."""

    techniques: TechniqueClassifier
    spans: SpanTagger
    heads: TechniqueHeads | None = None
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
            snap_to_words(text, _within_lines(text, self.spans.predict(text, given)))
            for text, given in zip(texts, sentence_spans, strict=True)
        ]
        with_spans = [number for number, found in enumerate(spans) if found]
        scored = dict(
            zip(with_spans, self.paragraph_techniques_of([texts[number] for number in with_spans]), strict=True)
        )
        return [self._labels(texts[number], found, scored.get(number, [])) for number, found in enumerate(spans)]

    def paragraph_techniques_read(self, text: str, encoding: Encoding) -> list[tuple[int, int, int, np.ndarray]]:
        """:meth:`paragraph_techniques` of the reading engine, from the encoder's pass; ``probabilities`` above 0.5
        are the techniques found."""
        heads = self._heads()
        rows = paragraphs(text)
        if not rows:
            return []
        bounds = np.array([(start, end) for _, start, end in rows], dtype=np.int64)
        margins = heads.paragraph_margins(paragraph_features(encoding, bounds))
        probabilities = 1.0 / (1.0 + np.exp(-margins))
        return [(line, start, end, row) for (line, start, end), row in zip(rows, probabilities, strict=True)]

    def technique_spans_read(self, text: str, encoding: Encoding, sentence_spans: Sequence[Span]) -> list[Label]:
        """:meth:`technique_spans` of the reading engine: whole-word spans from the word tagger, each labelled with
        its own best technique (confidence: the span's probability times its technique's)."""
        heads = self._heads()
        words = word_offsets(text)
        bounds = np.array([(span.start, span.end) for span in sentence_spans] or [(0, len(text))], dtype=np.int64)
        probabilities = heads.read_words(encoding, words, bounds)
        found = heads.decoding.decode(words, probabilities, decoding_units(text, words, bounds), dangling(text, words))
        if not found:
            return []
        spans = np.array([(start, end) for start, end, _ in found], dtype=np.int64)
        named = heads.span_techniques(span_features(encoding, spans, bounds))
        return [
            Label(name, round(probability * technique, 3), (Span.of(text, start, end),))
            for (start, end, probability), (name, technique) in zip(found, named, strict=True)
        ]

    def _heads(self) -> TechniqueHeads:
        if self.heads is None:
            raise ValueError("this techniques model has no reading-engine heads: run it with the fast engine")
        return self.heads

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
    parts: dict[str, Any] = {"techniques": model.techniques, "spans": model.spans}
    if model.heads is not None:
        parts["heads"] = model.heads
    save_parts(directory, MODEL_NAME, parts, extra_manifest)


def load_model(directory: str | Path) -> PersuasionModel:
    kinds: dict[str, Any] = {"techniques": TechniqueClassifier, "spans": SpanTagger, "heads": TechniqueHeads}
    parts, version = build_from_artifact(
        directory,
        REBUILD_COMMAND,
        lambda arrays, manifest: {
            key: kind.from_arrays(arrays, manifest[key])
            for key, kind in kinds.items()
            if key != "heads" or key in manifest  # a model without heads runs the fast engine only
        },
    )
    return PersuasionModel(parts["techniques"], parts["spans"], parts.get("heads"), version)


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
        """The reading engine's heads where the encoder has read the article, the n-gram models elsewhere."""
        read = [analysis for analysis in analyses if analysis.encoding is not None and self.model.heads is not None]
        for analysis in read:
            assert analysis.encoding is not None
            analysis.techniques = self.model.technique_spans_read(
                analysis.article.text, analysis.encoding, analysis.sentences
            )
        rest = [analysis for analysis in analyses if analysis not in read]
        found = self.model.technique_spans_of(
            [analysis.article.text for analysis in rest], [analysis.sentences or None for analysis in rest]
        )
        for analysis, labels in zip(rest, found, strict=True):
            analysis.techniques = labels
