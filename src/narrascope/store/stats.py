"""Corpus overviews for dashboards and the API: totals, top actors, what a narrative's articles look like."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, desc, func, select

from narrascope.store.schema import actors, articles, daily_label_counts, label_counts, labels
from narrascope.store.search import NO_FILTERS, Filters, conditions
from narrascope.store.store import ARTICLES_LEVEL, Store


@dataclass(frozen=True, slots=True)
class ActorCount:
    key: str  # the stored actor key: its page is /actors/{page_id(key)}
    name: str
    main_role: str
    articles: int


def label_totals(store: Store, level: str = "narrative") -> dict[str, int]:
    """Articles per label over the whole corpus, most frequent first."""
    query = (
        select(daily_label_counts.c.name, func.sum(daily_label_counts.c.count).label("count"))
        .where(daily_label_counts.c.level == level)
        .group_by(daily_label_counts.c.name)
        .order_by(desc("count"))
    )
    return {row["name"]: int(row["count"]) for row in store.execute(query) if row["count"]}


def analysed_by(store: Store, column: str) -> dict[str, int]:
    """Analysed articles per ``source`` or ``language``, most first (``""``: articles without one)."""
    field = label_counts.c[column]
    query = (
        select(field.label("key"), func.sum(label_counts.c.count).label("count"))
        .where(label_counts.c.level == ARTICLES_LEVEL)
        .group_by(field)
        .order_by(desc("count"))
    )
    return {row["key"] or "": int(row["count"]) for row in store.execute(query) if row["count"]}


def top_actors(
    store: Store, filters: Filters = NO_FILTERS, role: str | None = None, limit: int = 20
) -> list[ActorCount]:
    """Actors named in the most articles (within ``filters``), by main role; ``role``: main or fine role."""
    query = (
        select(
            actors.c.key,
            func.max(actors.c.name).label("name"),
            actors.c.main_role,
            func.count(func.distinct(actors.c.article)).label("articles"),
        )
        .join(articles, articles.c.id == actors.c.article)
        .where(*conditions(filters))
        .group_by(actors.c.key, actors.c.main_role)
        .order_by(desc("articles"), "name")
        .limit(limit)
    )
    if role:
        query = query.where((actors.c.main_role == role) | actors.c.fine_roles.contains(role))
    return [ActorCount(row["key"], row["name"], row["main_role"], int(row["articles"])) for row in store.execute(query)]


def top_sources(store: Store, label: str, limit: int = 10) -> list[tuple[str, int]]:
    """Sources publishing the most articles with ``label``."""
    query = (
        select(articles.c.source, func.count().label("count"))
        .join(labels, and_(labels.c.article == articles.c.id, labels.c.name == label))
        .group_by(articles.c.source)
        .order_by(desc("count"))
        .limit(limit)
    )
    return [(row["source"] or "(unknown)", int(row["count"])) for row in store.execute(query)]
