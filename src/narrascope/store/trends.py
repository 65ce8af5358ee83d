"""Narrative trends over time and alerts, from the per-day counts the store keeps (``label_counts`` per source and
language, ``daily_label_counts`` over all of them).

Share = articles with the label / articles analysed, in the same period (and group, when split by source or
language). Alerts use two rules, both on the latest period:

* **spike**: z = (share − mean) / max(std, 0.02) over the trailing ``window`` periods before it (needs at least
  three of them); an alert when z ≥ ``z_threshold`` and the label has at least ``min_count`` articles;
* **new**: a label seen in a source for the first time (the source has earlier periods, none with the label),
  with at least ``min_count`` articles.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import func, select

from narrascope.store.schema import daily_label_counts, label_counts
from narrascope.store.store import ARTICLES_LEVEL, Store

Period = Literal["day", "week", "month"]
Split = Literal["source", "language"] | None
#: Smallest standard deviation of a trailing window, so a flat history does not make every blip a spike.
MIN_STD = 0.02


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: date  # first day of the period
    group: str  # source or language, "" when not split
    label: str
    count: int
    total: int  # articles analysed in this period and group

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class Alert:
    kind: Literal["spike", "new"]
    period: date
    group: str
    label: str
    count: int
    share: float
    z_score: float | None  # spikes only
    baseline: float | None  # mean share over the trailing window (spikes only)


def _as_date(value: Any) -> date:
    """Period starts come back as ISO strings (SQLite), timestamps (PostgreSQL date_trunc) or dates."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.date()
    return value


def _period(dialect: str, day: Any, by: Period) -> Any:
    """The SQL expression of the period start of ``day`` (a date column), so that the database does the grouping."""
    if dialect == "postgresql":
        return (day if by == "day" else func.date_trunc(by, day)).label("period")
    if by == "week":  # SQLite: back to Monday
        return func.date(day, "weekday 0", "-6 days").label("period")
    if by == "month":
        return func.strftime("%Y-%m-01", day).label("period")
    return day.label("period")


def trends(
    store: Store,
    by: Period = "week",
    per: Split = None,
    level: str = "narrative",
    labels: Sequence[str] = (),
    since: date | None = None,
    until: date | None = None,
    languages: Sequence[str] = (),
    sources: Sequence[str] = (),
) -> list[TrendPoint]:
    """Counts and totals per period (× group) and label, oldest first; every label present in every period.

    ``languages`` / ``sources`` keep those articles only (totals too, so shares stay shares within them)."""
    table = daily_label_counts if per is None and not languages and not sources else label_counts
    group_column = None if per is None else table.c[per]
    period = _period(store.dialect, table.c.day, by)
    columns = [period, table.c.level, table.c.name]
    if group_column is not None:
        columns.append(group_column)
    query = (
        select(*columns, func.sum(table.c.count).label("count"))
        .where(table.c.level.in_([level, ARTICLES_LEVEL]))
        .group_by(*columns)
    )
    if since:
        query = query.where(table.c.day >= since)
    if until:
        query = query.where(table.c.day <= until)
    if labels:
        query = query.where(table.c.name.in_([*labels, ""]))
    if languages:
        query = query.where(table.c.language.in_(languages))
    if sources:
        query = query.where(table.c.source.in_(sources))
    counts: dict[tuple[date, str, str], int] = defaultdict(int)
    totals: dict[tuple[date, str], int] = defaultdict(int)
    names: set[str] = set()
    for row in store.execute(query):
        key = (_as_date(row["period"]), row[group_column.name] if group_column is not None else "")
        if row["level"] == ARTICLES_LEVEL:
            totals[key] += int(row["count"])
        elif row["count"]:
            counts[(*key, row["name"])] += int(row["count"])
            names.add(row["name"])
    return [
        TrendPoint(period, group, name, counts.get((period, group, name), 0), total)
        for (period, group), total in sorted(totals.items())
        if total > 0
        for name in sorted(names)
    ]


def alerts(
    store: Store,
    by: Period = "week",
    per: Split = "source",
    level: str = "narrative",
    window: int = 8,
    z_threshold: float = 3.0,
    min_count: int = 3,
) -> list[Alert]:
    """Spikes and first appearances in the latest period (see the module docstring), strongest first."""
    points = trends(store, by=by, per=per, level=level)
    if not points:
        return []
    latest = max(point.period for point in points)
    series: dict[tuple[str, str], list[TrendPoint]] = defaultdict(list)
    for point in points:
        series[(point.group, point.label)].append(point)
    found = []
    for (group, label), history in series.items():
        current = history[-1]
        if current.period != latest or current.count < min_count:
            continue
        before = [point for point in history[:-1] if point.period < latest]
        if per == "source" and before and not any(point.count for point in before):
            found.append(Alert("new", latest, group, label, current.count, current.share, None, None))
            continue
        trailing = [point.share for point in before[-window:]]
        if len(trailing) < 3:
            continue
        mean = statistics.fmean(trailing)
        z = (current.share - mean) / max(statistics.pstdev(trailing), MIN_STD)
        if z >= z_threshold:
            found.append(Alert("spike", latest, group, label, current.count, current.share, round(z, 2), mean))
    return sorted(found, key=lambda alert: (alert.kind != "spike", -(alert.z_score or 0), -alert.count))
