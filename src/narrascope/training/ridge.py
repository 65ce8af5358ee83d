"""Ridge regression heads with cross-validation from one pass over the data, calibrated into logistic scorers.

Why not logistic regression: the word tagger learns from ~350 k word vectors of 1,536 dimensions and the paragraph
head from 21 k paragraphs × 23 techniques; lbfgs needs hundreds of passes over them for each fold and each setting.
Ridge needs one: each fold's Gram matrix ``ZᵀZ`` and ``ZᵀY`` are summed once, and the solution without fold ``k``
for any ``alpha`` is a solve of ``(G − G_k + αI)``. Platt scaling of the out-of-fold scores then turns each label's
score into a log-odds, so the result is a :class:`~narrascope.ml.dense.DenseLogistic` like the other heads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from narrascope.ml.dense import DenseLogistic


@dataclass
class RidgeFolds:
    """Per-fold sums of standardised features (with a constant column): ``grams[k] = Z_kᵀZ_k``,
    ``targets[k] = Z_kᵀY_k``."""

    mean: np.ndarray
    scale: np.ndarray
    grams: np.ndarray  # folds × (d+1) × (d+1)
    targets: np.ndarray  # folds × (d+1) × labels

    @classmethod
    def of(cls, X: np.ndarray, Y: np.ndarray, fold: np.ndarray, folds: int, chunk: int = 20_000) -> RidgeFolds:
        """Sums over ``X`` (rows × d) and ``Y`` (rows × labels), chunk by chunk (a float32 copy of X at a time)."""
        Y = np.asarray(Y, dtype=np.float64).reshape(len(X), -1)
        mean = X.mean(axis=0, dtype=np.float64)
        scale = X.std(axis=0, dtype=np.float64) + 1e-6
        width = X.shape[1] + 1
        grams = np.zeros((folds, width, width))
        targets = np.zeros((folds, width, Y.shape[1]))
        for k in range(folds):
            rows = np.flatnonzero(fold == k)
            for start in range(0, len(rows), chunk):
                part = rows[start : start + chunk]
                Z = _standardised(X[part], mean, scale)
                grams[k] += (Z.T @ Z).astype(np.float64)
                targets[k] += Z.T.astype(np.float64) @ Y[part]
        return cls(mean, scale, grams, targets)

    def solve(self, alpha: float, without: int | None = None) -> np.ndarray:
        """Weights ((d+1) × labels, the constant last) fitted on every fold but ``without``."""
        gram, target = self.grams.sum(axis=0), self.targets.sum(axis=0)
        if without is not None:
            gram, target = gram - self.grams[without], target - self.targets[without]
        penalty = np.full(len(gram), alpha)
        penalty[-1] = 0.0  # the constant is not shrunk
        return np.linalg.solve(gram + np.diag(penalty), target)

    def out_of_fold(self, X: np.ndarray, fold: np.ndarray, alpha: float) -> np.ndarray:
        """Each row's scores from the weights fitted without its fold."""
        scores = np.zeros((len(X), self.targets.shape[2]))
        for k in range(len(self.grams)):
            rows = np.flatnonzero(fold == k)
            scores[rows] = _standardised(X[rows], self.mean, self.scale) @ self.solve(alpha, k).astype(np.float32)
        return scores


def _standardised(X: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    Z = np.empty((len(X), X.shape[1] + 1), dtype=np.float32)
    Z[:, :-1] = (np.asarray(X, dtype=np.float32) - mean.astype(np.float32)) / scale.astype(np.float32)
    Z[:, -1] = 1.0
    return Z


def platt(scores: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per label ``(a, c)`` with ``sigmoid(a·score + c)`` the probability of the label, fitted on out-of-fold
    scores (a label never or always present keeps its raw score)."""
    from sklearn.linear_model import LogisticRegression  # training only

    Y = np.asarray(Y).reshape(len(scores), -1)
    slopes, offsets = np.ones(Y.shape[1]), np.zeros(Y.shape[1])
    for label in range(Y.shape[1]):
        if 0 < Y[:, label].sum() < len(Y):
            model = LogisticRegression(C=100.0).fit(scores[:, [label]], Y[:, label])
            slopes[label], offsets[label] = model.coef_[0, 0], model.intercept_[0]
    return slopes, offsets


def calibrated(folds: RidgeFolds, alpha: float, slopes: np.ndarray, offsets: np.ndarray) -> DenseLogistic:
    """The ridge fitted on all folds, its scores turned into log-odds: a :class:`DenseLogistic` (``C`` = 1/α)."""
    weights = folds.solve(alpha)
    head = DenseLogistic(C=1.0 / alpha)
    head.mean, head.scale = folds.mean, folds.scale
    head.weights = (weights[:-1] * slopes).T
    head.bias = weights[-1] * slopes + offsets
    return head
