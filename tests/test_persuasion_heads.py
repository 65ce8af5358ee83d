"""The reading engine's technique heads: whole-word spans, decoding, pooling, and each span's own technique."""

from __future__ import annotations

import numpy as np
import pytest

from narrascope.document import Span
from narrascope.encoder.encoding import Encoding
from narrascope.ml.dense import DenseLogistic
from narrascope.tasks.persuasion import PersuasionModel
from narrascope.tasks.persuasion.heads import TechniqueHeads, WordDecoding, span_features
from narrascope.tasks.persuasion.model import TECHNIQUES, SpanTagger, TechniqueClassifier
from narrascope.tasks.persuasion.words import dangling, on_word_boundaries, snap_to_words, word_offsets

TEXT = "They built an anti-Russian battering ram, he said."


def _span(phrase: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def test_spans_snap_to_the_whole_words_they_touch():
    cut = (TEXT.index("Russian"), TEXT.index("battering") + len("batter"))  # "Russian batter"
    assert [TEXT[s:e] for s, e in snap_to_words(TEXT, [cut])] == ["anti-Russian battering"]
    assert snap_to_words(TEXT, [(TEXT.index(","), TEXT.index(",") + 2)]) == []  # ", " touches no word
    overlapping = [_span("anti-Russian bat"), _span("battering ram")]
    assert [TEXT[s:e] for s, e in snap_to_words(TEXT, overlapping)] == ["anti-Russian battering ram"]


def test_word_boundaries_refuse_cut_words_and_edge_spaces():
    assert on_word_boundaries(TEXT, *_span("anti-Russian battering ram"))
    assert on_word_boundaries(TEXT, *_span("ram, he"))
    assert not on_word_boundaries(TEXT, *_span("Russian battering"))  # half of "anti-Russian"
    assert not on_word_boundaries(TEXT, *_span("anti-Russian batter"))
    assert not on_word_boundaries(TEXT, *_span(" battering"))
    assert not on_word_boundaries(TEXT, 5, 5)


def test_decoding_joins_likely_words_within_a_sentence_only():
    text = "Evil thugs rule here. Brave men fight on."
    words = word_offsets(text)
    sentence_of = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    probabilities = np.array([0.9, 0.8, 0.1, 0.7, 0.9, 0.2, 0.1, 0.1])
    flags = dangling(text, words)
    spans = WordDecoding(0.5, gap=1, min_words=1).decode(words, probabilities, sentence_of, flags)
    assert [text[s:e] for s, e, _ in spans] == ["Evil thugs rule here", "Brave"]  # not across the full stop
    assert spans[0][2] == pytest.approx(np.mean([0.9, 0.8, 0.1, 0.7]))
    spans = WordDecoding(0.5, gap=0, min_words=2).decode(words, probabilities, sentence_of, flags)
    assert [text[s:e] for s, e, _ in spans] == ["Evil thugs"]  # "here" and "Brave" are single words


def test_spans_never_end_on_a_dangling_word():
    text = "The defeat of Russia is necessary for the security and stability of Europe. They fled to the"
    words = word_offsets(text)
    sentence_of = np.array([0] * 13 + [1] * 4)
    flags = dangling(text, words)
    probabilities = np.full(len(words), 0.1)
    probabilities[[8, 9, 10, 11]] = 0.9  # "security and stability of": "Europe" scored lower
    probabilities[[14, 15, 16]] = 0.9  # "fled to the", the sentence's last words
    spans = WordDecoding(0.5).decode(words, probabilities, sentence_of, flags)
    # carried on to the phrase's end within its sentence, else trimmed back
    assert [text[s:e] for s, e, _ in spans] == ["security and stability of Europe", "fled"]
    assert spans[0][2] == pytest.approx(np.mean([0.9] * 4 + [0.1]))
    assert WordDecoding(0.5, reach=0).decode(words, probabilities, sentence_of, flags)[0][:2] == _span(
        "security and stability", text
    )


def test_span_features_read_the_sentences_pooled_when_the_article_was_read():
    """Each span's own vector beside its sentence's: the same whether the encoder pooled the sentences once for
    every head (the pipeline) or they are pooled now (training's cached encodings)."""
    rng = np.random.RandomState(0)
    starts = np.cumsum(rng.randint(1, 6, 300))
    offsets = np.column_stack([starts, starts + rng.randint(1, 4, 300)])
    encoding = Encoding(offsets, {8: rng.randn(300, 6).astype(np.float16), 12: rng.randn(300, 6).astype(np.float16)})
    cuts = np.r_[0, np.sort(rng.choice(starts[:-1], 20, replace=False)), starts[-1] + 10]
    sentences = np.column_stack([cuts[:-1], cuts[1:]])
    begins = rng.randint(0, starts[-1], 200)
    spans = np.column_stack([begins, begins + rng.randint(0, 30, 200)])
    spans[:3] = [(0, 0), (starts[-1] + 50, starts[-1] + 60), (3, 3)]  # empty, past the end: the nearest token
    read = encoding.with_sentences(sentences)
    assert read.pooled_sentences is not None and not read.pooled_sentences.flags.writeable
    pooled_now, pooled_once = span_features(encoding, spans, sentences), span_features(read, spans, sentences)
    assert np.allclose(pooled_now, pooled_once, atol=2e-3)  # float16 sentence vectors
    sentence_of = np.searchsorted(sentences[:, 0], spans[:, 0], side="right") - 1
    assert np.allclose(pooled_once[:, 12:], encoding.pool(sentences)[np.maximum(sentence_of, 0)], atol=2e-3)
    assert np.array_equal(pooled_once[:, :12], encoding.pool(spans))


def _dense(weights: np.ndarray, bias: np.ndarray, exclusive: bool = False) -> DenseLogistic:
    head = DenseLogistic(C=1.0, exclusive=exclusive)
    head.weights, head.bias = np.asarray(weights, dtype=float), np.asarray(bias, dtype=float)
    head.mean, head.scale = np.zeros(head.weights.shape[1]), np.ones(head.weights.shape[1])
    return head


def _model(span_classes: tuple[tuple[str, ...], ...], paragraph_weights: np.ndarray) -> PersuasionModel:
    """Heads on 2-dimensional layers (features: span 4 + sentence 4): a word is persuasive where its first value is
    positive; a span's class is read from its second value (positive: class 0, negative: class 1)."""
    words = _dense([[20.0, 0, 0, 0, 0, 0, 0, 0]], [0.0])
    spans = _dense([[0, 10.0, 0, 0, 0, 0, 0, 0], [0, -10.0, 0, 0, 0, 0, 0, 0]], [0.0, 0.0], exclusive=True)
    paragraphs = _dense(paragraph_weights, np.zeros(len(TECHNIQUES)))
    heads = TechniqueHeads(
        TECHNIQUES, paragraphs, np.zeros(len(TECHNIQUES)), words, WordDecoding(0.5, 0, 1), span_classes, spans
    )
    return PersuasionModel(TechniqueClassifier(), SpanTagger(), heads)


def _encoding(text: str, values: dict[str, tuple[float, float]]) -> Encoding:
    """One token per word, its vector given by ``values`` (other words: not persuasive)."""
    words = word_offsets(text)
    vectors = np.array([values.get(text[s:e], (-1.0, 0.0)) for s, e in words], dtype=np.float16)
    return Encoding(words, {8: vectors, 12: vectors})


def test_each_span_gets_its_own_best_technique_not_its_paragraph_s():
    text = "His thugs wreck towns and a catastrophe awaits us all."
    encoding = _encoding(text, {"thugs": (1.0, 1.0), "catastrophe": (1.0, -1.0)})
    model = _model((("Name_Calling-Labeling",), ("Appeal_to_Fear-Prejudice",)), np.zeros((len(TECHNIQUES), 8)))
    labels = model.technique_spans_read(text, encoding, [Span.of(text, 0, len(text))])
    assert [(label.name, label.evidence[0].text) for label in labels] == [
        ("Name_Calling-Labeling", "thugs"),
        ("Appeal_to_Fear-Prejudice", "catastrophe"),
    ]
    assert all(0 < label.confidence <= 1 for label in labels)


def test_a_merged_ptc_class_is_resolved_by_the_paragraph_head_on_the_span_itself():
    text = "Everyone agrees, and they are like the Nazis."
    encoding = _encoding(text, {"Everyone": (1.0, 1.0), "Nazis": (1.0, 1.0)})
    paragraph_weights = np.zeros((len(TECHNIQUES), 8))
    paragraph_weights[TECHNIQUES.index("Guilt_by_Association"), 0] = 1.0  # prefers Guilt by association …
    paragraph_weights[TECHNIQUES.index("Appeal_to_Popularity"), 0] = -1.0  # … for these spans' vectors
    merged = (("Appeal_to_Popularity", "Guilt_by_Association"), ("Doubt",))
    labels = _model(merged, paragraph_weights).technique_spans_read(text, encoding, [Span.of(text, 0, len(text))])
    assert [label.name for label in labels] == ["Guilt_by_Association", "Guilt_by_Association"]


def test_spans_never_cross_a_line_break():
    text = "Thugs everywhere\nthugs rule"
    encoding = _encoding(text, {"Thugs": (1.0, 1.0), "everywhere": (1.0, 1.0), "thugs": (1.0, 1.0)})
    model = _model((("Name_Calling-Labeling",), ("Doubt",)), np.zeros((len(TECHNIQUES), 8)))
    labels = model.technique_spans_read(text, encoding, [Span.of(text, 0, len(text))])  # one "sentence"
    assert [label.evidence[0].text for label in labels] == ["Thugs everywhere", "thugs"]


def test_decoding_units_are_sentences_cut_at_line_breaks():
    """A span may not run from the title into the body, nor across sentences: training and prediction decode by
    the same units."""
    from narrascope.tasks.persuasion.heads import decoding_units

    text = "A headline without stop\nFirst sentence here. Second one\ncontinues on a new line."
    words = word_offsets(text)
    sentences = [(0, 23), (24, 44), (45, len(text))]  # the segmenter's sentences; the third spans a line break
    units = decoding_units(text, words, sentences)
    by_word = {text[s:e]: int(unit) for (s, e), unit in zip(words, units, strict=True)}
    assert by_word["headline"] == by_word["stop"] != by_word["First"] == by_word["here"]
    assert by_word["Second"] == by_word["one"] != by_word["continues"] == by_word["line"]
    assert len(set(units.tolist())) == 4
    assert decoding_units("", word_offsets(""), []).shape == (0,)
