"""How the corpus casts one actor: its roles over time, by outlet and by language, and the articles that cast it.

The counts come from the ``actors`` table (one row per actor and analysed article, keyed by the canonical actor),
so "Россия", "Moscow" and "Russia" count as one actor; the sentences come from the stored analysis JSON, whose
mentions carry their context sentence as the evidence of their role.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import desc, func, select

from narrascope.store.article_ref import ArticleRef, ref_fields
from narrascope.store.schema import actors, analyses, articles
from narrascope.store.store import Store, stored_actor_key
from narrascope.store.trends import Period, as_date, period_expression, period_for, period_starts
from narrascope.tasks.entities.canonical import canonical

MAIN_ROLES = ("Protagonist", "Antagonist", "Innocent")
#: Fine roles listed on a profile, most frequent first.
TOP_FINE_ROLES = 8


@dataclass(frozen=True, slots=True)
class RoleCounts:
    """Articles casting the actor in each main role within one group: a period (its first day, ISO), an outlet or
    a language (``""``: articles without one)."""

    group: str
    roles: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.roles.values())


@dataclass(frozen=True, slots=True)
class CastingArticle(ArticleRef):
    """An article naming the actor: the role it casts it in and the sentences that do (its mentions' evidence)."""

    main_role: str
    fine_roles: tuple[str, ...]
    names: tuple[str, ...]  # how this article writes the actor
    sentences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActorProfile:
    key: str
    name: str
    kind: str | None  # country, organisation, group or person for a canonical actor; None for other names
    articles: int
    roles: dict[str, int]  # main role → articles (an article casting the actor in two roles counts in both)
    fine_roles: list[tuple[str, int]]  # the most frequent fine roles → articles
    period: Period
    over_time: list[RoleCounts]  # every period from the first to the last dated article, oldest first
    undated: int  # articles without a publication date: not in ``over_time``
    by_outlet: list[RoleCounts]  # most articles first
    by_language: list[RoleCounts]
    recent: list[CastingArticle]  # newest first


def actor_profile(store: Store, key: str, limit: int = 20) -> ActorProfile | None:
    """The profile of the actor stored under ``key`` (see :func:`stored_actor_key`), with its ``limit`` newest articles;
    None when no analysed article names it."""
    summary = store.execute(
        select(
            func.max(actors.c.name).label("name"),
            func.count(func.distinct(actors.c.article)).label("articles"),
            func.min(articles.c.published).label("first"),
            func.max(articles.c.published).label("last"),
        )
        .join(articles, articles.c.id == actors.c.article)
        .where(actors.c.key == key)
    )[0]
    if not summary["articles"]:
        return None
    period: Period = "month"
    over_time: list[RoleCounts] = []
    if summary["first"] is not None:
        first, last = as_date(summary["first"]), as_date(summary["last"])
        period = period_for(first, last)
        by_period = period_expression(store.dialect, articles.c.published, period)
        counted = {
            row.group: row
            for row in _role_counts(store, key, by_period, _day_name, (articles.c.published.isnot(None),))
        }
        over_time = [
            counted.get(start.isoformat(), RoleCounts(start.isoformat(), dict.fromkeys(MAIN_ROLES, 0)))
            for start in period_starts(first, last, period)
        ]
    (overall,) = _role_counts(store, key)
    found = canonical(summary["name"])
    return ActorProfile(
        key=key,
        name=summary["name"],
        kind=found.kind if found else None,
        articles=int(summary["articles"]),
        roles=overall.roles,
        fine_roles=_fine_roles(store, key),
        period=period,
        over_time=over_time,
        undated=_undated(store, key),
        by_outlet=_role_counts(store, key, articles.c.source),
        by_language=_role_counts(store, key, articles.c.language),
        recent=_recent(store, key, limit),
    )


def _day_name(value: Any) -> str:
    """A period's first day as ISO text (SQLite gives text, PostgreSQL a timestamp)."""
    return as_date(value).isoformat()


def _text_name(value: str | None) -> str:
    return value or ""


def _role_counts(
    store: Store, key: str, group: Any = None, name: Callable[[Any], str] = _text_name, where: tuple[Any, ...] = ()
) -> list[RoleCounts]:
    """Articles per ``group`` (an expression over ``articles``; None: all in one group, named ``""``) and main role,
    the groups with most articles first; ``name`` turns a group value into its name."""
    grouping = () if group is None else (group.label("grp"),)
    query = (
        select(*grouping, actors.c.main_role, func.count(func.distinct(actors.c.article)).label("n"))
        .join(articles, articles.c.id == actors.c.article)
        .where(actors.c.key == key, *where)
        .group_by(*grouping, actors.c.main_role)
    )
    counts: dict[str, dict[str, int]] = {}
    for row in store.execute(query):
        roles = counts.setdefault(name(row["grp"]) if group is not None else "", dict.fromkeys(MAIN_ROLES, 0))
        roles[row["main_role"]] = roles.get(row["main_role"], 0) + int(row["n"])
    ranked = sorted(counts.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return [RoleCounts(group_name, roles) for group_name, roles in ranked]


def _fine_roles(store: Store, key: str) -> list[tuple[str, int]]:
    """The most frequent fine roles, by articles. They are stored comma-separated: the database groups the few
    distinct combinations, Python splits them."""
    query = (
        select(actors.c.fine_roles, func.count(func.distinct(actors.c.article)).label("n"))
        .where(actors.c.key == key, actors.c.fine_roles != "")
        .group_by(actors.c.fine_roles)
    )
    counts: Counter[str] = Counter()
    for row in store.execute(query):
        for role in row["fine_roles"].split(","):
            counts[role] += int(row["n"])
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_FINE_ROLES]


def _undated(store: Store, key: str) -> int:
    query = (
        select(func.count(func.distinct(actors.c.article)).label("n"))
        .join(articles, articles.c.id == actors.c.article)
        .where(actors.c.key == key, articles.c.published.is_(None))
    )
    return int(store.execute(query)[0]["n"])


def _recent(store: Store, key: str, limit: int) -> list[CastingArticle]:
    """The newest articles naming the actor (undated ones last), with the sentences that cast it."""
    naming = select(actors.c.article).where(actors.c.key == key)
    query = (
        select(
            articles.c.id,
            articles.c.article_id,
            articles.c.title,
            articles.c.source,
            articles.c.language,
            articles.c.published,
            analyses.c.analysis,
        )
        .join(analyses, analyses.c.article == articles.c.id)
        .where(articles.c.id.in_(naming))
        .order_by(articles.c.published.desc().nulls_last(), desc(articles.c.id))
        .limit(limit)
    )
    found = []
    for row in store.execute(query):
        casting = _casting(json.loads(row["analysis"]), key)
        if casting is not None:
            found.append(CastingArticle(**ref_fields(row), **casting))
    return found


def _casting(analysis: dict[str, Any], key: str) -> dict[str, Any] | None:
    """How a stored analysis (JSON) casts the actor ``key``: the role of its actor entry, the names the article
    uses and the evidence sentences of its mentions, in text order; None if no actor entry has that key (the
    store keys actors by :func:`stored_actor_key` of their name, as here)."""
    actors_named = enumerate(analysis.get("actors", ()))
    entries = [(index, actor) for index, actor in actors_named if stored_actor_key(actor["name"]) == key]
    if not entries:
        return None
    indices = {index for index, _ in entries}
    mentions = sorted(
        (mention for mention in analysis.get("mentions", ()) if mention.get("actor") in indices),
        key=lambda mention: mention["span"]["start"],
    )
    sentences = [span["text"] for mention in mentions for span in mention["main_role"].get("evidence", ())]
    _, actor = entries[0]
    names = [name for _, entry in entries for name in entry.get("aliases") or (entry["name"],)]
    return {
        "main_role": actor["main_role"]["name"],
        "fine_roles": tuple(label["name"] for label in actor.get("fine_roles", ())),
        "names": tuple(dict.fromkeys(names)),
        "sentences": tuple(dict.fromkeys(" ".join(text.split()) for text in sentences)),
    }
