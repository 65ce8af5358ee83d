"""Offline explanations for a dominant narrative (SemEval-2025 Task 10 subtask 3).

An explanation is a frame — whom the article casts in which role and what it claims (:mod:`.frames`) — followed by
verbatim quotes of whole sentences or clauses (at least six words, never the title) from the sentences that carry the
narrative's own signal (the narrative head's label-specific evidence). Nothing about the article is made up: every
quote is an exact substring of the article, returned as evidence offsets.

Which quotes? A word model estimates, for each word type of the article, the probability that an annotator's
explanation uses it, from how often explanations in that language (and for that narrative and sub-narrative) reuse
the word when the article contains it, plus a few article features (frequency, position, title, capitalisation). A
greedy search then adds the evidence clause that most raises the expected bag-of-words F1 against an explanation of
typical length, and stops when no clause raises it (after the first).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

import numpy as np

from narrascope.evaluate.explanations import MAX_WORDS, MIN_QUOTE_WORDS
from narrascope.tasks.entities.canonical import canonical
from narrascope.tasks.explain.frames import Cast, frame
from narrascope.taxonomy import narratives
from narrascope.text.segment import sentences
from narrascope.text.tokens import WORD, tokens

#: Gold counts are tracked per word up to this many occurrences (expected overlap of repeated words).
MAX_COUNT = 4

#: Pseudo-counts of P(gold count >= k | >= 1) for k = 1..MAX_COUNT, for words seen rarely.
_REPEAT_PRIOR = np.array([1.0, 0.3, 0.1, 0.03])
_CLAUSE = re.compile(r"[,;:]\s+|\s+[–—-]\s+")
_EDGE = frozenset("\"'“”‘’«»„,;:–—-()[]\ufeff")  # \ufeff: a byte-order mark at the start of the text
_QUOTES = {"bg": ("„", "“"), "ru": ("«", "»")}
_DEFAULT_QUOTES = ("“", "”")
#: Other quotation marks, for a quote that holds its language's own: «…» inside «…» would end the quote early.
_OTHER_QUOTES = (("“", "”"), ("«", "»"), ("„", "“"))
FEATURES = 16

#: P(an explanation has ``word`` at least ``k`` times).
Expected = Callable[[str, int], float]


class Example(Protocol):
    """A training example: an article, its language, its dominant narrative and the gold explanation."""

    text: str
    language: str
    narrative: str
    subnarrative: str | None
    explanation: str


@dataclass(frozen=True, slots=True)
class Draft:
    """An explanation, the half-open character spans of the article it quotes and the language of its frame."""

    text: str
    evidence: tuple[tuple[int, int], ...]
    language: str


@dataclass(frozen=True, slots=True)
class Reading:
    """What the other heads found that an explanation builds on.

    ``evidence``: the sentences that carry the narrative's signal, best first (each at least ``MIN_QUOTE_WORDS``
    words, none of them the title); ``cast``: the article's actors with their roles, each with the start offsets
    of its mentions.
    """

    evidence: tuple[tuple[int, int], ...] = ()
    cast: tuple[tuple[Cast, tuple[int, ...]], ...] = ()


@dataclass
class _Article:
    """An article's word statistics, as the word model reads them."""

    counts: Counter
    first: dict[str, int]
    spread: Counter
    capitalised: Counter
    title: frozenset[str]
    n_sentences: int

    @classmethod
    def parse(cls, text: str) -> _Article:
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
        title = frozenset(tokens(spans[0].text)) if spans else frozenset()
        return cls(counts, first, spread, capitalised, title, len(spans))


def _quotable(text: str, start: int, end: int, unit: str) -> list[tuple[int, int, list[str]]]:
    """The pieces of one sentence a quote may take: the whole sentence (``unit="sentence"``) unless it cannot be
    quoted on its own, else its clauses; every piece has at least ``MIN_QUOTE_WORDS`` words."""
    if unit == "sentence":
        low, high = _trim(text, start, end)
        if len(text[low:high].split()) >= MIN_QUOTE_WORDS and _balanced(text[low:high]):
            return [(low, high, tokens(text[low:high]))]
    return _clauses(text, start, end, MIN_QUOTE_WORDS)


def _marks(language: str, piece: str) -> tuple[str, str] | None:
    """The quotation marks for ``piece``: its language's, or others when it holds those (a reader, and the quote
    check, would see the quote end at the inner mark); None when it holds every kind."""
    for left, right in (_QUOTES.get(language, _DEFAULT_QUOTES), *_OTHER_QUOTES):
        if not {left, right, "”" if right == "“" else right} & set(piece):
            return left, right
    return None


def _trim(text: str, low: int, high: int) -> tuple[int, int]:
    """The range without the punctuation and spaces at its edges."""
    while low < high and (text[low] in _EDGE or text[low].isspace()):
        low += 1
    while high > low and (text[high - 1] in _EDGE or text[high - 1].isspace()):
        high -= 1
    return low, high


def _clauses(text: str, start: int, end: int, min_words: int) -> list[tuple[int, int, list[str]]]:
    """Comma/semicolon/dash pieces of a sentence, edges trimmed of punctuation. A short piece takes the next one
    with it, and so does the sentence's opening piece: what precedes a sentence's first comma is mostly an
    introductory phrase ("In addition to the Pearl by the Sea, …"), not a clause."""
    pieces: list[tuple[int, int]] = []
    position, opening = start, True

    def open_ended() -> bool:
        return bool(pieces) and ((opening and len(pieces) == 1) or len(text[slice(*pieces[-1])].split()) < min_words)

    for match in _CLAUSE.finditer(text, start, end):
        if open_ended():
            opening = opening and len(pieces) > 1
            pieces[-1] = (pieces[-1][0], match.start())
        else:
            pieces.append((position, match.start()))
        position = match.end()
    if open_ended():
        pieces[-1] = (pieces[-1][0], end)
    else:
        pieces.append((position, end))
    clauses = []
    for low, high in (_trim(text, *piece) for piece in pieces):
        if len(text[low:high].split()) >= min_words and _balanced(text[low:high]):
            clauses.append((low, high, tokens(text[low:high])))
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


@dataclass(frozen=True, slots=True)
class Style:
    """How the explanations of one language are put together (chosen per language by cross-validation on train,
    see :mod:`narrascope.training.explanations`).

    ``evidence``: how many of the narrative's evidence sentences (best first) quotes may come from; ``unit``: quote
    whole ``sentence``s (their clauses when a sentence cannot stand alone) or ``clause``s; ``cast``: at most this
    many actors in the frame; ``frame_language``: the frame's language (the article's own, or ``en``).
    """

    evidence: int = 5
    unit: str = "clause"
    cast: int = 3
    frame_language: str = "en"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ExplanationModel:
    """A frame (actors, roles, claim) + a logistic word model + greedy expected-F1 selection of evidence clauses."""

    def __init__(
        self,
        smoothing: float = 2.0,
        label_smoothing: float = 3.0,
        max_clauses: int = 10,
        styles: dict[str, Style] | None = None,
    ) -> None:
        self.smoothing, self.label_smoothing = smoothing, label_smoothing
        self.max_clauses = max_clauses
        self.styles = dict(styles or {})
        self.counts = _Counts()
        self.gold_length: dict[str, float] = {}
        self.mean = np.zeros(FEATURES)
        self.scale = np.ones(FEATURES)
        self.weights = np.zeros(FEATURES + 1)

    # -- training -------------------------------------------------------------------------------------------------

    def fit(self, examples: Iterable[Example]) -> ExplanationModel:
        """Count word reuse per language and label, then fit the word model on leave-one-out features."""
        examples = list(examples)
        articles = [_Article.parse(example.text) for example in examples]
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

    def predict(self, text: str, language: str, narrative: str, subnarrative: str | None, reading: Reading) -> Draft:
        """An explanation of at most 80 words: the frame, then quotes of the ``reading``'s evidence sentences."""
        expected = self.expectation(text, language, narrative, subnarrative)
        return self.compose(text, language, narrative, subnarrative, reading, expected)

    def style(self, language: str) -> Style:
        """The language's style; a language without one (not trained) gets English's, with an English frame."""
        if language in self.styles:
            return self.styles[language]
        return replace(self.styles.get("en", Style()), frame_language="en")

    def expectation(self, text: str, language: str, narrative: str, subnarrative: str | None) -> Expected:
        """P(an annotator's explanation of this article has a word at least k times), for any word."""
        probability = self._probabilities(_Article.parse(text), _keys(language, narrative, subnarrative))
        explanations = self.counts.table.get(language, {})
        n_articles = max(1, self.counts.articles.get(language, 0))

        def expected(word: str, k: int) -> float:
            if word in probability:
                return float(probability[word][k - 1]) if k <= MAX_COUNT else 0.0
            row = explanations.get(word)
            return (row[-1] / n_articles) * 0.5 ** (k - 1) if row else 0.0

        return expected

    def compose(
        self,
        text: str,
        language: str,
        narrative: str,
        subnarrative: str | None,
        reading: Reading,
        expected: Expected,
    ) -> Draft:
        """The frame and the quotes that raise the expected token-F1 most (:meth:`expectation` is apart so that
        styles can be compared on the same article without recomputing it)."""
        style = self.style(language)
        opener = frame(style.frame_language, narrative, subnarrative, _cast(reading, style))
        used = Counter(tokens(opener))
        length = sum(used.values())
        overlap = sum(expected(word, k) for word, times in used.items() for k in range(1, times + 1))
        gold_length = self.gold_length.get(language, 30.0)
        best = 2 * overlap / (length + gold_length)
        budget = MAX_WORDS - len(opener.split())
        candidates = [
            piece
            for start, end in reading.evidence[: style.evidence]
            for piece in _quotable(text, start, end, style.unit)
            if _marks(language, text[piece[0] : piece[1]])
        ]
        chosen: list[int] = []
        while len(chosen) < self.max_clauses:
            candidate = None
            for index, (start, end, words) in enumerate(candidates):
                if index in chosen or len(text[start:end].split()) > budget:
                    continue
                gain, added = 0.0, Counter()
                for word in words:
                    added[word] += 1
                    gain += expected(word, used[word] + added[word])
                score = 2 * (overlap + gain) / (length + len(words) + gold_length)
                if candidate is None or score > candidate[0]:
                    candidate = (score, index, gain)
            if candidate is None or (chosen and candidate[0] <= best):
                break  # the first quote is always taken: the frame alone shows nothing of the article
            best, index, gain = candidate
            start, end, words = candidates[index]
            chosen.append(index)
            overlap, length = overlap + gain, length + len(words)
            used.update(words)
            budget -= len(text[start:end].split())
        spans = sorted(candidates[index][:2] for index in chosen)
        quotes = " ".join(
            "{1}{0}{2}".format(text[start:end], *_marks(language, text[start:end])) for start, end in spans
        )
        if not quotes:
            return Draft(opener.rstrip(":") + ".", (), style.frame_language)
        return Draft(f"{opener} {quotes}", tuple(spans), style.frame_language)

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
            "max_clauses": self.max_clauses,
            "styles": {language: style.to_dict() for language, style in sorted(self.styles.items())},
            "keys": keys,
            "articles": [self.counts.articles.get(key, 0) for key in keys],
            "gold_length": self.gold_length,
        }
        return arrays, settings

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> ExplanationModel:
        """The model saved by :meth:`to_arrays`."""
        styles = {language: Style(**style) for language, style in settings["styles"].items()}
        model = cls(settings["smoothing"], settings["label_smoothing"], settings["max_clauses"], styles)
        keys = settings["keys"]
        words = bytes(arrays["words"]).decode("utf-8").split("\n") if len(arrays["words"]) else []
        model.counts.articles = dict(zip(keys, settings["articles"], strict=True))
        model.counts.table = {key: {} for key in keys}
        for word, row, owner in zip(words, arrays["counts"].tolist(), arrays["owners"].tolist(), strict=True):
            model.counts.table[keys[owner]][word] = row
        model.mean, model.scale, model.weights = arrays["mean"], arrays["scale"], arrays["weights"]
        model.gold_length = dict(settings["gold_length"])
        return model


def _cast(reading: Reading, style: Style) -> list[Cast]:
    """The actors the frame names: those the evidence sentences name (a name the article uses once only when it
    is a known actor), most named there first (then in the article), at most ``style.cast``, grouped by role in
    the order their first actor comes."""
    sentences_ = reading.evidence[: style.evidence]
    named = []
    for position, (actor, mentions) in enumerate(reading.cast):
        inside = sum(any(start <= mention < end for start, end in sentences_) for mention in mentions)
        if inside and (len(mentions) > 1 or canonical(actor.name) is not None):  # a one-off unknown name: noise
            named.append((-inside, -len(mentions), position, actor))
    chosen = [actor for *_, actor in sorted(named)[: style.cast]]
    roles = list(dict.fromkeys(actor.role for actor in chosen))
    return sorted(chosen, key=lambda actor: roles.index(actor.role))


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
