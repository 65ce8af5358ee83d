"""The reading engine's technique heads: they read the encoder's one pass instead of re-reading the text.

* **Paragraphs**: a linear scorer per technique over the paragraph's pooled vector beside its article's, with
  per-technique thresholds that maximise micro-F1 on out-of-fold scores.
* **Spans**: a word tagger — a linear scorer on each word's pooled vector beside its sentence's gives the
  probability that the word lies inside a persuasive span; runs of likely words become spans (:class:`WordDecoding`),
  so every span starts and ends on a whole word.
* **A span's technique**: a softmax over the PTC techniques on the span's own pooled vector beside its sentence's —
  the span's own best technique, not its paragraph's. PTC merged a few rare techniques into one class
  (Whataboutism, Straw man, Red herring); the paragraph head, read on the span's vector, picks among them.

Features are built by the functions here for training and prediction alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from narrascope.encoder.encoding import Encoding
from narrascope.encoder.version import VERSION as ENCODER_VERSION
from narrascope.encoder.version import check_encoder
from narrascope.ml.dense import DenseLogistic, score_in_blocks
from narrascope.text.segment import sentence_at


def paragraph_features(encoding: Encoding, paragraph_spans: np.ndarray) -> np.ndarray:
    """Each paragraph's vector beside its article's (the article says what the paragraph is about)."""
    own = encoding.pool(paragraph_spans)
    article = np.broadcast_to(encoding.mean(), own.shape)
    return np.hstack([own, article])


def span_features(encoding: Encoding, spans: np.ndarray, sentence_spans: np.ndarray) -> np.ndarray:
    """Each span's (or word's) vector beside its sentence's."""
    spans = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    sentence_spans = np.asarray(sentence_spans, dtype=np.int64).reshape(-1, 2)
    own = encoding.pool(spans)
    if not len(sentence_spans):
        return np.hstack([own, own])
    # Only the sentences these spans fall in: a long article's words are featurised a block at a time.
    return np.hstack([own, encoding.sentences_at(sentence_spans, spans[:, 0])[0]])


#: Words featurised at once by :meth:`TechniqueHeads.read_words` (about 50 MB of features).
WORDS_PER_BLOCK = 4096


@dataclass(frozen=True, slots=True)
class WordDecoding:
    """Words with probability >= ``threshold`` form spans; runs at most ``gap`` words apart within one sentence are
    joined; spans of fewer than ``min_words`` words are dropped.

    A span never ends on a dangling word (a preposition, article, conjunction: :func:`~.words.dangling`): the
    threshold cuts a phrase wherever its last words score a little lower ("security and stability of" before
    "Europe"), so such an end is carried on over at most ``reach`` words of its sentence to the phrase's next
    word that is not dangling, or else trimmed back.
    """

    threshold: float = 0.5
    gap: int = 0
    min_words: int = 1
    reach: int = 3

    def decode(
        self, words: np.ndarray, probabilities: np.ndarray, sentence_of: np.ndarray, dangling: np.ndarray
    ) -> list[tuple[int, int, float]]:
        """``(start, end, mean word probability)`` of each span; ``dangling``: a flag per word."""
        spans: list[tuple[int, int, float]] = []
        above = np.flatnonzero(probabilities >= self.threshold)
        run: list[int] = []
        for index in above:
            if run and (index - run[-1] > self.gap + 1 or sentence_of[index] != sentence_of[run[-1]]):
                spans.extend(self._span(words, probabilities, sentence_of, dangling, run))
                run = []
            run.append(int(index))
        spans.extend(self._span(words, probabilities, sentence_of, dangling, run))
        return spans

    def _span(
        self,
        words: np.ndarray,
        probabilities: np.ndarray,
        sentence_of: np.ndarray,
        dangling: np.ndarray,
        run: list[int],
    ) -> list[tuple[int, int, float]]:
        if not run:
            return []
        first, last = run[0], run[-1]
        end = last
        while dangling[end] and end - last < self.reach and end + 1 < len(words):
            if sentence_of[end + 1] != sentence_of[last]:
                break
            end += 1
        if dangling[end]:  # no phrase end within reach: trim instead
            end = last
            while end >= first and dangling[end]:
                end -= 1
        if end - first + 1 < self.min_words:
            return []
        inside = probabilities[first : end + 1]
        return [(int(words[first, 0]), int(words[end, 1]), float(inside.mean()))]


@dataclass
class TechniqueHeads:
    """The three heads of the reading engine (see the module docstring), saved beside the n-gram models."""

    techniques: tuple[str, ...]
    paragraphs: DenseLogistic
    thresholds: np.ndarray  # per technique
    words: DenseLogistic
    decoding: WordDecoding
    span_classes: tuple[tuple[str, ...], ...]  # the span head's classes, each one technique or a merged few
    spans: DenseLogistic

    def paragraph_margins(self, features: np.ndarray) -> np.ndarray:
        """Paragraphs × techniques: each score minus its threshold (a technique is present above 0)."""
        return self.paragraphs.decision_function(features) - self.thresholds

    def word_probabilities(self, features: np.ndarray) -> np.ndarray:
        return self.words.predict_proba(features)[:, 0]

    def read_words(self, encoding: Encoding, words: np.ndarray, sentence_spans: np.ndarray) -> np.ndarray:
        """:meth:`word_probabilities` of every word, featurised ``WORDS_PER_BLOCK`` words at a time: the features
        of all words of a 4 MB article at once would take 3.7 GB (6 kB a word)."""
        return score_in_blocks(
            len(words),
            lambda rows: self.word_probabilities(span_features(encoding, words[rows], sentence_spans)),
            WORDS_PER_BLOCK,
        )

    def span_techniques(self, features: np.ndarray) -> list[tuple[str, float]]:
        """The best technique of each span and its probability; a merged class is resolved by the paragraph head
        read on the span's own features."""
        probabilities = self.spans.predict_proba(features)
        best = probabilities.argmax(axis=1)
        merged = [row for row, column in enumerate(best) if len(self.span_classes[column]) > 1]
        tie_break = self.paragraphs.decision_function(features[merged]) if merged else np.zeros((0, 0))
        index = {name: column for column, name in enumerate(self.techniques)}
        found = []
        for row, column in enumerate(best):
            names = self.span_classes[column]
            if len(names) > 1:
                scores = tie_break[merged.index(row)]
                names = (max(names, key=lambda name: scores[index[name]]),)
            found.append((names[0], float(probabilities[row, column])))
        return found

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays = {
            **self.paragraphs.to_arrays("paragraphs"),
            **self.words.to_arrays("words"),
            **self.spans.to_arrays("spans"),
            "paragraph_thresholds": self.thresholds.astype(np.float32),
        }
        settings = {
            "encoder": ENCODER_VERSION,
            "techniques": list(self.techniques),
            "paragraphs_C": self.paragraphs.C,
            "words_C": self.words.C,
            "decoding": asdict(self.decoding),
            "span_classes": [list(names) for names in self.span_classes],
            "spans_C": self.spans.C,
        }
        return arrays, settings

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> TechniqueHeads:
        check_encoder(settings)
        return cls(
            tuple(settings["techniques"]),
            DenseLogistic.from_arrays(arrays, "paragraphs", {"C": settings["paragraphs_C"]}),
            arrays["paragraph_thresholds"].astype(np.float64),
            DenseLogistic.from_arrays(arrays, "words", {"C": settings["words_C"]}),
            WordDecoding(**settings["decoding"]),
            tuple(tuple(names) for names in settings["span_classes"]),
            DenseLogistic.from_arrays(arrays, "spans", {"C": settings["spans_C"], "exclusive": True}),
        )


def decoding_units(text: str, words: np.ndarray, sentence_spans: Sequence[tuple[int, int]] | np.ndarray) -> np.ndarray:
    """The unit of each word that a span may not cross (:meth:`WordDecoding.decode`): its sentence, cut at line
    breaks — the title and each paragraph are units of their own. Training and prediction decode by the same
    units."""
    lines = np.searchsorted([match.start() for match in re.finditer("\n", text)], np.asarray(words)[:, 0])
    pairs = np.column_stack([sentence_index(sentence_spans, words), lines])
    return np.unique(pairs, axis=0, return_inverse=True)[1].reshape(-1) if len(pairs) else np.zeros(0, np.int64)


def sentence_index(sentence_spans: Sequence[tuple[int, int]], words: np.ndarray) -> np.ndarray:
    """The sentence of each word (words starting before the first sentence count as in it)."""
    bounds = np.asarray(sentence_spans, dtype=np.int64).reshape(-1, 2)
    if not len(bounds):
        return np.zeros(len(words), dtype=np.int64)
    return sentence_at(bounds[:, 0], np.asarray(words, dtype=np.int64).reshape(-1, 2)[:, 0])
