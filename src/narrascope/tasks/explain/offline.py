"""Offline explanations for a dominant narrative (SemEval-2025 Task 10 subtask 3).

An explanation is a short per-language opener (in English it restates the narrative) followed by verbatim quotes of
article clauses. Nothing about the article is made up: every quote is an exact substring of the article, returned as
evidence offsets.

Which clauses? A word model estimates, for each word type of the article, the probability that an annotator's
explanation uses it, from how often explanations in that language (and for that narrative and sub-narrative) reuse
the word when the article contains it, plus a few article features (frequency, position, title, capitalisation). A
greedy search then adds the clause that most raises the expected bag-of-words F1 against an explanation of typical
length, and stops when no clause raises it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from narrascope.evaluate.explanations import MAX_WORDS
from narrascope.taxonomy import narratives
from narrascope.text.segment import sentences
from narrascope.text.tokens import WORD, tokens

#: Gold counts are tracked per word up to this many occurrences (expected overlap of repeated words).
MAX_COUNT = 4

#: Pseudo-counts of P(gold count >= k | >= 1) for k = 1..MAX_COUNT, for words seen rarely.
_REPEAT_PRIOR = np.array([1.0, 0.3, 0.1, 0.03])
_CLAUSE = re.compile(r"[,;:]\s+|\s+[–—-]\s+")
_EDGE = frozenset("\"'“”‘’«»„,;:–—-()[]\ufeff")  # \ufeff: a byte-order mark at the start of the text
_PROPER = frozenset({"Ukraine", "Ukrainian", "Ukraine’s", "Russia", "Russian", "NATO", "CO2", "EU", "UA", "West"})
_CLAIM = re.compile(r" (is|are|will|do|does|has|have|cannot|should|risk)\b|/will ")
_QUOTES = {"bg": ("„", "“"), "ru": ("«", "»")}
_DEFAULT_QUOTES = ("“", "”")

#: Openers learnt from the most frequent beginnings of the training explanations (chosen by cross-validation);
#: ``{x}`` is the (sub-)narrative, restated as a claim or as a noun phrase.
OPENERS: dict[str, dict[str, str]] = {
    "en": {"claim": "The text claims that {x}:", "nominal": "The text presents {x}:"},
    "bg": {"claim": "Коментира се, че", "nominal": "Коментира се, че"},
    "hi": {"claim": "इस लेख में चर्चा की गई है कि", "nominal": "इस लेख में चर्चा की गई है कि"},
    "pt": {"claim": "O autor do texto afirma que", "nominal": "O autor do texto afirma que"},
    "ru": {"claim": "В статье говорится о том, что", "nominal": "В статье говорится о том, что"},
}
FEATURES = 16


class Example(Protocol):
    """A training example: an article, its language, its dominant narrative and the gold explanation."""

    text: str
    language: str
    narrative: str
    subnarrative: str | None
    explanation: str


@dataclass(frozen=True, slots=True)
class Draft:
    """An explanation and the half-open character spans of the article it quotes."""

    text: str
    evidence: tuple[tuple[int, int], ...]


def restate(narrative: str, subnarrative: str | None, templates: dict[str, str]) -> str:
    """The opener with the (sub-)narrative's short name as a claim ("… claims that X") or noun phrase."""
    taxonomy = narratives()
    name = taxonomy.short_name(subnarrative) if subnarrative else "Other"
    if name == "Other":
        name = taxonomy.short_name(narrative)
    kind = "claim" if _CLAIM.search(" " + name) else "nominal"
    return templates[kind].format(x=_phrase(name))


def _phrase(name: str) -> str:
    """A label name to use inside a sentence: lower-case first letter unless it starts with a proper noun."""
    return name if name.split()[0] in _PROPER else name[0].lower() + name[1:]


@dataclass
class _Article:
    """An article cut into candidate clauses, with the word statistics the word model needs."""

    text: str
    clauses: list[tuple[int, int, list[str]]]
    counts: Counter
    first: dict[str, int]
    spread: Counter
    capitalised: Counter
    title: frozenset[str]
    n_sentences: int

    @classmethod
    def parse(cls, text: str, min_tokens: int) -> _Article:
        clauses: list[tuple[int, int, list[str]]] = []
        counts, spread, capitalised, first = Counter(), Counter(), Counter(), {}
        for match in WORD.finditer(text):
            if match.group()[0].isupper():
                capitalised[match.group().lower()] += 1
        spans = sentences(text)
        for index, sentence in enumerate(spans):
            words = tokens(sentence.text)
            counts.update(words)
            spread.update(set(words))
            for word in words:
                first.setdefault(word, index)
            clauses.extend(_clauses(text, sentence.start, sentence.end, min_tokens))
        title = frozenset(tokens(spans[0].text)) if spans else frozenset()
        return cls(text, clauses, counts, first, spread, capitalised, title, len(spans))


def _clauses(text: str, start: int, end: int, min_tokens: int) -> list[tuple[int, int, list[str]]]:
    """Comma/semicolon/dash pieces of a sentence (short pieces merged forward), edges trimmed of punctuation."""
    pieces, position = [], start
    for match in _CLAUSE.finditer(text, start, end):
        piece = (position, match.start())
        if pieces and len(tokens(text[pieces[-1][0] : pieces[-1][1]])) < min_tokens:
            pieces[-1] = (pieces[-1][0], piece[1])
        else:
            pieces.append(piece)
        position = match.end()
    if pieces and len(tokens(text[pieces[-1][0] : pieces[-1][1]])) < min_tokens:
        pieces[-1] = (pieces[-1][0], end)
    else:
        pieces.append((position, end))
    clauses = []
    for low, high in pieces:
        while low < high and (text[low] in _EDGE or text[low].isspace()):
            low += 1
        while high > low and (text[high - 1] in _EDGE or text[high - 1].isspace()):
            high -= 1
        words = tokens(text[low:high])
        if len(words) >= min_tokens and _balanced(text[low:high]):
            clauses.append((low, high, words))
    return clauses


def _balanced(piece: str) -> bool:
    """True if the piece opens and closes its own quotes (so it can be quoted without confusing the reader)."""
    curly = piece.count("“") + piece.count("”") + piece.count("„")
    return curly % 2 == 0 and piece.count("«") == piece.count("»") and piece.count('"') % 2 == 0


class _Counts:
    """Per key (language, or language + label) and word: articles with the word, articles whose explanation also
    has it (at least 1..MAX_COUNT times), and explanations with it."""

    def __init__(self) -> None:
        self.articles: dict[str, int] = {}
        self.table: dict[str, dict[str, list[int]]] = {}  # key -> word -> [in article, hit>=1..K, in explanation]

    def add(self, keys: Sequence[str], article: _Article, explanation: str, sign: int = 1) -> None:
        gold = Counter(tokens(explanation))
        for key in keys:
            self.articles[key] = self.articles.get(key, 0) + sign
            table = self.table.setdefault(key, {})
            for word in set(article.counts) | set(gold):
                row = table.setdefault(word, [0] * (MAX_COUNT + 2))
                present, times = word in article.counts, gold.get(word, 0)
                row[0] += sign * present
                for k in range(min(times, MAX_COUNT) if present else 0):
                    row[1 + k] += sign
                row[-1] += sign * (times > 0)

    def prune(self) -> None:
        """Drop rows that carry (almost) no information: seen in one article and never in an explanation."""
        for key, table in self.table.items():
            keep = 2 if "\t" not in key else 1
            self.table[key] = {word: row for word, row in table.items() if row[0] > keep or row[1] or row[-1]}


def _keys(language: str, narrative: str, subnarrative: str | None) -> list[str]:
    keys = [language, f"{language}\t{narrative}"]
    if subnarrative:
        keys.append(f"{language}\t{subnarrative}")
    return keys


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


class ExplanationModel:
    """Per-language openers + a logistic word model + greedy expected-F1 selection of article clauses."""

    def __init__(
        self,
        smoothing: float = 2.0,
        label_smoothing: float = 3.0,
        min_tokens: int = 4,
        max_clauses: int = 10,
    ) -> None:
        self.smoothing, self.label_smoothing = smoothing, label_smoothing
        self.min_tokens, self.max_clauses = min_tokens, max_clauses
        self.counts = _Counts()
        self.gold_length: dict[str, float] = {}
        self.mean = np.zeros(FEATURES)
        self.scale = np.ones(FEATURES)
        self.weights = np.zeros(FEATURES + 1)

    # -- training -------------------------------------------------------------------------------------------------

    def fit(self, examples: Iterable[Example]) -> ExplanationModel:
        """Count word reuse per language and label, then fit the word model on leave-one-out features."""
        examples = list(examples)
        articles = [_Article.parse(example.text, self.min_tokens) for example in examples]
        self.counts = _Counts()
        for example, article in zip(examples, articles, strict=True):
            self.counts.add(
                _keys(example.language, example.narrative, example.subnarrative), article, example.explanation
            )
        rows, targets = [], []
        for example, article in zip(examples, articles, strict=True):
            keys = _keys(example.language, example.narrative, example.subnarrative)
            self.counts.add(keys, article, example.explanation, -1)  # leave this article out of its own features
            words, features, _ = self._features(article, keys)
            self.counts.add(keys, article, example.explanation)
            gold = set(tokens(example.explanation))
            rows.append(features)
            targets.append(np.array([word in gold for word in words], dtype=float))
        x, y = np.vstack(rows), np.concatenate(targets)
        self.mean, self.scale = x.mean(axis=0), x.std(axis=0) + 1e-9
        self.weights = _logistic(np.hstack([(x - self.mean) / self.scale, np.ones((len(x), 1))]), y)
        for language in sorted({example.language for example in examples}):
            lengths = [len(tokens(example.explanation)) for example in examples if example.language == language]
            self.gold_length[language] = float(np.median(lengths))
        self.counts.prune()
        return self

    def _features(self, article: _Article, keys: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Feature rows and P(gold count >= k | gold count >= 1) ratios for the article's word types."""
        counts = self.counts
        language = counts.table.get(keys[0], {})
        labels = [counts.table.get(key, {}) for key in keys[1:]]
        n_articles = max(1, counts.articles.get(keys[0], 0))
        label_articles = [counts.articles.get(key, 0) for key in keys[1:]]
        hits = sum(row[1] for row in language.values())
        base = (hits + 1) / (sum(row[0] for row in language.values()) + 10)
        narrative_words = _label_words(keys)
        empty = [0] * (MAX_COUNT + 2)
        words = list(article.counts)
        x = np.zeros((len(words), FEATURES))
        ratios = np.ones((len(words), MAX_COUNT))
        for j, word in enumerate(words):
            row = language.get(word, empty)
            p_language = (row[1] + self.smoothing * base) / (row[0] + self.smoothing)
            p_label = p_language
            for table in labels:
                label_row = table.get(word, empty)
                p_label = (label_row[1] + self.label_smoothing * p_label) / (label_row[0] + self.label_smoothing)
            ratios[j] = np.minimum(1.0, (np.array(row[1 : MAX_COUNT + 1]) + _REPEAT_PRIOR) / (row[1] + 1))
            first, last = labels[0].get(word, empty), labels[-1].get(word, empty)
            x[j] = (
                _logit(p_language),
                _logit(p_label),
                math.log1p(article.counts[word]),
                article.first[word] / max(1, article.n_sentences),
                word in article.title,
                math.log((row[0] + 1) / (n_articles + 1)),
                min(len(word), 15) / 10,
                word.isdigit(),
                word in narrative_words,
                _logit(p_language) - _logit(p_label),
                math.log1p(row[-1]),
                article.capitalised[word] / article.counts[word],
                article.spread[word] / max(1, article.n_sentences),
                math.log1p(article.first[word]),
                (first[-1] + 0.1) / (label_articles[0] + 1),
                (last[-1] + 0.1) / (label_articles[-1] + 1),
            )
        return words, x, ratios

    # -- prediction -----------------------------------------------------------------------------------------------

    def predict(self, text: str, language: str, narrative: str, subnarrative: str | None) -> Draft:
        """An explanation of at most 80 words in ``language``, quoting the article verbatim."""
        article = _Article.parse(text, self.min_tokens)
        keys = _keys(language, narrative, subnarrative)
        opener = restate(narrative, subnarrative, OPENERS.get(language, OPENERS["en"]))
        probability = self._probabilities(article, keys)
        explanations = self.counts.table.get(language, {})
        n_articles = max(1, self.counts.articles.get(language, 0))

        def expected(word: str, k: int) -> float:
            """P(the explanation has ``word`` at least ``k`` times)."""
            if word in probability:
                return float(probability[word][k - 1]) if k <= MAX_COUNT else 0.0
            row = explanations.get(word)
            return (row[-1] / n_articles) * 0.5 ** (k - 1) if row else 0.0

        used = Counter(tokens(opener))
        length = sum(used.values())
        overlap = sum(expected(word, k) for word, times in used.items() for k in range(1, times + 1))
        gold_length = self.gold_length.get(language, 30.0)
        best = 2 * overlap / (length + gold_length)
        budget = MAX_WORDS - len(opener.split())
        chosen: list[int] = []
        while len(chosen) < self.max_clauses:
            candidate = None
            for index, (start, end, words) in enumerate(article.clauses):
                if index in chosen or len(text[start:end].split()) > budget:
                    continue
                gain, added = 0.0, Counter()
                for word in words:
                    added[word] += 1
                    gain += expected(word, used[word] + added[word])
                score = 2 * (overlap + gain) / (length + len(words) + gold_length)
                if candidate is None or score > candidate[0]:
                    candidate = (score, index, gain)
            if candidate is None or candidate[0] <= best:
                break
            best, index, gain = candidate
            start, end, words = article.clauses[index]
            chosen.append(index)
            overlap, length = overlap + gain, length + len(words)
            used.update(words)
            budget -= len(text[start:end].split())
        spans = sorted(article.clauses[index][:2] for index in chosen)
        left, right = _QUOTES.get(language, _DEFAULT_QUOTES)
        parts = [opener, *(f"{left}{text[start:end]}{right}" for start, end in spans)]
        return Draft(" ".join(part for part in parts if part), tuple(spans))

    def _probabilities(self, article: _Article, keys: list[str]) -> dict[str, np.ndarray]:
        words, x, ratios = self._features(article, keys)
        z = np.hstack([(x - self.mean) / self.scale, np.ones((len(x), 1))]) @ self.weights
        p = 1 / (1 + np.exp(-z))
        return {word: p[j] * ratios[j] for j, word in enumerate(words)}

    # -- persistence ----------------------------------------------------------------------------------------------

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Plain arrays (words as UTF-8 bytes separated by newlines) and JSON-able settings; no pickle."""
        keys = sorted(self.counts.table)
        words, rows, owners = [], [], []
        for position, key in enumerate(keys):
            for word, row in sorted(self.counts.table[key].items()):
                words.append(word)
                rows.append(row)
                owners.append(position)
        arrays = {
            "words": np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
            "counts": np.array(rows, dtype=np.int32).reshape(-1, MAX_COUNT + 2),
            "owners": np.array(owners, dtype=np.int32),
            "mean": self.mean.astype(np.float64),
            "scale": self.scale.astype(np.float64),
            "weights": self.weights.astype(np.float64),
        }
        settings = {
            "smoothing": self.smoothing,
            "label_smoothing": self.label_smoothing,
            "min_tokens": self.min_tokens,
            "max_clauses": self.max_clauses,
            "keys": keys,
            "articles": [self.counts.articles.get(key, 0) for key in keys],
            "gold_length": self.gold_length,
        }
        return arrays, settings

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> ExplanationModel:
        """The model saved by :meth:`to_arrays`."""
        model = cls(
            settings["smoothing"],
            settings["label_smoothing"],
            settings["min_tokens"],
            settings["max_clauses"],
        )
        keys = settings["keys"]
        words = bytes(arrays["words"]).decode("utf-8").split("\n") if len(arrays["words"]) else []
        model.counts.articles = dict(zip(keys, settings["articles"], strict=True))
        model.counts.table = {key: {} for key in keys}
        for word, row, owner in zip(words, arrays["counts"].tolist(), arrays["owners"].tolist(), strict=True):
            model.counts.table[keys[owner]][word] = row
        model.mean, model.scale, model.weights = arrays["mean"], arrays["scale"], arrays["weights"]
        model.gold_length = dict(settings["gold_length"])
        return model


def _label_words(keys: list[str]) -> frozenset[str]:
    """Words of the narrative's and sub-narrative's names and descriptions."""
    taxonomy = narratives()
    words: list[str] = []
    for key in keys[1:]:
        label = key.split("\t", 1)[1]
        if label in taxonomy.coarse or label in taxonomy.fine:
            words += tokens(taxonomy.short_name(label)) + tokens(taxonomy.description(label))
    return frozenset(words)


def _logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, iterations: int = 25) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method (a handful of dense features)."""
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + l2 * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return w
