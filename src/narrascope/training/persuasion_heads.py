"""Training of the reading engine's technique heads (:mod:`narrascope.tasks.persuasion.heads`) from cached encoder
passes (:mod:`narrascope.training.encoded`): an interrupted run keeps the articles it encoded.

Settings were chosen by cross-validation on train (article folds); what the command does itself by cross-validation
is what needs out-of-fold scores: the paragraph thresholds and the span decoding.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
from rich.console import Console

from narrascope.document import Article
from narrascope.evaluate.techniques import span_prf
from narrascope.ml.dense import DenseLogistic
from narrascope.tasks.persuasion.heads import (
    TechniqueHeads,
    WordDecoding,
    decoding_units,
    paragraph_features,
    span_features,
)
from narrascope.tasks.persuasion.model import TECHNIQUES, document_folds, tune_micro_thresholds
from narrascope.tasks.persuasion.words import dangling, word_offsets
from narrascope.text.segment import sentences
from narrascope.training.encoded import encode_tokens, load_tokens
from narrascope.training.ridge import RidgeFolds, calibrated, platt

#: PTC's 14 span techniques as SemEval-2023 names; PTC merged rare techniques into one class, kept as a class of
#: several names here (the paragraph head picks among them for a given span).
PTC_TECHNIQUES: dict[str, tuple[str, ...]] = {
    "Appeal_to_Authority": ("Appeal_to_Authority",),
    "Appeal_to_fear-prejudice": ("Appeal_to_Fear-Prejudice",),
    "Bandwagon,Reductio_ad_hitlerum": ("Appeal_to_Popularity", "Guilt_by_Association"),
    "Black-and-White_Fallacy": ("False_Dilemma-No_Choice",),
    "Causal_Oversimplification": ("Causal_Oversimplification",),
    "Doubt": ("Doubt",),
    "Exaggeration,Minimisation": ("Exaggeration-Minimisation",),
    "Flag-Waving": ("Flag_Waving",),
    "Loaded_Language": ("Loaded_Language",),
    "Name_Calling,Labeling": ("Name_Calling-Labeling",),
    "Repetition": ("Repetition",),
    "Slogans": ("Slogans",),
    "Thought-terminating_Cliches": ("Conversation_Killer",),
    "Whataboutism,Straw_Men,Red_Herring": ("Whataboutism", "Straw_Man", "Red_Herring"),
}


@dataclass(frozen=True, slots=True)
class HeadSettings:
    """The grids the command searches by cross-validation on train (article folds), and the folds."""

    paragraph_alphas: tuple[float, ...] = (3_000.0, 10_000.0, 30_000.0, 100_000.0)
    word_alphas: tuple[float, ...] = (3_000.0, 10_000.0, 30_000.0)
    span_alphas: tuple[float, ...] = (300.0, 3_000.0, 30_000.0)
    folds: int = 5
    span_folds: int = 3
    outside_share: float = 0.4
    thresholds: tuple[float, ...] = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
    gaps: tuple[int, ...] = (0, 1, 2, 3, 5)
    min_words: tuple[int, ...] = (1, 2)
    #: The decoded spans' median length in words may differ from the gold median by at most this share.
    length_tolerance: float = 0.25


@dataclass(frozen=True, slots=True)
class ParagraphSet:
    """Labelled paragraphs in their articles: each article's paragraphs (their rows and ``[start, end)``)."""

    articles: list[Article]
    rows: list[np.ndarray]  # per article: the rows of its labelled paragraphs
    spans: list[np.ndarray]  # per article: those paragraphs' [start, end) in the article's text


def paragraph_matrix(paragraphs: ParagraphSet, console: Console | None = None) -> np.ndarray:
    """The paragraph head's features of every paragraph, by row."""
    paths = encode_tokens(paragraphs.articles, console)
    matrix: np.ndarray | None = None
    for path, rows, spans in zip(paths, paragraphs.rows, paragraphs.spans, strict=True):
        features = paragraph_features(load_tokens(path), spans)
        if matrix is None:
            matrix = np.zeros((sum(len(rows) for rows in paragraphs.rows), features.shape[1]), dtype=np.float32)
        matrix[rows] = features
    return matrix if matrix is not None else np.zeros((0, 0), dtype=np.float32)


def _sentence_spans(text: str) -> np.ndarray:
    return np.array([(span.start, span.end) for span in sentences(text)] or [(0, len(text))], dtype=np.int64)


def word_rows(
    texts: Sequence[str], console: Console | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per text: its words, their features and their decoding units (as :class:`TechniqueHeads` reads them)."""
    paths = encode_tokens([Article(str(number), text) for number, text in enumerate(texts)], console)
    for text, path in zip(texts, paths, strict=True):
        words, bounds = word_offsets(text), _sentence_spans(text)
        yield words, span_features(load_tokens(path), words, bounds), decoding_units(text, words, bounds)


def fit_paragraph_head(
    features: np.ndarray, gold: np.ndarray, documents: Sequence[str], settings: HeadSettings
) -> tuple[DenseLogistic, np.ndarray, dict[str, float]]:
    """The head and its thresholds with the best out-of-fold micro-F1, and the choice made."""
    fold = document_folds(documents, settings.folds)
    folds = RidgeFolds.of(features, gold, fold, settings.folds)
    best: tuple[float, float, np.ndarray, np.ndarray, np.ndarray] | None = None
    for alpha in settings.paragraph_alphas:
        raw = folds.out_of_fold(features, fold, alpha)
        slopes, offsets = platt(raw, gold)
        scores = raw * slopes + offsets
        thresholds = tune_micro_thresholds(scores, gold)
        predicted = scores > thresholds
        f1 = float(2 * (predicted & (gold > 0)).sum() / max(predicted.sum() + gold.sum(), 1))
        if best is None or f1 > best[0]:
            best = (f1, alpha, thresholds, slopes, offsets)
    assert best is not None
    f1, alpha, thresholds, slopes, offsets = best
    return calibrated(folds, alpha, slopes, offsets), thresholds, {"micro_f1": f1, "alpha": alpha}


def fit_word_tagger(
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    texts: Sequence[str],
    gold: Sequence[Sequence[tuple[int, int]]],
    settings: HeadSettings,
) -> tuple[DenseLogistic, WordDecoding, dict[str, float]]:
    """The word tagger and the decoding with the best out-of-fold span F1 among those whose median span length is
    within ``length_tolerance`` of the gold median, and the choice made."""
    features = np.vstack([row[1] for row in rows])
    inside = np.concatenate([_inside(words, spans) for (words, _, _), spans in zip(rows, gold, strict=True)])
    bounds = np.cumsum([0, *(len(row[0]) for row in rows)])
    article_fold = document_folds([str(number) for number in range(len(rows))], settings.span_folds)
    fold = np.repeat(article_fold, np.diff(bounds))
    # The sums read every inside word and a seeded share of the others (most words are outside: the Gram matrices
    # of all 350 k words cost twice the time for the same fit); scores and calibration use every word.
    sampled = (inside > 0) | (np.random.RandomState(0).rand(len(inside)) < settings.outside_share)
    folds = RidgeFolds.of(features, inside, np.where(sampled, fold, -1), settings.span_folds)
    gold_median = statistics.median(
        _words_in(text, start, end) for text, spans in zip(texts, gold, strict=True) for start, end in spans
    )
    # α by the out-of-fold log-loss of the calibrated word probabilities, then the decoding for that α's words.
    fitted = []
    for alpha in settings.word_alphas:
        raw = folds.out_of_fold(features, fold, alpha)
        slopes, offsets = platt(raw, inside)
        probabilities = np.clip(1.0 / (1.0 + np.exp(-(raw[:, 0] * slopes[0] + offsets[0]))), 1e-6, 1 - 1e-6)
        loss = float(-np.mean(inside * np.log(probabilities) + (1 - inside) * np.log(1 - probabilities)))
        fitted.append((loss, alpha, probabilities, slopes, offsets))
    loss, alpha, probabilities, slopes, offsets = min(fitted, key=lambda item: item[0])
    ends = [dangling(text, words) for text, (words, _, _) in zip(texts, rows, strict=True)]
    best: tuple[float, WordDecoding] | None = None
    for threshold, gap, min_words in product(settings.thresholds, settings.gaps, settings.min_words):
        decoding = WordDecoding(threshold, gap, min_words)
        predicted = [
            [(start, end) for start, end, _ in decoding.decode(words, probabilities[a:b], units, flags)]
            for (words, _, units), flags, a, b in zip(rows, ends, bounds[:-1], bounds[1:], strict=True)
        ]
        lengths = [
            _words_in(text, start, end) for text, spans in zip(texts, predicted, strict=True) for start, end in spans
        ]
        if not lengths or abs(statistics.median(lengths) - gold_median) > settings.length_tolerance * gold_median:
            continue
        f1 = span_prf(predicted, gold).f1
        if best is None or f1 > best[0]:
            best = (f1, decoding)
    if best is None:
        raise ValueError("no span decoding keeps the median span length near the gold one")
    f1, decoding = best
    choice = {"span_f1": f1, "alpha": alpha, "log_loss": loss, "gold_median_words": float(gold_median)}
    return calibrated(folds, alpha, slopes, offsets), decoding, choice


def fit_span_head(
    features: np.ndarray, classes: Sequence[str], articles: Sequence[int], settings: HeadSettings
) -> tuple[DenseLogistic, tuple[tuple[str, ...], ...], dict[str, float]]:
    """A softmax over the PTC classes on gold spans' features (one-vs-rest ridge, calibrated), the classes, and the
    choice made with its out-of-fold accuracy."""
    names = tuple(PTC_TECHNIQUES)
    labels = np.array([names.index(name) for name in classes])
    onehot = np.eye(len(names))[labels]
    fold = document_folds([str(article) for article in articles], settings.span_folds)
    folds = RidgeFolds.of(features, onehot, fold, settings.span_folds)
    scored = [(alpha, folds.out_of_fold(features, fold, alpha)) for alpha in settings.span_alphas]
    accuracy, alpha, raw = max((float((raw.argmax(axis=1) == labels).mean()), alpha, raw) for alpha, raw in scored)
    slopes, offsets = platt(raw, onehot)
    head = calibrated(folds, alpha, slopes, offsets)
    head.exclusive = True
    return head, tuple(PTC_TECHNIQUES[name] for name in names), {"accuracy": accuracy, "alpha": alpha}


@dataclass(frozen=True, slots=True)
class SpanData:
    """PTC train for the span heads: texts, gold spans, and each gold span's technique with its article."""

    texts: list[str]
    spans: list[list[tuple[int, int]]]
    labelled: list[tuple[int, int, int, str]]  # article, start, end, PTC technique


def fit_heads(
    paragraphs: ParagraphSet,
    gold: np.ndarray,
    documents: Sequence[str],
    spans: SpanData,
    settings: HeadSettings,
    console: Console,
) -> tuple[TechniqueHeads, dict[str, dict[str, float]]]:
    """The three heads, and what cross-validation on train chose for each with its score."""
    console.print("Paragraph head: features of the training paragraphs…")
    features = paragraph_matrix(paragraphs, console)
    paragraph_head, thresholds, paragraph_choice = fit_paragraph_head(features, gold, documents, settings)
    console.print(f"  cross-validated: {paragraph_choice}")
    console.print("Span tagger: features of the PTC words…")
    rows = list(word_rows(spans.texts, console))
    words, decoding, word_choice = fit_word_tagger(rows, spans.texts, spans.spans, settings)
    console.print(f"  cross-validated: {word_choice}, {decoding}")
    paths = encode_tokens([Article(str(number), text) for number, text in enumerate(spans.texts)])
    by_article: dict[int, list[tuple[int, int, int, str]]] = {}
    for item in spans.labelled:
        by_article.setdefault(item[0], []).append(item)
    vectors, classes, articles = [], [], []
    for article, items in sorted(by_article.items()):
        bounds = _sentence_spans(spans.texts[article])
        vectors.append(span_features(load_tokens(paths[article]), np.array([item[1:3] for item in items]), bounds))
        classes += [item[3] for item in items]
        articles += [article] * len(items)
    span_head, span_classes, span_choice = fit_span_head(np.vstack(vectors), classes, articles, settings)
    console.print(f"  span techniques, cross-validated: {span_choice}")
    heads = TechniqueHeads(TECHNIQUES, paragraph_head, thresholds, words, decoding, span_classes, span_head)
    return heads, {"paragraphs": paragraph_choice, "words": word_choice, "span_techniques": span_choice}


def _inside(words: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """1 for words that overlap a gold span."""
    inside = np.zeros(len(words), dtype=np.int8)
    for start, end in spans:
        inside[(words[:, 1] > start) & (words[:, 0] < end)] = 1
    return inside


def _words_in(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())
