"""Training the narrative classifier: fit (with internal cross-validation), dev report and model card.

Deterministic: folds come from a seeded permutation and liblinear runs with a fixed seed, so the same data and
command give the same model files.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from narrascope.evaluate.narratives import NarrativeScores, score_narratives
from narrascope.io.semeval import NarrativeAnnotation
from narrascope.tasks.narratives import NarrativeClassifier
from narrascope.training import model_files_size, publish, rounded, save_model_card, table_rows
from narrascope.training.data import LANGUAGES, NarrativeExample, by_language, load_narrative_split
from narrascope.training.encoded import encode_articles


def fit_classifier(
    examples: Sequence[NarrativeExample], vectors: np.ndarray | None = None, **settings: Any
) -> NarrativeClassifier:
    """A classifier fitted on ``examples`` (languages keep the internal CV folds balanced); with the encoder's
    article ``vectors``, for both engines."""
    return NarrativeClassifier(**settings).fit(
        [example.article.text for example in examples],
        [example.gold.narratives for example in examples],
        [example.gold.subnarratives for example in examples],
        groups=[example.language for example in examples],
        vectors=vectors,
    )


def article_vectors(examples: Sequence[NarrativeExample], console: Console | None = None) -> np.ndarray:
    """The encoder's article vectors of ``examples`` (cached: see :mod:`narrascope.training.encoded`)."""
    return np.stack([item.vector for item in encode_articles([example.article for example in examples], console)])


def evaluate_by_language(
    model: NarrativeClassifier, examples: Sequence[NarrativeExample], vectors: np.ndarray | None = None
) -> dict[str, NarrativeScores]:
    """Official scores of ``model`` on ``examples``, per language folder and over all (the ``default`` engine with
    ``vectors``, else ``fast``)."""
    predictions = model.predict([example.article.text for example in examples], vectors)
    predicted = [
        NarrativeAnnotation(example.gold.article_id, tuple(coarse), tuple(fine))
        for example, (coarse, fine) in zip(examples, predictions, strict=True)
    ]
    results = {}
    pairs = list(zip(examples, predicted, strict=True))
    for language, chosen in by_language(pairs, lambda pair: pair[0].language).items():
        results[language] = score_narratives(
            [example.gold for example, _ in chosen], [guess for _, guess in chosen], model.taxonomy
        )
    return results


def train_and_save(data: str | Path, out: str | Path, console: Console) -> NarrativeClassifier:
    """Train on every language's train split (decoder and calibration by internal CV), report dev, save."""
    started = time.perf_counter()
    train = load_narrative_split(data, "train")
    dev = load_narrative_split(data, "dev")  # read before training: a bad dev file should not cost a training run
    train_vectors, dev_vectors = article_vectors(train, console), article_vectors(dev, console)
    console.print(f"Training on {len(train)} articles ({', '.join(LANGUAGES)}), with internal cross-validation…")
    model = fit_classifier(train, train_vectors)
    console.print(f"Decoders tuned by CV (samples-F1 fine): {model.cv_score}")
    dev_scores = {
        "default": evaluate_by_language(model, dev, dev_vectors),
        "fast": evaluate_by_language(model, dev),
    }
    manifest = {
        "dev": {
            engine: {language: rounded(scores) for language, scores in by_engine.items()}
            for engine, by_engine in dev_scores.items()
        },
        "training_articles": len(train),
    }
    model.save(out, manifest)
    model = publish(out, manifest, NarrativeClassifier.load, write_model_card, console, started)
    for engine, by_engine in dev_scores.items():
        for language, scores in by_engine.items():
            console.print(f"  {engine} dev {language}: fine {scores.f1_fine:.3f}  coarse {scores.f1_coarse:.3f}")
    return model


#: The dev-score table of the model card: score key → format spec.
CARD_COLUMNS = {"documents": "", "f1_fine": ".3f", "f1_coarse": ".3f", "macro_f1_fine": ".3f", "macro_f1_coarse": ".3f"}


def write_model_card(directory: Path, model: NarrativeClassifier, manifest: dict) -> None:
    """``MODEL_CARD.md``: what the model is, how it was made, how well it does, how big it is."""
    size = model_files_size(directory)
    tables = "\n\n".join(
        f"{engine} engine:\n\n| language | articles | F1 fine | F1 coarse | macro-F1 fine | macro-F1 coarse |\n"
        f"|---|---|---|---|---|---|\n{table_rows(scores, CARD_COLUMNS)}"
        for engine, scores in manifest["dev"].items()
    )
    blocks = f"character {model.char_block.ngram_min}-{model.char_block.ngram_max}-grams and word "
    blocks += f"{model.word_block.ngram_min}-{model.word_block.ngram_max}-grams (min_df {model.char_block.min_df})"
    decoders = "; ".join(
        f"{engine}: " + ", ".join(f"{key}={value}" for key, value in settings.to_dict().items())
        for engine, settings in model.decoder_settings.items()
    )
    card = f"""# Model card: narrascope narratives ({model.version})

Multilingual classifier of propaganda narratives and sub-narratives (SemEval-2025 Task 10, subtask 2;
taxonomies URW and CC).

- **Data**: `semeval2025-t10/{{BG,EN,HI,PT,RU}}/train` — {manifest["training_articles"]} articles, all languages pooled.
  Dev (`*/dev`) is used only for the scores below: calibration and decoder settings come from {model.folds}-fold
  cross-validation on train (seed {model.seed}, folds stratified by language and domain).
- **Command**: `narrascope train narratives --data ../shared/data/semeval2025-t10 --out <dir>` (deterministic;
  encoding the 1,537 train and dev articles takes ~6 min on one core the first time, cached after).
- **Model**: TF-IDF of {blocks} on lower-cased tokens transliterated to Latin (Cyrillic, Devanagari); three label
  levels (domain URW/CC/none, {len(model.coarse_labels)} narratives, {len(model.fine_labels)} sub-narratives, `Other`
  included). View 1: one-vs-rest logistic regression on the character n-grams (C={model.C}, liblinear, the
  {model.keep_weights} largest weights per label kept). View 2: cosine {model.neighbours}-nearest-neighbour vote on
  the word n-grams. View 3 (default engine only): one-vs-rest logistic regression (C={model.encoder_C}) on the
  standardised article vector of the reading engine (multilingual-e5-small, mean of the tokens of layers 8 and
  12). Each view and level Platt-calibrated on out-of-fold scores; the n-gram views averaged (weight
  {model.neighbour_weight}), then mixed with view 3 (weight {model.encoder_weight}) by the default engine.
- **Decoders**: expected-F1 top-k over sub-narratives, `Other` when the no-narrative score wins; one per engine,
  tuned on out-of-fold predictions ({decoders}); CV samples-F1 fine {model.cv_score}.
- **Evidence**: per label, the 1–3 sentences most specific to it — default engine: the label's view-3 weights
  applied to each sentence's vector, minus the sentence's mean over the labels of its level; fast engine: each
  sentence's share of the label's character n-gram score. A sentence is evidence for at most two sub-narratives.
- **Size**: {size / 1e6:.1f} MB on disk (`arrays.npz` + `manifest.json`).

## Dev scores (samples-F1, official scorer semantics)

{tables}

## Limits

Trained on a few hundred articles per language about two topics (the war in Ukraine, climate change); other
topics come out as `Other`. Russian has the least training data (106 articles) and relies on what transfers from
the other languages through transliteration. The share of `Other` articles differs between languages in the
training data (EN 43 %, RU 0 %), which makes the no-narrative decision the weakest part of the model. Confidences
are calibrated on out-of-fold training predictions; they are estimates, not guarantees.
"""
    save_model_card(directory, card)
