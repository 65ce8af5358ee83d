"""Benchmark of the shipped entity-framing model (both engines) and of the whole default `analyze` pipeline.

    python benchmarks/bench_entities.py [--data ../shared/data/semeval2025-t10] [--articles 500]

Dev scores per language with the gold mentions given (exact-match ratio, main-role accuracy) and from raw text
(mention recall: a detected span overlapping the gold one; precision; end-to-end EMR) — the default engine keeps
the candidates the mention tagger reads as actors, the fast engine every candidate of the detector; then the
throughput of the pipeline on one core, on distinct 600-word articles: up to and including entity framing
(language, sentences, narratives, entities — the pipeline issue 3 extended), and the whole default pipeline (plus
explanations, techniques, framing, which issues 6 and 7 added with their own targets).
Given mentions are scored for the default engine (roles read with the encoder's view of each mention) and the fast
engine (n-gram roles), beside the always-Antagonist baseline (main role Antagonist for every mention).
Targets (issue 17): mean over the five languages >= 0.76 main-role accuracy and >= 0.42 EMR; EN >= 0.84 main-role
and >= 0.28 EMR (default engine, given mentions); raw text, all languages: precision >= 0.40 at recall >= 0.70;
the whole default pipeline >= 2 articles/s on one core.
"""

from __future__ import annotations

import resource
import time

from common import distinct_articles, pin_one_core, print_checks, throughput_arguments, write_figures


def main() -> None:
    args = throughput_arguments(__doc__, articles=100)
    pin_one_core()

    import narrascope
    from narrascope.tasks.entities import EntityTagger
    from narrascope.tasks.entities.tagger import shipped_tagger
    from narrascope.training.data import by_language, load_entity_split, load_narrative_split
    from narrascope.training.entities import encodings_of, evaluate_by_language
    from narrascope.training.mentions import candidates_of, score_by_language

    pipeline = narrascope.pipeline.load()
    model = next(c for c in pipeline.components if isinstance(c, EntityTagger)).model
    dev = load_entity_split(args.data, "dev")
    encodings = encodings_of(dev)
    started = time.perf_counter()
    given = evaluate_by_language(model, dev, given_mentions=True, encodings=encodings)
    given_seconds = time.perf_counter() - started
    fast = evaluate_by_language(model, dev, given_mentions=True)
    raw = evaluate_by_language(model, dev, given_mentions=False, encodings=encodings)
    raw_fast = evaluate_by_language(model, dev, given_mentions=False)
    table = score_by_language(shipped_tagger(), candidates_of(dev, model.detector))["all"]
    antagonist = {
        language: sum(m.main_role == "Antagonist" for e in chosen for m in e.mentions)
        / max(1, sum(len(e.mentions) for e in chosen))
        for language, chosen in by_language(dev, lambda e: e.language).items()
    }

    texts = [example.article.text for example in load_narrative_split(args.data, "train")]
    articles = distinct_articles(texts, args.articles)
    last = next(i for i, component in enumerate(pipeline.components) if isinstance(component, EntityTagger))
    through_entities = narrascope.pipeline.Pipeline(pipeline.components[: last + 1])
    list(pipeline.pipe(articles[:8]))  # warm-up
    started = time.perf_counter()
    list(through_entities.pipe(articles))
    entities_elapsed = time.perf_counter() - started
    started = time.perf_counter()
    analysed = list(pipeline.pipe(articles))
    elapsed = time.perf_counter() - started
    figures = {
        "model": model.version,
        "dev_given": {language: _short(scores) for language, scores in given.items()},
        "dev_given_fast": {language: _short(scores) for language, scores in fast.items()},
        "always_antagonist": {language: round(share, 3) for language, share in antagonist.items()},
        "dev_raw": {language: _short(scores) for language, scores in raw.items()},
        "dev_raw_fast": {language: _short(scores) for language, scores in raw_fast.items()},
        "dev_actor_table": table,
        "given_mentions_per_second": round(given["all"].mentions / given_seconds, 1),
        "articles_per_second_through_entities": round(len(articles) / entities_elapsed, 1),
        "articles_per_second": round(len(analysed) / elapsed, 1),
        "actors_per_article": round(sum(len(a.actors) for a in analysed) / len(analysed), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print("Entity framing benchmark (one core)")
    print(f"model: {figures['model']}\n")
    print(
        f"{'dev set':<8}{'mentions':>9}{'EMR':>8}{'main acc':>10}{'fast EMR':>10}{'fast main':>10}{'always Ant.':>12}"
        f"{'| raw recall':>13}{'precision':>11}{'raw EMR':>9}{'| fast recall':>14}{'precision':>11}"
    )
    for language in given:
        g, f, r, rf = given[language], fast[language], raw[language], raw_fast[language]
        print(
            f"{language:<8}{g.mentions:>9}{g.exact_match_ratio:>8.3f}{g.main_role_accuracy:>10.3f}"
            f"{f.exact_match_ratio:>10.3f}{f.main_role_accuracy:>10.3f}{antagonist[language]:>12.3f}"
            f"{r.mention_recall:>13.3f}{r.mention_precision:>11.3f}{r.exact_match_ratio:>9.3f}"
            f"{rf.mention_recall:>14.3f}{rf.mention_precision:>11.3f}"
        )
    languages = [language for language in given if language != "all"]
    mean_main = round(sum(given[language].main_role_accuracy for language in languages) / len(languages), 3)
    mean_emr = round(sum(given[language].exact_match_ratio for language in languages) / len(languages), 3)
    print(f"mean of the five languages (default engine): main-role accuracy {mean_main}, EMR {mean_emr}")
    print(
        f"actor table (default engine, whole actors among the detector's): precision {table['actor_precision']:.3f}"
        f" at recall {table['actor_recall']:.3f}"
    )
    print()
    print(f"given-mention classification: {figures['given_mentions_per_second']} mentions/s")
    print(
        f"analyze throughput: {figures['articles_per_second_through_entities']} articles/s up to entity framing, "
        f"{figures['articles_per_second']} articles/s with every component"
    )
    print(f"actors found per 600-word article: {figures['actors_per_article']}; peak RSS {figures['peak_rss_mb']} MB")
    print_checks(
        [
            ("mean of 5 languages main-role accuracy", mean_main, ">=", 0.76),
            ("mean of 5 languages exact-match ratio", mean_emr, ">=", 0.42),
            ("EN dev main-role accuracy (given mentions)", round(given["EN"].main_role_accuracy, 3), ">=", 0.84),
            ("EN dev exact-match ratio (given mentions)", round(given["EN"].exact_match_ratio, 3), ">=", 0.28),
            ("dev mention precision, raw text (all)", round(raw["all"].mention_precision, 3), ">=", 0.40),
            ("dev mention recall, raw text (all)", round(raw["all"].mention_recall, 3), ">=", 0.70),
            ("whole default pipeline, articles/s", figures["articles_per_second"], ">=", 2.0),
        ]
    )
    write_figures(args.json, figures)


def _short(scores) -> dict[str, float]:
    return {key: round(value, 3) for key, value in scores.to_dict().items()}


if __name__ == "__main__":
    main()
