"""Persuasion techniques on CPU: paragraph-level technique sets (SemEval-2023 T3 subtask 3) and propaganda spans.

:class:`TechniqueClassifier` — pooled multilingual one-vs-rest logistic regression over char_wb (2-5) and word
(1-2) TF-IDF of transliterated text, plus a few language-independent shape features and the mean vector of the
neighbouring paragraphs of the same article; per-technique decision thresholds maximise micro-F1 on out-of-fold
scores.

:class:`SpanTagger` — token inside/outside logistic regression over hashed word/affix/context features and the
bag of words of the token's sentence; tokens above a threshold are joined into spans (small gaps bridged, and a run
never leaves its sentence), decoding settings tuned on a held-out 20% of the training articles.

Both serialise to numpy arrays plus JSON-able settings (no pickle).
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from narrascope.document import Span
from narrascope.evaluate.techniques import span_prf
from narrascope.ml.features import NgramBlock, NgramTfidf
from narrascope.ml.linear import OneVsRestLogistic
from narrascope.taxonomy import techniques
from narrascope.text.segment import sentences

#: The 23 SemEval-2023 subtask-3 techniques, in the official scorer's (sorted) order.
TECHNIQUES = tuple(sorted(techniques().fine))

_QUOTES = '"“”«»„'
_THRESHOLD_GRID = np.round(np.arange(-3.0, 3.01, 0.1), 2)


def _encode(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _decode(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


def _normalise_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sp.diags((1.0 / norms).astype(np.float32)) @ matrix).tocsr()


def _neighbours(documents: Sequence[str]) -> sp.csr_matrix:
    """Paragraphs × paragraphs: 1 where the other is the previous or next paragraph of the same document."""
    rows, columns = [], []
    for i in range(len(documents)):
        for j in (i - 1, i + 1):
            if 0 <= j < len(documents) and documents[j] == documents[i]:
                rows.append(i)
                columns.append(j)
    return sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(len(documents), len(documents))
    )


def _same_document(documents: Sequence[str]) -> sp.csr_matrix:
    """Paragraphs × paragraphs: 1 where both belong to the same document (itself included)."""
    ids = {document: index for index, document in enumerate(dict.fromkeys(documents))}
    group = np.array([ids[document] for document in documents], dtype=np.int64)
    indicator = sp.csr_matrix(
        (np.ones(len(group), dtype=np.float32), (group, np.arange(len(group)))), shape=(len(ids), len(group))
    )
    return indicator[group]


#: The context of a paragraph, each as the (normalised) sum of other paragraphs' rows: its neighbours, its document.
_CONTEXTS = (_neighbours, _same_document)

#: Paragraphs of one document context at most. A document's paragraphs are compared pairwise (its sum, the
#: repetition feature), so a longer article is read as consecutive blocks of this many paragraphs: memory and time
#: stay linear in its length. Training articles have at most 124 paragraphs, so they are read whole.
CONTEXT_PARAGRAPHS = 256


def _context_blocks(documents: Sequence[str]) -> list[str]:
    """The context of each paragraph: its document, or its block of ``CONTEXT_PARAGRAPHS`` in a longer one."""
    seen: Counter[str] = Counter()
    blocks = []
    for document in documents:
        blocks.append(f"{document}\x00{seen[document] // CONTEXT_PARAGRAPHS}")
        seen[document] += 1
    return blocks


def _within_document_gram(matrix: sp.csr_matrix, documents: Sequence[str]) -> sp.csr_matrix:
    """Dot products of the rows of each document with each other (zero across documents)."""
    members: dict[str, list[int]] = {}
    for index, document in enumerate(documents):
        members.setdefault(document, []).append(index)
    rows, columns, values = [], [], []
    for indices in members.values():
        block = matrix[indices]
        rows.append(np.repeat(indices, len(indices)))
        columns.append(np.tile(indices, len(indices)))
        values.append((block @ block.T).toarray().ravel())
    shape = (len(documents), len(documents))
    if not values:
        return sp.csr_matrix(shape, dtype=np.float32)
    return sp.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))), shape=shape)


def _norms_of_sums(operator: sp.csr_matrix, gram: sp.csr_matrix) -> np.ndarray:
    """Row norms of ``operator @ X`` from the Gram matrix of X: |Σ_j o_ij x_j|² = Σ_jk o_ij o_ik x_j·x_k."""
    norms = np.sqrt(np.maximum(np.asarray((operator @ gram).multiply(operator).sum(axis=1)).ravel(), 0.0))
    norms[norms == 0] = 1.0
    return norms


_SHAPE_FEATURES = 6


def _shape_features(texts: Sequence[str], words: sp.csr_matrix, documents: Sequence[str]) -> sp.csr_matrix:
    """Length, ``!``, ``?``, quotes and repetition (highest word cosine to another paragraph of the document)."""
    repetition = np.zeros(len(texts), dtype=np.float32)
    members: dict[str, list[int]] = {}
    for index, document in enumerate(documents):
        members.setdefault(document, []).append(index)
    for indices in members.values():
        if len(indices) > 1:
            gram = (words[indices] @ words[indices].T).toarray()
            np.fill_diagonal(gram, 0.0)
            repetition[indices] = gram.max(axis=1)
    rows = [
        [
            np.log1p(len(text.split())) / 4,
            min(text.count("!"), 3) / 3,
            min(text.count("?"), 3) / 3,
            min(sum(text.count(quote) for quote in _QUOTES), 4) / 4,
            repetition[index],
            float(repetition[index] > 0.5),
        ]
        for index, text in enumerate(texts)
    ]
    return sp.csr_matrix(np.array(rows, dtype=np.float32).reshape(len(texts), _SHAPE_FEATURES))


def document_folds(documents: Sequence[str], folds: int) -> np.ndarray:
    """The cross-validation fold of each row: whole documents are held out together (seeded, so every head trained
    on the same documents shares the folds)."""
    names = sorted(set(documents))
    fold_of = dict(zip(names, np.random.RandomState(0).permutation(len(names)) % folds, strict=True))
    return np.array([fold_of[document] for document in documents], dtype=np.int64)


def tune_micro_thresholds(scores: np.ndarray, gold: np.ndarray, passes: int = 2) -> np.ndarray:
    """Per-label thresholds maximising micro-F1: best common threshold, then per-label coordinate ascent."""
    gold = gold.astype(bool)
    total_gold = int(gold.sum())

    def micro(predicted: np.ndarray) -> float:
        return 2 * (predicted & gold).sum() / max(predicted.sum() + total_gold, 1)

    start = max(_THRESHOLD_GRID, key=lambda threshold: micro(scores > threshold))
    thresholds = np.full(scores.shape[1], start, dtype=np.float32)
    predicted = scores > thresholds
    true_positives, positives = int((predicted & gold).sum()), int(predicted.sum())
    for _ in range(passes):
        for label in range(scores.shape[1]):
            column, truth = predicted[:, label], gold[:, label]
            rest_tp, rest_pos = true_positives - int((column & truth).sum()), positives - int(column.sum())
            candidates = scores[:, label][None, :] > _THRESHOLD_GRID[:, None]
            tp = rest_tp + (candidates & truth).sum(axis=1)
            f1 = 2 * tp / np.maximum(rest_pos + candidates.sum(axis=1) + total_gold, 1)
            best = int(np.argmax(f1))
            thresholds[label] = _THRESHOLD_GRID[best]
            predicted[:, label] = candidates[best]
            true_positives, positives = int(tp[best]), int(rest_pos + candidates[best].sum())
    return thresholds


class TechniqueClassifier:
    """Paragraph → set of the 23 techniques. ``documents`` (an article id per paragraph, in reading order) enables
    the neighbour and repetition features; without it every paragraph stands alone."""

    def __init__(
        self,
        C: float = 1.0,
        blocks: Sequence[NgramBlock] = (
            NgramBlock("char_wb", 2, 5, min_df=3, max_features=200_000),
            NgramBlock("word", 1, 2, min_df=2, max_features=100_000),
        ),
        context_weight: float = 0.5,
        shape_weight: float = 1.0,
        keep: int = 20_000,
        folds: int = 5,
    ) -> None:
        self.C = C
        self.blocks = tuple(blocks)
        self.context_weight = context_weight
        self.shape_weight = shape_weight
        self.keep = keep
        self.folds = folds
        self.labels: tuple[str, ...] = TECHNIQUES
        self.features: list[NgramTfidf] = []
        self.model: OneVsRestLogistic | None = None
        self._weight_blocks: tuple[Any, ...] = ()
        self.thresholds = np.zeros(len(TECHNIQUES), dtype=np.float32)

    def fit(
        self, texts: Sequence[str], labels: Sequence[Sequence[str]], documents: Sequence[str] | None = None
    ) -> TechniqueClassifier:
        """Fit features and model; thresholds from ``folds``-fold cross-validation grouped by document."""
        documents = list(documents) if documents is not None else [str(i) for i in range(len(texts))]
        index = {label: column for column, label in enumerate(self.labels)}
        gold = np.zeros((len(texts), len(self.labels)), dtype=np.int8)
        for row, names in enumerate(labels):
            gold[row, [index[name] for name in names]] = 1
        self.features = [NgramTfidf(block).fit(texts) for block in self.blocks]
        X = self._matrix(texts, documents)
        fold = document_folds(documents, self.folds)
        scores = np.zeros(gold.shape, dtype=np.float32)
        for k in range(self.folds):
            held = fold == k
            model = OneVsRestLogistic(C=self.C).fit(X[~held], gold[~held]).prune(self.keep)
            scores[held] = model.decision_function(X[held])
        self.thresholds = tune_micro_thresholds(scores, gold)
        self._set_model(OneVsRestLogistic(C=self.C).fit(X, gold).prune(self.keep))
        return self

    def decision_function(self, texts: Sequence[str], documents: Sequence[str] | None = None) -> np.ndarray:
        """Scores minus thresholds: a technique is predicted where the value is positive.

        Equal to the model applied to :meth:`_matrix`, computed without building the context blocks: a context
        row is a normalised sum of n-gram rows, so its score is the same sum of the rows' scores under that block's
        weights, divided by the norm.
        """
        assert self.model is not None and self.model.bias is not None, "fit or load the model first"
        documents = _context_blocks(documents) if documents is not None else [str(i) for i in range(len(texts))]
        X, words = self._ngram_matrix(texts)
        ngram_weights, *context_weights, shape_weights = self._weight_blocks
        scores = (X @ ngram_weights).toarray()
        gram = _within_document_gram(X, documents) if context_weights else None
        for context, weights in zip(_CONTEXTS, context_weights, strict=False):
            operator = context(documents)
            sums = operator @ (X @ weights).toarray()
            scores += self.context_weight * sums / _norms_of_sums(operator, gram)[:, None]
        if shape_weights is not None:
            scores += self.shape_weight * (_shape_features(texts, words, documents) @ shape_weights)
        return scores + self.model.bias - self.thresholds

    def _set_model(self, model: OneVsRestLogistic) -> None:
        """Keep the model and its weights cut into blocks (features × labels): n-grams, each context, shape."""
        assert model.weights is not None
        self.model = model
        width = sum(features.n_features for features in self.features)
        weights = model.weights.tocsc()
        blocks = [weights[:, :width]]
        if self.context_weight:
            blocks.extend(weights[:, k * width : (k + 1) * width] for k in range(1, len(_CONTEXTS) + 1))
        shape = weights[:, -_SHAPE_FEATURES:].toarray().T if self.shape_weight else None
        self._weight_blocks = (*(block.T.tocsr() for block in blocks), shape)

    def predict_proba(self, texts: Sequence[str], documents: Sequence[str] | None = None) -> np.ndarray:
        """Paragraphs × techniques, shifted so that 0.5 is each technique's decision threshold."""
        return 1.0 / (1.0 + np.exp(-self.decision_function(texts, documents)))

    def predict(self, texts: Sequence[str], documents: Sequence[str] | None = None) -> list[list[str]]:
        margins = self.decision_function(texts, documents)
        return [[self.labels[column] for column in np.flatnonzero(row > 0)] for row in margins]

    def _ngram_matrix(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The n-gram blocks side by side (unit rows), and the last (word) block alone."""
        blocks = [features.transform(texts) for features in self.features]
        return sp.hstack(blocks, format="csr") / np.float32(np.sqrt(len(blocks))), blocks[-1]

    def _matrix(self, texts: Sequence[str], documents: Sequence[str]) -> sp.csr_matrix:
        """The training matrix: n-grams, their neighbour and document means, shape features."""
        documents = _context_blocks(documents)
        X, words = self._ngram_matrix(texts)
        parts = [X]
        if self.context_weight:
            parts.extend(self.context_weight * _normalise_rows(context(documents) @ X) for context in _CONTEXTS)
        if self.shape_weight:
            parts.append(self.shape_weight * _shape_features(texts, words, documents))
        return sp.hstack(parts, format="csr").astype(np.float32)

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        assert self.model is not None, "nothing to save before fit"
        arrays = {
            **self.model.to_arrays("model"),
            "thresholds": self.thresholds,
            "labels": _encode("\n".join(self.labels)),
        }
        block_settings = []
        for position, features in enumerate(self.features):
            block_arrays, settings = features.to_arrays(f"block{position}")
            arrays.update(block_arrays)
            block_settings.append(settings)
        settings = {
            "C": self.C,
            "blocks": block_settings,
            "context_weight": self.context_weight,
            "shape_weight": self.shape_weight,
            "keep": self.keep,
            "folds": self.folds,
        }
        return arrays, settings

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> TechniqueClassifier:
        blocks = [NgramBlock(**block) for block in settings["blocks"]]
        classifier = cls(
            C=settings["C"],
            blocks=blocks,
            context_weight=settings["context_weight"],
            shape_weight=settings["shape_weight"],
            keep=settings["keep"],
            folds=settings["folds"],
        )
        classifier.labels = tuple(_decode(arrays["labels"]).split("\n"))
        classifier.features = [
            NgramTfidf.from_arrays(arrays, f"block{position}", asdict(block)) for position, block in enumerate(blocks)
        ]
        n_ngrams = sum(features.n_features for features in classifier.features)
        n_features = n_ngrams * (1 + len(_CONTEXTS) * bool(classifier.context_weight))
        n_features += _SHAPE_FEATURES if classifier.shape_weight else 0
        classifier._set_model(OneVsRestLogistic.from_arrays(arrays, "model", n_features, {"C": classifier.C}))
        classifier.thresholds = arrays["thresholds"].astype(np.float32)
        return classifier


# -- spans -------------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


def _shape(word: str) -> str:
    if word.isupper() and len(word) > 1:
        return "U"
    if word[:1].isupper():
        return "T"
    if word.isdigit():
        return "D"
    return "l" if word[:1].isalnum() else "P"


@dataclass(frozen=True, slots=True)
class SpanDecoding:
    """Tokens with probability >= ``threshold`` form spans; runs separated by at most ``gap`` tokens are joined,
    and so are runs inside one sentence when ``sentence_join``; spans shorter than ``min_chars`` are dropped."""

    threshold: float = 0.2
    gap: int = 8
    min_chars: int = 5
    sentence_join: bool = False


_WORD_CACHE_SIZE = 200_000

#: Hashed features of a token itself (word, affixes, shape, neighbours, quote and sentence-start flags).
_TOKEN_FEATURES = 13


class _TokenFeatures(NamedTuple):
    offsets: list[tuple[int, int]]
    indices: np.ndarray  # _TOKEN_FEATURES hashed ids per token, token after token
    sentence_of: np.ndarray  # each token's sentence
    sentence_bags: list[np.ndarray]  # each sentence's hashed bag of words, shared by its tokens

    def matrix(self, width: int) -> sp.csr_matrix:
        """Tokens × hashed features (own features plus the sentence's bag), for training."""
        rows = [
            np.concatenate([self.indices[i * _TOKEN_FEATURES : (i + 1) * _TOKEN_FEATURES], self.sentence_bags[s]])
            for i, s in enumerate(self.sentence_of)
        ]
        indptr = np.concatenate([[0], np.cumsum([len(row) for row in rows])])
        indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        return sp.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(rows), width))


class SpanTagger:
    """Character spans of persuasive text (technique-agnostic), from a token inside/outside classifier."""

    def __init__(self, C: float = 0.1, bits: int = 20, decoding: SpanDecoding | None = None) -> None:
        self.C = C
        self.bits = bits
        self.decoding = decoding or SpanDecoding()
        self.weights = np.zeros(0, dtype=np.float32)
        self.bias = 0.0
        self._word_cache: dict[str, tuple[int, ...]] = {}

    def fit(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], tune: bool = True) -> SpanTagger:
        """Fit on ``texts`` with gold half-open ``spans``; with ``tune``, decoding settings are first chosen on a
        held-out 20% of the texts (model fitted on the other 80%)."""
        encoded = [self._encode(text) for text in texts]
        targets = [self._targets(tokens.offsets, gold) for tokens, gold in zip(encoded, spans, strict=True)]
        if tune:
            held = np.random.RandomState(0).rand(len(texts)) < 0.2
            fitted, tuned = np.flatnonzero(~held), np.flatnonzero(held)
            self._fit_weights([encoded[i] for i in fitted], [targets[i] for i in fitted])
            self.decoding = self._tune(
                [texts[i] for i in tuned], [encoded[i] for i in tuned], [spans[i] for i in tuned]
            )
        self._fit_weights(encoded, targets)
        return self

    def token_probabilities(
        self, text: str, sentence_spans: Sequence[Span] | None = None
    ) -> tuple[list[tuple[int, int]], np.ndarray]:
        """Token offsets and the probability that each token lies inside a span.

        A sentence's bag of words is shared by all its tokens, so its weight is summed once per sentence.
        """
        encoded = self._encode(text, sentence_spans)
        if not encoded.offsets:
            return [], np.zeros(0, dtype=np.float32)
        own = self.weights[encoded.indices].reshape(len(encoded.offsets), _TOKEN_FEATURES).sum(axis=1)
        bags = np.array([self.weights[bag].sum() for bag in encoded.sentence_bags], dtype=np.float32)
        sums = own + bags[encoded.sentence_of]
        return encoded.offsets, 1.0 / (1.0 + np.exp(-(sums + self.bias)))

    def predict(self, text: str, sentence_spans: Sequence[Span] | None = None) -> list[tuple[int, int]]:
        """Half-open spans; ``sentence_spans`` = ``sentences(text)`` when the caller already has them."""
        tokens, probabilities = self.token_probabilities(text, sentence_spans)
        return decode_spans(text, tokens, probabilities, self.decoding, sentence_spans)

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        nonzero = np.flatnonzero(self.weights)
        arrays = {"span_indices": nonzero.astype(np.int32), "span_weights": self.weights[nonzero].astype(np.float16)}
        return arrays, {"C": self.C, "bits": self.bits, "bias": self.bias, "decoding": asdict(self.decoding)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> SpanTagger:
        tagger = cls(C=settings["C"], bits=settings["bits"], decoding=SpanDecoding(**settings["decoding"]))
        tagger.weights = np.zeros(1 << tagger.bits, dtype=np.float32)
        tagger.weights[arrays["span_indices"]] = arrays["span_weights"].astype(np.float32)
        tagger.bias = float(settings["bias"])
        return tagger

    # -- internals ---------------------------------------------------------------------------------------------

    def _encode(self, text: str, sentence_spans: Sequence[Span] | None = None) -> _TokenFeatures:
        """Token offsets, each token's own hashed feature ids and the bag of words of each sentence."""
        matches = list(_TOKEN.finditer(text))
        words = [match.group().lower() for match in matches]
        sentence_of = np.zeros(len(matches), dtype=np.int64)
        position = 0
        spans = sentences(text) if sentence_spans is None else sentence_spans
        for index, match in enumerate(matches):
            while position + 1 < len(spans) and match.start() >= spans[position].end:
                position += 1
            sentence_of[index] = position
        mask = (1 << self.bits) - 1
        bags: dict[int, set[int]] = {}
        for index, word in enumerate(words):
            bags.setdefault(int(sentence_of[index]), set()).add(zlib.crc32(f"S={word}".encode()) & mask)
        count = int(sentence_of[-1]) + 1 if len(matches) else 0  # sentence_of never decreases
        sentence_bags = [np.array(sorted(bags.get(sentence, ())), dtype=np.int64) for sentence in range(count)]
        # The 13 features in order: b, w, s3, p4, sh, w-1, w+1, w-2, w+2, b-, b+, q, first. All but the two
        # bigrams depend on one word only, so their hashes come from a per-word cache.
        padded = ["<s>", "<s>", *words, "</s>", "</s>"]
        table = np.array([self._word_hashes(word) for word in padded], dtype=np.int64).reshape(-1, 7)
        columns = np.empty((len(words), _TOKEN_FEATURES), dtype=np.int64)
        if len(words):
            columns[:, 0] = self._hash("b")
            columns[:, 1:4] = table[2:-2, 0:3]  # w, s3, p4 of the token itself
            columns[:, 4] = [self._hash(f"sh={_shape(match.group())}") for match in matches]
            columns[:, 5] = table[1:-3, 3]  # w-1
            columns[:, 6] = table[3:-1, 4]  # w+1
            columns[:, 7] = table[:-4, 5]  # w-2
            columns[:, 8] = table[4:, 6]  # w+2
            columns[:, 9] = [zlib.crc32(f"b-={padded[i + 1]}|{words[i]}".encode()) & mask for i in range(len(words))]
            columns[:, 10] = [zlib.crc32(f"b+={words[i]}|{padded[i + 3]}".encode()) & mask for i in range(len(words))]
            quoted = np.cumsum([word in _QUOTES for word in words]) % 2 == 1
            columns[:, 11] = np.where(quoted, self._hash("q=True"), self._hash("q=False"))
            first = np.ones(len(words), dtype=bool)
            first[1:] = sentence_of[1:] != sentence_of[:-1]
            columns[:, 12] = np.where(first, self._hash("first=True"), self._hash("first=False"))
        offsets = [(match.start(), match.end()) for match in matches]
        return _TokenFeatures(offsets, columns.ravel(), sentence_of, sentence_bags)

    def _hash(self, name: str) -> int:
        return zlib.crc32(name.encode()) & ((1 << self.bits) - 1)

    def _word_hashes(self, word: str) -> tuple[int, ...]:
        """Hashes of the word-only features: w, s3, p4 of the word, and w-1, w+1, w-2, w+2 naming it."""
        found = self._word_cache.get(word)
        if found is None:
            if len(self._word_cache) > _WORD_CACHE_SIZE:
                self._word_cache.clear()
            names = (
                f"w={word}",
                f"s3={word[-3:]}",
                f"p4={word[:4]}",
                f"w-1={word}",
                f"w+1={word}",
                f"w-2={word}",
                f"w+2={word}",
            )
            found = self._word_cache[word] = tuple(self._hash(name) for name in names)
        return found

    @staticmethod
    def _targets(tokens: list[tuple[int, int]], gold: Sequence[tuple[int, int]]) -> np.ndarray:
        """1 for tokens overlapping a gold span."""
        starts = np.array([start for start, _ in tokens], dtype=np.int64)
        ends = np.array([end for _, end in tokens], dtype=np.int64)
        inside = np.zeros(len(tokens), dtype=np.int8)
        for start, end in gold:
            inside[(ends > start) & (starts < end)] = 1
        return inside

    def _fit_weights(self, encoded: list[_TokenFeatures], targets: list[np.ndarray]) -> None:
        from sklearn.linear_model import LogisticRegression  # training only

        X = sp.vstack([features.matrix(1 << self.bits) for features in encoded], format="csr")
        model = LogisticRegression(C=self.C, solver="liblinear", max_iter=2000).fit(X, np.concatenate(targets))
        self.weights = model.coef_[0].astype(np.float32)
        self.bias = float(model.intercept_[0])

    def _tune(
        self,
        texts: list[str],
        encoded: list[_TokenFeatures],
        gold: list[Sequence[tuple[int, int]]],
    ) -> SpanDecoding:
        probabilities = [self.token_probabilities(text)[1] for text in texts]
        best, best_f1 = SpanDecoding(), -1.0
        for threshold in (0.1, 0.13, 0.16, 0.2, 0.25):
            for gap in (5, 8, 12, 20):
                for min_chars in (1, 5, 10):
                    for sentence_join in (False, True):
                        decoding = SpanDecoding(threshold, gap, min_chars, sentence_join)
                        predicted = [
                            decode_spans(text, tokens.offsets, p, decoding)
                            for text, tokens, p in zip(texts, encoded, probabilities, strict=True)
                        ]
                        f1 = span_prf(predicted, gold).f1
                        if f1 > best_f1:
                            best, best_f1 = decoding, f1
        return best


def decode_spans(
    text: str,
    tokens: Sequence[tuple[int, int]],
    probabilities: np.ndarray,
    decoding: SpanDecoding,
    sentence_spans: Sequence[Span] | None = None,
) -> list[tuple[int, int]]:
    """Join tokens above the threshold into half-open character spans (see :class:`SpanDecoding`)."""
    if decoding.sentence_join and sentence_spans is None:
        sentence_spans = sentences(text)
    bounds = [span.end for span in sentence_spans] if decoding.sentence_join else []
    out: list[tuple[int, int]] = []
    current: list[int] | None = None
    last, sentence, current_sentence = -10, 0, -1
    for index, ((start, end), probability) in enumerate(zip(tokens, probabilities, strict=True)):
        while sentence < len(bounds) - 1 and start >= bounds[sentence]:
            sentence += 1
        if probability < decoding.threshold:
            continue
        joined = index - last <= decoding.gap + 1 or (decoding.sentence_join and sentence == current_sentence)
        if current is not None and joined:
            current[1] = end
        else:
            if current is not None:
                out.append((current[0], current[1]))
            current, current_sentence = [start, end], sentence
        last = index
    if current is not None:
        out.append((current[0], current[1]))
    return [(start, end) for start, end in out if end - start >= decoding.min_chars]
