"""Sparse n-gram TF-IDF features that serialise to plain arrays and score sentences and documents in one pass.

Documents are counted sentence by sentence: a document's n-gram counts are the sum of its sentences' counts
(character n-grams never cross a word, sentences end at whitespace), so the same counts give both the document
vector the classifier sees and the sentence vectors used to pick evidence — text is tokenised once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

_DIGITS = re.compile(r"\d")
_WORD = re.compile(r"\w+")
#: Distinct words whose character n-gram ids are kept (~1 KB each); the cache restarts when full.
_WORD_CACHE_SIZE = 200_000


def normalize_text(text: str) -> str:
    """Lower-cased text with digits folded to ``0``, so "2022" and "2024" share n-grams."""
    return _DIGITS.sub("0", text.lower())


@dataclass(frozen=True, slots=True)
class NgramBlock:
    """One block of features: ``word`` or ``char_wb`` (character n-grams inside space-padded words) n-grams."""

    analyzer: str
    ngram_min: int
    ngram_max: int
    min_df: int = 2
    max_features: int | None = None

    def analyzer_function(self) -> Callable[[str], Iterable[str]]:
        if self.analyzer == "word":
            return lambda text: word_ngrams(text, self.ngram_min, self.ngram_max)
        if self.analyzer == "char_wb":
            return lambda text: char_wb_ngrams(text, self.ngram_min, self.ngram_max)
        raise ValueError(f"unknown analyzer {self.analyzer!r}")


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """Word n-grams of the normalised text, joined by single spaces."""
    tokens = _WORD.findall(normalize_text(text))
    grams = list(tokens) if low <= 1 else []
    for n in range(max(2, low), high + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams inside words padded with one space on each side (short words once, whole)."""
    grams: list[str] = []
    for word in normalize_text(text).split():
        padded = f" {word} "
        length = len(padded)
        for n in range(low, high + 1):
            if n >= length:
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(length - n + 1))
    return grams


class NgramCounter:
    """Counts the n-grams of a fixed vocabulary in texts (what scikit-learn's CountVectorizer does, importably fast)."""

    def __init__(self, block: NgramBlock, vocabulary: dict[str, int] | None = None) -> None:
        self.block = block
        self.vocabulary: dict[str, int] = vocabulary or {}
        self._analyze = block.analyzer_function()
        self._word_cache: dict[str, np.ndarray] = {}

    def fit(self, texts: Sequence[str]) -> NgramCounter:
        """Keep n-grams in at least ``min_df`` texts (the ``max_features`` most frequent), sorted for determinism."""
        document_frequency: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for text in texts:
            grams = Counter(self._analyze(text))
            document_frequency.update(grams.keys())
            total.update(grams)
        kept = [gram for gram, df in document_frequency.items() if df >= self.block.min_df]
        if self.block.max_features is not None and len(kept) > self.block.max_features:
            kept = sorted(kept, key=lambda gram: (-total[gram], gram))[: self.block.max_features]
        self.vocabulary = {gram: index for index, gram in enumerate(sorted(kept))}
        self._word_cache.clear()
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Counts as a sparse matrix, one row per text."""
        if self.block.analyzer == "char_wb":
            return self._transform_by_word(texts)
        vocabulary = self.vocabulary
        indptr, indices, values = [0], [], []
        for text in texts:
            for gram, count in Counter(self._analyze(text)).items():
                index = vocabulary.get(gram)
                if index is not None:
                    indices.append(index)
                    values.append(count)
            indptr.append(len(indices))
        return _csr(values, indices, indptr, len(texts), len(vocabulary))

    def _transform_by_word(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Character n-grams never cross words, so each distinct word's n-gram ids are computed once and cached."""
        cache = self._word_cache
        if len(cache) > _WORD_CACHE_SIZE:
            cache.clear()
        parts: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        indptr = [0]
        for text in texts:
            words = Counter(normalize_text(text).split())
            ids = [cache.get(word) for word in words]
            for position, word in enumerate(words):
                if ids[position] is None:
                    ids[position] = cache[word] = self._word_ids(word)
            lengths = np.fromiter((len(found) for found in ids), dtype=np.int64, count=len(ids))
            if len(ids):
                parts.append(np.concatenate(ids))
                weights.append(np.repeat(np.fromiter(words.values(), dtype=np.float32, count=len(ids)), lengths))
            indptr.append(indptr[-1] + int(lengths.sum()))
        indices = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        values = np.concatenate(weights) if weights else np.zeros(0, dtype=np.float32)
        matrix = sp.csr_matrix(
            (values, indices, np.array(indptr, dtype=np.int64)), shape=(len(texts), len(self.vocabulary))
        )
        matrix.sum_duplicates()
        return matrix

    def _word_ids(self, word: str) -> np.ndarray:
        vocabulary = self.vocabulary
        found = [
            index
            for gram in char_wb_ngrams(word, self.block.ngram_min, self.block.ngram_max)
            if (index := vocabulary.get(gram)) is not None
        ]
        return np.array(found, dtype=np.int32)


def _csr(values: list, indices: list, indptr: list, rows: int, columns: int) -> sp.csr_matrix:
    return sp.csr_matrix(
        (np.array(values, dtype=np.float32), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
        shape=(rows, columns),
    )


class TfidfFeatures:
    """Concatenated TF-IDF blocks (sublinear tf, smoothed idf, each block L2-normalised and weighted equally)."""

    def __init__(self, blocks: Sequence[NgramBlock]) -> None:
        self.blocks = tuple(blocks)
        self._counters: list[NgramCounter] = []
        self._idf: np.ndarray | None = None
        self._block_bounds: list[tuple[int, int]] = []

    @property
    def n_features(self) -> int:
        return self._block_bounds[-1][1] if self._block_bounds else 0

    def fit(self, texts: Sequence[str]) -> TfidfFeatures:
        self._counters = [NgramCounter(block).fit(texts) for block in self.blocks]
        self._set_bounds()
        matrix = self.count(texts)
        document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
        self._idf = (np.log((1 + matrix.shape[0]) / (1 + document_frequency)) + 1).astype(np.float32)
        return self

    def _set_bounds(self) -> None:
        self._block_bounds, start = [], 0
        for counter in self._counters:
            size = len(counter.vocabulary)
            self._block_bounds.append((start, start + size))
            start += size

    def count(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Raw n-gram counts, one row per text."""
        return sp.hstack([counter.transform(texts) for counter in self._counters], format="csr")

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """TF-IDF rows from counts; each block of a row has norm ``1/sqrt(#blocks)``, so rows have unit norm."""
        assert self._idf is not None, "fit() or from_arrays() first"
        matrix = counts.astype(np.float32, copy=True).tocsr()
        matrix.sum_duplicates()
        np.log1p(matrix.data, out=matrix.data)
        matrix.data *= self._idf[matrix.indices]
        n_blocks = len(self._block_bounds)
        block_ends = np.array([end for _, end in self._block_bounds])
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        key = rows * n_blocks + np.searchsorted(block_ends, matrix.indices, side="right")
        norms = np.sqrt(
            np.bincount(key, weights=matrix.data.astype(np.float64) ** 2, minlength=matrix.shape[0] * n_blocks)
        )
        matrix.data /= (norms[key] * np.sqrt(n_blocks)).astype(np.float32)
        return matrix

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.weigh(self.count(texts))

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Arrays (vocabularies as UTF-8 text, idf) and JSON-able settings that :meth:`from_arrays` restores."""
        assert self._idf is not None
        arrays: dict[str, np.ndarray] = {"idf": self._idf}
        for index, counter in enumerate(self._counters):
            terms = sorted(counter.vocabulary, key=counter.vocabulary.get)
            arrays[f"vocabulary_{index}"] = np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)
        return arrays, {"blocks": [asdict(block) for block in self.blocks]}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> TfidfFeatures:
        features = cls([NgramBlock(**block) for block in settings["blocks"]])
        for index, block in enumerate(features.blocks):
            terms = arrays[f"vocabulary_{index}"].tobytes().decode("utf-8").split("\n")
            features._counters.append(NgramCounter(block, {term: i for i, term in enumerate(terms)}))
        features._set_bounds()
        features._idf = arrays["idf"].astype(np.float32)
        return features


def sum_rows(matrix: sp.csr_matrix, groups: Sequence[int]) -> sp.csr_matrix:
    """Rows summed per group: ``groups[i]`` consecutive rows make output row ``i``."""
    group_of_row = np.repeat(np.arange(len(groups)), groups)
    indicator = sp.csr_matrix(
        (np.ones(len(group_of_row), dtype=np.float32), (group_of_row, np.arange(len(group_of_row)))),
        shape=(len(groups), matrix.shape[0]),
    )
    return (indicator @ matrix).tocsr()
