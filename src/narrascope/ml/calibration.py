"""Platt scaling: a score becomes a probability through ``sigmoid(a * score + b)``, fitted on held-out scores."""

from __future__ import annotations

import numpy as np


def fit_platt(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """``(a, b)`` of the logistic fit of 0/1 ``labels`` on ``scores`` (all labels of a level pooled)."""
    from sklearn.linear_model import LogisticRegression  # training only

    model = LogisticRegression(C=100.0).fit(scores.reshape(-1, 1), labels.reshape(-1))
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def apply_platt(scores: np.ndarray, parameters: tuple[float, float]) -> np.ndarray:
    slope, intercept = parameters
    return 1.0 / (1.0 + np.exp(-(slope * scores + intercept)))
