"""Grounded explanations of an article's dominant narrative (SemEval-2025 Task 10 subtask 3).

The offline engine (:mod:`.offline`) is the default and the fallback; an OpenAI-compatible LLM (:mod:`.llm`) can
write the text instead, from the evidence the offline engine selected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.document import Analysis, Explanation, Span
from narrascope.ml.artifacts import build_from_artifact, save_artifact, shipped_model_dir
from narrascope.pipeline import Pipeline
from narrascope.tasks.explain.frames import Cast
from narrascope.tasks.explain.llm import LLMError, LLMExplainer
from narrascope.tasks.explain.offline import MIN_QUOTE_WORDS, ExplanationModel, Reading
from narrascope.tasks.narratives import NarrativeClassifier
from narrascope.taxonomy import narratives

MODEL_NAME = "explanations"
REBUILD_COMMAND = (
    "narrascope train explanations --data ../shared/data/semeval2025-t10 --out src/narrascope/models/explanations"
)


def save_model(model: ExplanationModel, directory: str | Path, extra_manifest: dict[str, Any] | None = None) -> None:
    arrays, settings = model.to_arrays()
    save_artifact(directory, arrays, {"name": MODEL_NAME, "settings": settings, **(extra_manifest or {})})


def load_model(directory: str | Path) -> tuple[ExplanationModel, str]:
    """The model and its version (its styles live in the manifest's settings, which the version covers)."""
    return build_from_artifact(
        directory, REBUILD_COMMAND, lambda arrays, manifest: ExplanationModel.from_arrays(arrays, manifest["settings"])
    )


def dominant_narrative(analysis: Analysis) -> tuple[str, str | None] | None:
    """The narrative the report and the article page show first (:meth:`Analysis.narrative_tree`) and its first
    sub-narrative (None for ``X: Other``); None when the article has no narrative (``Other``, or off topic)."""
    tree = analysis.narrative_tree()
    if not tree or tree[0][0].name == narratives().other:
        return None
    narrative, children = tree[0]
    sub = children[0][1].name if children else None
    return narrative.name, None if sub is None or sub.endswith(": Other") else sub


def reading(analysis: Analysis, label: str, classifier: NarrativeClassifier) -> Reading:
    """What an explanation of ``label`` builds on: the sentences that carry the label's own signal (best first; at
    least six words, not the title; those with a positive score, else the best one) and the actors with roles."""
    text = analysis.article.text
    spans = analysis.sentences or [Span.of(text, 0, len(text))]
    vectors = None
    if analysis.encoding is not None:
        vectors = analysis.encoding.sentence_vectors([(span.start, span.end) for span in spans])
    scores = classifier.evidence_scores([span.text for span in spans], label, vectors)
    title = analysis.article.title
    body_start = text.find(title) + len(title) if title and title in text and text.strip() != title.strip() else 0
    ranked = [
        int(i)
        for i in np.argsort(-scores, kind="stable")
        if spans[i].start >= body_start and len(spans[i].text.split()) >= MIN_QUOTE_WORDS
    ]
    evidence = [i for i in ranked if scores[i] > 0] or ranked[:1]
    cast = tuple(
        (
            Cast(
                actor.name,
                actor.aliases[0] if actor.aliases else actor.name,
                actor.fine_roles[0].name if actor.fine_roles else actor.main_role.name,
                actor.main_role.name,
            ),
            tuple(analysis.mentions[index].span.start for index in actor.mentions),
        )
        for actor in analysis.actors
    )
    return Reading(tuple((spans[i].start, spans[i].end) for i in evidence), cast)


class ExplanationTagger:
    """Pipeline component: fills ``Analysis.explanation`` for the dominant narrative — the predicted one, or the one
    ``given`` for the article's id (SemEval subtask 3 gives it)."""

    name = MODEL_NAME

    def __init__(
        self,
        model: ExplanationModel,
        version: str,
        classifier: NarrativeClassifier,
        llm: LLMExplainer | None = None,
        given: Mapping[str, tuple[str, str | None]] | None = None,
    ) -> None:
        self.model, self.classifier, self.llm = model, classifier, llm
        self.given = dict(given or {})
        self.version = version if llm is None else f"{version}+llm:{llm.settings.model}"
        self.failures: list[str] = []  # LLM problems that made us fall back to the offline engine

    @classmethod
    def load_shipped(cls, classifier: NarrativeClassifier, llm: LLMExplainer | None = None) -> ExplanationTagger:
        """The shipped model; ``classifier`` is the narrative head whose evidence the quotes come from."""
        model, version = load_model(shipped_model_dir(MODEL_NAME))
        return cls(model, version, classifier, llm)

    def annotate(self, analyses: Sequence[Analysis]) -> None:
        for analysis in analyses:
            dominant = self.given.get(analysis.article.id) or dominant_narrative(analysis)
            analysis.explanation = None if dominant is None else self.explain(analysis, *dominant)

    def explain(self, analysis: Analysis, narrative: str, subnarrative: str | None) -> Explanation:
        """The explanation of one (sub-)narrative, while the analysis still holds the encoder's pass."""
        text, language = analysis.article.text, analysis.language or "en"
        found = reading(analysis, subnarrative or narrative, self.classifier)
        draft = self.model.predict(text, language, narrative, subnarrative, found)
        evidence = tuple(Span.of(text, start, end) for start, end in draft.evidence)
        if self.llm is not None:
            label = subnarrative or narrative
            try:
                answer = self.llm.explain(
                    text, language, label, narratives().description(label), [s.text for s in evidence]
                )
                return Explanation(
                    answer, narrative, subnarrative, evidence, f"llm:{self.llm.settings.model}", language
                )
            except LLMError as error:
                self.failures.append(str(error))
        return Explanation(draft.text, narrative, subnarrative, evidence, "offline", draft.language)


def explaining(pipeline: Pipeline, given: Mapping[str, tuple[str, str | None]]) -> Pipeline:
    """``pipeline`` with its explanation step explaining the ``given`` dominant narratives (article id →
    narrative, sub-narrative or None) instead of the predicted ones; the models are shared, not copied."""
    components = [
        ExplanationTagger(c.model, c.version, c.classifier, c.llm, given) if isinstance(c, ExplanationTagger) else c
        for c in pipeline.components
    ]
    return Pipeline(components, pipeline.engine)
