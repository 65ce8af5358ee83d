"""Narrative classification (SemEval-2025 Task 10 subtask 2): which narratives and sub-narratives an article pushes.

:class:`NarrativeClassifier` is the estimator (``fit`` / ``predict_proba`` / ``predict``); :class:`NarrativeTagger`
is the pipeline component that writes its labels, with evidence sentences, into an :class:`Analysis`.

The model, chosen by cross-validated comparison (see the model card):

* features: character 2–5-grams and word 1–2-grams of transliterated tokens, TF-IDF, all languages pooled;
* two views of three label levels (domain URW/CC/none, 22 narratives, 91 sub-narratives, ``Other`` included):
  one-vs-rest logistic regression on the character n-grams (top 3,000 weights per label kept) and a cosine
  10-nearest-neighbour vote on the word n-grams;
* each view and level Platt-calibrated on out-of-fold scores, the two views averaged;
* an expected-F1 decoder (:mod:`narrascope.ml.decoding`) tuned on the same out-of-fold predictions.

The evidence for a label is the sentences whose own character n-grams score highest for it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from narrascope.document import Analysis, Label, Span
from narrascope.errors import ModelError
from narrascope.ml.artifacts import build_from_artifact, save_artifact, shipped_model_dir
from narrascope.ml.calibration import apply_platt, fit_platt
from narrascope.ml.decoding import DOMAINS, DecoderSettings, ExpectedF1Decoder, LabelProbabilities
from narrascope.ml.features import NgramBlock, NgramTfidf, sum_rows
from narrascope.ml.knn import NearestNeighbourLabels
from narrascope.ml.linear import OneVsRestLogistic
from narrascope.taxonomy import Taxonomy, narratives
from narrascope.text.segment import sentences as split_sentences

MODEL_NAME = "narratives"
REBUILD_COMMAND = (
    "narrascope train narratives --data ../shared/data/semeval2025-t10 --out src/narrascope/models/narratives"
)
CHAR_BLOCK = NgramBlock("char_wb", 2, 5, min_df=2)
WORD_BLOCK = NgramBlock("word", 1, 2, min_df=2)
LEVELS = ("domain", "coarse", "fine")
VIEWS = ("linear", "neighbours")
DECODER_GRID: dict[str, Sequence[float]] = {
    "other": (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.5),
    "sharpness": (0.8, 1.0, 1.25, 1.6),
    "fine_weight": (0.5, 0.75, 1.0),
    "domain_weight": (0.0, 0.5),
}
MAX_EVIDENCE = 3


@dataclass(frozen=True, slots=True)
class ScoredLabel:
    """A chosen label, its probability and the indices of the sentences that support it most."""

    name: str
    confidence: float
    evidence: tuple[int, ...]


@dataclass(slots=True)
class _Views:
    """The fitted parts: feature extractors and the two views over all label columns."""

    char: NgramTfidf
    word: NgramTfidf
    linear: OneVsRestLogistic
    neighbours: NearestNeighbourLabels


class NarrativeClassifier:
    """Multilingual narrative and sub-narrative classifier with taxonomy-consistent, expected-F1 output."""

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        *,
        char_block: NgramBlock = CHAR_BLOCK,
        word_block: NgramBlock = WORD_BLOCK,
        C: float = 10.0,
        keep_weights: int = 3000,
        neighbours: int = 10,
        neighbour_weight: float = 0.5,
        folds: int = 5,
        seed: int = 2025,
        language_scale: float = 10.0,
        decoder_grid: dict[str, Sequence[float]] | None = None,
    ) -> None:
        self.taxonomy = taxonomy or narratives()
        self.char_block, self.word_block = char_block, word_block
        self.C, self.keep_weights = C, keep_weights
        self.neighbours, self.neighbour_weight = neighbours, neighbour_weight
        self.folds, self.seed = folds, seed
        self.language_scale = language_scale
        self.decoder_grid = decoder_grid or DECODER_GRID
        self.coarse_labels = list(self.taxonomy.coarse)
        self.fine_labels = [label for label in self.taxonomy.fine if label in self.taxonomy.scored_fine]
        self.decoder_settings = DecoderSettings()
        self.calibration: dict[str, tuple[float, float]] = {}
        self.cv_score: float | None = None
        self.version = "untrained"
        self._views: _Views | None = None

    @property
    def decoder(self) -> ExpectedF1Decoder:
        return ExpectedF1Decoder(self.taxonomy, self.coarse_labels, self.fine_labels)

    # -- estimator API ------------------------------------------------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        coarse: Sequence[Collection[str]],
        fine: Sequence[Collection[str]],
        groups: Sequence[str] | None = None,
    ) -> NarrativeClassifier:
        """Learn from articles and their gold labels; ``groups`` (e.g. languages) keep the CV folds balanced.

        A k-fold pass over the training data first gives out-of-fold scores, on which the calibration and the
        decoder are fitted; then the views are fitted on everything.
        """
        sentence_lists = _sentence_lists(texts)
        Y = self._label_matrix(coarse, fine)
        out_of_fold = np.zeros((len(texts), Y.shape[1], len(VIEWS)), dtype=np.float32)
        for held_out in self._folds(Y, groups):
            training = np.setdiff1d(np.arange(len(texts)), held_out)
            views = self._fit_views(
                [sentence_lists[i] for i in training], Y[training], [groups[i] for i in training] if groups else None
            )
            out_of_fold[held_out] = self._raw_scores(
                views, *self._document_vectors(views, [sentence_lists[i] for i in held_out])
            )
        self.calibration = {
            f"{view}/{level}": fit_platt(out_of_fold[:, columns, v], Y[:, columns])
            for v, view in enumerate(VIEWS)
            for level, columns in self._level_columns().items()
        }
        self.decoder_settings, self.cv_score = self.decoder.tune(
            self._probabilities(out_of_fold), [set(labels) for labels in fine], self.decoder_grid
        )
        self._views = self._fit_views(sentence_lists, Y, groups)
        return self

    def predict_proba(self, texts: Sequence[str]) -> LabelProbabilities:
        views = self._fitted()
        return self._probabilities(self._raw_scores(views, *self._document_vectors(views, _sentence_lists(texts))))

    def predict(self, texts: Sequence[str]) -> list[tuple[list[str], list[str]]]:
        """``(narratives, sub-narratives)`` per text, obeying the taxonomy (``(["Other"], ["Other"])`` for none)."""
        return self.decoder.decode(self.predict_proba(texts), self.decoder_settings)

    # -- with evidence --------------------------------------------------------------------------------------------

    def predict_with_evidence(
        self, sentence_lists: Sequence[Sequence[str]]
    ) -> list[tuple[list[ScoredLabel], list[ScoredLabel]]]:
        """Chosen narratives and sub-narratives per document (given as its sentences), with evidence sentences."""
        views = self._fitted()
        sizes = [len(sentences) for sentences in sentence_lists]
        char_counts = views.char.count([sentence for sentences in sentence_lists for sentence in sentences])
        word_counts = views.word.count([sentence for sentences in sentence_lists for sentence in sentences])
        documents_char = views.char.weigh(sum_rows(char_counts, sizes))
        documents_word = views.word.weigh(sum_rows(word_counts, sizes))
        probabilities = self._probabilities(self._raw_scores(views, documents_char, documents_word))
        columns = self._level_columns()
        sentence_scores = _sentence_contributions(views.linear, char_counts, documents_char, sizes)
        for level_columns in columns.values():
            # What a sentence adds to every label of a level (names, topic words) is not evidence for any one.
            sentence_scores[:, level_columns] -= sentence_scores[:, level_columns].mean(axis=1, keepdims=True)
        coarse_columns, fine_columns = columns["coarse"], columns["fine"]
        decoder = self.decoder
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        results = []
        for row in range(len(sentence_lists)):
            decision = decoder.decide(probabilities, row, self.decoder_settings)
            scores = sentence_scores[offsets[row] : offsets[row + 1]]
            if not decision.fine:
                other = self.taxonomy.other
                confidence = float(probabilities.coarse[row, self.coarse_labels.index(other)])
                label = ScoredLabel(other, confidence, ())  # type: ignore[arg-type]
                results.append(([label], [label]))
                continue
            coarse = [
                ScoredLabel(
                    self.coarse_labels[i],
                    float(probabilities.coarse[row, i]),
                    _top_sentences(scores[:, coarse_columns[i]]),
                )
                for i in decision.coarse
            ]
            evidence_of = {label.name: label.evidence for label in coarse}
            fine = []
            for j in decision.fine:
                name = self.fine_labels[j]
                parent = self.taxonomy.parent(name)
                # "X: Other" only says X has no listed sub-narrative: X's evidence is its evidence.
                if name.endswith(": Other") and parent in evidence_of:
                    evidence = evidence_of[parent]
                else:
                    evidence = _top_sentences(scores[:, fine_columns[j]])
                fine.append(ScoredLabel(name, float(probabilities.fine[row, j]), evidence))
            results.append((_by_confidence(coarse), _by_confidence(fine)))
        return results

    # -- persistence ------------------------------------------------------------------------------------------------

    def save(self, directory: str | Path, extra_manifest: dict[str, Any] | None = None) -> None:
        views = self._fitted()
        char_arrays, char_settings = views.char.to_arrays("char")
        word_arrays, word_settings = views.word.to_arrays("word")
        arrays = {
            **char_arrays,
            **word_arrays,
            **views.linear.to_arrays("linear"),
            **views.neighbours.to_arrays("neighbours"),
        }
        manifest = {
            "name": MODEL_NAME,
            "char_block": char_settings,
            "word_block": word_settings,
            "C": self.C,
            "keep_weights": self.keep_weights,
            "neighbours": self.neighbours,
            "neighbour_weight": self.neighbour_weight,
            "folds": self.folds,
            "seed": self.seed,
            "language_scale": self.language_scale,
            "coarse_labels": self.coarse_labels,
            "fine_labels": self.fine_labels,
            "calibration": self.calibration,
            "decoder": self.decoder_settings.to_dict(),
            "cv_score": self.cv_score,
            **(extra_manifest or {}),
        }
        save_artifact(directory, arrays, manifest)

    @classmethod
    def load(cls, directory: str | Path) -> NarrativeClassifier:
        model, model.version = build_from_artifact(directory, REBUILD_COMMAND, cls._from_artifact)
        return model

    @classmethod
    def _from_artifact(cls, arrays: dict[str, np.ndarray], manifest: dict[str, Any]) -> NarrativeClassifier:
        model = cls(
            char_block=NgramBlock(**manifest["char_block"]),
            word_block=NgramBlock(**manifest["word_block"]),
            C=manifest["C"],
            keep_weights=manifest["keep_weights"],
            neighbours=manifest["neighbours"],
            neighbour_weight=manifest["neighbour_weight"],
            folds=manifest["folds"],
            seed=manifest["seed"],
            language_scale=manifest["language_scale"],
        )
        model.coarse_labels = list(manifest["coarse_labels"])
        model.fine_labels = list(manifest["fine_labels"])
        model.calibration = {key: (float(a), float(b)) for key, (a, b) in manifest["calibration"].items()}
        model.decoder_settings = DecoderSettings(**manifest["decoder"])
        model.cv_score = manifest["cv_score"]
        char = NgramTfidf.from_arrays(arrays, "char", manifest["char_block"])
        model._views = _Views(
            char=char,
            word=NgramTfidf.from_arrays(arrays, "word", manifest["word_block"]),
            linear=OneVsRestLogistic.from_arrays(arrays, "linear", char.n_features, {"C": manifest["C"]}),
            neighbours=NearestNeighbourLabels.from_arrays(arrays, "neighbours"),
        )
        return model

    # -- internals ----------------------------------------------------------------------------------------------

    def _fitted(self) -> _Views:
        if self._views is None:
            raise ModelError("the narrative classifier is not trained")
        return self._views

    def _level_columns(self) -> dict[str, np.ndarray]:
        """Columns of each level in the joint label matrix ``[domains | narratives | sub-narratives]``."""
        sizes = (len(DOMAINS), len(self.coarse_labels), len(self.fine_labels))
        starts = np.cumsum([0, *sizes])
        return {level: np.arange(starts[i], starts[i + 1]) for i, level in enumerate(LEVELS)}

    def _other_columns(self) -> list[int]:
        """The joint-matrix columns that mean "no narrative": domain ``none``, narrative and sub-narrative ``Other``."""
        columns = self._level_columns()
        other = self.taxonomy.other
        return [
            int(columns["domain"][DOMAINS.index("none")]),
            int(columns["coarse"][self.coarse_labels.index(other)]),
            int(columns["fine"][self.fine_labels.index(other)]),
        ]

    def _label_matrix(self, coarse: Sequence[Collection[str]], fine: Sequence[Collection[str]]) -> np.ndarray:
        coarse_index = {label: i for i, label in enumerate(self.coarse_labels)}
        fine_index = {label: j for j, label in enumerate(self.fine_labels)}
        Y = np.zeros((len(coarse), len(DOMAINS) + len(coarse_index) + len(fine_index)), dtype=np.int8)
        fine_offset = len(DOMAINS) + len(coarse_index)
        for row, (narratives_, subnarratives) in enumerate(zip(coarse, fine, strict=True)):
            domains = {self.taxonomy.domain(label) for label in narratives_} - {None}
            domain = "URW" if "URW" in domains else "CC" if "CC" in domains else "none"
            Y[row, DOMAINS.index(domain)] = 1
            for label in narratives_:
                if label in coarse_index:
                    Y[row, len(DOMAINS) + coarse_index[label]] = 1
            for label in subnarratives:
                if label in fine_index:
                    Y[row, fine_offset + fine_index[label]] = 1
        return Y

    def _folds(self, Y: np.ndarray, groups: Sequence[str] | None) -> list[np.ndarray]:
        """Seeded folds stratified by group and domain, so every fold sees every language and domain."""
        domains = Y[:, : len(DOMAINS)].argmax(axis=1)
        strata = [f"{groups[i] if groups else ''}/{domains[i]}" for i in range(len(Y))]
        order = np.random.default_rng(self.seed).permutation(len(Y))
        order = sorted(order, key=lambda i: strata[i])  # stable: shuffled within each stratum
        assignment = np.empty(len(Y), dtype=np.int64)
        assignment[np.array(order)] = np.arange(len(Y)) % self.folds
        return [np.flatnonzero(assignment == fold) for fold in range(self.folds)]

    def _fit_views(
        self, sentence_lists: Sequence[Sequence[str]], Y: np.ndarray, groups: Sequence[str] | None
    ) -> _Views:
        texts = [" ".join(sentences) for sentences in sentence_lists]
        char = NgramTfidf(self.char_block).fit(texts)
        word = NgramTfidf(self.word_block).fit(texts)
        views = _Views(char, word, OneVsRestLogistic(C=self.C), NearestNeighbourLabels(self.neighbours))
        documents_char, documents_word = self._document_vectors(views, sentence_lists)
        # The share of no-narrative articles differs wildly between languages in the training data (EN 43 %,
        # RU 0 %): the "Other" columns are fitted language-neutral so they do not learn "English means Other".
        neutral = self._other_columns() if groups else ()
        views.linear.fit(documents_char, Y, groups, neutral, self.language_scale).prune(self.keep_weights)
        views.neighbours.fit(documents_word, Y)
        return views

    @staticmethod
    def _document_vectors(
        views: _Views, sentence_lists: Sequence[Sequence[str]]
    ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        sizes = [len(sentences) for sentences in sentence_lists]
        flat = [sentence for sentences in sentence_lists for sentence in sentences]
        return (
            views.char.weigh(sum_rows(views.char.count(flat), sizes)),
            views.word.weigh(sum_rows(views.word.count(flat), sizes)),
        )

    @staticmethod
    def _raw_scores(views: _Views, documents_char: sp.csr_matrix, documents_word: sp.csr_matrix) -> np.ndarray:
        """Uncalibrated scores, documents × label columns × views."""
        return np.stack(
            [views.linear.decision_function(documents_char), views.neighbours.decision_function(documents_word)],
            axis=2,
        ).astype(np.float32)

    def _probabilities(self, raw: np.ndarray) -> LabelProbabilities:
        levels = {}
        for level, columns in self._level_columns().items():
            calibrated = [
                apply_platt(raw[:, columns, v], self.calibration[f"{view}/{level}"]) for v, view in enumerate(VIEWS)
            ]
            levels[level] = (1 - self.neighbour_weight) * calibrated[0] + self.neighbour_weight * calibrated[1]
        return LabelProbabilities(levels["domain"], levels["coarse"], levels["fine"])


def _sentence_contributions(
    linear: OneVsRestLogistic, sentence_counts: sp.csr_matrix, documents: sp.csr_matrix, sizes: Sequence[int]
) -> np.ndarray:
    """How much each sentence adds to its document's linear score for each label (sentences × labels).

    A document feature's TF-IDF value is shared among the sentences in proportion to their counts of it, so the
    contributions of a document's sentences add up to its score (without the bias): the evidence is what the model
    actually used, not what a sentence would score on its own.
    """
    document_counts = sum_rows(sentence_counts, sizes)
    per_count = documents.multiply(document_counts.power(-1)).tocsr()  # TF-IDF value per occurrence
    document_of_sentence = sp.csr_matrix(
        (np.ones(sum(sizes), dtype=np.float32), (np.arange(sum(sizes)), np.repeat(np.arange(len(sizes)), sizes))),
        shape=(sum(sizes), len(sizes)),
    )
    shares = sentence_counts.multiply(document_of_sentence @ per_count).tocsr()
    return linear.linear_scores(shares)


def _sentence_lists(texts: Sequence[str]) -> list[list[str]]:
    return [[span.text for span in split_sentences(text)] or [text] for text in texts]


def _top_sentences(scores: np.ndarray, limit: int = MAX_EVIDENCE) -> tuple[int, ...]:
    """Indices of the highest-scoring sentences with positive evidence, best first (at least the best one)."""
    if len(scores) == 0:
        return ()
    order = np.argsort(-scores, kind="stable")[:limit]
    positive = tuple(int(i) for i in order if scores[i] > 0)
    return positive or (int(order[0]),)


def _by_confidence(labels: list[ScoredLabel]) -> list[ScoredLabel]:
    return sorted(labels, key=lambda label: -label.confidence)


class NarrativeTagger:
    """Pipeline component: fills ``Analysis.narratives`` and ``Analysis.subnarratives`` with evidence spans."""

    name = MODEL_NAME

    def __init__(self, classifier: NarrativeClassifier) -> None:
        self.classifier = classifier
        self.version = classifier.version

    @classmethod
    def load_shipped(cls) -> NarrativeTagger:
        return cls(NarrativeClassifier.load(shipped_model_dir(MODEL_NAME)))

    def annotate(self, analyses: Sequence[Analysis]) -> None:
        sentence_lists = [
            [span.text for span in analysis.sentences] or [analysis.article.text] for analysis in analyses
        ]
        predictions = self.classifier.predict_with_evidence(sentence_lists)
        for analysis, (coarse, fine) in zip(analyses, predictions, strict=True):
            spans = analysis.sentences
            analysis.narratives = [_label(item, spans) for item in coarse]
            analysis.subnarratives = [_label(item, spans) for item in fine]


def _label(item: ScoredLabel, sentences: Sequence[Span]) -> Label:
    return Label(item.name, round(item.confidence, 4), tuple(sentences[i] for i in item.evidence if i < len(sentences)))
