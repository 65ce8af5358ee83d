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


COMMANDS = (similar,)
