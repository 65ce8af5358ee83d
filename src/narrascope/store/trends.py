"""Narrative trends over time and alerts, from the per-day counts the store keeps (``label_counts`` per source and
language, ``daily_label_counts`` over all of them).

Share = articles with the label / articles analysed, in the same period (and group, when split by source or
language). Articles without a publication date are left out unless asked for (``include_undated``, then they count
on the day they were ingested): a corpus ingested at once would otherwise pile them on one day, a spike that is not
news. :func:`undated` says how many there are. Alerts use two rules, both on the latest period:

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
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select

from narrascope.store.schema import ARTICLES_LEVEL, daily_label_counts, label_counts, undated_label_counts
from narrascope.store.store import Store

Period = Literal["day", "week", "month", "year"]
#: The bucket for a span of days: the finest that keeps a chart at about a hundred points or fewer.
BUCKETS: tuple[tuple[int, Period], ...] = ((92, "day"), (731, "week"), (3653, "month"))
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


def as_date(value: Any) -> date:
    """Period starts come back as ISO strings (SQLite), timestamps (PostgreSQL date_trunc) or dates."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.date()
    return value


def period_expression(dialect: str, day: Any, by: Period) -> Any:
    """The SQL expression of the period start of ``day`` (a date column), so that the database does the grouping."""
    if dialect == "postgresql":
        return (day if by == "day" else func.date_trunc(by, day)).label("period")
    if by == "week":  # SQLite: back to Monday
        return func.date(day, "weekday 0", "-6 days").label("period")
    if by == "month":
        return func.strftime("%Y-%m-01", day).label("period")
    if by == "year":
        return func.strftime("%Y-01-01", day).label("period")
    return day.label("period")


def period_for(first: date, last: date) -> Period:
    """The bucket for articles from ``first`` to ``last``: days up to 3 months, weeks up to 2 years, months up to 10
    years, else years (weekly buckets over 20 years are a thousand points no one can read)."""
    span = (last - first).days
    return next((period for days, period in BUCKETS if span <= days), "year")


def period_starts(first: date, last: date, by: Period) -> list[date]:
    """Every period start from the period of ``first`` to ``last`` (those without articles too: a chart shows them
    as gaps)."""
    start = {
        "day": first,
        "week": first - timedelta(days=first.weekday()),
        "month": first.replace(day=1),
        "year": first.replace(month=1, day=1),
    }[by]
    starts = []
    while start <= last:
        starts.append(start)
        if by in ("day", "week"):
            start += timedelta(days=1 if by == "day" else 7)
        elif by == "month":
            start = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        else:
            start = date(start.year + 1, 1, 1)
    return starts


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
    include_undated: bool = False,
) -> list[TrendPoint]:
    """Counts and totals per period (× group) and label, oldest first; every label present in every period.

    ``languages`` / ``sources`` keep those articles only (totals too, so shares stay shares within them). Articles
    without a publication date are taken out (the count tables hold them on their ingest day) unless
    ``include_undated``."""
    within = (since, until, languages, sources)
    counts, totals = _sums(store, by, per, level, labels, *within, include_undated=include_undated)
    names = sorted({name for (_period_start, _group, name), count in counts.items() if count > 0})
    return [
        TrendPoint(period, group, name, counts.get((period, group, name), 0), total)
        for (period, group), total in sorted(totals.items())
        if total > 0
        for name in names
    ]


def choose_period(
    store: Store,
    since: date | None = None,
    until: date | None = None,
    languages: Sequence[str] = (),
    sources: Sequence[str] = (),
    include_undated: bool = False,
) -> Period:
    """:func:`period_for` the days that :func:`trends` with these filters would count articles on (``week`` when
    there are none)."""
    within = (since, until, languages, sources)
    _, totals = _sums(store, "day", None, ARTICLES_LEVEL, (), *within, include_undated=include_undated)
    days = [day for (day, _group), total in totals.items() if total > 0]
    return period_for(min(days), max(days)) if days else "week"


def _sums(
    store: Store,
    by: Period,
    per: Split,
    level: str,
    labels: Sequence[str],
    since: date | None,
    until: date | None,
    languages: Sequence[str],
    sources: Sequence[str],
    include_undated: bool,
) -> tuple[dict[tuple[date, str, str], int], dict[tuple[date, str], int]]:
    """Label counts per (period, group, label) and article totals per (period, group), from the count tables."""
    table = daily_label_counts if per is None and not languages and not sources else label_counts
    counts: dict[tuple[date, str, str], int] = defaultdict(int)
    totals: dict[tuple[date, str], int] = defaultdict(int)
    for counted, sign in ((table, 1), *(() if include_undated else ((undated_label_counts, -1),))):
        group_column = None if per is None else counted.c[per]
        columns = [period_expression(store.dialect, counted.c.day, by), counted.c.level, counted.c.name]
        if group_column is not None:
            columns.append(group_column)
        query = select(*columns, func.sum(counted.c.count).label("count")).group_by(*columns)
        query = query.where(counted.c.level.in_([level, ARTICLES_LEVEL]))
        query = _within(query, counted, since, until, languages, sources)
        if labels:
            query = query.where(counted.c.name.in_([*labels, ""]))
        for row in store.execute(query):
            key = (as_date(row["period"]), row[group_column.name] if group_column is not None else "")
            if row["level"] == ARTICLES_LEVEL:
                totals[key] += sign * int(row["count"])
            else:
                counts[(*key, row["name"])] += sign * int(row["count"])
    return counts, totals


def undated(
    store: Store,
    since: date | None = None,
    until: date | None = None,
    languages: Sequence[str] = (),
    sources: Sequence[str] = (),
) -> int:
    """Analysed articles without a publication date within the filters (``since`` / ``until``: the day they were
    ingested), the ones :func:`trends` leaves out unless asked to count them."""
    count = func.coalesce(func.sum(undated_label_counts.c.count), 0).label("count")
    query = select(count).where(undated_label_counts.c.level == ARTICLES_LEVEL)
    (row,) = store.execute(_within(query, undated_label_counts, since, until, languages, sources))
    return int(row["count"])


def _within(
    query: Any,
    table: Any,
    since: date | None = None,
    until: date | None = None,
    languages: Sequence[str] = (),
    sources: Sequence[str] = (),
) -> Any:
    """``query`` on a count table narrowed to days, languages and sources."""
    if since:
        query = query.where(table.c.day >= since)
    if until:
        query = query.where(table.c.day <= until)
    if languages:
        query = query.where(table.c.language.in_(languages))
    if sources:
        query = query.where(table.c.source.in_(sources))
    return query


def alerts(
    store: Store,
    by: Period = "week",
    per: Split = "source",
    level: str = "narrative",
    window: int = 8,
    z_threshold: float = 3.0,
    min_count: int = 3,
    include_undated: bool = False,
) -> list[Alert]:
    """Spikes and first appearances in the latest period (see the module docstring), strongest first."""
    points = trends(store, by=by, per=per, level=level, include_undated=include_undated)
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
