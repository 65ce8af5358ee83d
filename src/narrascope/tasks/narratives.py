"""Narrative classification (SemEval-2025 Task 10 subtask 2): which narratives and sub-narratives an article pushes.

:class:`NarrativeClassifier` is the estimator (``fit`` / ``predict_proba`` / ``predict``); :class:`NarrativeTagger`
is the pipeline component that writes its labels, with evidence sentences, into an :class:`Analysis`.

Model: word and character n-gram TF-IDF over all five languages, one-vs-rest logistic regression for narratives
(plus ``Other``) and sub-narratives, and a hierarchical decoder whose thresholds are tuned by cross-validation on
the training data. The evidence for a label is the sentences whose own features score highest for that label.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from narrascope.document import Analysis, Label, Span
from narrascope.errors import ModelError
from narrascope.ml.artifacts import load_artifact, save_artifact
from narrascope.ml.decoding import DecoderSettings, HierarchicalDecoder, LabelProbabilities
from narrascope.ml.features import NgramBlock, TfidfFeatures, sum_rows
from narrascope.ml.linear import OneVsRestLogistic
from narrascope.taxonomy import Taxonomy, narratives
from narrascope.text.segment import sentences as split_sentences

MODEL_NAME = "narratives"
REBUILD_COMMAND = (
    "narrascope train narratives --data ../shared/data/semeval2025-t10 --out src/narrascope/models/narratives"
)
DEFAULT_BLOCKS = (NgramBlock("word", 1, 2, min_df=2), NgramBlock("char_wb", 2, 5, min_df=2))
#: Labels with fewer training articles than this are never predicted (too little to learn from).
MIN_EXAMPLES = 2
MAX_EVIDENCE = 3


@dataclass(frozen=True, slots=True)
class ScoredLabel:
    """A chosen label, its probability and the indices of the sentences that support it most."""

    name: str
    confidence: float
    evidence: tuple[int, ...]


class NarrativeClassifier:
    """Multilingual narrative and sub-narrative classifier with taxonomy-consistent output."""

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        blocks: Sequence[NgramBlock] = DEFAULT_BLOCKS,
        C: float = 10.0,
        keep_weight: float = 0.95,
        decoder_settings: DecoderSettings | None = None,
    ) -> None:
        self.taxonomy = taxonomy or narratives()
        self.blocks = tuple(blocks)
        self.C = C
        self.keep_weight = keep_weight
        self.decoder_settings = decoder_settings or DecoderSettings()
        self.version = "untrained"
        self.features: TfidfFeatures | None = None
        self.coarse_labels: list[str] = []
        self.fine_labels: list[str] = []
        self.coarse_model: OneVsRestLogistic | None = None
        self.fine_model: OneVsRestLogistic | None = None

    # -- estimator API ------------------------------------------------------------------------------------------

    def fit(
        self, texts: Sequence[str], coarse: Sequence[Collection[str]], fine: Sequence[Collection[str]]
    ) -> NarrativeClassifier:
        """Learn from articles and their gold narratives (``coarse``) and sub-narratives (``fine``)."""
        sentence_lists = [[span.text for span in split_sentences(text)] or [text] for text in texts]
        self.features = TfidfFeatures(self.blocks).fit([" ".join(sentences) for sentences in sentence_lists])
        X = self._document_matrix(sentence_lists)
        self.coarse_labels = self._frequent(self.taxonomy.coarse, coarse)
        self.fine_labels = self._frequent([label for label in self.taxonomy.fine if label != self.taxonomy.other], fine)
        self.coarse_model = self._fit_level(X, self.coarse_labels, coarse)
        self.fine_model = self._fit_level(X, self.fine_labels, fine)
        return self

    def predict_proba(self, texts: Sequence[str]) -> LabelProbabilities:
        sentence_lists = [[span.text for span in split_sentences(text)] or [text] for text in texts]
        return self._probabilities(self._document_matrix(sentence_lists))

    def predict(self, texts: Sequence[str]) -> list[tuple[list[str], list[str]]]:
        """``(narratives, sub-narratives)`` per text, obeying the taxonomy (``(["Other"], ["Other"])`` for none)."""
        return self.decoder.decode(self.predict_proba(texts), self.decoder_settings)

    @property
    def decoder(self) -> HierarchicalDecoder:
        return HierarchicalDecoder(self.taxonomy, self._narrative_labels, self.fine_labels)

    # -- with evidence --------------------------------------------------------------------------------------------

    def predict_with_evidence(
        self, sentence_lists: Sequence[Sequence[str]]
    ) -> list[tuple[list[ScoredLabel], list[ScoredLabel]]]:
        """Chosen narratives and sub-narratives per document (given as its sentences), with evidence sentences."""
        counts = self._count_sentences(sentence_lists)
        sizes = [len(sentences) for sentences in sentence_lists]
        probabilities = self._probabilities(self._weigh_documents(counts, sizes))
        sentence_X = self._features.weigh(counts)
        coarse_sentence_scores = self._model(self.coarse_model).decision_function(sentence_X)
        fine_sentence_scores = self._model(self.fine_model).decision_function(sentence_X)
        coarse_column = {label: i for i, label in enumerate(self.coarse_labels)}
        narrative_column = {label: i for i, label in enumerate(self._narrative_labels)}
        fine_column = {label: i for i, label in enumerate(self.fine_labels)}
        results = []
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        for row, (coarse, fine) in enumerate(self.decoder.decode(probabilities, self.decoder_settings)):
            first, last = offsets[row], offsets[row + 1]
            if coarse == [self.taxonomy.other]:
                other = ScoredLabel(coarse[0], float(probabilities.other[row]), ())
                results.append(([other], [other]))
                continue
            scored_coarse = []
            for label in coarse:
                evidence = _top_sentences(coarse_sentence_scores[first:last, coarse_column[label]])
                confidence = float(probabilities.coarse[row, narrative_column[label]])
                scored_coarse.append(ScoredLabel(label, confidence, evidence))
            evidence_of = {label.name: label.evidence for label in scored_coarse}
            scored_fine = []
            for label in fine:
                j = fine_column.get(label)
                if j is None or label.endswith(": Other"):
                    # "X: Other" says only that X has no listed sub-narrative: its evidence is X's evidence, and
                    # without a model of its own its confidence is X's.
                    parent = self.taxonomy.parent(label) or label
                    parent_confidence = next((item.confidence for item in scored_coarse if item.name == parent), 0.0)
                    confidence = float(probabilities.fine[row, j]) if j is not None else parent_confidence
                    scored_fine.append(ScoredLabel(label, confidence, evidence_of.get(parent, ())))
                else:
                    evidence = _top_sentences(fine_sentence_scores[first:last, j])
                    scored_fine.append(ScoredLabel(label, float(probabilities.fine[row, j]), evidence))
            results.append((_by_confidence(scored_coarse), _by_confidence(scored_fine)))
        return results

    # -- persistence ------------------------------------------------------------------------------------------------

    def save(self, directory: str | Path, extra_manifest: dict[str, Any] | None = None) -> None:
        arrays, feature_settings = self._features.to_arrays()
        arrays.update(self._model(self.coarse_model).to_arrays("coarse"))
        arrays.update(self._model(self.fine_model).to_arrays("fine"))
        manifest = {
            "name": MODEL_NAME,
            "features": feature_settings,
            "C": self.C,
            "keep_weight": self.keep_weight,
            "coarse_labels": self.coarse_labels,
            "fine_labels": self.fine_labels,
            "decoder": self.decoder_settings.to_dict(),
            **(extra_manifest or {}),
        }
        save_artifact(directory, arrays, manifest)

    @classmethod
    def load(cls, directory: str | Path) -> NarrativeClassifier:
        arrays, manifest = load_artifact(directory, REBUILD_COMMAND)
        try:
            model = cls(
                C=manifest["C"],
                keep_weight=manifest["keep_weight"],
                decoder_settings=DecoderSettings(**manifest["decoder"]),
            )
            model.features = TfidfFeatures.from_arrays(arrays, manifest["features"])
            model.blocks = model.features.blocks
            model.coarse_labels = list(manifest["coarse_labels"])
            model.fine_labels = list(manifest["fine_labels"])
            settings = {"C": manifest["C"]}
            model.coarse_model = OneVsRestLogistic.from_arrays(arrays, "coarse", model.features.n_features, settings)
            model.fine_model = OneVsRestLogistic.from_arrays(arrays, "fine", model.features.n_features, settings)
        except (KeyError, TypeError, ValueError) as error:
            raise ModelError(
                f"{directory}: model files do not fit together ({error}); rebuild with `{REBUILD_COMMAND}`"
            ) from None
        model.version = f"{MODEL_NAME}-{manifest['sha256'][:12]}"
        return model

    # -- internals ----------------------------------------------------------------------------------------------

    @property
    def _features(self) -> TfidfFeatures:
        if self.features is None:
            raise ModelError("the narrative classifier is not trained")
        return self.features

    @staticmethod
    def _model(model: OneVsRestLogistic | None) -> OneVsRestLogistic:
        if model is None:
            raise ModelError("the narrative classifier is not trained")
        return model

    @property
    def _narrative_labels(self) -> list[str]:
        return [label for label in self.coarse_labels if label != self.taxonomy.other]

    def _count_sentences(self, sentence_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        return self._features.count([sentence for sentences in sentence_lists for sentence in sentences])

    def _weigh_documents(self, sentence_counts: sp.csr_matrix, sizes: Sequence[int]) -> sp.csr_matrix:
        return self._features.weigh(sum_rows(sentence_counts, sizes))

    def _document_matrix(self, sentence_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        return self._weigh_documents(self._count_sentences(sentence_lists), [len(s) for s in sentence_lists])

    def _probabilities(self, X: sp.csr_matrix) -> LabelProbabilities:
        coarse = self._model(self.coarse_model).predict_proba(X)
        other_column = self.coarse_labels.index(self.taxonomy.other)
        narrative_columns = [i for i in range(len(self.coarse_labels)) if i != other_column]
        return LabelProbabilities(
            other=coarse[:, other_column],
            coarse=coarse[:, narrative_columns],
            fine=self._model(self.fine_model).predict_proba(X),
        )

    @staticmethod
    def _frequent(labels: Sequence[str], gold: Sequence[Collection[str]]) -> list[str]:
        counts = {label: 0 for label in labels}
        for item in gold:
            for label in item:
                if label in counts:
                    counts[label] += 1
        return [label for label in labels if counts[label] >= MIN_EXAMPLES]

    def _fit_level(self, X: sp.csr_matrix, labels: Sequence[str], gold: Sequence[Collection[str]]) -> OneVsRestLogistic:
        Y = np.array([[label in item for label in labels] for item in gold], dtype=np.int8)
        return OneVsRestLogistic(C=self.C).fit(X, Y).prune(self.keep_weight)


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
        directory = resources.files("narrascope") / "models" / MODEL_NAME
        return cls(NarrativeClassifier.load(Path(str(directory))))

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
