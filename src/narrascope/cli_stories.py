"""Commands over article vectors: similar articles (in any language) and stories."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

import click
from rich.table import Table

from narrascope.cli_corpus import _date, _escape, db_option
from narrascope.console import CONTEXT, stderr, stdout

format_option = click.option(
    "--format", "-f", "output_format", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True
)
languages_option = click.option("--lang", "languages", multiple=True, help="Language code (en, ru, …); repeatable.")


def write_records(records: Sequence[dict[str, Any]], output_format: str) -> None:
    """JSON (one object per line) or CSV on stdout; list values are joined with ``;`` in CSV."""
    if output_format == "json":
        for record in records:
            sys.stdout.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        return
    if not records:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]))
    writer.writeheader()
    for record in records:
        writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in record.items()})


@click.command(context_settings=CONTEXT)
@click.argument("article")
@db_option
@languages_option
@click.option("--since", callback=_date, help="Published on or after (YYYY-MM-DD).")
@click.option("--until", callback=_date, help="Published on or before (YYYY-MM-DD).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@format_option
def similar(
    article: str,
    db: str,
    languages: tuple[str, ...],
    since: date | None,
    until: date | None,
    limit: int,
    output_format: str,
) -> None:
    """Stored articles most like ARTICLE (its row number or its id), in any language: the cosine of the reading
    engine's article vectors, which puts a story and its translation close together."""
    from narrascope.similarity.similar import resolve_article, similar_articles
    from narrascope.store import Store

    with Store(db, must_exist=True) as store:
        pk = resolve_article(store, article)
        found = similar_articles(store, pk, tuple(x.lower() for x in languages), since, until, limit)
    records = [
        {
            "pk": s.pk,
            "id": s.article_id,
            "title": s.title,
            "source": s.source,
            "language": s.language,
            "published": s.published.isoformat() if s.published else None,
            "similarity": round(s.similarity, 4),
        }
        for s in found
    ]
    if output_format != "text":
        write_records(records, output_format)
        return
    table = Table(title=f"Articles similar to {article}", title_justify="left")
    for name in ("similarity", "pk", "language", "source", "published", "title"):
        table.add_column(name, justify="right" if name in ("similarity", "pk") else "left")
    for r in records:
        table.add_row(
            f"{r['similarity']:.3f}",
            str(r["pk"]),
            r["language"] or "",
            _escape(r["source"] or ""),
            r["published"] or "",
            _escape(r["title"] or r["id"]),
        )
    stdout.print(table)
    if not records:
        stderr.print("No similar articles.", style="dim")


def story_record(found: Any) -> dict[str, Any]:
    """A :class:`~narrascope.similarity.stories.Story` as JSON/CSV fields."""
    return {
        "story": found.id,
        "headline": found.headline,
        "size": found.size,
        "first": found.first_day.isoformat(),
        "last": found.last_day.isoformat(),
        "languages": list(found.languages),
        "outlets": list(found.outlets),
        "representative": found.representative,
    }


@click.command(context_settings=CONTEXT)
@db_option
@click.option("--since", callback=_date, help="Stories with an article published on or after (YYYY-MM-DD).")
@click.option("--until", callback=_date, help="…on or before (YYYY-MM-DD).")
@languages_option
@click.option("--source", "sources", multiple=True, help="Stories with an article of this outlet; repeatable.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--rebuild", is_flag=True, help="Cluster every article again (the same articles give the same stories).")
@format_option
def stories(
    db: str,
    since: date | None,
    until: date | None,
    languages: tuple[str, ...],
    sources: tuple[str, ...],
    limit: int,
    rebuild: bool,
    output_format: str,
) -> None:
    """The same story across outlets and languages: articles grouped by their vectors, in publication order (an
    article joins the most similar story whose centroid is close enough and whose last article is at most 3 days
    older, or starts one). New articles are grouped first; the stories are kept in the corpus. Largest first.

    \b
    Examples:
      narrascope stories --since 2025-03-01 --until 2025-03-07
      narrascope stories --lang ru --lang en --format csv
    """
    from narrascope.similarity.index import NothingWithinError, describe_filters
    from narrascope.similarity.stories import list_stories, update_stories
    from narrascope.store import Store

    with Store(db, must_exist=True) as store:
        done = update_stories(store, rebuild=rebuild)
        if done.clustered:
            stderr.print(
                f"{done.clustered} article(s) grouped ({done.started} new stories) in {done.seconds:.1f} s",
                style="dim",
                highlight=False,
            )
        found = list_stories(store, since, until, tuple(x.lower() for x in languages), sources, limit)
    if not found:
        raise NothingWithinError(
            "no stories with articles " + (describe_filters(languages, since, until, sources) or "in the store")
        )
    records = [story_record(item) for item in found]
    if output_format != "text":
        write_records(records, output_format)
        return
    table = Table(title="Stories (largest first)", title_justify="left")
    for name in ("story", "articles", "first", "last", "languages", "outlets", "headline"):
        table.add_column(name, justify="right" if name in ("story", "articles") else "left")
    for r in records:
        outlets = ", ".join(r["outlets"][:4]) + (f" +{len(r['outlets']) - 4}" if len(r["outlets"]) > 4 else "")
        table.add_row(
            str(r["story"]),
            str(r["size"]),
            r["first"],
            r["last"],
            ", ".join(r["languages"]),
            _escape(outlets),
            _escape(r["headline"]),
        )
    stdout.print(table)


COMMANDS = (similar, stories)
