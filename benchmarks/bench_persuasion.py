"""Benchmark of persuasion techniques, both engines: paragraphs, spans, word boundaries, span length and speed.

    python benchmarks/bench_persuasion.py [--data ../shared/data] [--articles 60]

* SemEval-2023 Task 3 subtask 3 dev: paragraph micro/macro-F1 per language, the mean of the six languages' micro-F1
  and the micro-F1 over all paragraphs;
* PTC (SemEval-2020 Task 11) dev: span-identification P/R/F1 (partial credit for overlap), the share of spans that
  start and end on word boundaries (also on the example article), and the median span length in words against gold;
* speed on one core over distinct 600-word articles: the encoder's pass and the technique head after it, per article.

The default engine reads the encoder's pass from the training cache (the same pass the pipeline makes).
Targets (issue 18): EN micro-F1 >= 0.30, six-language mean >= 0.40, PTC span F1 >= 0.42, 100 % of spans on word
boundaries, median span length within 30 % of gold, techniques <= 20 % of the encoder's time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from common import DEFAULT_DATA, REPO, distinct_articles, pin_one_core, print_checks

EXAMPLE = REPO.parent / "shared" / "examples" / "why-london-and-paris.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA.parent)
    parser.add_argument("--articles", type=int, default=60, help="600-word articles timed (default 60)")
    args = parser.parse_args()
    pin_one_core()

    from narrascope.document import Analysis
    from narrascope.encoder.component import EncoderComponent
    from narrascope.evaluate.techniques import span_prf
    from narrascope.io.txt import article_from_text
    from narrascope.pipeline import LanguageIdentifier, SentenceSegmenter
    from narrascope.tasks.persuasion import TechniqueTagger
    from narrascope.tasks.persuasion.words import on_word_boundaries
    from narrascope.training.data import load_narrative_split
    from narrascope.training.persuasion import (
        T3_LANGUAGES,
        evaluate_paragraphs,
        load_ptc,
        load_t3,
        paragraph_predictions,
        span_predictions,
    )

    tagger = TechniqueTagger.load_shipped()
    model = tagger.model
    dev = [p for language in T3_LANGUAGES for p in load_t3(args.data, language, "dev")]
    _, texts, gold = load_ptc(args.data, "dev")
    gold_median = statistics.median(
        len(text[s:e].split()) for text, spans in zip(texts, gold, strict=True) for s, e in spans
    )

    # Speed: the encoder's pass and the technique head, each timed on the same analyses.
    corpus = [e.article.text for e in load_narrative_split(args.data / "semeval2025-t10", "train")]
    articles = distinct_articles(corpus, args.articles)
    encoder = EncoderComponent()
    batches = [[Analysis(article=article)] for article in articles]
    encoder_seconds = technique_seconds = 0.0
    for batch in batches:
        LanguageIdentifier().annotate(batch)
        SentenceSegmenter().annotate(batch)
        started = time.perf_counter()
        encoder.annotate(batch)
        encoder_seconds += time.perf_counter() - started
        started = time.perf_counter()
        tagger.annotate(batch)
        technique_seconds += time.perf_counter() - started
    encoder_ms, technique_ms = (1000 * s / len(batches) for s in (encoder_seconds, technique_seconds))

    example = [Analysis(article=article_from_text("example", EXAMPLE.read_text(encoding="utf-8")))]
    for component in (LanguageIdentifier(), SentenceSegmenter(), encoder, tagger):
        component.annotate(example)
    example_spans = [label.evidence[0] for label in example[0].techniques]
    example_text = example[0].article.text
    example_ok = sum(on_word_boundaries(example_text, span.start, span.end) for span in example_spans)

    print(f"Persuasion benchmark (one core), model {model.version}\n")
    results = {}
    for engine in ("default", "fast"):
        paragraphs = evaluate_paragraphs(dev, paragraph_predictions(model, dev, args.data, "dev", engine))
        predicted = span_predictions(model, texts, engine)
        spans = span_prf(predicted, gold)
        flat = [(text, s, e) for text, found in zip(texts, predicted, strict=True) for s, e in found]
        on_words = 100 * sum(on_word_boundaries(text, s, e) for text, s, e in flat) / max(len(flat), 1)
        median = statistics.median(len(text[s:e].split()) for text, s, e in flat) if flat else 0.0
        mean6 = statistics.mean(paragraphs[language].micro_f1 for language in T3_LANGUAGES)
        results[engine] = (paragraphs, spans, on_words, median, mean6)
        print(f"{engine} engine")
        print(f"{'dev set':<8}{'paragraphs':>11}{'micro-F1':>10}{'macro-F1':>10}")
        for language, scores in paragraphs.items():
            print(f"{language:<8}{scores.paragraphs:>11}{scores.micro_f1:>10.3f}{scores.macro_f1:>10.3f}")
        print(f"mean of the six languages' micro-F1: {mean6:.3f}")
        print(f"PTC dev spans: P {spans.precision:.3f} R {spans.recall:.3f} F1 {spans.f1:.3f} ({len(flat)} spans)")
        print(f"on word boundaries: {on_words:.1f} %; median span {median} words (gold {gold_median})\n")
    print(f"example article: {len(example_spans)} spans, {example_ok} on word boundaries")
    for label in example[0].techniques[:12]:
        print(f"  {label.name}: {label.evidence[0].text!r}")
    print(f"\nencoder pass {encoder_ms:.1f} ms, techniques {technique_ms:.1f} ms per 600-word article\n")
    paragraphs, spans, on_words, median, mean6 = results["default"]
    print_checks(
        [
            ("SemEval-2023 EN dev micro-F1", round(paragraphs["en"].micro_f1, 3), ">=", 0.30),
            ("six-language mean micro-F1", round(mean6, 3), ">=", 0.40),
            ("all dev paragraphs micro-F1", round(paragraphs["all"].micro_f1, 3), ">=", 0.40),
            ("PTC dev span F1", round(spans.f1, 3), ">=", 0.42),
            ("PTC dev spans on word boundaries, %", round(on_words, 1), ">=", 100.0),
            (
                "example spans on word boundaries, %",
                round(100 * example_ok / max(len(example_spans), 1), 1),
                ">=",
                100.0,
            ),
            ("median span length off gold, %", round(100 * abs(median / gold_median - 1), 1), "<", 30.0),
            ("techniques / encoder time, %", round(100 * technique_ms / encoder_ms, 1), "<", 20.0),
        ]
    )


if __name__ == "__main__":
    main()
