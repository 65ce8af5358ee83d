"""Entity framing: the role a sentence casts an actor in (SemEval-2025 Task 10 subtask 1, given mentions).

Roles belong to the sentence, not to the actor — one article may call Russia a Guardian in one sentence and a
Foreign Adversary in the next — so every mention is classified from its own context:

* character 2–5-grams and word 1–2-grams of the mention's sentence with one sentence either side;
* word 1–2-grams of the four words either side, the mention replaced by a placeholder;
* character 2–4-grams of the mention itself (half weight);
* an entity prior: how the same actor (transliterated key) was cast in training, smoothed towards the overall
  distribution (leave-article-out for training rows, so it cannot memorise);
* language, position in the article, in the title, inside quotes, repetitions.

One-vs-rest logistic regression over the 22 fine roles. With the reading engine, a second view: a softmax over the
fine roles on the encoder's view of the mention — its own tokens and its sentence, read in context — mixed with
the first by ``encoder_weight``. The main role is the one whose fine roles have the most probability in total, and
the fine role the most likely one of it (one fine role: 89 % of gold mentions have one, and emitting a second
never paid off in cross-validation).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from narrascope.document import Span
from narrascope.encoder.version import VERSION as ENCODER_VERSION
from narrascope.encoder.version import check_encoder
from narrascope.errors import ModelError
from narrascope.ml.dense import DenseLogistic
from narrascope.ml.features import NgramBlock, NgramTfidf
from narrascope.ml.linear import OneVsRestLogistic
from narrascope.tasks.entities.context import MentionContext
from narrascope.taxonomy import roles

LANGUAGES = ("bg", "en", "hi", "pt", "ru")
#: Text blocks: (name, context field, n-grams, weight).
TEXT_BLOCKS = (
    ("sentence_chars", "sentences", NgramBlock("char_wb", 2, 5, min_df=2), 1.0),
    ("sentence_words", "sentences", NgramBlock("word", 1, 2, min_df=2), 1.0),
    ("window_words", "window", NgramBlock("word", 1, 2, min_df=2), 1.0),
    ("mention_chars", "mention", NgramBlock("char_wb", 2, 4, min_df=1), 0.5),
)


@dataclass(frozen=True, slots=True)
class RoleExample:
    """A training mention: its context, its article's language and id, and its gold fine roles."""

    context: MentionContext
    language: str
    article_id: str
    fine_roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RolePrediction:
    main_role: str
    main_confidence: float
    fine_roles: tuple[tuple[str, float], ...]


class RoleClassifier:
    """Fine and main roles of actor mentions from their context (see the module docstring)."""

    def __init__(
        self,
        C: float = 20.0,
        prior_smoothing: float = 2.0,
        keep_weights: int = 20_000,
        encoder_C: float = 0.01,
        encoder_weight: float = 0.5,
    ) -> None:
        taxonomy = roles()
        self.main_roles = list(taxonomy.coarse)
        self.fine_roles = list(taxonomy.fine)
        self._main_of_fine = np.array([self.main_roles.index(taxonomy.parent(role) or "") for role in self.fine_roles])
        self.C, self.prior_smoothing, self.keep_weights = C, prior_smoothing, keep_weights
        self.encoder_C, self.encoder_weight = encoder_C, encoder_weight
        self.encoder: DenseLogistic | None = None
        self.blocks: dict[str, NgramTfidf] = {}
        self.prior_keys: dict[str, int] = {}
        self.prior_counts = np.zeros((0, len(self.fine_roles)), dtype=np.float32)
        self.overall = np.zeros(len(self.fine_roles), dtype=np.float32)
        self.model: OneVsRestLogistic | None = None

    # -- estimator API ------------------------------------------------------------------------------------------

    def fit(self, examples: Sequence[RoleExample], vectors: np.ndarray | None = None) -> RoleClassifier:
        """Fit on training mentions; ``vectors`` (mentions × dimensions, :func:`mention_vectors`) add the encoder
        view."""
        Y = np.array([[role in example.fine_roles for role in self.fine_roles] for example in examples], dtype=np.int8)
        self.blocks = {
            name: NgramTfidf(block).fit([getattr(example.context, field) for example in examples])
            for name, field, block, _ in TEXT_BLOCKS
        }
        keys = sorted({example.context.key for example in examples})
        self.prior_keys = {key: index for index, key in enumerate(keys)}
        self.prior_counts = np.zeros((len(keys), len(self.fine_roles)), dtype=np.float32)
        own: dict[tuple[str, str], np.ndarray] = defaultdict(lambda: np.zeros(len(self.fine_roles), np.float32))
        for example, row in zip(examples, Y, strict=True):
            self.prior_counts[self.prior_keys[example.context.key]] += row
            own[(example.article_id, example.context.key)] += row
        self.overall = (Y.sum(axis=0) / max(1, len(Y))).astype(np.float32)
        leave_out = np.stack([own[(example.article_id, example.context.key)] for example in examples])
        X = self._features([e.context for e in examples], [e.language for e in examples], leave_out)
        self.model = OneVsRestLogistic(C=self.C).fit(X, Y).prune(self.keep_weights)
        self.encoder = DenseLogistic(self.encoder_C, exclusive=True).fit(vectors, Y) if vectors is not None else None
        return self

    def predict_proba(
        self, contexts: Sequence[MentionContext], languages: Sequence[str], vectors: np.ndarray | None = None
    ) -> np.ndarray:
        """Scores of the fine roles, mentions × ``fine_roles``: the n-gram view's probabilities, or with the
        encoder's mention ``vectors`` both views' distributions mixed."""
        if self.model is None:
            raise ModelError("the role classifier is not trained")
        if not contexts:
            return np.zeros((0, len(self.fine_roles)), dtype=np.float32)
        # A block of mentions at a time: each context (the sentence and its neighbours) has thousands of n-grams, so
        # the 47,000 mentions of a 4 MB article at once took 1.5 GB.
        blocks = range(0, len(contexts), MENTIONS_PER_BLOCK)
        scores = np.vstack(
            [
                self.model.decision_function(
                    self._features(contexts[at : at + MENTIONS_PER_BLOCK], languages[at : at + MENTIONS_PER_BLOCK])
                )
                for at in blocks
            ]
        )
        probabilities = 1.0 / (1.0 + np.exp(-scores))
        if vectors is None or self.encoder is None:
            return probabilities
        ngrams = probabilities / probabilities.sum(axis=1, keepdims=True)
        return (1 - self.encoder_weight) * ngrams + self.encoder_weight * self.encoder.predict_proba(vectors)

    def predict(
        self, contexts: Sequence[MentionContext], languages: Sequence[str], vectors: np.ndarray | None = None
    ) -> list[RolePrediction]:
        probabilities = self.predict_proba(contexts, languages, vectors)
        predictions = []
        for row in probabilities:
            per_main = np.array([row[self._main_of_fine == k].sum() for k in range(len(self.main_roles))])
            main = int(np.argmax(per_main))
            candidates = np.flatnonzero(self._main_of_fine == main)
            fine = int(candidates[np.argmax(row[candidates])])
            total = float(row.sum()) or 1.0
            predictions.append(
                RolePrediction(
                    self.main_roles[main],
                    float(per_main[main] / total),
                    ((self.fine_roles[fine], float(row[fine] / total)),),
                )
            )
        return predictions

    # -- persistence (see EntityModel) ----------------------------------------------------------------------------

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        if self.model is None:
            raise ModelError("the role classifier is not trained")
        arrays: dict[str, np.ndarray] = {}
        blocks = {}
        for name, features in self.blocks.items():
            block_arrays, blocks[name] = features.to_arrays(name)
            arrays.update(block_arrays)
        arrays.update(self.model.to_arrays("roles"))
        if self.encoder is not None:
            arrays.update(self.encoder.to_arrays("encoder"))
        arrays["prior_counts"] = self.prior_counts.astype(np.uint16)
        arrays["prior_keys"] = np.frombuffer("\n".join(self.prior_keys).encode("utf-8"), dtype=np.uint8)
        arrays["overall"] = self.overall
        settings = {
            "C": self.C,
            "prior_smoothing": self.prior_smoothing,
            "keep_weights": self.keep_weights,
            "encoder_C": self.encoder_C,
            "encoder_weight": self.encoder_weight,
            "encoder": ENCODER_VERSION if self.encoder is not None else None,
            "blocks": blocks,
            "fine_roles": self.fine_roles,
        }
        return arrays, settings

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> RoleClassifier:
        model = cls(
            settings["C"],
            settings["prior_smoothing"],
            settings["keep_weights"],
            settings.get("encoder_C", 0.01),
            settings.get("encoder_weight", 0.5),
        )
        if settings["fine_roles"] != model.fine_roles:
            raise ValueError("the role taxonomy changed")
        if settings.get("encoder"):
            check_encoder(settings)
            model.encoder = DenseLogistic.from_arrays(arrays, "encoder", {"C": model.encoder_C, "exclusive": True})
        model.blocks = {name: NgramTfidf.from_arrays(arrays, name, block) for name, block in settings["blocks"].items()}
        keys = arrays["prior_keys"].tobytes().decode("utf-8").split("\n")
        model.prior_keys = {key: index for index, key in enumerate(keys)}
        model.prior_counts = arrays["prior_counts"].astype(np.float32)
        model.overall = arrays["overall"].astype(np.float32)
        model.model = OneVsRestLogistic.from_arrays(arrays, "roles", model._n_features(), {"C": settings["C"]})
        return model

    # -- features -------------------------------------------------------------------------------------------------

    def _n_features(self) -> int:
        return (
            sum(features.n_features for features in self.blocks.values())
            + len(self.fine_roles)
            + 1
            + len(LANGUAGES)
            + 4
        )

    def _features(
        self, contexts: Sequence[MentionContext], languages: Sequence[str], leave_out: np.ndarray | None = None
    ) -> sp.csr_matrix:
        parts = [
            _transform_unique(self.blocks[name], [getattr(context, field) for context in contexts]) * weight
            for name, field, _, weight in TEXT_BLOCKS
        ]
        parts.append(sp.csr_matrix(self._prior(contexts, leave_out)))
        parts.append(sp.csr_matrix(_meta(contexts, languages)))
        return sp.hstack(parts, format="csr", dtype=np.float32)

    def _prior(self, contexts: Sequence[MentionContext], leave_out: np.ndarray | None) -> np.ndarray:
        """Smoothed fine-role distribution of each mention's actor in training, plus log(1 + its count)."""
        rows = np.zeros((len(contexts), len(self.fine_roles) + 1), dtype=np.float32)
        for row, context in enumerate(contexts):
            index = self.prior_keys.get(context.key)
            counts = self.prior_counts[index].copy() if index is not None else np.zeros(len(self.fine_roles))
            if leave_out is not None:
                counts -= leave_out[row]
            total = float(counts.sum())
            rows[row, :-1] = (counts + self.prior_smoothing * self.overall) / (total + self.prior_smoothing)
            rows[row, -1] = np.log1p(total)
        return rows


#: Mentions whose features are built at once when predicting.
MENTIONS_PER_BLOCK = 2048


def _transform_unique(features: NgramTfidf, texts: list[str]) -> sp.csr_matrix:
    """Transform each distinct text once: mentions in one sentence share their sentence context."""
    unique: dict[str, int] = {}
    rows = [unique.setdefault(text, len(unique)) for text in texts]
    return features.transform(list(unique))[rows]


def _meta(contexts: Sequence[MentionContext], languages: Sequence[str]) -> np.ndarray:
    rows = np.zeros((len(contexts), len(LANGUAGES) + 4), dtype=np.float32)
    for row, (context, language) in enumerate(zip(contexts, languages, strict=True)):
        if language in LANGUAGES:
            rows[row, LANGUAGES.index(language)] = 1.0
        rows[row, len(LANGUAGES) :] = (context.position, context.in_title, context.in_quotes, context.repetitions)
    return rows


def mention_vectors(encoding: Any, mentions: Sequence[tuple[int, int]], sentences: Sequence[Span]) -> np.ndarray:
    """The encoder view of each mention (mentions × 2·dimensions): its own tokens, then its sentence (its own
    tokens again when it lies in none)."""
    bounds = np.asarray(mentions, dtype=np.int64).reshape(-1, 2)
    own = encoding.pool(bounds)
    sentence_spans = np.array([(span.start, span.end) for span in sentences], dtype=np.int64).reshape(-1, 2)
    if not len(sentence_spans) or not len(bounds):
        return np.hstack([own, own])
    sentence, inside = encoding.sentences_at(sentence_spans, bounds[:, 0])
    return np.hstack([own, np.where(inside[:, None], sentence, own)])
