"""Training the narrative classifier: cross-validated decoder tuning, final fit, dev report and model card.

Deterministic: folds come from a seeded permutation and liblinear is deterministic, so the same data and
command give the same model files.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from rich.console import Console

from narrascope.evaluate.narratives import NarrativeScores, score_narratives
from narrascope.io.semeval import NarrativeAnnotation
from narrascope.ml.decoding import DecoderSettings, LabelProbabilities
from narrascope.tasks.narratives import NarrativeClassifier
from narrascope.training.data import LANGUAGES, NarrativeExample, load_narrative_split

SEED = 2025
FOLDS = 5
DECODER_GRID: dict[str, Sequence[float]] = {
    "other": (0.3, 0.4, 0.5, 0.6, 0.7),
    "coarse": (0.2, 0.3, 0.4, 0.5),
    "coarse_relative": (0.3, 0.5, 0.7, 0.9),
    "fine": (0.15, 0.25, 0.35, 0.45),
    "fine_relative": (0.3, 0.5, 0.7, 0.9),
}


def out_of_fold_probabilities(
    examples: Sequence[NarrativeExample], folds: int = FOLDS, seed: int = SEED
) -> LabelProbabilities:
    """Each training article's probabilities from a model that did not see it (k-fold, seeded)."""
    order = np.random.default_rng(seed).permutation(len(examples))
    parts = np.array_split(order, folds)
    result: LabelProbabilities | None = None
    for part in parts:
        held_out = set(part.tolist())
        train = [example for index, example in enumerate(examples) if index not in held_out]
        model = _fit(train)
        probabilities = model.predict_proba([examples[index].article.text for index in part])
        if result is None:
            result = LabelProbabilities(
                np.zeros(len(examples)),
                np.zeros((len(examples), probabilities.coarse.shape[1])),
                np.zeros((len(examples), probabilities.fine.shape[1])),
            )
        _check_same_labels(model, result, probabilities)
        result.other[part] = probabilities.other
        result.coarse[part] = probabilities.coarse
        result.fine[part] = probabilities.fine
    assert result is not None
    return result


def _check_same_labels(model: NarrativeClassifier, result: LabelProbabilities, part: LabelProbabilities) -> None:
    if part.coarse.shape[1] != result.coarse.shape[1] or part.fine.shape[1] != result.fine.shape[1]:
        raise RuntimeError(f"fold model has other labels than the first fold ({len(model.fine_labels)} fine labels)")


def _fit(examples: Sequence[NarrativeExample], settings: DecoderSettings | None = None) -> NarrativeClassifier:
    return NarrativeClassifier(decoder_settings=settings).fit(
        [example.article.text for example in examples],
        [example.gold.narratives for example in examples],
        [example.gold.subnarratives for example in examples],
    )


def evaluate_by_language(
    model: NarrativeClassifier, examples: Sequence[NarrativeExample]
) -> dict[str, NarrativeScores]:
    """Official scores of ``model`` on ``examples``, per language folder and over all."""
    predictions = model.predict([example.article.text for example in examples])
    predicted = [
        NarrativeAnnotation(example.gold.article_id, tuple(coarse), tuple(fine))
        for example, (coarse, fine) in zip(examples, predictions, strict=True)
    ]
    results = {}
    for language in [*LANGUAGES, "all"]:
        chosen = [i for i, example in enumerate(examples) if language in ("all", example.language)]
        if chosen:
            results[language] = score_narratives(
                [examples[i].gold for i in chosen], [predicted[i] for i in chosen], model.taxonomy
            )
    return results


def train_and_save(data: str | Path, out: str | Path, console: Console) -> NarrativeClassifier:
    """Train on every language's train split, tune the decoder by cross-validation, report dev, save."""
    started = time.perf_counter()
    train = load_narrative_split(data, "train")
    console.print(f"Training on {len(train)} articles ({', '.join(LANGUAGES)}); {FOLDS}-fold CV for the decoder…")
    probabilities = out_of_fold_probabilities(train)
    model = _fit(train)
    settings, cv_score = model.decoder.tune(
        probabilities,
        [set(example.gold.subnarratives) for example in train],
        [set(example.gold.narratives) for example in train],
        DECODER_GRID,
    )
    model.decoder_settings = settings
    console.print(f"Decoder tuned by CV: {settings.to_dict()} (CV mean of fine and coarse samples-F1 {cv_score:.3f})")
    dev_scores = evaluate_by_language(model, load_narrative_split(data, "dev"))
    manifest = {
        "cv_score": round(cv_score, 4),
        "dev": {language: _rounded(scores) for language, scores in dev_scores.items()},
        "training_articles": len(train),
    }
    model.save(out, manifest)
    model = NarrativeClassifier.load(out)
    write_model_card(Path(out), model, manifest)
    console.print(f"Saved to {out} in {time.perf_counter() - started:.0f} s")
    for language, scores in dev_scores.items():
        console.print(f"  dev {language}: fine {scores.f1_fine:.3f}  coarse {scores.f1_coarse:.3f}")
    return model


def _rounded(scores: NarrativeScores) -> dict[str, float | int]:
    return {key: round(value, 4) if isinstance(value, float) else value for key, value in scores.to_dict().items()}


def write_model_card(directory: Path, model: NarrativeClassifier, manifest: dict) -> None:
    """``MODEL_CARD.md``: what the model is, how it was made, how well it does, how big it is."""
    size = sum(path.stat().st_size for path in directory.iterdir() if path.name != "MODEL_CARD.md")
    rows = "\n".join(
        f"| {language} | {scores['documents']} | {scores['f1_fine']:.3f} | {scores['f1_coarse']:.3f} "
        f"| {scores['macro_f1_fine']:.3f} | {scores['macro_f1_coarse']:.3f} |"
        for language, scores in manifest["dev"].items()
    )
    blocks = ", ".join(f"{b.analyzer} {b.ngram_min}-{b.ngram_max}-grams (min_df {b.min_df})" for b in model.blocks)
    card = f"""# Model card: narrascope narratives ({model.version})

Multilingual classifier of propaganda narratives and sub-narratives (SemEval-2025 Task 10, subtask 2;
taxonomies URW and CC).

- **Data**: `semeval2025-t10/{{BG,EN,HI,PT,RU}}/train` — {manifest["training_articles"]} articles, all languages pooled.
  Dev (`*/dev`) is used only for the scores below; decoder thresholds are tuned by {FOLDS}-fold cross-validation
  on train (seed {SEED}).
- **Command**: `narrascope train narratives --data ../shared/data/semeval2025-t10 --out <dir>` (deterministic).
- **Model**: TF-IDF ({blocks}; sublinear tf, per-block L2), one-vs-rest logistic regression (C={model.C},
  balanced class weights, liblinear) for {len(model.coarse_labels)} narrative labels incl. `Other` and
  {len(model.fine_labels)} sub-narratives, weights pruned to {model.keep_weight:.0%} of their mass;
  hierarchical decoder ({", ".join(f"{k}={v}" for k, v in model.decoder_settings.to_dict().items())}),
  CV score {manifest["cv_score"]:.3f}.
- **Evidence**: the 1–3 sentences whose own TF-IDF vectors score highest for a label.
- **Size**: {size / 1e6:.1f} MB on disk (`arrays.npz` + `manifest.json`).

## Dev scores (samples-F1, official scorer semantics)

| language | articles | F1 fine | F1 coarse | macro-F1 fine | macro-F1 coarse |
|---|---|---|---|---|---|
{rows}

## Limits

Trained on a few hundred articles per language about two topics (the war in Ukraine, climate change); other
topics come out as `Other`. Russian has the least training data. Confidence values are logistic-regression
probabilities, not calibrated guarantees.
"""
    (directory / "MODEL_CARD.md").write_text(card, encoding="utf-8")
