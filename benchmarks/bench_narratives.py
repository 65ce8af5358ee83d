"""Benchmark of the shipped narrative model: dev accuracy per language, throughput, memory and cold start.

    python benchmarks/bench_narratives.py [--data ../shared/data/semeval2025-t10] [--articles 1000]

Measures the narrative component alone (language id, sentences, narratives) on one core (CPU affinity and BLAS
threads pinned), the model loaded once, on distinct articles made from the SemEval ones (cut or repeated to 600
words); ``bench_entities.py`` measures the whole default pipeline. Targets (issue 2): EN dev samples-F1
fine >= 0.45 and coarse >= 0.60; >= 100 articles/s; peak RSS < 500 MB; cold start (import + model load) < 2 s.
"""

from __future__ import annotations

import resource
import time

from common import (
    distinct_articles,
    measure_cold_start,
    pin_one_core,
    print_checks,
    throughput_arguments,
    write_figures,
)

TARGETS = {"en_fine": 0.45, "en_coarse": 0.60, "articles_per_second": 100.0, "peak_rss_mb": 500.0, "cold_start_s": 2.0}


def main() -> None:
    args = throughput_arguments(__doc__, articles=1000)
    pin_one_core()

    cold_start = measure_cold_start()
    from narrascope.pipeline import LanguageIdentifier, Pipeline, SentenceSegmenter
    from narrascope.tasks.narratives import NarrativeTagger
    from narrascope.training.data import load_narrative_split
    from narrascope.training.narratives import evaluate_by_language

    tagger = NarrativeTagger.load_shipped()
    pipeline = Pipeline([LanguageIdentifier(), SentenceSegmenter(), tagger])  # this component alone
    classifier = tagger.classifier
    dev = load_narrative_split(args.data, "dev")
    scores = evaluate_by_language(classifier, dev)

    # Distinct articles (train and dev texts cut or repeated to 600 words), so caches do not flatter the speed.
    texts = [example.article.text for example in dev + load_narrative_split(args.data, "train")]
    articles = distinct_articles(texts, args.articles)
    list(pipeline.pipe(articles[:64]))  # warm-up
    started = time.perf_counter()
    analysed = sum(1 for _ in pipeline.pipe(articles))
    elapsed = time.perf_counter() - started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    figures = {
        "dev": {
            language: {"fine": round(s.f1_fine, 3), "coarse": round(s.f1_coarse, 3)} for language, s in scores.items()
        },
        "en_fine": round(scores["EN"].f1_fine, 3),
        "en_coarse": round(scores["EN"].f1_coarse, 3),
        "articles_per_second": round(analysed / elapsed, 1),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "cold_start_s": round(cold_start, 2),
        "model": classifier.version,
    }
    print_report(figures, scores)
    write_figures(args.json, figures)


def print_report(figures: dict, scores: dict) -> None:
    print("Narrative model benchmark (one core)")
    print(f"model: {figures['model']}")
    print()
    print(f"{'dev set':<8}{'docs':>6}{'F1 fine':>10}{'F1 coarse':>11}{'macro fine':>12}{'macro coarse':>14}")
    for language, s in scores.items():
        print(
            f"{language:<8}{s.documents:>6}{s.f1_fine:>10.3f}{s.f1_coarse:>11.3f}{s.macro_f1_fine:>12.3f}"
            f"{s.macro_f1_coarse:>14.3f}"
        )
    print()
    checks = [
        ("EN dev samples-F1 fine", figures["en_fine"], ">=", TARGETS["en_fine"]),
        ("EN dev samples-F1 coarse", figures["en_coarse"], ">=", TARGETS["en_coarse"]),
        (
            "narratives throughput, articles/s (600 words)",
            figures["articles_per_second"],
            ">=",
            TARGETS["articles_per_second"],
        ),
        ("peak RSS, MB", figures["peak_rss_mb"], "<", TARGETS["peak_rss_mb"]),
        ("cold start (import + load), s", figures["cold_start_s"], "<", TARGETS["cold_start_s"]),
    ]
    print_checks(checks)


if __name__ == "__main__":
    main()
