"""Training the scope classifier: SemEval articles (on topic) against the training part of ``offtopic-news``."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from rich.console import Console

from narrascope.tasks.scope import ScopeClassifier
from narrascope.training import model_files_size, publish, save_model_card
from narrascope.training.data import load_narrative_split, load_offtopic
from narrascope.training.encoded import encode_articles


def train_and_save(data: str | Path, out: str | Path, console: Console) -> ScopeClassifier:
    """Train on ``<data>/semeval2025-t10/*/train`` (on topic) and ``<data>/offtopic-news`` (train part), save."""
    started = time.perf_counter()
    on_topic = [example.article for example in load_narrative_split(Path(data) / "semeval2025-t10", "train")]
    off_topic = [article for article, _ in load_offtopic(data, "train")]
    console.print(f"Training on {len(on_topic)} on-topic and {len(off_topic)} off-topic articles…")
    encoded = encode_articles(on_topic + off_topic, console)
    vectors = np.stack([item.vector for item in encoded])
    model = ScopeClassifier().fit(vectors, [True] * len(on_topic) + [False] * len(off_topic))
    manifest = {"training_articles": {"on_topic": len(on_topic), "off_topic": len(off_topic)}}
    model.save(out, manifest)
    model = publish(out, manifest, ScopeClassifier.load, write_model_card, console, started)
    console.print(f"  threshold {model.threshold}; cross-validated: {model.cv}")
    return model


def write_model_card(directory: Path, model: ScopeClassifier, manifest: dict) -> None:
    counts = manifest["training_articles"]
    card = f"""# Model card: narrascope scope ({model.version})

Is an article about the war in Ukraine or climate change at all? Articles that are not get no narrative labels.

- **Data**: on topic, the {counts["on_topic"]} SemEval-2025 Task 10 training articles of all five languages
  (`Other` ones included: they are on topic without a listed narrative); off topic, {counts["off_topic"]} ordinary
  news articles, the training part (60 %, by file name) of `offtopic-news` (en bg hi pt ru de fr). The other 40 %
  is the check set of `benchmarks/bench_scope.py`.
- **Command**: `narrascope train scope --data ../shared/data --out <dir>` (deterministic; encoder vectors are
  cached, so a rerun is quick).
- **Model**: logistic regression (C={model.C}) on the standardised article vector of the reading engine
  (multilingual-e5-small, mean of the tokens of layers 8 and 12). Threshold {model.threshold}: the highest that
  calls at most 2 % of on-topic training articles off topic, out of fold (5 folds).
- **Cross-validated**: on-topic articles called off topic {model.cv["on_topic_called_off"]:.1%}; off-topic
  articles called on topic {model.cv["off_topic_called_on"]:.1%}.
- **Size**: {model_files_size(directory) / 1e3:.0f} kB on disk.

## Limits

The off-topic news is narrow in places (Hindi: COVID-19 coverage of spring 2020; Bulgarian: five topics; English:
BBC 2004–2005): topics far from all of these are judged by what the encoder knows, not by examples.
"""
    save_model_card(directory, card)
