"""Grounded explanations of an article's dominant narrative (SemEval-2025 Task 10 subtask 3).

The offline engine (:mod:`.offline`) is the default and the fallback; an OpenAI-compatible LLM (:mod:`.llm`) can
write the text instead, from the evidence the offline engine selected.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from narrascope.document import Analysis, Explanation, Span
from narrascope.ml.artifacts import build_from_artifact, save_artifact, shipped_model_dir
from narrascope.tasks.explain.llm import LLMError, LLMExplainer
from narrascope.tasks.explain.offline import ExplanationModel
from narrascope.taxonomy import narratives

MODEL_NAME = "explanations"
REBUILD_COMMAND = (
    "narrascope train explanations --data ../shared/data/semeval2025-t10 --out src/narrascope/models/explanations"
)


def save_model(model: ExplanationModel, directory: str | Path, extra_manifest: dict[str, Any] | None = None) -> None:
    arrays, settings = model.to_arrays()
    save_artifact(directory, arrays, {"name": MODEL_NAME, "settings": settings, **(extra_manifest or {})})


def load_model(directory: str | Path) -> tuple[ExplanationModel, str]:
    """The model and its version (``explanations-<sha>``)."""
    return build_from_artifact(
        directory, REBUILD_COMMAND, lambda arrays, manifest: ExplanationModel.from_arrays(arrays, manifest["settings"])
    )


def dominant_narrative(analysis: Analysis) -> tuple[str, str | None] | None:
    """The most confident sub-narrative and its narrative (sub-narrative None for ``X: Other``); None for Other."""
    taxonomy = narratives()
    for label in analysis.subnarratives:
        parent = taxonomy.parent(label.name)
        if parent:
            return parent, None if label.name.endswith(": Other") else label.name
    return None


class ExplanationTagger:
    """Pipeline component: fills ``Analysis.explanation`` for the dominant predicted narrative."""

    name = MODEL_NAME

    def __init__(self, model: ExplanationModel, version: str, llm: LLMExplainer | None = None) -> None:
        self.model, self.llm = model, llm
        self.version = version if llm is None else f"{version}+llm:{llm.settings.model}"
        self.failures: list[str] = []  # LLM problems that made us fall back to the offline engine

    @classmethod
    def load_shipped(cls, llm: LLMExplainer | None = None) -> ExplanationTagger:
        model, version = load_model(shipped_model_dir(MODEL_NAME))
        return cls(model, version, llm)

    def annotate(self, analyses: Sequence[Analysis]) -> None:
        for analysis in analyses:
            dominant = dominant_narrative(analysis)
            if dominant is not None:
                analysis.explanation = self.explain(analysis.article.text, analysis.language, *dominant)

    def explain(self, text: str, language: str | None, narrative: str, subnarrative: str | None) -> Explanation:
        draft = self.model.predict(text, language or "en", narrative, subnarrative)
        evidence = tuple(Span.of(text, start, end) for start, end in draft.evidence)
        if self.llm is not None:
            taxonomy = narratives()
            label = subnarrative or narrative
            try:
                answer = self.llm.explain(
                    text, language, label, taxonomy.description(label), [s.text for s in evidence]
                )
                return Explanation(answer, narrative, subnarrative, evidence, f"llm:{self.llm.settings.model}")
            except LLMError as error:
                self.failures.append(str(error))
        return Explanation(draft.text, narrative, subnarrative, evidence, "offline")
