"""Training data and training of the persuasion models: SemEval-2023 Task 3 paragraphs and PTC (SemEval-2020) spans.

Facts about the data that matter here:

* SemEval-2023 ``.template`` files of fr/ge/it/po/ru carry CR characters inside paragraph text, and some train files
  lack the template line of a labelled paragraph (those paragraphs are skipped); ``po`` is Polish.
* SemEval-2023 EN train = PTC train + PTC dev articles, so the span tagger is trained on PTC train only and PTC dev
  stays a fair test of it.
* PTC offsets are half-open into the article file read with ``newline=''``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from narrascope.errors import InputError
from narrascope.evaluate.techniques import ParagraphScores, SpanScores, score_paragraphs, span_prf
from narrascope.io.files import read_text
from narrascope.io.persuasion import ParagraphLabels, read_paragraph_labels, read_paragraph_texts, read_spans
from narrascope.tasks.persuasion import PersuasionModel, load_model, save_model
from narrascope.tasks.persuasion.model import SpanTagger, TechniqueClassifier
from narrascope.taxonomy import techniques
from narrascope.training import model_files_size, report_saved, rounded, save_model_card, table_rows

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


def evaluate_paragraphs(model: PersuasionModel, paragraphs: list[Paragraph]) -> dict[str, ParagraphScores]:
    predicted = model.techniques.predict([p.text for p in paragraphs], [p.language + p.article_id for p in paragraphs])
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


def evaluate_spans(model: PersuasionModel, texts: list[str], gold: list[list[tuple[int, int]]]) -> SpanScores:
    return span_prf([model.spans.predict(text) for text in texts], gold)


def train_and_save(data: str | Path, out: str | Path, console: Console) -> PersuasionModel:
    started = time.perf_counter()
    train = [p for language in T3_LANGUAGES for p in load_t3(data, language, "train")]
    # Every input is read before any training: a malformed file should not cost minutes of fitting first.
    _, texts, spans = load_ptc(data, "train")
    dev = [p for language in T3_LANGUAGES for p in load_t3(data, language, "dev")]
    _, dev_texts, dev_spans = load_ptc(data, "dev")
    console.print(f"Training the technique classifier on {len(train)} paragraphs ({', '.join(T3_LANGUAGES)})…")
    classifier = TechniqueClassifier().fit(
        [p.text for p in train], [p.techniques for p in train], [p.language + p.article_id for p in train]
    )
    console.print(f"Training the span tagger on {len(texts)} PTC articles…")
    model = PersuasionModel(classifier, SpanTagger().fit(texts, spans))
    paragraph_scores = evaluate_paragraphs(model, dev)
    span_scores = evaluate_spans(model, dev_texts, dev_spans)
    manifest = {
        "dev_paragraphs": {language: rounded(scores) for language, scores in paragraph_scores.items()},
        "dev_spans": rounded(span_scores),
        "training_paragraphs": len(train),
        "training_span_articles": len(texts),
    }
    save_model(model, out, manifest)
    model = load_model(out)
    write_model_card(Path(out), model, manifest)
    report_saved(console, model.version, started)
    for language, scores in paragraph_scores.items():
        console.print(f"  dev {language}: micro-F1 {scores.micro_f1:.3f}  macro-F1 {scores.macro_f1:.3f}")
    console.print(f"  PTC dev spans: P {span_scores.precision:.3f} R {span_scores.recall:.3f} F1 {span_scores.f1:.3f}")
    return model


#: The dev-score table of the model card: score key → format spec.
CARD_COLUMNS = {"paragraphs": "", "micro_f1": ".3f", "macro_f1": ".3f"}


def write_model_card(directory: Path, model: PersuasionModel, manifest: dict) -> None:
    size = model_files_size(directory)
    rows = table_rows(manifest["dev_paragraphs"], CARD_COLUMNS)
    spans = manifest["dev_spans"]
    card = f"""# Model card: narrascope persuasion techniques ({model.version})

Persuasion techniques (SemEval-2023 Task 3: 23 techniques in 6 groups) per paragraph, and the spans of text that
persuade (SemEval-2020 Task 11 span identification), for the analyse pipeline.

- **Data**: `semeval2023-t3/{{en,fr,ge,it,po,ru}}/train` — {manifest["training_paragraphs"]} paragraphs (`po` is
  Polish), pooled; `ptc2020` train — {manifest["training_span_articles"]} English articles with spans. Dev sets only
  for the scores below; thresholds come from 5-fold cross-validation on train grouped by article.
- **Command**: `narrascope train techniques --data ../shared/data --out <dir>` (deterministic).
- **Techniques**: one-vs-rest logistic regression over TF-IDF character 2–5-grams and word 1–2-grams of the paragraph
  (Cyrillic and Devanagari transliterated to Latin), the mean vectors of the neighbouring paragraphs and of the whole
  article, and a few shape features; per-technique thresholds maximise micro-F1 on out-of-fold scores.
- **Spans**: token inside/outside logistic regression over hashed word, affix, shape and context features and the
  bag of words of the token's sentence; tokens above a threshold are joined into spans (decoding tuned on a held-out
  fifth of PTC train). A span's technique is the most likely technique of its paragraph.
- **Size**: {size / 1e6:.1f} MB.

## Dev scores

SemEval-2023 dev, paragraph level:

| language | paragraphs | micro-F1 | macro-F1 |
|---|---|---|---|
{rows}

PTC dev span identification (partial credit for overlap): P {spans["precision"]:.3f}, R {spans["recall"]:.3f},
F1 {spans["f1"]:.3f}.

## Languages

Training covers English, French, German, Italian, Polish and Russian. Bulgarian and Portuguese articles are handled
through shared character n-grams with related languages (Russian for Bulgarian through transliteration; French and
Italian for Portuguese) and will be weaker; Hindi has no related training language and is the weakest. Spans are
learnt from English only; on other languages they follow punctuation and shape cues and should be read as hints.
"""
    save_model_card(directory, card)
