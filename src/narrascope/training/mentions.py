"""Training the actor-mention tagger on every language's subtask-1 train mentions, its settings chosen by
cross-validation on train (article folds), dev scored once for the model card."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console

from narrascope.encoder.encoding import Encoding
from narrascope.evaluate.entities import score_entities
from narrascope.io.semeval import EntityAnnotation
from narrascope.ml.artifacts import shipped_model_dir
from narrascope.tasks.entities.actors import merge_actors
from narrascope.tasks.entities.mentions import MentionDetector
from narrascope.tasks.entities.model import EntityModel
from narrascope.tasks.entities.tagger import MentionTagger, Span, candidate_features, table_chances
from narrascope.training import model_files_size, publish, save_model_card, table_rows
from narrascope.training.data import LANGUAGES, EntityExample, by_language, load_entity_split
from narrascope.training.encoded import encode_tokens, load_tokens

#: Regularisation strengths and probability thresholds tried by cross-validation.
C_GRID = (0.01, 0.05, 0.2)
THRESHOLDS = tuple(round(float(t), 3) for t in np.arange(0.05, 0.601, 0.025))
ACTOR_THRESHOLDS = tuple(round(float(t), 3) for t in np.arange(0.05, 0.701, 0.025))
#: The least recall the threshold keeps out of fold; the most precise setting above it is chosen. Issue 17 asks for
#: recall 0.70 on dev; out of fold, recall runs higher (the candidates' gazetteer holds the training mentions,
#: which on dev finds 93 % of them), hence the margin.
MIN_RECALL = 0.75
FOLDS = 4
SEED = 2025


@dataclass(frozen=True, slots=True)
class Candidates:
    """An article's candidate mentions with their features, whether each overlaps a gold mention, and the gold."""

    example: EntityExample
    spans: list[Span]
    features: np.ndarray  # float16
    actors: np.ndarray

    @property
    def gold(self) -> list[Span]:
        return [(m.start, m.end) for m in self.example.mentions]


def candidates_of(
    examples: Sequence[EntityExample], detector: MentionDetector, console: Console | None = None
) -> list[Candidates]:
    """The detector's candidates in every example and their features, from the cached encoder pass."""
    paths = encode_tokens([example.article for example in examples], console)
    return [candidates(example, detector, load_tokens(path)) for example, path in zip(examples, paths, strict=True)]


def candidates(example: EntityExample, detector: MentionDetector, encoding: Encoding) -> Candidates:
    text = example.article.text
    spans = [(found.start, found.end) for found in detector.predict(text, example.language.lower())]
    gold = [(m.start, m.end) for m in example.mentions]
    actors = np.array([any(a < end and start < b for start, end in gold) for a, b in spans], dtype=np.int8)
    return Candidates(example, spans, candidate_features(text, encoding, spans).astype(np.float16), actors)


def fit(articles: Sequence[Candidates], C: float) -> MentionTagger:
    chosen = [article for article in articles if article.spans]
    features = np.concatenate([article.features for article in chosen]).astype(np.float32)
    return MentionTagger(C).fit(features, np.concatenate([article.actors for article in chosen]))


def overlap_scores(articles: Sequence[Candidates], predicted: Sequence[Sequence[Span]]) -> tuple[float, float]:
    """Mention precision and recall by overlap, as the benchmark counts them (:func:`score_entities`)."""

    def rows(article: Candidates, spans: Sequence[Span]) -> list[EntityAnnotation]:
        text = article.example.article.text
        return [EntityAnnotation(article.example.article.id, text[a:b], a, b) for a, b in spans]

    gold = [row for article in articles for row in rows(article, article.gold)]
    found = [row for article, spans in zip(articles, predicted, strict=True) for row in rows(article, spans)]
    scores = score_entities(gold, found)
    return scores.mention_precision, scores.mention_recall


def kept(articles: Sequence[Candidates], scores: Sequence[np.ndarray], threshold: float) -> list[list[Span]]:
    return [
        [span for span, score in zip(article.spans, row, strict=True) if score >= threshold]
        for article, row in zip(articles, scores, strict=True)
    ]


def actor_rows(articles: Sequence[Candidates], scores: Sequence[np.ndarray]) -> np.ndarray:
    """One row per actor (group of candidates) of every article: its :func:`table_chances` value and whether any
    of its candidates overlaps a gold mention."""
    rows = []
    for article, row in zip(articles, scores, strict=True):
        groups = merge_actors(article.example.article.text, article.spans)
        first = {group: index for index, group in reversed(list(enumerate(groups)))}
        annotated = {group for group, actor in zip(groups, article.actors, strict=True) if actor}
        chance = table_chances(article.example.article.text, article.spans, groups, row)
        rows += [(chance[index], group in annotated) for group, index in first.items()]
    return np.asarray(rows, dtype=np.float64).reshape(-1, 2)


def actor_precision_recall(rows: np.ndarray, threshold: float) -> tuple[float, float]:
    kept = rows[:, 0] >= threshold
    found = float(rows[kept, 1].sum())
    return found / max(int(kept.sum()), 1), found / max(float(rows[:, 1].sum()), 1.0)


def most_precise(table: dict[str, list[float]]) -> str:
    """The key of the setting (``[precision, recall]``) with the most precision at recall :data:`MIN_RECALL` or
    more; if none reaches it, the one with the most recall."""
    reaching = [key for key, (_, recall) in table.items() if recall >= MIN_RECALL]
    if reaching:
        return max(reaching, key=lambda key: table[key][0])
    return max(table, key=lambda key: table[key][1])


def cross_validate(articles: Sequence[Candidates], console: Console) -> tuple[MentionTagger, dict]:
    """An untrained tagger with the C and mention threshold that give the most out-of-fold precision at recall
    :data:`MIN_RECALL` or more, and the actor threshold chosen the same way over actors; and the precision/recall
    of every setting tried."""
    fold_of = np.random.default_rng(SEED).permutation(len(articles)) % FOLDS
    table: dict[str, dict[str, list[float]]] = {}
    out_of_fold: dict[str, list[np.ndarray]] = {}
    for C in C_GRID:
        scores: list[np.ndarray] = [np.zeros(0)] * len(articles)
        for fold in range(FOLDS):
            tagger = fit([a for a, f in zip(articles, fold_of, strict=True) if f != fold], C)
            for index in np.flatnonzero(fold_of == fold):
                scores[index] = tagger.probabilities(articles[index].features.astype(np.float32))
        out_of_fold[str(C)] = scores
        table[str(C)] = {
            str(t): [round(v, 4) for v in overlap_scores(articles, kept(articles, scores, t))] for t in THRESHOLDS
        }
        console.print(f"  C={C}: " + "  ".join(f"{t}: {p:.3f}/{r:.3f}" for t, (p, r) in table[str(C)].items()))
    flat = {f"{C} {t}": value for C, row in table.items() for t, value in row.items()}
    C, threshold = most_precise(flat).split()
    rows = actor_rows(articles, out_of_fold[C])
    actors = {str(t): [round(v, 4) for v in actor_precision_recall(rows, t)] for t in ACTOR_THRESHOLDS}
    console.print("  actors: " + "  ".join(f"{t}: {p:.3f}/{r:.3f}" for t, (p, r) in actors.items()))
    tagger = MentionTagger(float(C), float(threshold), float(most_precise(actors)))
    tagger.cv = {"folds": FOLDS, "mentions": table, "actors": actors}
    return tagger, tagger.cv


def score_by_language(tagger: MentionTagger, articles: Sequence[Candidates]) -> dict[str, dict[str, float]]:
    """Mention precision and recall of the tagger's selections per language folder and over all, and those of
    the actors it keeps whole (over the actors among the candidates)."""
    results = {}
    for language, chosen in by_language(articles, lambda a: a.example.language).items():
        scores = [tagger.probabilities(a.features.astype(np.float32)) for a in chosen]
        precision, recall = overlap_scores(chosen, kept(chosen, scores, tagger.threshold))
        actor_precision, actor_recall = actor_precision_recall(actor_rows(chosen, scores), tagger.actor_threshold)
        results[language] = {
            "mentions": sum(len(a.gold) for a in chosen),
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "actor_precision": round(actor_precision, 4),
            "actor_recall": round(actor_recall, 4),
        }
    return results


def train_and_save(data: str | Path, out: str | Path, console: Console) -> MentionTagger:
    """Candidates from the shipped entity model's detector, the tagger cross-validated, fitted and saved."""
    started = time.perf_counter()
    train = load_entity_split(data, "train")
    dev = load_entity_split(data, "dev")  # read before training: a bad dev file should not cost a training run
    detector = EntityModel.load(shipped_model_dir("entities")).detector
    console.print(f"Training on {sum(len(e.mentions) for e in train)} mentions in {len(train)} articles…")
    articles = candidates_of(train, detector, console)
    chosen, cv = cross_validate(articles, console)
    tagger = fit(articles, chosen.C)
    tagger.threshold, tagger.actor_threshold, tagger.cv = chosen.threshold, chosen.actor_threshold, cv
    dev_scores = score_by_language(tagger, candidates_of(dev, detector, console))
    manifest = {"training_articles": len(train), "dev": dev_scores}
    tagger.save(out, manifest)
    tagger = publish(out, manifest, MentionTagger.load, write_model_card, console, started)
    console.print(f"  C {tagger.C}, thresholds {tagger.threshold} / {tagger.actor_threshold}; dev {dev_scores['all']}")
    return tagger


def write_model_card(directory: Path, tagger: MentionTagger, manifest: dict) -> None:
    chosen = tagger.cv["mentions"][str(tagger.C)][str(tagger.threshold)]
    actors = tagger.cv["actors"][str(tagger.actor_threshold)]
    columns = {"mentions": "", "precision": ".3f", "recall": ".3f", "actor_precision": ".3f", "actor_recall": ".3f"}
    rows = table_rows(manifest["dev"], columns)
    card = f"""# Model card: narrascope actor-mention tagger ({tagger.version})

Which name candidates of an article are actors it casts in a role (SemEval-2025 Task 10 subtask 1, raw-text
mode). Used by the default engine; the fast engine keeps every candidate of the gazetteer and capitalisation
detector.

- **Data**: `semeval2025-t10/{{{",".join(LANGUAGES)}}}/train`, the subtask-1 mentions of
  {manifest["training_articles"]} articles, all languages pooled. Dev is used only for the scores below.
- **Command**: `narrascope train mentions --data ../shared/data/semeval2025-t10 --out <dir>` (deterministic
  given the shipped entity model, whose detector gives the candidates; the encoder's token vectors are cached,
  so a rerun is quick).
- **Model**: logistic regression (C={tagger.C}) on each candidate's encoder view — the mean of its tokens in
  layers 8 and 12 of multilingual-e5-small, from the pipeline's one pass — and signals the vectors do not carry:
  which occurrence of its actor it is, how often and how prominently the article names that actor, where it
  stands (position, title, paragraph, sentence start), its shape and its canonical kind. Label: the candidate
  overlaps a gold mention. Candidates reaching probability {tagger.threshold} are the article's actor mentions
  (subtask-1 output). The actor table keeps whole actors (every mention of one actor, grouped as the table groups
  them) whose chance of being cast in a role at least once — one minus the product of their mentions' chances
  of not being so — reaches {tagger.actor_threshold}.
- **Settings**: C and both thresholds chosen by {FOLDS}-fold cross-validation on train (by article): the most
  precision at recall ≥ {MIN_RECALL}. Out of fold, mentions: precision {chosen[0]:.3f}, recall {chosen[1]:.3f};
  actors: precision {actors[0]:.3f}, recall {actors[1]:.3f} (every setting tried is in the manifest).
- **Size**: {model_files_size(directory) / 1e3:.0f} kB on disk.

## Dev scores

Mentions: precision is the share of kept candidates that overlap a gold mention, recall the share of gold
mentions a kept candidate overlaps. Actors (the table's view): among the actors the candidates name, precision is
the share of kept actors with a gold mention, recall the share of actors with a gold mention that are kept.

| language | gold mentions | precision | recall | actor precision | actor recall |
|---|---|---|---|---|---|
{rows}

## Limits

Annotators marked only the actors central to the article's narratives, and only some of their occurrences: a
correct actor the annotators left out counts against precision. On train, even knowing which actors were marked,
keeping all their candidates scores mention precision 0.29 (recall 1.0), and their first two after the title 0.57
(recall 0.78): which occurrence carries the role is what the mention figures miss most, and the actor table's
view is the one to read. The tagger learns which names are cast in a role from five languages; in others it
relies on the encoder's multilinguality and on capitals.
"""
    save_model_card(directory, card)
