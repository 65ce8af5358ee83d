"""Corpus commands: ingest, search, trends, alerts, export (the store is SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from narrascope.console import (
    CONTEXT,
    EXIT_INPUT_ERROR,
    existing_path,
    fail,
    others_skipped,
    output_file,
    stderr,
    stdout,
)
from narrascope.errors import InputError

INGEST_BATCH = 1000
EXPORT_FORMATS = ("jsonl", "csv", "parquet", "semeval")


def db_option(function: Callable) -> Callable:
    return click.option(
        "--db",
        envvar="NARRASCOPE_DB",
        default="narrascope.db",
        show_default=True,
        help="Database: a SQLite file or a postgresql://user:password@host/db URL (env NARRASCOPE_DB).",
    )(function)


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _finite(_ctx: click.Context, _param: click.Parameter, value: float) -> float:
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number")
    return value


include_undated_option = click.option(
    "--include-undated",
    is_flag=True,
    help="Count articles without a publication date on the day they were ingested (left out by default: all on "
    "one day, they make a false spike).",
)


def report_undated(store: Any, included: bool, since: date | None = None, until: date | None = None) -> None:
    """One line on stderr beside a chart, table or alerts: how many articles have no publication date, and where
    they went."""
    from narrascope.store.trends import undated

    count = undated(store, since, until)
    if count:
        ingest_day = "on the day they were ingested"
        where = f"counted {ingest_day}" if included else f"left out (--include-undated counts them {ingest_day})"
        stderr.print(f"{count} article(s) without a publication date {where}.", style="dim", highlight=False)


def filter_options(function: Callable) -> Callable:
    """--narrative/--technique/--entity/--role/--lang/--source/--since/--until, turned into ``filters``."""
    options = [
        click.option("--narrative", "-n", multiple=True, help="Narrative or sub-narrative (part of its name will do)."),
        click.option(
            "--technique", "-t", multiple=True, help="Persuasion technique (part of its name will do); repeatable."
        ),
        click.option("--entity", "-e", help="Articles naming this actor (any script: Putin, Путин)."),
        click.option("--role", "-r", help="…cast in this role (Antagonist, Victim, …); with or without --entity."),
        click.option("--lang", "languages", multiple=True, help="Language code (en, ru, …); repeatable."),
        click.option("--source", "sources", multiple=True, help="Outlet / source name; repeatable."),
        click.option("--since", callback=_date, help="Published on or after (YYYY-MM-DD)."),
        click.option("--until", callback=_date, help="Published on or before (YYYY-MM-DD)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _technique(taxonomy: Any, name: str) -> str:
    """The technique a user means: names join words with "_" (Flag_Waving), so "flag waving" means it too."""
    try:
        return taxonomy.resolve("_".join(name.split()))
    except ValueError:
        return taxonomy.resolve(name)  # its error names what the user wrote


def build_filters(
    narrative: tuple[str, ...],
    entity: str | None,
    role: str | None,
    languages: tuple[str, ...],
    sources: tuple[str, ...],
    since: date | None,
    until: date | None,
    technique: tuple[str, ...] = (),
) -> Any:
    from narrascope.store.search import Filters
    from narrascope.taxonomy import narratives, roles, techniques

    try:
        names = tuple(narratives().resolve(name) for name in narrative)
        technique_names = tuple(_technique(techniques(), name) for name in technique)
        role_name = roles().resolve(role) if role else None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    languages = tuple(x.lower() for x in languages)
    return Filters(names, entity, role_name, languages, sources, since, until, technique_names)


@click.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=existing_path)
@db_option
@click.option("--source", help="Source (outlet) name for articles that do not carry one.")
def ingest(paths: tuple[Path, ...], db: str, source: str | None) -> None:
    """Store the articles in PATHS (txt, HTML, JSONL, folders, SemEval folders); the same text is stored once.

    Each batch of articles is committed on its own: an interrupted ingest keeps what it committed, and running it
    again adds only what is missing. Bad files are reported and skipped (exit code 2).
    """
    from narrascope.io import iter_articles
    from narrascope.progress import progress_bar
    from narrascope.store import Store
    from narrascope.store.store import iter_batches

    errors: list[InputError] = []
    others: list[Path] = []
    added = duplicates = 0
    with Store(db) as store, progress_bar(stderr, "Ingesting", total=None) as advance:
        for batch in iter_batches(iter_articles(paths, errors, distinct=False, others=others), INGEST_BATCH):
            result = store.ingest(batch, source=source)
            added, duplicates = added + result.added, duplicates + result.duplicates
            advance(len(batch))
        total = store.counts()["articles"]
    for error in errors:
        fail(str(error))
    summary = f"{added} new article(s), {duplicates} already stored; {total} in {store.name}"
    stderr.print(summary + (f"; {others_skipped(others)}" if others else ""), highlight=False)
    if errors:
        raise click.exceptions.Exit(EXIT_INPUT_ERROR)


def analyse_database(
    db: str, engine: str, workers: int | None, scheduler: str | None, batch_size: int = 64, *, fast: bool = False
) -> None:
    """``narrascope analyze --db``: analyse what is pending (by the ``fast`` engine's models, or the default's), then
    summarise the corpus."""
    from narrascope.batch import analyse_store, models_key
    from narrascope.pipeline import load
    from narrascope.progress import progress_bar
    from narrascope.store import Store

    with Store(db, must_exist=True) as store:
        pending = store.count_pending(models_key(load(engine="fast" if fast else "default")))
        with progress_bar(stderr, f"Analysing ({engine})", total=pending) as advance:
            result = analyse_store(
                store,
                engine=engine,
                workers=workers,
                scheduler=scheduler,
                progress=advance,
                batch_size=batch_size,
                fast=fast,
            )
        counts = store.counts()
        if not fast:
            _group_stories(store)
        stderr.print(
            f"{result.analysed} article(s) analysed in {result.seconds:.1f} s ({result.rate:.1f}/s, {result.workers} "
            f"worker(s), {engine}); {counts['analyses']} of {counts['articles']} analysed in {store.name}",
            highlight=False,
        )
        from narrascope.store.stats import label_totals
        from narrascope.store.store import OFF_TOPIC, SCOPE_LEVEL, UNSUPPORTED_LANGUAGE
        from narrascope.store.trends import trends

        points = trends(store, by="month", include_undated=True)
        scope = label_totals(store, SCOPE_LEVEL)
    totals: dict[str, int] = {}
    for point in points:
        totals[point.label] = totals.get(point.label, 0) + point.count
    table = Table(title="Narratives in the corpus", title_justify="left")
    table.add_column("narrative")
    table.add_column("articles", justify="right")
    for label, count in sorted(totals.items(), key=lambda item: -item[1])[:15]:
        table.add_row(label, str(count))
    stdout.print(table)
    if scope:
        stdout.print(
            f"Not in the table: {scope.get(OFF_TOPIC, 0)} article(s) not about the war or climate (no narrative); "
            f"{scope.get(UNSUPPORTED_LANGUAGE, 0)} in languages narrascope was not trained on.",
            style="dim",
            highlight=False,
        )


def _group_stories(store: Any) -> None:
    """Put the newly analysed articles into stories (``narrascope stories``), so the API and pages list them."""
    from narrascope.similarity.index import NoVectorsError
    from narrascope.similarity.stories import update_stories

    try:
        done = update_stories(store)
    except NoVectorsError:  # nothing analysed by the reading engine yet
        return
    if done.clustered:
        stderr.print(f"{done.clustered} article(s) grouped into stories ({done.started} new)", highlight=False)


@click.command(context_settings=CONTEXT)
@click.argument("query", default="")
@db_option
@filter_options
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--offset", default=0, type=click.IntRange(0))
@click.option("--format", "-f", "output_format", type=click.Choice(["text", "json", "csv"]), default="text")
def search(query: str, db: str, limit: int, offset: int, output_format: str, **filters: Any) -> None:
    """Full-text search of the corpus: ranked hits with snippets. "Quoted phrases" match as phrases; a word ending
    in * matches every word that starts with it (Ukrain* finds Ukraine and Ukrainian).

    \b
    Examples:
      narrascope search "troops to Ukraine" --since 2024-01-01
      narrascope search "Ukrain*" --lang en
      narrascope search --narrative "Discrediting Ukraine" --lang ru --format csv
      narrascope search --entity Macron --role Antagonist
    """
    from narrascope.store import Store
    from narrascope.store.search import MARK_END, MARK_START, check_query
    from narrascope.store.search import search as run_search

    try:
        check_query(query)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="QUERY") from None
    chosen = build_filters(**filters)
    with Store(db, must_exist=True) as store:
        hits = run_search(store, query, chosen, limit=limit, offset=offset)
    if output_format == "json":
        for hit in hits:
            sys.stdout.write(json.dumps(_hit_record(hit), ensure_ascii=False) + "\n")
        return
    if output_format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(_hit_record(hits[0]) if hits else ["id"]))
        writer.writeheader()
        for hit in hits:
            record = _hit_record(hit)
            record["narratives"] = ";".join(hit.narratives)
            writer.writerow(record)
        return
    if not hits:
        stderr.print("No matching articles.", style="dim")
        return
    for number, hit in enumerate(hits, start=offset + 1):
        details = " · ".join(str(x) for x in (hit.source, hit.language, hit.published) if x)
        stdout.print(f"[bold]{number}. {_escape(hit.title or hit.article_id)}[/bold]  [dim]{_escape(details)}[/dim]")
        snippet = _escape(hit.snippet).replace(MARK_START, "[bold yellow]").replace(MARK_END, "[/bold yellow]")
        stdout.print(f"   {snippet}", highlight=False)
        if hit.narratives:
            stdout.print(f"   [cyan]{_escape('; '.join(hit.narratives[:3]))}[/cyan]", highlight=False)


def _escape(value: str) -> str:
    from rich.markup import escape

    return escape(value)


def _hit_record(hit: Any) -> dict[str, Any]:
    from narrascope.store.search import highlights

    return {
        "id": hit.article_id,
        "title": hit.title,
        "source": hit.source,
        "language": hit.language,
        "published": hit.published.isoformat() if hit.published else None,
        "score": hit.score,
        "snippet": highlights(hit.snippet)[0],
        "narratives": list(hit.narratives),
    }


@click.command(context_settings=CONTEXT)
@db_option
@click.option(
    "--by",
    type=click.Choice(["day", "week", "month", "year"]),
    help="Period (default: from the dates: days up to 3 months, weeks up to 2 years, months up to 10, else years).",
)
@click.option("--per", type=click.Choice(["source", "lang"]), help="Split by source or language.")
@click.option("--level", type=click.Choice(["narrative", "subnarrative"]), default="narrative", show_default=True)
@click.option("--narrative", "-n", multiple=True, help="Only these narratives (part of the name will do).")
@click.option("--since", callback=_date, help="From this day (YYYY-MM-DD).")
@click.option("--until", callback=_date, help="Up to this day (YYYY-MM-DD).")
@click.option("--plot", type=output_file, help="Also draw the shares over time to this .png or .svg file.")
@include_undated_option
@click.option("--format", "-f", "output_format", type=click.Choice(["text", "json", "csv"]), default="text")
def trends(
    db: str,
    by: str | None,
    per: str | None,
    level: str,
    narrative: tuple[str, ...],
    since: date | None,
    until: date | None,
    plot: Path | None,
    include_undated: bool,
    output_format: str,
) -> None:
    """Counts and shares of narratives over time (share = articles with it / articles analysed in the period).

    An article counts on the day it was published. Articles without a publication date are left out (stderr says
    how many), or, with --include-undated, counted on the day they were ingested (search and export
    --since/--until filter on publication dates only).
    """
    from narrascope.store import Store
    from narrascope.store.trends import choose_period
    from narrascope.store.trends import trends as compute_trends

    filters = build_filters(narrative, None, None, (), (), since, until)
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise click.BadParameter("the plot file must end in .png or .svg", param_hint="--plot")
    with Store(db, must_exist=True) as store:
        split = {"lang": "language"}.get(per or "", per)
        by = by or choose_period(store, since, until, include_undated=include_undated)
        points = compute_trends(
            store,
            by,  # type: ignore[arg-type]
            split,  # type: ignore[arg-type]
            level,
            filters.narratives,
            since,
            until,
            include_undated=include_undated,
        )
        report_undated(store, include_undated, since, until)
    records = [
        {
            "period": p.period.isoformat(),
            "group": p.group,
            "label": p.label,
            "count": p.count,
            "total": p.total,
            "share": round(p.share, 4),
        }
        for p in points
    ]
    if output_format == "json":
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    elif output_format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=["period", "group", "label", "count", "total", "share"])
        writer.writeheader()
        writer.writerows(records)
    else:
        _print_trend_table(points, per)
    if plot is not None and not points:
        stderr.print(f"No chart written to {plot}: nothing to plot.", style="dim")
    elif plot is not None:
        from narrascope.plots import plot_trends

        plot_trends(points, plot, by, title=f"{level.capitalize()} share per {by}")  # type: ignore[arg-type]
        stderr.print(f"Chart written to {plot}", style="dim")


def _print_trend_table(points: list, per: str | None) -> None:
    if not points:
        stderr.print("No analysed articles in this range (run `narrascope analyze --db …` first).", style="dim")
        return
    table = Table(title="Narrative trends (count, share of the period's articles)", title_justify="left")
    table.add_column("period")
    if per:
        table.add_column(per)
    table.add_column("narrative")
    table.add_column("articles", justify="right")
    table.add_column("share", justify="right")
    for point in points:
        if point.count == 0:
            continue
        cells = [point.period.isoformat(), *([_escape(point.group or "")] if per else []), point.label]
        table.add_row(*cells, f"{point.count}/{point.total}", f"{point.share:.0%}")
    stdout.print(table)


@click.command(context_settings=CONTEXT)
@db_option
@click.option("--by", type=click.Choice(["day", "week", "month"]), default="week", show_default=True)
@click.option("--per", type=click.Choice(["source", "lang", "all"]), default="source", show_default=True)
@click.option("--window", default=8, show_default=True, type=click.IntRange(3), help="Trailing periods compared.")
@click.option(
    "--z",
    "z_threshold",
    default=3.0,
    show_default=True,
    callback=_finite,
    type=float,
    help="z-score that makes a spike.",
)
@click.option("--min-count", default=3, show_default=True, type=click.IntRange(1))
@include_undated_option
@click.option("--format", "-f", "output_format", type=click.Choice(["text", "json"]), default="text")
def alerts(
    db: str,
    by: str,
    per: str,
    window: int,
    z_threshold: float,
    min_count: int,
    include_undated: bool,
    output_format: str,
) -> None:
    """Narratives whose share spikes in the latest period, or that appear in a source for the first time.

    A spike: z = (share − mean) / max(std, 0.02) against the trailing --window periods, z ≥ --z, at least
    --min-count articles. New: a narrative a source never carried before, with at least --min-count articles.
    """
    from narrascope.store import Store
    from narrascope.store.trends import alerts as find_alerts

    split = {"lang": "language", "all": None}.get(per, per)
    with Store(db, must_exist=True) as store:
        found = find_alerts(
            store,
            by,  # type: ignore[arg-type]
            split,  # type: ignore[arg-type]
            "narrative",
            window,
            z_threshold,
            min_count,
            include_undated,
        )
        report_undated(store, include_undated)
    if output_format == "json":
        records = [
            {
                "kind": a.kind,
                "period": a.period.isoformat(),
                "group": a.group,
                "narrative": a.label,
                "count": a.count,
                "share": round(a.share, 4),
                "z_score": a.z_score,
                "baseline_share": None if a.baseline is None else round(a.baseline, 4),
            }
            for a in found
        ]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return
    if not found:
        stderr.print("No alerts for the latest period.", style="dim")
        return
    table = Table(title=f"Alerts for the {by} of {found[0].period.isoformat()}", title_justify="left")
    for name in ("kind", per if per != "all" else "scope", "narrative", "articles", "share", "baseline", "z"):
        table.add_column(name, justify="right" if name in ("articles", "share", "baseline", "z") else "left")
    for a in found:
        baseline = "" if a.baseline is None else f"{a.baseline:.0%}"
        z = "" if a.z_score is None else f"{a.z_score:.1f}"
        table.add_row(a.kind, _escape(a.group or "all"), a.label, str(a.count), f"{a.share:.0%}", baseline, z)
    stdout.print(table)


@click.command(context_settings=CONTEXT)
@db_option
@filter_options
@click.option(
    "--format", "-f", "output_format", type=click.Choice(["jsonl", "csv", "parquet", "semeval"]), required=True
)
@click.option("--out", required=True, type=output_file, help="Output file (written whole or not at all).")
def export(db: str, output_format: str, out: Path, **filters: Any) -> None:
    """Export analysed articles: jsonl (full analyses), csv / parquet (one row per article), semeval (subtask 2)."""
    from narrascope.io import refuse_overwriting_inputs
    from narrascope.store import Store
    from narrascope.store.export import export as run_export

    chosen = build_filters(**filters)
    with Store(db, must_exist=True) as store:
        refuse_overwriting_inputs(out, store.sqlite_files)
        count = run_export(store, output_format, out, chosen)  # type: ignore[arg-type]
    stderr.print(f"Exported {count} article(s) to {out}", style="dim")


@click.command(context_settings=CONTEXT)
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1), help="Server processes.")
@click.option("--private", is_flag=True, help="Reads need the token too (pages and API).")
@click.option(
    "--max-analyses",
    type=click.IntRange(1),
    expose_value=False,
    callback=lambda _, __, value: _limit("NARRASCOPE_MAX_ANALYSES", value),
    help="Analyses of long texts (over 100,000 characters; POST /api/analyze, the Analyse page) in flight at once "
    "per server process; more get 429 with Retry-After.  [default: one per core]",
)
@click.option(
    "--client-analyses",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    expose_value=False,
    callback=lambda _, __, value: _limit("NARRASCOPE_CLIENT_ANALYSES", value),
    help="Analyses in flight per client address without the token (token holders are bound by --max-analyses only).",
)
@click.option(
    "--memory",
    metavar="MB",
    type=click.IntRange(1),
    expose_value=False,
    callback=lambda _, __, value: _memory_budget(value),
    help="Memory budget of each server process: analyses run while their estimated memory fits in it, and a text "
    "longer than one analysis can afford gets 413 (without it: texts up to the size limits).",
)
@click.option(
    "--analyse/--no-analyse",
    default=True,
    show_default=True,
    help="Analyse stored articles that have no analysis in the background, one batch at a time, with the engine "
    "the corpus was analysed with (--no-analyse: leave them to `narrascope analyze --db`).",
)
def serve(db: str, host: str, port: int, workers: int, private: bool, analyse: bool) -> None:
    """Web app and HTTP API over the store (OpenAPI docs at /docs).

    Writes (POST /api/articles) need `Authorization: Bearer $NARRASCOPE_TOKEN`; without NARRASCOPE_TOKEN set,
    writes are refused. Articles stored without an analysis (posted, ingested, or left by a crash) are analysed in
    the background unless --no-analyse.
    """
    import os
    from contextlib import nullcontext

    import uvicorn

    from narrascope.api.app import app_from_environment
    from narrascope.batch.background import BackgroundAnalyser
    from narrascope.store import Store

    Store(db).close()  # fail now, in one line, if the database cannot be opened
    os.environ["NARRASCOPE_DB"] = db
    os.environ["NARRASCOPE_PRIVATE"] = "1" if private else ""
    if not os.environ.get("NARRASCOPE_TOKEN"):
        stderr.print("NARRASCOPE_TOKEN is not set: the API is read-only.", style="yellow")
    stderr.print(f"narrascope on http://{host}:{port}/ (database {db})", highlight=False)
    # One analyser for the server, in this process. With one process the app is built here, so that the analyser's
    # batches take their places from the app's limiter (--memory, --max-analyses count them); with --workers N,
    # uvicorn's worker processes build their own apps and only serve.
    app = app_from_environment() if workers == 1 else None
    limiter = app.state.limiter if app is not None else None
    with BackgroundAnalyser(db, limiter=limiter) if analyse else nullcontext():
        uvicorn.run(
            app or "narrascope.api.app:app_from_environment",
            factory=app is None,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )


def _limit(variable: str, value: int | None) -> None:
    """Pass a ``serve`` limit to the app factory (uvicorn builds the app in each worker process)."""
    import os

    if value is not None:
        os.environ[variable] = str(value)


def _memory_budget(value: int | None) -> None:
    """``--memory``: refused at once when the models and one analysis do not fit in it."""
    from narrascope.api.limits import affordable_chars

    if value is not None:
        try:
            affordable_chars(value)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
    _limit("NARRASCOPE_MEMORY_MB", value)


COMMANDS = (ingest, search, trends, alerts, export, serve)
