"""Corpus benchmark: ingest, analyse (local and Dask), search and trends at scale, on SQLite and PostgreSQL.

    python benchmarks/bench_corpus.py [--articles 1000000] [--analyse 100000] [--dask 2000]
                                      [--postgres postgresql://user@host/db] [--workdir DIR]
                                      [--phases ingest,analyse,dask,query] [--big corpus.db]

A synthetic corpus is generated at run time (nothing is committed): each article is a random recombination of
sentences from the SemEval training articles of one language, given one of 20 outlets and a date in 2024.

1. ingest ``--articles`` articles from a JSONL file into SQLite (and PostgreSQL when ``--postgres`` is given)
   through the same code as ``narrascope ingest``: articles/s (target >= 2,000/s on SQLite);
2. analyse ``--analyse`` of them with the local engine (all cores): articles/s end to end (read, analyse, store);
3. analyse ``--dask`` articles with a Dask LocalCluster of 1 worker, then of 2 workers: the speed-up (target
   >= 1.7x);
4. give every article of the big stores labels drawn from the training label distribution (stored through the
   normal write path, so the trend counts are real), then time 200 searches (p50/p95, target p95 < 100 ms) and
   the trends queries (by week: the default, target < 1 s; also by month/week/day per source) over all of them.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from common import DEFAULT_DATA, print_checks

OUTLETS = [f"outlet-{number:02d}" for number in range(20)]
QUERIES = [
    "NATO",
    "Ukraine",
    "Zelensky",
    "climate",
    "sanctions",
    "troops",
    '"climate change"',
    "Putin Biden",
    "Europe energy",
    "Украина",
    "НАТО",
    "климат",
    "Россия санкции",
    "Украйна",
    "Brasil",
    "clima",
    "गाजा",
    "रूस",
    "war crimes",
    "green agenda",
]


def synthetic_articles(data: Path, count: int, seed: int = 7) -> Iterator[dict]:
    """JSONL records recombined from the training articles' sentences (same language within an article)."""
    from narrascope.text.segment import sentences
    from narrascope.training.data import load_narrative_split

    pools: dict[str, list[str]] = {}
    for example in load_narrative_split(data, "train"):
        pools.setdefault(example.language.lower(), []).extend(
            span.text for span in sentences(example.article.text) if len(span.text) > 30
        )
    languages = sorted(pools)
    generator = random.Random(seed)
    start = date(2024, 1, 1)
    for number in range(count):
        language = languages[number % len(languages)]
        pool = pools[language]
        body = " ".join(generator.choice(pool) for _ in range(generator.randint(12, 30)))
        yield {
            "id": f"syn-{number}",
            "title": generator.choice(pool)[:120],
            "text": body,
            "source": generator.choice(OUTLETS),
            "published": (start + timedelta(days=generator.randrange(366))).isoformat(),
            "language": language,
        }


def write_corpus(data: Path, count: int, path: Path) -> float:
    started = time.perf_counter()
    with path.open("w", encoding="utf-8") as stream:
        for record in synthetic_articles(data, count):
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    return time.perf_counter() - started


def ingest_file(url: str, path: Path) -> tuple[int, float]:
    from narrascope.io import iter_articles
    from narrascope.store import Store
    from narrascope.store.store import iter_batches

    started = time.perf_counter()
    added = 0
    with Store(url) as store:
        for batch in iter_batches(iter_articles([path], distinct=False), 1000):
            added += store.ingest(batch).added
    return added, time.perf_counter() - started


def copy_first(url: str, target: str, count: int) -> None:
    """A store with the first ``count`` articles of ``url`` (so analysis runs compare like with like)."""
    from narrascope.store import Store
    from narrascope.store.store import iter_batches

    with Store(url) as source, Store(target) as destination:
        articles = (stored.article for batch in source.pending("none", 1000) for stored in batch)
        taken = (article for _, article in zip(range(count), articles, strict=False))
        for batch in iter_batches(taken, 1000):
            destination.ingest(batch)


def analyse(url: str, engine: str, workers: int) -> float:
    from narrascope.batch import analyse_store
    from narrascope.store import Store

    with Store(url) as store:
        return analyse_store(store, engine=engine, workers=workers).rate


def label_everything(url: str, data: Path) -> float:
    """Labels sampled from the training distribution for every article without an analysis; returns seconds."""
    from narrascope.document import Analysis, Label
    from narrascope.store import Store
    from narrascope.training.data import load_narrative_split

    gold = [example.gold for example in load_narrative_split(data, "train")]
    generator = random.Random(11)
    started = time.perf_counter()
    with Store(url) as store:
        for batch in store.pending("synthetic-labels", 2000):
            results = []
            for stored in batch:
                sample = generator.choice(gold)
                results.append(
                    (
                        stored,
                        Analysis(
                            article=stored.article,
                            language=stored.article.language,
                            narratives=[Label(name, 0.8) for name in sample.narratives],
                            subnarratives=[Label(name, 0.7) for name in sample.subnarratives],
                        ),
                    )
                )
            store.save_analyses(results, "synthetic-labels")
    return time.perf_counter() - started


def time_queries(url: str, repeats: int = 10) -> dict[str, float]:
    from narrascope.store import Store
    from narrascope.store.search import Filters, search
    from narrascope.store.trends import trends

    timings = []
    with Store(url) as store:
        search(store, QUERIES[0])  # warm the connection and caches once
        for _ in range(repeats):
            for query in QUERIES:
                started = time.perf_counter()
                search(store, query, limit=20)
                timings.append(time.perf_counter() - started)
        filtered = []
        for query in QUERIES[:5]:
            started = time.perf_counter()
            search(store, query, Filters(languages=("en",), sources=(OUTLETS[3],)), limit=20)
            filtered.append(time.perf_counter() - started)
        trend_times = {}
        for by, per in (("week", None), ("month", "source"), ("week", "source"), ("day", "source")):
            started = time.perf_counter()
            trends(store, by=by, per=per)  # type: ignore[arg-type]
            trend_times[f"{by}{'/' + per if per else ''}"] = round(time.perf_counter() - started, 3)
        count = store.counts()["analyses"]
    timings.sort()
    return {
        "analysed_articles": count,
        "search_p50_ms": round(1000 * statistics.median(timings), 1),
        "search_p95_ms": round(1000 * timings[int(0.95 * (len(timings) - 1))], 1),
        "filtered_search_max_ms": round(1000 * max(filtered), 1),
        "trends_week_s": trend_times["week"],
        "trends_s": trend_times,
    }


PHASES = ("ingest", "analyse", "dask", "query")


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory so far of this process and of its largest finished child (the analysis workers)."""
    return {
        "main": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "largest_worker": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=1_000_000, help="size of the big corpus")
    parser.add_argument("--analyse", type=int, default=100_000, help="articles analysed with the local engine")
    parser.add_argument("--dask", type=int, default=2_000, help="articles in each Dask run")
    parser.add_argument(
        "--postgres",
        help="also measure PostgreSQL at this URL (an empty database, or one an earlier ingest phase filled)",
    )
    parser.add_argument("--workdir", type=Path, help="folder for the corpus and databases (default: a temp folder)")
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated subset of {', '.join(PHASES)}")
    parser.add_argument("--big", help="reuse this SQLite corpus (from an earlier ingest phase) instead of a new one")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    phases = set(args.phases.split(","))
    if phases - set(PHASES):
        parser.error(f"unknown phase(s): {', '.join(sorted(phases - set(PHASES)))}")

    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        work = Path(folder)
        big = args.big or str(work / "big.db")
        if "ingest" in phases:
            corpus = work / "corpus.jsonl"
            figures["generate_s"] = round(write_corpus(args.data, args.articles, corpus), 1)
            added, seconds = ingest_file(big, corpus)
            figures["sqlite_ingest_per_s"] = round(added / seconds, 1)
            figures["sqlite_articles"] = added
            figures["ingest_peak_rss_mb"] = peak_rss_mb()
            print(
                f"ingested {added} articles into SQLite at {figures['sqlite_ingest_per_s']}/s "
                f"(peak RSS {figures['ingest_peak_rss_mb']} MB)",
                flush=True,
            )
            if args.postgres:
                added, seconds = ingest_file(args.postgres, corpus)
                figures["postgres_ingest_per_s"] = round(added / seconds, 1)
                print(f"ingested {added} articles into PostgreSQL at {figures['postgres_ingest_per_s']}/s", flush=True)
            corpus.unlink()
        if "analyse" in phases:
            local = str(work / "local.db")
            copy_first(big, local, args.analyse)
            figures["local_articles"] = args.analyse
            figures["local_per_s"] = round(analyse(local, "local", 2), 1)
            figures["analyse_peak_rss_mb"] = peak_rss_mb()
            print(
                f"local engine, 2 processes: {figures['local_per_s']} articles/s on {args.analyse} "
                f"(peak RSS {figures['analyse_peak_rss_mb']} MB)",
                flush=True,
            )
        if "dask" in phases:
            for workers in (1, 2):
                dask_db = str(work / f"dask{workers}.db")
                copy_first(big, dask_db, args.dask)
                figures[f"dask_{workers}_per_s"] = round(analyse(dask_db, "dask", workers), 1)
                print(f"dask, {workers} worker(s): {figures[f'dask_{workers}_per_s']} articles/s", flush=True)
            figures["dask_speedup"] = round(figures["dask_2_per_s"] / figures["dask_1_per_s"], 2)  # type: ignore[operator]
        if "query" in phases:
            sqlite_corpus = big if Path(big).exists() else None
            if sqlite_corpus is None:
                print("no SQLite corpus (run the ingest phase or give --big): SQLite queries skipped", flush=True)
            for name, url in (("sqlite", sqlite_corpus), ("postgres", args.postgres)):
                if url:
                    figures[f"{name}_label_s"] = round(label_everything(url, args.data), 1)
                    figures[name] = time_queries(url)
                    print(f"{name} queries: {figures[name]}", flush=True)

    print()
    print(json.dumps(figures, indent=1))
    checks = []
    if "sqlite_ingest_per_s" in figures:
        checks.append(("SQLite ingest, articles/s", figures["sqlite_ingest_per_s"], ">=", 2000.0))
    if "dask_speedup" in figures:
        checks.append(("Dask 2 workers / 1 worker", figures["dask_speedup"], ">=", 1.7))
    for name in ("sqlite", "postgres"):
        if name in figures:
            result = figures[name]
            label = f"{name} search p95 ms ({result['analysed_articles']} art.)"  # type: ignore[index]
            checks.append((label, result["search_p95_ms"], "<", 100.0))  # type: ignore[index]
            checks.append((f"{name} trends by week, s", result["trends_week_s"], "<", 1.0))  # type: ignore[index]
    print_checks(checks)  # type: ignore[arg-type]
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
