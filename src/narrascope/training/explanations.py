"""Training the offline explanation engine: read the articles as the pipeline does, fit the word model, choose the
style by cross-validation on train, score dev, write the model card."""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from rich.console import Console

from narrascope.document import Analysis
from narrascope.evaluate.explanations import ExplanationScores, WordEncoder, score_explanations, token_f1
from narrascope.pipeline import Pipeline, reading_components
from narrascope.progress import progress_bar
from narrascope.tasks.explain import load_model, reading, save_model
from narrascope.tasks.explain.offline import ExplanationModel, Reading, Style
from narrascope.tasks.narratives import NarrativeClassifier
from narrascope.training import model_files_size, report_saved, rounded, save_model_card, table_rows
from narrascope.training.data import LANGUAGES, ExplanationExample, by_language, load_explanation_split

#: The style grid searched by cross-validation on train (the frame's language is chosen per language).
STYLE_GRID = {"evidence": (5, 10, 20, 30), "unit": ("sentence", "clause"), "cast": (1, 2, 3)}
FOLDS = 5


class _Lowered:
    """An example as the engine trains on it (language codes are lower-case there)."""

    def __init__(self, example: ExplanationExample) -> None:
        self.text, self.language = example.text, example.language.lower()
        self.narrative, self.subnarrative, self.explanation = (
            example.narrative,
            example.subnarrative,
            example.explanation,
        )


class _Reader:
    """Pipeline step that keeps what an explanation of each article's given narrative builds on."""

    name = "explanation-reading"
    version = "1"

    def __init__(self, classifier: NarrativeClassifier, labels: Mapping[str, str]) -> None:
        self.classifier, self.labels = classifier, labels
        self.found: dict[str, Reading] = {}

    def annotate(self, analyses: Sequence[Analysis]) -> None:
        for analysis in analyses:
            label = self.labels[analysis.article.id]
            self.found[analysis.article.id] = reading(analysis, label, self.classifier)


def read_examples(examples: Sequence[ExplanationExample], console: Console | None = None) -> list[Reading]:
    """Each example's evidence for its gold dominant narrative and its actors, as the default engine finds them."""
    from narrascope.tasks.entities import EntityTagger
    from narrascope.tasks.narratives import NarrativeTagger

    narrative_tagger = NarrativeTagger.load_shipped()
    reader = _Reader(narrative_tagger.classifier, {e.article.id: e.subnarrative or e.narrative for e in examples})
    pipeline = Pipeline([*reading_components(), narrative_tagger, EntityTagger.load_shipped(), reader])
    with progress_bar(console or Console(stderr=True), "Reading articles", total=len(examples)) as advance:
        for _ in pipeline.pipe(example.article for example in examples):
            advance(1)
    return [reader.found[example.article.id] for example in examples]


def fit_model(examples: Sequence[ExplanationExample], styles: dict[str, Style] | None = None) -> ExplanationModel:
    return ExplanationModel(styles=styles).fit([_Lowered(example) for example in examples])


def predict_all(
    model: ExplanationModel, examples: Sequence[ExplanationExample], readings: Sequence[Reading]
) -> dict[str, str]:
    """Explanations of the examples' gold dominant narratives, by article id."""
    return {
        e.gold.article_id: model.predict(e.text, e.language.lower(), e.narrative, e.subnarrative, found).text
        for e, found in zip(examples, readings, strict=True)
    }


def evaluate_by_language(
    predicted: Mapping[str, str], examples: Sequence[ExplanationExample], encode: WordEncoder | None = None
) -> dict[str, ExplanationScores]:
    """Scores per language folder and over all."""
    results = {}
    for language, chosen in by_language(examples, lambda e: e.language).items():
        gold = {e.gold.article_id: e.explanation for e in chosen}
        texts = {e.gold.article_id: e.text for e in chosen}
        results[language] = score_explanations(gold, predicted, texts, encode)
    return results


def choose_styles(
    examples: Sequence[ExplanationExample], readings: Sequence[Reading], console: Console
) -> tuple[dict[str, Style], dict[str, dict[str, float]]]:
    """Each language's style with the best cross-validated token-F1 on train; also, per language, the best score
    with the frame in the article's language and in English."""
    order = np.random.default_rng(0).permutation(len(examples))
    grid = [
        Style(evidence, unit, cast, frame_language)
        for evidence, unit, cast in itertools.product(*STYLE_GRID.values())
        for frame_language in ("own", "en")
    ]
    scores: dict[str, np.ndarray] = {}  # language → held-out articles × grid
    for fold in range(FOLDS):
        held_out = order[fold::FOLDS]
        held = set(held_out.tolist())
        model = fit_model([e for i, e in enumerate(examples) if i not in held])
        for i in held_out:
            e, found = examples[i], readings[i]
            language = e.language.lower()
            expected = model.expectation(e.text, language, e.narrative, e.subnarrative)
            row = []
            for style in grid:
                own = replace(style, frame_language=language if style.frame_language == "own" else "en")
                model.styles = {language: own}
                draft = model.compose(e.text, language, e.narrative, e.subnarrative, found, expected)
                row.append(token_f1(draft.text, e.explanation))
            scores.setdefault(language, []).append(row)
    styles, table = {}, {}
    for language, rows in scores.items():
        means = np.asarray(rows).mean(axis=0)
        best = int(np.argmax(means))
        styles[language] = replace(grid[best], frame_language=language if grid[best].frame_language == "own" else "en")
        table[language] = {
            frame_language: round(
                float(max(m for m, s in zip(means, grid, strict=True) if s.frame_language == frame_language)), 4
            )
            for frame_language in ("own", "en")
        }
        console.print(f"  {language}: CV token-F1 {means[best]:.3f} with {styles[language]}")
    return styles, table


def train_and_save(data: str | Path, out: str | Path, console: Console) -> ExplanationModel:
    started = time.perf_counter()
    train = load_explanation_split(data, "train")
    dev_examples = load_explanation_split(data, "dev")  # read before training: a bad dev file fails fast
    console.print(f"Reading {len(train) + len(dev_examples)} explained articles ({', '.join(LANGUAGES)})…")
    train_readings = read_examples(train, console)
    dev_readings = read_examples(dev_examples, console)
    console.print(f"Choosing each language's style by {FOLDS}-fold cross-validation on train…")
    styles, frame_scores = choose_styles(train, train_readings, console)
    model = fit_model(train, styles)
    dev = evaluate_by_language(predict_all(model, dev_examples, dev_readings), dev_examples)
    manifest = {
        "dev": {language: rounded(scores) for language, scores in dev.items()},
        "training_articles": len(train),
        "cv_frame_language": frame_scores,
    }
    save_model(model, out, manifest)
    model, version = load_model(out)
    write_model_card(Path(out), version, manifest, model.styles)
    report_saved(console, version, started)
    for language, scores in dev.items():
        console.print(f"  dev {language}: token-F1 {scores.token_f1:.3f}  over 80 words {scores.over_80_words:.0%}")
    return model


#: The dev-score table of the model card: score key → format spec.
CARD_COLUMNS = {
    "articles": "",
    "token_f1": ".3f",
    "over_80_words": ".0%",
    "ungrounded_quotes": ".0%",
    "short_quotes": ".0%",
}


def write_model_card(directory: Path, version: str, manifest: dict, styles: dict[str, Style]) -> None:
    size = model_files_size(directory)
    grid = ", ".join(f"{name} {'/'.join(map(str, values))}" for name, values in STYLE_GRID.items())
    rows = table_rows(manifest["dev"], CARD_COLUMNS)
    frames = "\n".join(
        f"| {language.upper()} | {scores['own']:.3f} | {scores['en']:.3f} | {styles[language].frame_language} | "
        f"{styles[language].evidence} | {styles[language].unit} | {styles[language].cast} |"
        for language, scores in manifest["cv_frame_language"].items()
    )
    card = f"""# Model card: narrascope explanations ({version})

Offline engine for SemEval-2025 Task 10 subtask 3: why an article pushes its dominant narrative, in at most 80 words,
built from the article's actors and roles and its own sentences.

- **Data**: `semeval2025-t10/{{BG,EN,HI,PT,RU}}/train` — {manifest["training_articles"]} articles with gold
  explanations. Dev only for the scores below; the style was chosen by {FOLDS}-fold cross-validation on train.
- **Command**: `narrascope train explanations --data ../shared/data/semeval2025-t10 --out <dir>` (deterministic;
  reads every article through the default engine first, a few minutes on one core).
- **How**: a frame says whom the article casts in which role (the entity head's actors and fine roles, those the
  evidence sentences name) and, in English, what it claims (the sub-narrative restated); then whole sentences or
  clauses of at least six words are quoted verbatim from the narrative's evidence (the sentences the narrative head
  scores highest for that label's own signal; never the title). A logistic word model (16 features: how often
  annotators reuse a word per language, narrative and sub-narrative; frequency, position, title, capitalisation)
  estimates which words an annotator would use; quotes are added greedily while the expected bag-of-words F1
  against an explanation of typical length rises (the first always), within 80 words.
- **Size**: {size / 1e6:.2f} MB.

## Style per language

Chosen by cross-validated token-F1 on train over the frame's language (the gold explanations are in the article's
language; quotes always are), how many evidence sentences quotes may come from, whole sentences or clauses, and how
many actors the frame names — the grid:
{grid}. The best CV score with the frame in the article's language ("own") and in English, and the chosen style:

| language | own | English | frame | evidence sentences | quotes | actors |
|---|---|---|---|---|---|---|
{frames}

## Dev scores (gold dominant narrative given)

| language | articles | token-F1 | over 80 words | ungrounded quotes | quotes under 6 words |
|---|---|---|---|---|---|
{rows}

BERTScore-style F1 with multilingual-e5-small word vectors: `narrascope eval explanations` (needs
`pip install narrascope[embeddings]`).

## Limits

The engine frames and quotes; it does not paraphrase or summarise. Outside English the frame names the actors and
roles but does not restate the narrative. Russian gold explanations reuse few of the article's words (39 %),
which caps any extractive engine there. Use `--llm-url` for fluent prose from a local LLM; its quotes are checked
against the article and the offline engine remains the fallback.
"""
    save_model_card(directory, card)
