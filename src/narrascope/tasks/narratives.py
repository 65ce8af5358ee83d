"""Narrative classification (SemEval-2025 Task 10 subtask 2): which narratives and sub-narratives an article pushes.

:class:`NarrativeClassifier` is the estimator (``fit`` / ``predict_proba`` / ``predict``); :class:`NarrativeTagger`
is the pipeline component that writes its labels, with evidence sentences, into an :class:`Analysis`.

The model, chosen by cross-validated comparison (see the model card):

* features: character 2–5-grams and word 1–2-grams of transliterated tokens, TF-IDF, all languages pooled;
* two views of three label levels (domain URW/CC/none, 22 narratives, 91 sub-narratives, ``Other`` included):
  one-vs-rest logistic regression on the character n-grams (top 3,000 weights per label kept) and a cosine
  10-nearest-neighbour vote on the word n-grams;
* with the reading engine, a third view: one-vs-rest logistic regression on the encoder's article vector
  (multilingual-e5-small, mean of its tokens), mixed with the two n-gram views by ``encoder_weight``;
* each view and level Platt-calibrated on out-of-fold scores;
* an expected-F1 decoder (:mod:`narrascope.ml.decoding`) per engine — ``default`` (all three views) and ``fast``
  (the n-gram views alone) — tuned on the same out-of-fold predictions.

The evidence for a label is the sentences that carry that label's own signal: with the encoder, the label's weights
applied to each sentence's vector, minus what the sentence scores for every label of its level; without it, each
sentence's share of the label's n-gram score. A sentence is evidence for at most ``MAX_LABELS_PER_SENTENCE``
sub-narratives of an article, those it is most specific to.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from narrascope.document import Analysis, Label, Span
from narrascope.encoder.version import VERSION as ENCODER_VERSION
from narrascope.encoder.version import check_encoder
from narrascope.errors import ModelError
from narrascope.ml.artifacts import SavedModel, save_artifact, shipped_model_dir
from narrascope.ml.calibration import apply_platt, fit_platt
from narrascope.ml.decoding import DOMAINS, DecoderSettings, ExpectedF1Decoder, LabelProbabilities
from narrascope.ml.dense import DenseLogistic
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
VIEWS = ("linear", "neighbours", "encoder")
ENGINES = ("default", "fast")
DECODER_GRID: dict[str, Sequence[float]] = {
    "other": (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.5),
    "sharpness": (0.8, 1.0, 1.25, 1.6),
    "fine_weight": (0.5, 0.75, 1.0),
    "domain_weight": (0.0, 0.5),
}
MAX_EVIDENCE = 3
MAX_LABELS_PER_SENTENCE = 2
#: Sentences shorter than this (headings, datelines, fragments) are evidence only when nothing longer is.
MIN_EVIDENCE_WORDS = 6


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
    encoder: DenseLogistic | None = None


class NarrativeClassifier(SavedModel):
    """Multilingual narrative and sub-narrative classifier with taxonomy-consistent, expected-F1 output.

    Fitted with article vectors from the encoder it runs both engines (``default`` when vectors are given at
    prediction, ``fast`` when not); fitted without, only ``fast``.
    """

    rebuild_command = REBUILD_COMMAND

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
        encoder_C: float = 0.01,
        encoder_weight: float = 0.5,
        folds: int = 5,
        seed: int = 2025,
        language_scale: float = 10.0,
        decoder_grid: dict[str, Sequence[float]] | None = None,
    ) -> None:
        self.taxonomy = taxonomy or narratives()
        self.char_block, self.word_block = char_block, word_block
        self.C, self.keep_weights = C, keep_weights
        self.neighbours, self.neighbour_weight = neighbours, neighbour_weight
        self.encoder_C, self.encoder_weight = encoder_C, encoder_weight
        self.folds, self.seed = folds, seed
        self.language_scale = language_scale
        self.decoder_grid = decoder_grid or DECODER_GRID
        self.coarse_labels = list(self.taxonomy.coarse)
        self.fine_labels = [label for label in self.taxonomy.fine if label in self.taxonomy.scored_fine]
        self.decoder_settings: dict[str, DecoderSettings] = {"fast": DecoderSettings()}
        self.calibration: dict[str, tuple[float, float]] = {}
        self.cv_score: dict[str, float] = {}
        self.version = "untrained"
        self._views: _Views | None = None

    @property
    def decoder(self) -> ExpectedF1Decoder:
        return ExpectedF1Decoder(self.taxonomy, self.coarse_labels, self.fine_labels)

    @property
    def engines(self) -> tuple[str, ...]:
        """The engines this model can run: ``fast`` always, ``default`` when it was fitted with the encoder."""
        return tuple(engine for engine in ENGINES if engine in self.decoder_settings)

    # -- estimator API ------------------------------------------------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        coarse: Sequence[Collection[str]],
        fine: Sequence[Collection[str]],
        groups: Sequence[str] | None = None,
        vectors: np.ndarray | None = None,
    ) -> NarrativeClassifier:
        """Learn from articles and their gold labels; ``groups`` (e.g. languages) keep the CV folds balanced;
        ``vectors`` (articles × dimensions, from the encoder) add the encoder view and the ``default`` engine.

        A k-fold pass over the training data first gives out-of-fold scores, on which the calibration and the
        decoders are fitted; then the views are fitted on everything.
        """
        sentence_lists = _sentence_lists(texts)
        Y = self._label_matrix(coarse, fine)
        views = VIEWS if vectors is not None else VIEWS[:2]
        out_of_fold = np.zeros((len(texts), Y.shape[1], len(views)), dtype=np.float32)
        for held_out in self._folds(Y, groups):
            training = np.setdiff1d(np.arange(len(texts)), held_out)
            fold_views = self._fit_views(
                [sentence_lists[i] for i in training],
                Y[training],
                [groups[i] for i in training] if groups else None,
                vectors[training] if vectors is not None else None,
            )
            out_of_fold[held_out] = self._raw_scores(
                fold_views,
                *self._document_vectors(fold_views, [sentence_lists[i] for i in held_out]),
                vectors[held_out] if vectors is not None else None,
            )
        self.calibration = {
            f"{view}/{level}": fit_platt(out_of_fold[:, columns, v], Y[:, columns])
            for v, view in enumerate(views)
            for level, columns in self._level_columns().items()
        }
        gold = [set(labels) for labels in fine]
        self.decoder_settings, self.cv_score = {}, {}
        for engine in ENGINES if vectors is not None else ("fast",):
            probabilities = self._probabilities(out_of_fold, engine)
            self.decoder_settings[engine], score = self.decoder.tune(probabilities, gold, self.decoder_grid)
            self.cv_score[engine] = round(score, 4)
        self._views = self._fit_views(sentence_lists, Y, groups, vectors)
        return self

    def predict_proba(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> LabelProbabilities:
        views = self._fitted()
        raw = self._raw_scores(views, *self._document_vectors(views, _sentence_lists(texts)), vectors)
        return self._probabilities(raw, self._engine(vectors))

    def predict(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> list[tuple[list[str], list[str]]]:
        """``(narratives, sub-narratives)`` per text, obeying the taxonomy (``(["Other"], ["Other"])`` for none)."""
        return self.decoder.decode(self.predict_proba(texts, vectors), self.decoder_settings[self._engine(vectors)])

    # -- with evidence --------------------------------------------------------------------------------------------

    def predict_with_evidence(
        self,
        sentence_lists: Sequence[Sequence[str]],
        vectors: np.ndarray | None = None,
        sentence_vectors: Sequence[np.ndarray] | None = None,
    ) -> list[tuple[list[ScoredLabel], list[ScoredLabel]]]:
        """Chosen narratives and sub-narratives per document (given as its sentences), with evidence sentences.

        With the encoder's article ``vectors`` and each document's ``sentence_vectors`` (sentences × dimensions),
        the ``default`` engine decides and the encoder view picks the evidence; without, the ``fast`` engine.
        """
        views = self._fitted()
        engine = self._engine(vectors)
        sizes = [len(sentences) for sentences in sentence_lists]
        char_counts = views.char.count([sentence for sentences in sentence_lists for sentence in sentences])
        word_counts = views.word.count([sentence for sentences in sentence_lists for sentence in sentences])
        documents_char = views.char.weigh(sum_rows(char_counts, sizes))
        documents_word = views.word.weigh(sum_rows(word_counts, sizes))
        probabilities = self._probabilities(self._raw_scores(views, documents_char, documents_word, vectors), engine)
        sentence_scores = self._sentence_scores(
            sentence_lists, char_counts, documents_char, sentence_vectors if engine == "default" else None
        )
        decoder, settings = self.decoder, self.decoder_settings[engine]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        results = []
        for row in range(len(sentence_lists)):
            decision = decoder.decide(probabilities, row, settings)
            if not decision.fine:
                other = self.taxonomy.other
                confidence = float(probabilities.coarse[row, self.coarse_labels.index(other)])
                label = ScoredLabel(other, confidence, ())  # type: ignore[arg-type]
                results.append(([label], [label]))
                continue
            scores = sentence_scores[offsets[row] : offsets[row + 1]]
            results.append(self._with_evidence(decision.coarse, decision.fine, probabilities, row, scores))
        return results

    def evidence_scores(
        self, sentences: Sequence[str], label: str, sentence_vectors: np.ndarray | None = None
    ) -> np.ndarray:
        """How much each sentence of one document carries ``label``'s own signal (positive: evidence), as the
        evidence of :meth:`predict_with_evidence` is ranked, for any narrative or sub-narrative — also one the
        decoder did not choose (a dominant narrative given by hand). Sentences under ``MIN_EVIDENCE_WORDS`` words
        score below every other."""
        views = self._fitted()
        column = self._evidence_column(label)
        if views.encoder is not None and sentence_vectors is not None:  # the n-gram counts are not needed
            return self._sentence_scores([sentences], None, None, [sentence_vectors])[:, column]
        char_counts = views.char.count(list(sentences))
        documents_char = views.char.weigh(sum_rows(char_counts, [len(sentences)]))
        return self._sentence_scores([sentences], char_counts, documents_char, None)[:, column]

    def _sentence_scores(
        self,
        sentence_lists: Sequence[Sequence[str]],
        char_counts: sp.csr_matrix | None,
        documents_char: sp.csr_matrix | None,
        sentence_vectors: Sequence[np.ndarray] | None,
    ) -> np.ndarray:
        """Sentences × label columns: what each sentence adds to each label beyond the rest of the label's level
        (the encoder view's scores with ``sentence_vectors``, else the n-gram model's contributions, which need
        ``char_counts`` and ``documents_char``)."""
        views = self._fitted()
        if views.encoder is not None and sentence_vectors is not None:
            scores = views.encoder.linear_scores(np.concatenate(list(sentence_vectors)))
        else:
            assert char_counts is not None and documents_char is not None
            sizes = [len(sentences) for sentences in sentence_lists]
            scores = _sentence_contributions(views.linear, char_counts, documents_char, sizes)
        for level_columns in self._level_columns().values():
            # What a sentence adds to every label of a level (names, topic words) is not evidence for any one.
            scores[:, level_columns] -= scores[:, level_columns].mean(axis=1, keepdims=True)
        too_short = np.array([len(s.split()) < MIN_EVIDENCE_WORDS for sentences in sentence_lists for s in sentences])
        scores[too_short] -= 1e6  # below every quotable sentence, still ranked among themselves
        return scores

    def _evidence_column(self, label: str) -> int:
        """The score column whose signal is ``label``'s evidence: "X: Other" only says X has no listed
        sub-narrative, so X's own column."""
        columns = self._level_columns()
        parent = self.taxonomy.parent(label) if label.endswith(": Other") else None
        if parent in self.coarse_labels:
            return int(columns["coarse"][self.coarse_labels.index(parent)])
        if label in self.fine_labels:
            return int(columns["fine"][self.fine_labels.index(label)])
        if label in self.coarse_labels:
            return int(columns["coarse"][self.coarse_labels.index(label)])
        raise ValueError(f"no narrative or sub-narrative {label!r} in the model")

    def _with_evidence(
        self,
        coarse_chosen: Sequence[int],
        fine_chosen: Sequence[int],
        probabilities: LabelProbabilities,
        row: int,
        scores: np.ndarray,
    ) -> tuple[list[ScoredLabel], list[ScoredLabel]]:
        """The chosen labels with their evidence: each sub-narrative gets the sentences most specific to it."""
        columns = self._level_columns()
        fine_columns = [self._evidence_column(self.fine_labels[j]) for j in fine_chosen]
        evidence = _assign_evidence(scores[:, fine_columns])
        fine = [
            ScoredLabel(self.fine_labels[j], float(probabilities.fine[row, j]), sentences)
            for j, sentences in zip(fine_chosen, evidence, strict=True)
        ]
        coarse = []
        for i in coarse_chosen:
            name = self.coarse_labels[i]
            children = {
                index
                for label, found in zip(fine, evidence, strict=True)
                for index in found
                if self.taxonomy.parent(label.name) == name
            }
            own = scores[:, columns["coarse"][i]]
            chosen = tuple(sorted(children, key=lambda index: -own[index])[:MAX_EVIDENCE])
            coarse.append(ScoredLabel(name, float(probabilities.coarse[row, i]), chosen))
        return _by_confidence(coarse), _by_confidence(fine)

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
            **(views.encoder.to_arrays("encoder") if views.encoder is not None else {}),
        }
        manifest = {
            "name": MODEL_NAME,
            "char_block": char_settings,
            "word_block": word_settings,
            "C": self.C,
            "keep_weights": self.keep_weights,
            "neighbours": self.neighbours,
            "neighbour_weight": self.neighbour_weight,
            "encoder_C": self.encoder_C,
            "encoder_weight": self.encoder_weight,
            "encoder": ENCODER_VERSION if views.encoder is not None else None,
            "folds": self.folds,
            "seed": self.seed,
            "language_scale": self.language_scale,
            "coarse_labels": self.coarse_labels,
            "fine_labels": self.fine_labels,
            "calibration": self.calibration,
            "decoders": {engine: settings.to_dict() for engine, settings in self.decoder_settings.items()},
            "cv_score": self.cv_score,
            **(extra_manifest or {}),
        }
        save_artifact(directory, arrays, manifest)

    @classmethod
    def _from_artifact(cls, arrays: dict[str, np.ndarray], manifest: dict[str, Any]) -> NarrativeClassifier:
        model = cls(
            char_block=NgramBlock(**manifest["char_block"]),
            word_block=NgramBlock(**manifest["word_block"]),
            C=manifest["C"],
            keep_weights=manifest["keep_weights"],
            neighbours=manifest["neighbours"],
            neighbour_weight=manifest["neighbour_weight"],
            encoder_C=manifest["encoder_C"],
            encoder_weight=manifest["encoder_weight"],
            folds=manifest["folds"],
            seed=manifest["seed"],
            language_scale=manifest["language_scale"],
        )
        model.coarse_labels = list(manifest["coarse_labels"])
        model.fine_labels = list(manifest["fine_labels"])
        model.calibration = {key: (float(a), float(b)) for key, (a, b) in manifest["calibration"].items()}
        model.decoder_settings = {
            engine: DecoderSettings(**settings) for engine, settings in manifest["decoders"].items()
        }
        model.cv_score = dict(manifest["cv_score"])
        encoder = None
        if "default" in model.decoder_settings:
            check_encoder(manifest)
            encoder = DenseLogistic.from_arrays(arrays, "encoder", {"C": manifest["encoder_C"]})
        char = NgramTfidf.from_arrays(arrays, "char", manifest["char_block"])
        model._views = _Views(
            char=char,
            word=NgramTfidf.from_arrays(arrays, "word", manifest["word_block"]),
            linear=OneVsRestLogistic.from_arrays(arrays, "linear", char.n_features, {"C": manifest["C"]}),
            neighbours=NearestNeighbourLabels.from_arrays(arrays, "neighbours"),
            encoder=encoder,
        )
        return model

    # -- internals ----------------------------------------------------------------------------------------------

    def _fitted(self) -> _Views:
        if self._views is None:
            raise ModelError("the narrative classifier is not trained")
        return self._views

    def _engine(self, vectors: np.ndarray | None) -> str:
        if vectors is None:
            return "fast"
        if "default" not in self.decoder_settings:
            raise ModelError("this narrative model was trained without the encoder: it runs only the fast engine")
        return "default"

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
        self,
        sentence_lists: Sequence[Sequence[str]],
        Y: np.ndarray,
        groups: Sequence[str] | None,
        vectors: np.ndarray | None = None,
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
        if vectors is not None:
            views.encoder = DenseLogistic(self.encoder_C).fit(vectors, Y)
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
    def _raw_scores(
        views: _Views,
        documents_char: sp.csr_matrix,
        documents_word: sp.csr_matrix,
        vectors: np.ndarray | None = None,
    ) -> np.ndarray:
        """Uncalibrated scores, documents × label columns × views (the encoder view only with ``vectors``)."""
        scores = [views.linear.decision_function(documents_char), views.neighbours.decision_function(documents_word)]
        if vectors is not None and views.encoder is not None:
            scores.append(views.encoder.decision_function(vectors))
        return np.stack(scores, axis=2).astype(np.float32)

    def _probabilities(self, raw: np.ndarray, engine: str) -> LabelProbabilities:
        """Calibrated views mixed: the n-gram views by ``neighbour_weight``, then the encoder by ``encoder_weight``."""
        levels = {}
        for level, columns in self._level_columns().items():
            calibrated = [
                apply_platt(raw[:, columns, v], self.calibration[f"{view}/{level}"])
                for v, view in enumerate(VIEWS[: raw.shape[2]])
            ]
            mixed = (1 - self.neighbour_weight) * calibrated[0] + self.neighbour_weight * calibrated[1]
            if engine == "default":
                mixed = (1 - self.encoder_weight) * mixed + self.encoder_weight * calibrated[2]
            levels[level] = mixed
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
    # Document by document: spreading each document's row over its sentences first would give every sentence all
    # of its document's features (sentences × features, quadratic in a long article's length).
    bounds = np.cumsum([0, *sizes])
    shares = sp.vstack(
        [sentence_counts[bounds[d] : bounds[d + 1]].multiply(per_count[d]) for d in range(len(sizes))], format="csr"
    )
    return linear.linear_scores(shares)


def _sentence_lists(texts: Sequence[str]) -> list[list[str]]:
    return [[span.text for span in split_sentences(text)] or [text] for text in texts]


def _assign_evidence(scores: np.ndarray) -> list[tuple[int, ...]]:
    """Evidence sentences for each label column of ``scores`` (sentences × labels), best first.

    Sentence–label pairs are taken from the most specific down: a label takes up to ``MAX_EVIDENCE`` sentences
    with a positive score, a sentence serves at most ``MAX_LABELS_PER_SENTENCE`` labels. A label left with none
    gets its best sentence that still has room, so every label shows a quote.
    """
    sentences, labels = scores.shape
    evidence: list[list[int]] = [[] for _ in range(labels)]
    uses = np.zeros(sentences, dtype=int)
    for flat in np.argsort(-scores, axis=None, kind="stable"):
        sentence, label = divmod(int(flat), labels)
        if scores[sentence, label] <= 0:
            break
        if len(evidence[label]) < MAX_EVIDENCE and uses[sentence] < MAX_LABELS_PER_SENTENCE:
            evidence[label].append(sentence)
            uses[sentence] += 1
    for label in range(labels):
        if not evidence[label] and sentences:
            room = [int(i) for i in np.argsort(-scores[:, label], kind="stable") if uses[i] < MAX_LABELS_PER_SENTENCE]
            if room:
                evidence[label].append(room[0])
                uses[room[0]] += 1
    return [tuple(found) for found in evidence]


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
        """Labels for the articles in scope (none for the others); the encoder's vectors when the pass left them."""
        for analysis in analyses:
            analysis.narratives, analysis.subnarratives = [], []
        chosen = [analysis for analysis in analyses if analysis.narratives_apply]
        if not chosen:
            return
        spans = [[(span.start, span.end) for span in a.sentences] or [(0, len(a.article.text))] for a in chosen]
        sentence_lists = [
            [analysis.article.text[start:end] for start, end in found]
            for analysis, found in zip(chosen, spans, strict=True)
        ]
        vectors = sentence_vectors = None
        if all(analysis.encoding is not None for analysis in chosen):
            vectors = np.stack([analysis.encoding.mean() for analysis in chosen])
            sentence_vectors = [
                analysis.encoding.sentence_vectors(found) for analysis, found in zip(chosen, spans, strict=True)
            ]
        predictions = self.classifier.predict_with_evidence(sentence_lists, vectors, sentence_vectors)
        for analysis, (coarse, fine) in zip(chosen, predictions, strict=True):
            analysis.narratives = [_label(item, analysis.sentences) for item in coarse]
            analysis.subnarratives = [_label(item, analysis.sentences) for item in fine]


def _label(item: ScoredLabel, sentences: Sequence[Span]) -> Label:
    return Label(item.name, round(item.confidence, 4), tuple(sentences[i] for i in item.evidence if i < len(sentences)))
