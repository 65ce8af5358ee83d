"""Benchmark of the persuasion-technique model and of the whole `analyze` pipeline that includes it.

    python benchmarks/bench_persuasion.py [--data ../shared/data] [--articles 300]

Paragraph micro/macro-F1 on the SemEval-2023 Task 3 dev sets (six languages), span-identification F1 on PTC dev
(SemEval-2020 scorer semantics), then the full default pipeline (language, sentences, narratives, entities,
explanation, techniques, framing) on one core over distinct 600-word articles: articles/s and peak RSS.
Targets (issue 7): EN micro-F1 >= 0.40; PTC span F1 >= 0.45; analyze >= 30 articles/s; RSS < 600 MB.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from common import DEFAULT_DATA, distinct_articles, pin_one_core, print_checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA.parent)
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    pin_one_core()

    from narrascope.pipeline import load
    from narrascope.tasks.persuasion import TechniqueTagger
    from narrascope.training.data import load_narrative_split
    from narrascope.training.persuasion import T3_LANGUAGES, evaluate_paragraphs, evaluate_spans, load_ptc, load_t3

    pipeline = load()
    model = next(c for c in pipeline.components if isinstance(c, TechniqueTagger)).model

    corpus = [e.article.text for e in load_narrative_split(args.data / "semeval2025-t10", "train")]
    articles = distinct_articles(corpus, args.articles)
    list(pipeline.pipe(articles[:32]))
    started = time.perf_counter()
    analysed = sum(1 for _ in pipeline.pipe(articles))
    rate = analysed / (time.perf_counter() - started)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Scored after the throughput run: evaluating thousands of dev paragraphs at once needs far more memory.
    dev = [p for language in T3_LANGUAGES for p in load_t3(args.data, language, "dev")]
    paragraphs = evaluate_paragraphs(model, dev)
    _, texts, gold = load_ptc(args.data, "dev")
    spans = evaluate_spans(model, texts, gold)
    started = time.perf_counter()
    for text in texts:
        model.technique_spans(text)
    technique_ms = 1000 * (time.perf_counter() - started) / (sum(len(t.split()) for t in texts) / 600)

    print(f"Persuasion benchmark (one core), model {model.version}\n")
    print(f"{'dev set':<8}{'paragraphs':>11}{'micro-F1':>10}{'macro-F1':>10}")
    for language, scores in paragraphs.items():
        print(f"{language:<8}{scores.paragraphs:>11}{scores.micro_f1:>10.3f}{scores.macro_f1:>10.3f}")
    print(f"\nPTC dev spans: P {spans.precision:.3f} R {spans.recall:.3f} F1 {spans.f1:.3f}")
    print(f"techniques + spans: {technique_ms:.1f} ms per 600 words\n")
    print_checks(
        [
            ("SemEval-2023 EN dev micro-F1", round(paragraphs["en"].micro_f1, 3), ">=", 0.40),
            ("PTC dev span F1", round(spans.f1, 3), ">=", 0.45),
            ("analyze throughput, articles/s (600 words)", round(rate, 1), ">=", 30.0),
            ("peak RSS, MB", round(rss, 1), "<", 600.0),
        ]
    )


if __name__ == "__main__":
    main()
