"""Scope: is the article about the war in Ukraine or climate change at all, and is its language a trained one?

Narrative labels only mean something for on-topic articles: a cookie recipe must get no narrative, not the
closest one. :class:`ScopeClassifier` is a logistic regression on the encoder's article vector, trained on the
SemEval articles (on topic, ``Other`` ones included: they are about the war or climate without a listed narrative)
against ordinary news (``offtopic-news``); its threshold is chosen on out-of-fold predictions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.document import SUPPORTED_LANGUAGES, Analysis, Scope
from narrascope.encoder.version import VERSION as ENCODER_VERSION
from narrascope.encoder.version import check_encoder
from narrascope.errors import ModelError
from narrascope.ml.artifacts import SavedModel, save_artifact, shipped_model_dir
from narrascope.ml.dense import DenseLogistic

MODEL_NAME = "scope"
REBUILD_COMMAND = "narrascope train scope --data ../shared/data --out src/narrascope/models/scope"
#: The largest share of on-topic training articles the threshold may call off topic (out of fold).
MAX_MISSED = 0.02


class ScopeClassifier(SavedModel):
    """``fit(vectors, on_topic)`` / ``predict_proba(vectors)``: the probability that articles are on topic."""

    rebuild_command = REBUILD_COMMAND

    def __init__(self, C: float = 0.1, folds: int = 5, seed: int = 2025) -> None:
        self.C, self.folds, self.seed = C, folds, seed
        self.threshold = 0.5
        self.cv: dict[str, float] = {}
        self.version = "untrained"
        self._model: DenseLogistic | None = None

    def fit(self, vectors: np.ndarray, on_topic: Sequence[bool]) -> ScopeClassifier:
        """Fit; the threshold keeps out-of-fold misses of on-topic articles at or under ``MAX_MISSED``."""
        labels = np.asarray(on_topic, dtype=np.int8)
        assignment = np.random.default_rng(self.seed).permutation(len(labels)) % self.folds
        out_of_fold = np.zeros(len(labels))
        for fold in range(self.folds):
            held = assignment == fold
            model = DenseLogistic(self.C).fit(vectors[~held], labels[~held])
            out_of_fold[held] = model.predict_proba(vectors[held])[:, 0]
        on, off = out_of_fold[labels == 1], out_of_fold[labels == 0]
        candidates = [t for t in np.arange(0.05, 0.96, 0.05) if (on < t).mean() <= MAX_MISSED]
        self.threshold = round(float(max(candidates, default=0.05)), 2)
        self.cv = {
            "on_topic_called_off": round(float((on < self.threshold).mean()), 4),
            "off_topic_called_on": round(float((off >= self.threshold).mean()), 4),
        }
        self._model = DenseLogistic(self.C).fit(vectors, labels)
        return self

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        if self._model is None:
            raise ModelError("the scope classifier is not trained")
        return self._model.predict_proba(vectors)[:, 0]

    def save(self, directory: str | Path, extra_manifest: dict[str, Any] | None = None) -> None:
        if self._model is None:
            raise ModelError("the scope classifier is not trained")
        manifest = {"name": MODEL_NAME, "C": self.C, "threshold": self.threshold, "encoder": ENCODER_VERSION}
        save_artifact(directory, self._model.to_arrays("scope"), {**manifest, "cv": self.cv, **(extra_manifest or {})})

    @classmethod
    def _from_artifact(cls, arrays: dict[str, np.ndarray], manifest: dict[str, Any]) -> ScopeClassifier:
        check_encoder(manifest)
        model = cls(C=manifest["C"])
        model.threshold, model.cv = float(manifest["threshold"]), dict(manifest.get("cv", {}))
        model._model = DenseLogistic.from_arrays(arrays, "scope", {"C": manifest["C"]})
        return model


class ScopeTagger:
    """Pipeline component: sets ``Analysis.scope`` from the encoder's article vector."""

    name = MODEL_NAME

    def __init__(self, classifier: ScopeClassifier) -> None:
        self.classifier = classifier
        self.version = classifier.version

    @classmethod
    def load_shipped(cls) -> ScopeTagger:
        return cls(ScopeClassifier.load(shipped_model_dir(MODEL_NAME)))

    def annotate(self, analyses: Sequence[Analysis]) -> None:
        if not analyses:
            return
        vectors = np.stack([analysis.encoding.mean() for analysis in analyses])
        for analysis, probability in zip(analyses, self.classifier.predict_proba(vectors), strict=True):
            analysis.scope = Scope(
                on_topic=bool(probability >= self.classifier.threshold),
                confidence=round(float(probability), 4),
                language_supported=(analysis.language or "").lower() in SUPPORTED_LANGUAGES,
            )
