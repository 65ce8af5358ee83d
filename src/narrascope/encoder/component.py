"""The pipeline component that runs the encoder once per article, for every head after it to read."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from narrascope.document import Analysis
from narrascope.encoder.model import Encoder


@cache
def shared_encoder() -> Encoder:
    """The process's encoder (loaded once: the tokenizer and the ONNX session take about a second)."""
    return Encoder()


class EncoderComponent:
    """Sets ``Analysis.encoding`` from the article's sentences (the sentence segmenter runs first), and
    ``Analysis.vector``, the article's embedding."""

    name = "encoder"

    def __init__(self, encoder: Encoder | None = None) -> None:
        self.encoder = encoder or shared_encoder()
        self.version = self.encoder.version

    def annotate(self, analyses: Sequence[Analysis]) -> None:
        encodings = self.encoder.encode(
            [analysis.article.text for analysis in analyses],
            [[(span.start, span.end) for span in analysis.sentences] for analysis in analyses],
        )
        for analysis, encoding in zip(analyses, encodings, strict=True):
            analysis.encoding = encoding
            analysis.vector = encoding.embedding()
