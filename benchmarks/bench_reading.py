"""Benchmark of the reading engine (issue 16): scope, narratives of both engines, evidence, speed, memory.

    python benchmarks/bench_reading.py [--data ../shared/data] [--articles 200] [--json out.json]

* Off-topic: the share of ordinary news (the check part of ``offtopic-news``, never trained on) that gets a
  narrative, per language; and the share of SemEval dev articles with a gold URW/CC narrative called off topic.
* Narratives: SemEval dev samples-F1 (fine = sub-narratives, the ranking metric; coarse = narratives) per language
  for the default and the fast engine, with the models' cross-validated train scores.
* Evidence: of the distinct sentences an article cites as evidence for sub-narratives, the share cited under more
  than two of them (default engine, SemEval dev).
* Speed, one core (CPU affinity, one ONNX Runtime and BLAS thread), distinct 600-word articles: this issue's part
  (language, sentences, encoder, scope, narratives), the whole default pipeline, and the fast engine's narratives;
  cold start (a fresh interpreter importing narrascope and loading the default pipeline, graph already built);
  peak RSS of the whole run.
* The example article (``shared/examples/why-london-and-paris.txt``): its narratives and their quotes.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections import Counter
from pathlib import Path

from common import REPO, distinct_articles, measure_cold_start, pin_one_core, print_checks, write_figures

TARGETS = {
    "offtopic_with_narrative": 0.05,
    "ontopic_called_off": 0.05,
    "mean_fine": 0.46,
    "en_fine": 0.47,
    "en_coarse": 0.60,
    "evidence_over_two": 0.10,
    "issue_part_per_second": 2.4,
    "pipeline_per_second": 2.0,
    "fast_per_second": 100.0,
    "cold_start_s": 5.0,
    "peak_rss_mb": 1500.0,
}
LANGUAGES = ("BG", "EN", "HI", "PT", "RU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--articles", type=int, default=200, help="articles in each throughput run")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    pin_one_core()
    cold_start = measure_cold_start()

    from narrascope import pipeline
    from narrascope.pipeline import narratives_pipeline
    from narrascope.training.data import load_narrative_split, load_offtopic

    default = pipeline.load()
    fast = pipeline.load(engine="fast")
    semeval = args.data / "semeval2025-t10"
    dev = load_narrative_split(semeval, "dev")
    offtopic = load_offtopic(args.data, "check")

    figures: dict = {"cold_start_s": round(cold_start, 2)}
    figures["offtopic"] = offtopic_figures(default, offtopic)
    dev_analyses = {
        "default": list(default.pipe([e.article for e in dev])),
        "fast": list(fast.pipe([e.article for e in dev])),
    }
    figures["ontopic_called_off"] = ontopic_called_off(dev, dev_analyses["default"])
    figures["narratives"] = {engine: narrative_scores(dev, found) for engine, found in dev_analyses.items()}
    figures["cv"] = dict(default_narratives(default).classifier.cv_score)
    figures["evidence_over_two"] = {engine: evidence_over_two(found) for engine, found in dev_analyses.items()}

    texts = [e.article.text for e in dev] + [article.text for article, _ in offtopic]
    articles = distinct_articles(texts, args.articles)
    issue_part, fast_part = narratives_pipeline("default"), narratives_pipeline("fast")
    figures["issue_part_per_second"] = rate(issue_part, articles)
    figures["pipeline_per_second"] = rate(default, articles)
    figures["fast_per_second"] = rate(fast_part, distinct_articles(texts, args.articles * 10))
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    example = args.data.parent / "examples" / "why-london-and-paris.txt"
    if example.is_file():
        figures["example"] = example_report(default, example)
    report(figures)
    write_figures(args.json, figures)


def default_narratives(chosen):
    return next(component for component in chosen.components if component.name == "narratives")


def offtopic_figures(default, offtopic) -> dict:
    """Per language: articles, the share given a narrative, the share judged on topic."""
    analyses = list(default.pipe([article for article, _ in offtopic]))
    result = {}
    for language in sorted({language for _, language in offtopic}):
        chosen = [a for a, (_, lang) in zip(analyses, offtopic, strict=True) if lang == language]
        with_narrative = sum(1 for a in chosen if any(label.name != "Other" for label in a.narratives))
        on_topic = sum(1 for a in chosen if a.scope and a.scope.on_topic)
        result[language] = {
            "articles": len(chosen),
            "with_narrative": round(with_narrative / len(chosen), 4),
            "on_topic": round(on_topic / len(chosen), 4),
        }
    return result


def ontopic_called_off(dev, analyses) -> float:
    gold_on_topic = [a for e, a in zip(dev, analyses, strict=True) if set(e.gold.narratives) - {"Other"}]
    return round(sum(1 for a in gold_on_topic if a.scope and not a.scope.on_topic) / len(gold_on_topic), 4)


def narrative_scores(dev, analyses) -> dict:
    from narrascope.evaluate.narratives import score_narratives
    from narrascope.io.semeval import NarrativeAnnotation
    from narrascope.taxonomy import narratives

    taxonomy = narratives()
    scores = {}
    for language in (*LANGUAGES, "all"):
        pairs = [(e, a) for e, a in zip(dev, analyses, strict=True) if language in (e.language, "all")]
        predicted = [
            NarrativeAnnotation(
                e.gold.article_id,
                tuple(label.name for label in a.narratives) or ("Other",),
                tuple(label.name for label in a.subnarratives) or ("Other",),
            )
            for e, a in pairs
        ]
        s = score_narratives([e.gold for e, _ in pairs], predicted, taxonomy)
        scores[language] = {"articles": len(pairs), "fine": round(s.f1_fine, 4), "coarse": round(s.f1_coarse, 4)}
    scores["mean_of_languages_fine"] = round(statistics.mean(scores[lang]["fine"] for lang in LANGUAGES), 4)
    return scores


def evidence_over_two(analyses) -> float:
    """Of the distinct evidence sentences of sub-narratives, per article, the share cited under more than two."""
    over, total = 0, 0
    for analysis in analyses:
        cited = Counter((span.start, span.end) for label in analysis.subnarratives for span in set(label.evidence))
        total += len(cited)
        over += sum(1 for count in cited.values() if count > 2)
    return round(over / total, 4) if total else 0.0


def rate(chosen, articles) -> float:
    list(chosen.pipe(articles[:8]))  # warm-up
    started = time.perf_counter()
    done = sum(1 for _ in chosen.pipe(articles))
    return round(done / (time.perf_counter() - started), 2)


def example_report(default, path: Path) -> dict:
    from narrascope.io.files import read_text
    from narrascope.io.txt import article_from_text

    analysis = default(article_from_text(path.name, read_text(path)))
    return {
        "scope": analysis.scope.to_dict() if analysis.scope else None,
        "narratives": [
            {"name": label.name, "confidence": label.confidence, "quotes": [span.text for span in label.evidence]}
            for label in analysis.narratives + analysis.subnarratives
        ],
    }


def report(figures: dict) -> None:
    print("Reading engine benchmark (one core)")
    print()
    print("Ordinary news (offtopic-news, check part): share given a narrative / judged on topic")
    for language, row in figures["offtopic"].items():
        print(f"  {language}  {row['articles']:>4} articles  {row['with_narrative']:>7.1%}  {row['on_topic']:>7.1%}")
    print(f"SemEval dev articles with a gold URW/CC narrative called off topic: {figures['ontopic_called_off']:.1%}")
    print()
    print(f"{'dev samples-F1':<16}" + "".join(f"{lang:>8}" for lang in (*LANGUAGES, "all")) + f"{'mean5':>8}")
    for engine, scores in figures["narratives"].items():
        for level in ("fine", "coarse"):
            cells = "".join(f"{scores[lang][level]:>8.3f}" for lang in (*LANGUAGES, "all"))
            mean = f"{scores['mean_of_languages_fine']:>8.3f}" if level == "fine" else ""
            print(f"{engine + ' ' + level:<16}{cells}{mean}")
    print(f"cross-validated train samples-F1 fine (all languages): {figures['cv']}")
    print(f"evidence sentences cited under > 2 sub-narratives: {figures['evidence_over_two']}")
    print()
    if "example" in figures:
        print("Example article:", figures["example"]["scope"])
        for label in figures["example"]["narratives"]:
            print(f"  {label['confidence']:.2f} {label['name']}")
            for quote in label["quotes"]:
                print(f"        “{quote[:150]}”")
        print()
    default = figures["narratives"]["default"]
    supported = [
        row["with_narrative"] for lang, row in figures["offtopic"].items() if lang in ("en", "bg", "hi", "pt", "ru")
    ]
    print_checks(
        [
            (
                "off-topic given a narrative, worst supported lang",
                max(supported),
                "<",
                TARGETS["offtopic_with_narrative"] + 1e-9,
            ),
            (
                "dev gold URW/CC called off topic",
                figures["ontopic_called_off"],
                "<",
                TARGETS["ontopic_called_off"] + 1e-9,
            ),
            ("dev fine samples-F1, mean of 5 languages", default["mean_of_languages_fine"], ">=", TARGETS["mean_fine"]),
            ("EN dev fine samples-F1", default["EN"]["fine"], ">=", TARGETS["en_fine"]),
            ("EN dev coarse samples-F1", default["EN"]["coarse"], ">=", TARGETS["en_coarse"]),
            (
                "evidence under > 2 sub-narratives",
                figures["evidence_over_two"]["default"],
                "<",
                TARGETS["evidence_over_two"] + 1e-9,
            ),
            (
                "issue-16 part, articles/s (600 words)",
                figures["issue_part_per_second"],
                ">=",
                TARGETS["issue_part_per_second"],
            ),
            (
                "whole default pipeline, articles/s",
                figures["pipeline_per_second"],
                ">=",
                TARGETS["pipeline_per_second"],
            ),
            ("fast engine narratives, articles/s", figures["fast_per_second"], ">=", TARGETS["fast_per_second"]),
            ("cold start (import + load), s", figures["cold_start_s"], "<", TARGETS["cold_start_s"]),
            ("peak RSS, MB", figures["peak_rss_mb"], "<", TARGETS["peak_rss_mb"]),
        ]
    )


if __name__ == "__main__":
    main()
