"""Logistic regression on dense encoder vectors: standardised features, one weight row per label, no pickle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: Rows standardised at a time when scoring (bounds the float64 temporaries, not the result).
SCORE_ROWS = 2048


def score_in_blocks(rows: int, score: Callable[[slice], np.ndarray], block: int = SCORE_ROWS) -> np.ndarray:
    """``score`` of consecutive slices of ``rows`` rows, ``block`` at a time, concatenated.

    For heads whose features are built from the encoder's pass just before scoring: the features of all of a long
    article's rows at once (tens of thousands of words or mention candidates, kilobytes each) would take gigabytes,
    a block's are freed before the next is built.
    """
    return np.concatenate([np.zeros(0)] + [score(slice(start, start + block)) for start in range(0, rows, block)])


class DenseLogistic:
    """Logistic regression over standardised dense features: one binary model per label column, or with
    ``exclusive`` one softmax over the labels (for picking one label, e.g. a mention's role; a row with several
    gold labels counts once, shared among them).

    The same weights score any vector of the same space: an article's mean vector, or one sentence's, which is
    what makes a head's sentence scores evidence for its own label.
    """

    def __init__(self, C: float = 0.1, exclusive: bool = False) -> None:
        self.C, self.exclusive = C, exclusive
        self.mean: np.ndarray | None = None
        self.scale: np.ndarray | None = None
        self.weights: np.ndarray | None = None  # labels × features
        self.bias: np.ndarray | None = None

    def fit(self, X: np.ndarray, Y: np.ndarray) -> DenseLogistic:
        from sklearn.linear_model import LogisticRegression  # training only

        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(Y).reshape(len(X), -1)
        self.mean, self.scale = X.mean(axis=0), X.std(axis=0) + 1e-6
        standardised = (X - self.mean) / self.scale
        self.weights = np.zeros((Y.shape[1], X.shape[1]))
        self.bias = np.zeros(Y.shape[1])
        if self.exclusive:
            self._fit_softmax(standardised, Y)
            return self
        for label in range(Y.shape[1]):
            positives = int(Y[:, label].sum())
            if positives in (0, len(Y)):  # nothing to learn: a constant score
                self.bias[label] = 10.0 if positives else -10.0
                continue
            model = LogisticRegression(C=self.C, max_iter=3000).fit(standardised, Y[:, label])
            self.weights[label], self.bias[label] = model.coef_[0], model.intercept_[0]
        return self

    def _fit_softmax(self, standardised: np.ndarray, Y: np.ndarray) -> None:
        from sklearn.linear_model import LogisticRegression

        rows, labels = np.nonzero(Y)
        weights = 1.0 / Y.sum(axis=1)[rows]
        model = LogisticRegression(C=self.C, max_iter=3000).fit(standardised[rows], labels, sample_weight=weights)
        assert self.weights is not None and self.bias is not None
        self.bias[:] = -30.0  # labels never seen in training are never chosen
        self.weights[model.classes_] = model.coef_ if len(model.classes_) > 2 else [-model.coef_[0], model.coef_[0]]
        self.bias[model.classes_] = model.intercept_ if len(model.classes_) > 2 else [-model.intercept_[0], 0.0]

    def linear_scores(self, X: np.ndarray) -> np.ndarray:
        """Scores without the bias (rows × labels): what the features add.

        Standardised ``SCORE_ROWS`` rows at a time: a long article has tens of thousands of mention or sentence
        vectors, and standardising them all at once in float64 held four times their size twice over.
        """
        assert self.weights is not None and self.mean is not None and self.scale is not None
        scores = np.empty((len(X), len(self.weights)))
        block = np.empty((min(SCORE_ROWS, len(X)), self.weights.shape[1]))  # one buffer: blocks never overlap
        for start in range(0, len(X), SCORE_ROWS):
            rows = block[: min(SCORE_ROWS, len(X) - start)]
            rows[:] = X[start : start + len(rows)]
            rows -= self.mean
            rows /= self.scale
            np.matmul(rows, self.weights.T, out=scores[start : start + len(rows)])
        return scores

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        assert self.bias is not None
        return self.linear_scores(X) + self.bias

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Per-label probabilities (binary), or a distribution over the labels (``exclusive``)."""
        scores = self.decision_function(X)
        if not self.exclusive:
            return 1.0 / (1.0 + np.exp(-scores))
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        assert self.weights is not None and self.bias is not None and self.mean is not None
        assert self.scale is not None
        return {
            f"{prefix}_weights": self.weights.astype(np.float32),
            f"{prefix}_bias": self.bias.astype(np.float32),
            f"{prefix}_mean": self.mean.astype(np.float32),
            f"{prefix}_scale": self.scale.astype(np.float32),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str, settings: dict[str, Any]) -> DenseLogistic:
        model = cls(**settings)
        model.weights = arrays[f"{prefix}_weights"].astype(np.float64)
        model.bias = arrays[f"{prefix}_bias"].astype(np.float64)
        model.mean = arrays[f"{prefix}_mean"].astype(np.float64)
        model.scale = arrays[f"{prefix}_scale"].astype(np.float64)
        if model.weights.shape != (len(model.bias), len(model.mean)) or model.scale.shape != model.mean.shape:
            raise ValueError(f"{prefix} arrays do not fit together")
        return model
