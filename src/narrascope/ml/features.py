"""Sparse n-gram TF-IDF features that serialise to plain arrays and score sentences and documents in one pass.

Documents are counted sentence by sentence: a document's n-gram counts are the sum of its sentences' counts
(character n-grams never cross a word, sentences end at whitespace), so the same counts give both the document
vector the classifier sees and the sentence vectors used to pick evidence — text is tokenised once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

_DIGITS = re.compile(r"\d")


def normalize_text(text: str) -> str:
    """Lower-cased text with digits folded to ``0``, so "2022" and "2024" share n-grams."""
    return _DIGITS.sub("0", text.lower())


@dataclass(frozen=True, slots=True)
class NgramBlock:
    """One block of features: word or character (``char_wb``) n-grams of the given lengths."""

    analyzer: str
    ngram_min: int
    ngram_max: int
    min_df: int = 2
    max_features: int | None = None

    def vectorizer(self, vocabulary: dict[str, int] | None = None) -> CountVectorizer:
        word_options = {"token_pattern": r"(?u)\b\w+\b"} if self.analyzer == "word" else {}
        return CountVectorizer(
            analyzer=self.analyzer,
            ngram_range=(self.ngram_min, self.ngram_max),
            min_df=self.min_df,
            max_features=self.max_features,
            lowercase=False,
            preprocessor=normalize_text,
            vocabulary=vocabulary,
            dtype=np.float32,
            **word_options,
        )


class TfidfFeatures:
    """Concatenated TF-IDF blocks (sublinear tf, smoothed idf, each block L2-normalised and weighted equally)."""

    def __init__(self, blocks: Sequence[NgramBlock]) -> None:
        self.blocks = tuple(blocks)
        self._vectorizers: list[CountVectorizer] = []
        self._idf: np.ndarray | None = None
        self._block_bounds: list[tuple[int, int]] = []

    @property
    def n_features(self) -> int:
        return self._block_bounds[-1][1] if self._block_bounds else 0

    def fit(self, texts: Sequence[str]) -> TfidfFeatures:
        counts = []
        self._vectorizers = []
        for block in self.blocks:
            vectorizer = block.vectorizer()
            counts.append(vectorizer.fit_transform(texts))
            # Fixed-vocabulary vectorizers are what `from_arrays` rebuilds; use the same kind after fitting.
            self._vectorizers.append(block.vectorizer(dict(vectorizer.vocabulary_)))
        self._set_bounds()
        matrix = sp.hstack(counts, format="csr")
        document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
        self._idf = (np.log((1 + matrix.shape[0]) / (1 + document_frequency)) + 1).astype(np.float32)
        return self

    def _set_bounds(self) -> None:
        self._block_bounds, start = [], 0
        for vectorizer in self._vectorizers:
            size = len(vectorizer.vocabulary)
            self._block_bounds.append((start, start + size))
            start += size

    def count(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Raw n-gram counts, one row per text."""
        return sp.hstack([vectorizer.transform(texts) for vectorizer in self._vectorizers], format="csr")

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
        for index, vectorizer in enumerate(self._vectorizers):
            terms = sorted(vectorizer.vocabulary, key=vectorizer.vocabulary.get)
            arrays[f"vocabulary_{index}"] = np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)
        return arrays, {"blocks": [asdict(block) for block in self.blocks]}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> TfidfFeatures:
        features = cls([NgramBlock(**block) for block in settings["blocks"]])
        for index, block in enumerate(features.blocks):
            terms = arrays[f"vocabulary_{index}"].tobytes().decode("utf-8").split("\n")
            features._vectorizers.append(block.vectorizer({term: i for i, term in enumerate(terms)}))
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
