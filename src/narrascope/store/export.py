"""Exporting analysed articles: JSONL (full analyses), CSV and Parquet (one row per article), SemEval subtask 2.

Every format is written to a temporary file and moved into place at the end, so an interrupted export never
leaves a half-written file under the requested name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from narrascope.document import Analysis
from narrascope.io.files import atomic_writer
from narrascope.io.semeval import NarrativeAnnotation, write_narrative_annotations
from narrascope.store.search import NO_FILTERS, Filters, analysed
from narrascope.store.store import Store, article_from_row

Format = Literal["jsonl", "csv", "parquet", "semeval"]
COLUMNS = (
    "id",
    "title",
    "source",
    "language",
    "published",
    "url",
    "narratives",
    "subnarratives",
    "actors",
    "models",
)


def iter_analyses(store: Store, filters: Filters = NO_FILTERS) -> Iterator[tuple[Analysis, str]]:
    """Stored analyses within ``filters`` with the model versions that made them, in ingest order."""
    for row in store.execute(analysed(filters)):
        data = json.loads(row["analysis"])
        data["article"] = article_from_row(row).to_dict()
        yield Analysis.from_dict(data), row["models"]


def flat_row(analysis: Analysis, models: str) -> dict[str, Any]:
    """One article as a flat record: labels joined with ``;``, actors as ``name (Role)``."""
    article = analysis.article
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source or "",
        "language": analysis.language or "",
        "published": article.published.isoformat() if article.published else "",
        "url": article.url or "",
        "narratives": ";".join(label.name for label in analysis.narratives),
        "subnarratives": ";".join(label.name for label in analysis.subnarratives),
        "actors": ";".join(f"{actor.name} ({actor.main_role.name})" for actor in analysis.actors),
        "models": models,
    }


def export(store: Store, output_format: Format, out: str | Path, filters: Filters = NO_FILTERS) -> int:
    """Write the analysed articles within ``filters`` to ``out``; returns how many."""
    rows = iter_analyses(store, filters)
    if output_format == "semeval":
        items = [
            NarrativeAnnotation(
                analysis.article.id,
                tuple(label.name for label in analysis.narratives),
                tuple(label.name for label in analysis.subnarratives),
            )
            for analysis, _ in rows
        ]
        write_narrative_annotations(out, items)
        return len(items)
    if output_format == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        records = [flat_row(analysis, models) for analysis, models in rows]
        table = pa.Table.from_pylist(records, schema=pa.schema([(name, pa.string()) for name in COLUMNS]))
        with atomic_writer(out, binary=True) as stream:
            pq.write_table(table, stream)
        return len(records)
    count = 0
    with atomic_writer(out) as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS) if output_format == "csv" else None
        if writer is not None:
            writer.writeheader()
        for analysis, models in rows:
            if writer is not None:
                writer.writerow(flat_row(analysis, models))
            else:
                stream.write(json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n")
            count += 1
    return count
