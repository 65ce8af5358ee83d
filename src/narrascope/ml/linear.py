"""One-vs-rest logistic regression stored as a plain weight matrix (fast sparse @ dense prediction, no pickle)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp


class OneVsRestLogistic:
    """An independent binary logistic regression per label column of ``Y``.

    Labels without positives (or without negatives) get a constant score; weights are kept as float32 and, after
    :meth:`prune`, stored sparse so shipped models stay small.
    """

    def __init__(self, C: float = 10.0, class_weight: str | None = None) -> None:
        self.C = C
        self.class_weight = class_weight
        self.weights = None
        self.bias: np.ndarray | None = None

    @property
    def weights(self) -> sp.csr_matrix | None:
        """Labels × features."""
        return self._weights

    @weights.setter
    def weights(self, value: sp.csr_matrix | None) -> None:
        # Kept transposed as well: ``X @ weights.T`` would otherwise re-transpose the matrix on every call.
        self._weights = value
        self._by_feature = None if value is None else value.T.tocsr()

    def linear_scores(self, X: sp.csr_matrix) -> np.ndarray:
        """``X @ weights.T`` as a dense array (no bias)."""
        assert self._by_feature is not None
        return (X @ self._by_feature).toarray()

    def fit(
        self,
        X: sp.csr_matrix,
        Y: np.ndarray,
        groups: Sequence[str] | None = None,
        group_neutral: Sequence[int] = (),
        group_scale: float = 10.0,
    ) -> OneVsRestLogistic:
        """Fit every label column; the ``group_neutral`` columns are fitted free of group priors.

        For those columns each training row also gets a (lightly regularised) indicator of its group, e.g. its
        language, so the group's base rate is learnt by the indicator instead of by features that merely reveal the
        group; the indicators are then replaced by their average, which leaves a plain linear model that needs no
        group at prediction time and carries no group's prior.
        """
        from sklearn.linear_model import LogisticRegression  # ~1 s to import: only training pays for it

        indicators = _group_indicators(groups, group_scale) if group_neutral else None
        n_labels = Y.shape[1]
        rows = []
        self.bias = np.zeros(n_labels, dtype=np.float32)
        for label in range(n_labels):
            positives = int(Y[:, label].sum())
            if positives in (0, len(Y)):
                rows.append(sp.csr_matrix((1, X.shape[1]), dtype=np.float32))
                self.bias[label] = 10.0 if positives else -10.0
                continue
            # The dual liblinear solver is ~5x faster here: far fewer documents than n-gram features.
            model = LogisticRegression(
                C=self.C,
                class_weight=self.class_weight,
                solver="liblinear",
                dual=True,
                max_iter=5000,
                random_state=0,  # liblinear shuffles in the dual solver: fix it for reproducible models
            )
            neutral = indicators is not None and label in group_neutral
            model.fit(sp.hstack([X, indicators], format="csr") if neutral else X, Y[:, label])
            coefficients = model.coef_[0].astype(np.float32)
            self.bias[label] = float(model.intercept_[0])
            if neutral:
                self.bias[label] += group_scale * float(coefficients[X.shape[1] :].mean())
                coefficients = coefficients[: X.shape[1]]
            rows.append(sp.csr_matrix(coefficients))
        self.weights = sp.vstack(rows, format="csr")
        return self

    def prune(self, keep: int) -> OneVsRestLogistic:
        """Keep only the ``keep`` largest-magnitude weights of each label (smaller, faster, nearly as accurate)."""
        assert self.weights is not None
        rows = []
        for label in range(self.weights.shape[0]):
            row = self.weights.getrow(label)
            kept = np.sort(np.argsort(-np.abs(row.data), kind="stable")[:keep])
            rows.append(sp.csr_matrix((row.data[kept], row.indices[kept], [0, len(kept)]), shape=row.shape))
        self.weights = sp.vstack(rows, format="csr")
        return self

    def decision_function(self, X: sp.csr_matrix) -> np.ndarray:
        assert self.bias is not None
        return self.linear_scores(X) + self.bias

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        assert self.weights is not None and self.bias is not None
        weights = self.weights.tocsr()
        return {
            f"{prefix}_data": weights.data.astype(np.float16),
            f"{prefix}_indices": weights.indices.astype(np.int32),
            f"{prefix}_indptr": weights.indptr.astype(np.int32),
            f"{prefix}_bias": self.bias,
        }

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, np.ndarray], prefix: str, n_features: int, settings: dict[str, Any]
    ) -> OneVsRestLogistic:
        model = cls(**settings)
        indptr = arrays[f"{prefix}_indptr"]
        model.weights = sp.csr_matrix(
            (arrays[f"{prefix}_data"].astype(np.float32), arrays[f"{prefix}_indices"], indptr),
            shape=(len(indptr) - 1, n_features),
        )
        model.bias = arrays[f"{prefix}_bias"].astype(np.float32)
        return model


def _group_indicators(groups: Sequence[str] | None, scale: float) -> sp.csr_matrix:
    if groups is None:
        raise ValueError("group-neutral columns need the group of every training row")
    names = sorted(set(groups))
    columns = [names.index(group) for group in groups]
    data = np.full(len(columns), scale, dtype=np.float32)
    return sp.csr_matrix((data, (np.arange(len(columns)), columns)), shape=(len(columns), len(names)))
