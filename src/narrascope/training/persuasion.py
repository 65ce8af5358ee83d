"""Training data and training of the persuasion models: SemEval-2023 Task 3 paragraphs and PTC (SemEval-2020) spans.

Facts about the data that matter here:

* SemEval-2023 ``.template`` files of fr/ge/it/po/ru carry CR characters inside paragraph text, and some train files
  lack the template line of a labelled paragraph (those paragraphs are skipped); ``po`` is Polish.
* SemEval-2023 EN train = PTC train + PTC dev articles, so the span tagger is trained on PTC train only and PTC dev
  stays a fair test of it.
* PTC offsets are half-open into the article file read with ``newline=''``.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console

from narrascope.document import Article
from narrascope.errors import InputError
from narrascope.evaluate.techniques import ParagraphScores, score_paragraphs, span_prf
from narrascope.io.files import read_text
from narrascope.io.persuasion import ParagraphLabels, read_paragraph_labels, read_paragraph_texts, read_spans
from narrascope.tasks.persuasion import PersuasionModel, load_model, save_model
from narrascope.tasks.persuasion.model import TECHNIQUES, SpanTagger, TechniqueClassifier
from narrascope.taxonomy import techniques
from narrascope.text.segment import sentences
from narrascope.training import model_files_size, publish, rounded, save_model_card, table_rows
from narrascope.training.encoded import encode_tokens, load_tokens
from narrascope.training.persuasion_heads import (
    HeadSettings,
    ParagraphSet,
    SpanData,
    fit_heads,
    paragraph_matrix,
)

T3_LANGUAGES = ("en", "fr", "ge", "it", "po", "ru")


@dataclass(frozen=True, slots=True)
class Paragraph:
    language: str
    article_id: str
    line: int
    text: str
    techniques: tuple[str, ...]


def load_t3(data: str | Path, language: str, split: str) -> list[Paragraph]:
    """The labelled paragraphs of one SemEval-2023 subtask-3 file, in file order."""
    base = Path(data) / "semeval2023-t3" / language / f"{split}-labels-subtask-3"
    labels_path, template_path = base.with_suffix(".txt"), base.with_suffix(".template")
    for path in (labels_path, template_path):
        if not path.is_file():
            raise InputError(path, "missing: is this the shared data folder (with semeval2023-t3/)?")
    texts = read_paragraph_texts(template_path)
    return [
        Paragraph(
            language,
            row.article_id,
            row.line,
            texts[(row.article_id, row.line)].replace("\r", "").strip(),
            row.techniques,
        )
        for row in read_paragraph_labels(labels_path, techniques())
        if (row.article_id, row.line) in texts
    ]


def load_t3_articles(data: str | Path, language: str, split: str) -> dict[str, str]:
    """The articles of one SemEval-2023 subtask-3 file rebuilt from its template: each paragraph on its own line
    number, empty lines between, so :func:`~narrascope.io.persuasion.paragraphs` finds the same (line, text) and the
    encoder reads the paragraphs in their article, as the pipeline does."""
    template = Path(data) / "semeval2023-t3" / language / f"{split}-labels-subtask-3.template"
    if not template.is_file():
        raise InputError(template, "missing: is this the shared data folder (with semeval2023-t3/)?")
    lines: dict[str, dict[int, str]] = defaultdict(dict)
    for (article_id, line), text in read_paragraph_texts(template).items():
        lines[article_id][line] = text.replace("\r", "").strip()
    return {
        article_id: "\n".join(rows.get(number, "") for number in range(1, max(rows) + 1))
        for article_id, rows in lines.items()
    }


def paragraph_set(data: str | Path, paragraphs: Sequence[Paragraph], split: str) -> ParagraphSet:
    """Where the labelled ``paragraphs`` (of ``split``, any languages) lie in their rebuilt articles."""
    texts = {
        (language, article_id): text
        for language in sorted({p.language for p in paragraphs})
        for article_id, text in load_t3_articles(data, language, split).items()
    }
    members: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row, paragraph in enumerate(paragraphs):
        members[(paragraph.language, paragraph.article_id)].append(row)
    ptc = _ptc_texts(data) if split == "train" and "en" in {p.language for p in paragraphs} else {}
    articles, rows, spans = [], [], []
    for key, indices in members.items():
        text = texts[key]
        starts = [0, *(match.end() for match in re.finditer("\n", text))]
        ends = [*(start - 1 for start in starts[1:]), len(text)]
        lines = [paragraphs[row].line - 1 for row in indices]
        bounds = np.array([(starts[line], ends[line]) for line in lines], dtype=np.int64).reshape(-1, 2)
        same = ptc.get(key[1]) if key[0] == "en" else None
        if same is not None and "".join(same.split()) == "".join(text.split()):
            bounds, text = _moved(bounds, text, same), same
        articles.append(Article(f"{key[0]}-{key[1]}", text, language=key[0]))
        rows.append(np.array(indices, dtype=np.int64))
        spans.append(bounds)
    return ParagraphSet(articles, rows, spans)


def _ptc_texts(data: str | Path) -> dict[str, str]:
    """PTC train and dev articles by id: SemEval-2023 EN train holds the same articles with lines joined otherwise,
    so their encoder passes serve both (a third of the training text is read once instead of twice)."""
    return {
        article_id: text
        for split in ("train", "dev")
        for article_id, text in zip(*load_ptc(data, split)[:2], strict=True)
    }


def _moved(bounds: np.ndarray, text: str, same: str) -> np.ndarray:
    """``[start, end)`` spans of ``text`` as spans of ``same``, a text with the same characters apart from
    whitespace: each span keeps its first and last non-space characters."""
    solid = np.array([i for i, char in enumerate(text) if not char.isspace()], dtype=np.int64)
    target = np.array([i for i, char in enumerate(same) if not char.isspace()], dtype=np.int64)
    first = np.minimum(np.searchsorted(solid, bounds[:, 0]), len(solid) - 1)
    last = np.maximum(np.searchsorted(solid, bounds[:, 1]) - 1, 0)
    return np.column_stack([target[first], target[np.maximum(last, first)] + 1])


def load_ptc(data: str | Path, split: str) -> tuple[list[str], list[str], list[list[tuple[int, int]]]]:
    """Article ids, texts and gold spans (techniques ignored) of PTC ``train`` or ``dev``."""
    folder = Path(data) / "ptc2020"
    labels = folder / ("train-task2-TC.labels" if split == "train" else "dev-task-TC-template.out")
    if not labels.is_file():
        raise InputError(labels, "missing: is this the shared data folder (with ptc2020/)?")
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for span in read_spans(labels):
        spans[span.article_id].append((span.start, span.end))
    files = {
        path.name[len("article") : -len(".txt")]: path for path in (folder / f"{split}-articles").glob("article*.txt")
    }
    ids = sorted(files)
    texts = [read_text(files[article_id]) for article_id in ids]
    if unknown := sorted(set(spans) - set(files)):
        raise InputError(labels, f"spans of article {unknown[0]}, which is not in {split}-articles/")
    for article_id, text in zip(ids, texts, strict=True):
        for start, end in spans.get(article_id, ()):
            if end > len(text):  # read_spans refused non-numbers and end < start
                raise InputError(
                    labels, f"article {article_id}: span {start}-{end} ends past its {len(text)} characters"
                )
    return ids, texts, [spans.get(article_id, []) for article_id in ids]


def load_ptc_techniques(data: str | Path, ids: Sequence[str]) -> list[tuple[int, int, int, str]]:
    """PTC train's spans with their techniques: (index of the article in ``ids``, start, end, technique)."""
    index = {article_id: number for number, article_id in enumerate(ids)}
    spans = read_spans(Path(data) / "ptc2020" / "train-task2-TC.labels")
    return [(index[s.article_id], s.start, s.end, s.technique) for s in spans if s.technique is not None]


def paragraph_predictions(
    model: PersuasionModel, paragraphs: list[Paragraph], data: str | Path, split: str, engine: str
) -> list[list[str]]:
    """The techniques ``engine`` finds in each paragraph (``default``: the heads on the encoder's pass, cached,
    as the pipeline reads it)."""
    texts, documents = [p.text for p in paragraphs], [p.language + p.article_id for p in paragraphs]
    if engine == "fast":
        return model.techniques.predict(texts, documents)
    heads = model._heads()
    features = paragraph_matrix(paragraph_set(data, paragraphs, split))
    margins = heads.paragraph_margins(features)
    return [[heads.techniques[column] for column in np.flatnonzero(row > 0)] for row in margins]


def evaluate_paragraphs(paragraphs: list[Paragraph], predicted: list[list[str]]) -> dict[str, ParagraphScores]:
    """Scores per language and over all paragraphs."""
    names = list(techniques().fine)
    results = {}
    for language in [*T3_LANGUAGES, "all"]:
        chosen = [i for i, p in enumerate(paragraphs) if language in ("all", p.language)]
        gold = [
            ParagraphLabels(
                paragraphs[i].language + paragraphs[i].article_id, paragraphs[i].line, paragraphs[i].techniques
            )
            for i in chosen
        ]
        guesses = [ParagraphLabels(gold[k].article_id, gold[k].line, tuple(predicted[i])) for k, i in enumerate(chosen)]
        results[language] = score_paragraphs(gold, guesses, names)
    return results


def span_predictions(model: PersuasionModel, texts: list[str], engine: str) -> list[list[tuple[int, int]]]:
    """The spans ``engine`` finds in each text (``default``: from the cached encoder pass)."""
    if engine == "fast":
        return [
            [(label.evidence[0].start, label.evidence[0].end) for label in found]
            for found in model.technique_spans_of(texts, [None] * len(texts))
        ]
    paths = encode_tokens([Article(str(number), text) for number, text in enumerate(texts)])
    return [
        [
            (label.evidence[0].start, label.evidence[0].end)
            for label in model.technique_spans_read(text, load_tokens(path), sentences(text))
        ]
        for text, path in zip(texts, paths, strict=True)
    ]


def train_and_save(data: str | Path, out: str | Path, console: Console) -> PersuasionModel:
    started = time.perf_counter()
    train = [p for language in T3_LANGUAGES for p in load_t3(data, language, "train")]
    # Every input is read before any training: a malformed file should not cost minutes of fitting first.
    ids, texts, spans = load_ptc(data, "train")
    load_ptc_techniques(data, ids)
    for language in T3_LANGUAGES:
        load_t3(data, language, "dev")
    load_ptc(data, "dev")
    console.print(f"Training the n-gram technique classifier on {len(train)} paragraphs ({', '.join(T3_LANGUAGES)})…")
    documents = [p.language + p.article_id for p in train]
    classifier = TechniqueClassifier().fit([p.text for p in train], [p.techniques for p in train], documents)
    console.print(f"Training the n-gram span tagger on {len(texts)} PTC articles…")
    tagger = SpanTagger().fit(texts, spans)
    return train_heads_and_save(data, out, console, classifier, tagger, started)


def train_heads_and_save(
    data: str | Path,
    out: str | Path,
    console: Console,
    classifier: TechniqueClassifier,
    tagger: SpanTagger,
    started: float | None = None,
) -> PersuasionModel:
    """The reading engine's heads beside fitted n-gram models, both scored on dev, saved with a model card."""
    started = time.perf_counter() if started is None else started
    train = [p for language in T3_LANGUAGES for p in load_t3(data, language, "train")]
    documents = [p.language + p.article_id for p in train]
    ids, texts, spans = load_ptc(data, "train")
    labelled = load_ptc_techniques(data, ids)
    dev = [p for language in T3_LANGUAGES for p in load_t3(data, language, "dev")]
    _, dev_texts, dev_spans = load_ptc(data, "dev")
    console.print("Training the reading engine's heads (the encoder reads each article once; cached)…")
    index = {name: column for column, name in enumerate(TECHNIQUES)}
    gold = np.zeros((len(train), len(TECHNIQUES)), dtype=np.int8)
    for row, paragraph in enumerate(train):
        gold[row, [index[name] for name in paragraph.techniques]] = 1
    heads, cv = fit_heads(
        paragraph_set(data, train, "train"),
        gold,
        documents,
        SpanData(texts, spans, labelled),
        HeadSettings(),
        console,
    )
    model = PersuasionModel(classifier, tagger, heads)
    console.print("Scoring both engines on dev…")
    scores = {
        engine: {
            "paragraphs": evaluate_paragraphs(dev, paragraph_predictions(model, dev, data, "dev", engine)),
            "spans": span_prf(span_predictions(model, dev_texts, engine), dev_spans),
        }
        for engine in ("default", "fast")
    }
    manifest = {
        "cross_validation": {head: {k: round(v, 4) for k, v in choice.items()} for head, choice in cv.items()},
        "dev": {
            engine: {
                "paragraphs": {language: rounded(s) for language, s in found["paragraphs"].items()},
                "spans": rounded(found["spans"]),
            }
            for engine, found in scores.items()
        },
        "training_paragraphs": len(train),
        "training_span_articles": len(texts),
    }
    save_model(model, out, manifest)
    model = publish(out, manifest, load_model, write_model_card, console, started)
    for engine, found in scores.items():
        for language, paragraph_scores in found["paragraphs"].items():
            console.print(
                f"  {engine} dev {language}: micro-F1 {paragraph_scores.micro_f1:.3f}  "
                f"macro-F1 {paragraph_scores.macro_f1:.3f}"
            )
        spans_found = found["spans"]
        console.print(
            f"  {engine} PTC dev spans: P {spans_found.precision:.3f} R {spans_found.recall:.3f} "
            f"F1 {spans_found.f1:.3f}"
        )
    return model


#: The dev-score table of the model card: score key → format spec.
CARD_COLUMNS = {"paragraphs": "", "micro_f1": ".3f", "macro_f1": ".3f"}


def write_model_card(directory: Path, model: PersuasionModel, manifest: dict) -> None:
    size = model_files_size(directory)
    dev, cv = manifest["dev"], manifest["cross_validation"]
    heads = model._heads()
    rows = {engine: table_rows(dev[engine]["paragraphs"], CARD_COLUMNS) for engine in ("default", "fast")}
    spans = {engine: dev[engine]["spans"] for engine in ("default", "fast")}
    card = f"""# Model card: narrascope persuasion techniques ({model.version})

Persuasion techniques (SemEval-2023 Task 3: 23 techniques in 6 groups) per paragraph, and the spans of text that
persuade with each span's technique (SemEval-2020 Task 11), for both engines of the analyse pipeline.

- **Data**: `semeval2023-t3/{{en,fr,ge,it,po,ru}}/train` — {manifest["training_paragraphs"]} paragraphs (`po` is
  Polish), pooled; `ptc2020` train — {manifest["training_span_articles"]} English articles with technique spans. Dev
  sets only for the scores below; every setting comes from cross-validation on train grouped by article.
- **Command**: `narrascope train techniques --data ../shared/data --out <dir>` (deterministic; the encoder's passes
  are cached, so an interrupted run resumes).

## Reading engine (default)

The heads read the encoder's one pass (multilingual-e5-small, layers 8 and 12):

- **Paragraphs**: ridge regression per technique on the paragraph's mean token vector beside its article's,
  calibrated to log-odds on out-of-fold scores (Platt); per-technique thresholds maximise micro-F1 on out-of-fold
  scores. 5-fold CV: α {cv["paragraphs"]["alpha"]:g}, micro-F1 {cv["paragraphs"]["micro_f1"]:.3f}.
- **Spans**: a word tagger — ridge regression on each word's mean token vector beside its sentence's, calibrated to
  a probability — and runs of words with probability ≥ {heads.decoding.threshold} (gaps of at most
  {heads.decoding.gap} words bridged within a sentence, at least {heads.decoding.min_words} words) become spans: a span
  starts and ends on a whole word and never crosses a sentence or line, and never ends on an English preposition,
  article or conjunction ("security and stability of" is carried on to "Europe", over at most
  {heads.decoding.reach} words of its sentence, else trimmed). Decoding chosen by 3-fold CV span F1 among
  those whose median span length stays within 25 % of gold (α {cv["words"]["alpha"]:g}, F1
  {cv["words"]["span_f1"]:.3f}).
- **A span's technique**: its own best — a softmax over PTC's 14 techniques on the span's own vector beside its
  sentence's (calibrated one-vs-rest ridge; 3-fold CV accuracy {cv["span_techniques"]["accuracy"]:.3f}); PTC's
  merged classes (Bandwagon/Reductio ad Hitlerum, Whataboutism/Straw man/Red herring) are split by the paragraph
  head read on the span. Techniques PTC does not annotate appear at paragraph level only.

## Fast engine (n-gram)

- **Techniques**: one-vs-rest logistic regression over TF-IDF character 2–5-grams and word 1–2-grams of the paragraph
  (Cyrillic and Devanagari transliterated to Latin), the mean vectors of the neighbouring paragraphs and of the whole
  article, and a few shape features; per-technique thresholds maximise micro-F1 on out-of-fold scores.
- **Spans**: token inside/outside logistic regression over hashed word, affix, shape and context features; tokens
  above a threshold are joined into spans, widened to whole words. A span's technique is its paragraph's best.
- **Size** (both engines): {size / 1e6:.1f} MB.

## Dev scores

SemEval-2023 dev, paragraph level, reading engine:

| language | paragraphs | micro-F1 | macro-F1 |
|---|---|---|---|
{rows["default"]}

Fast engine:

| language | paragraphs | micro-F1 | macro-F1 |
|---|---|---|---|
{rows["fast"]}

PTC dev span identification (partial credit for overlap): reading engine P {spans["default"]["precision"]:.3f},
R {spans["default"]["recall"]:.3f}, F1 {spans["default"]["f1"]:.3f}; fast engine P {spans["fast"]["precision"]:.3f},
R {spans["fast"]["recall"]:.3f}, F1 {spans["fast"]["f1"]:.3f}.

## Languages

Paragraph heads are trained on English, French, German, Italian, Polish and Russian; the encoder is multilingual,
so other languages get its view too, while the n-gram view relies on shared character n-grams. Spans and their
techniques are learnt from English only and should be read as hints in other languages.
"""
    save_model_card(directory, card)
