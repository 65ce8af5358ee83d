"""Full-text search with filters: FTS5 (bm25) on SQLite, tsvector (ts_rank) on PostgreSQL.

User queries never reach SQL as text: words and "quoted phrases" are parsed here and passed as bound parameters
in each engine's own query syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, column, exists, func, literal_column, select, table, text
from sqlalchemy.engine import Connection

from narrascope.store.schema import actors, analyses, articles, labels
from narrascope.store.store import Store
from narrascope.tasks.entities.context import entity_key
from narrascope.text.tokens import WORD

#: Around highlighted words in snippets; presentation layers turn them into bold text or <mark>.
MARK_START, MARK_END = "\x02", "\x03"
_TERM = re.compile(r'"([^"]+)"|(\S+)')
_fts = table("articles_fts", column("rowid"))


@dataclass(frozen=True, slots=True)
class Filters:
    """What every corpus command can be narrowed to (all optional, combined with AND)."""

    narratives: tuple[str, ...] = ()  # full label names, narrative or sub-narrative (any of them)
    entity: str | None = None  # matched against actor names, across scripts
    role: str | None = None  # Protagonist / Antagonist / Innocent, or a fine role
    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None


NO_FILTERS = Filters()


@dataclass(frozen=True, slots=True)
class Hit:
    pk: int
    article_id: str
    title: str
    source: str | None
    language: str | None
    published: date | None
    snippet: str
    score: float
    narratives: tuple[str, ...] = field(default=())


def parse_terms(query: str) -> list[list[str]]:
    """The query as terms, each a list of words (a phrase has several): ``a "b c"`` → ``[["a"], ["b", "c"]]``."""
    terms = []
    for phrase, word in _TERM.findall(query):
        words = WORD.findall(phrase or word)
        if words:
            terms.append(words)
    return terms


def search(store: Store, query: str, filters: Filters = NO_FILTERS, limit: int = 20, offset: int = 0) -> list[Hit]:
    """Ranked hits for ``query`` (all terms must match) within ``filters``; newest first without a query.

    Ranking is bounded: the ``RANKED_POOL`` most recently stored matches are ranked (bm25 / ts_rank), so a query
    matching half of a million-article corpus costs the same as a rare one.
    """
    terms = parse_terms(query)
    if not terms:
        newest = (
            articles.c.published.desc().nulls_last() if store.dialect == "postgresql" else articles.c.published.desc()
        )
        statement = _base(filters).add_columns(
            func.substr(articles.c.text, 1, 240).label("snippet"), literal_column("0.0").label("score")
        )
        return _hits(store, store.execute(statement.order_by(newest, articles.c.id.desc()).limit(limit).offset(offset)))
    if store.dialect == "sqlite":
        return _sqlite_search(store, terms, filters, limit, offset)
    return _postgres_search(store, terms, filters, limit, offset)


#: Matches ranked per query (the most recently stored ones).
RANKED_POOL = 200


def _sqlite_search(store: Store, terms: list[list[str]], filters: Filters, limit: int, offset: int) -> list[Hit]:
    matches = text("articles_fts MATCH :match").bindparams(match=" ".join('"' + " ".join(w) + '"' for w in terms))
    pool = (
        select(_fts.c.rowid.label("pk"), (-func.bm25(literal_column("articles_fts"), 2.0, 1.0)).label("score"))
        .select_from(_fts.join(articles, articles.c.id == _fts.c.rowid))
        .where(matches, *conditions(filters))
        .order_by(_fts.c.rowid.desc())
        .limit(RANKED_POOL)
        .subquery()
    )
    page = store.execute(select(pool.c.pk, pool.c.score).order_by(pool.c.score.desc()).limit(limit).offset(offset))
    if not page:
        return []
    snippets = select(
        _fts.c.rowid.label("pk"),
        func.snippet(literal_column("articles_fts"), 1, MARK_START, MARK_END, "…", 24).label("snippet"),
    ).where(matches, _fts.c.rowid.in_([row["pk"] for row in page]))
    snippet_of = {row["pk"]: row["snippet"] for row in store.execute(snippets)}
    details = {row["pk"]: row for row in store.execute(_base(NO_FILTERS).where(articles.c.id.in_(list(snippet_of))))}
    rows = [{**details[row["pk"]], "score": row["score"], "snippet": snippet_of[row["pk"]]} for row in page]
    return _hits(store, rows)


#: PostgreSQL looks for the ranked pool among the newest this many articles first, then everywhere.
RECENT_WINDOW = 20_000


def _postgres_pool(store: Store, matches: Any, filters: Filters) -> list[int]:
    """Ids of the ``RANKED_POOL`` newest matches, at a cost bounded by the number of matches.

    Left alone, the planner walks the primary key backwards and tests every article until it has found enough
    matches — thousands of tsvector tests for a query matching 1 % of the corpus, millions under a selective
    filter. Bitmap scans (GIN index ANDed with an id range and the filter indexes) touch only matching rows, so
    plain index scans are switched off for this transaction, and the id range keeps a common term from touching
    all its matches: the newest window first, the whole corpus only when that window holds too few.
    """
    newest = select(articles.c.id).where(matches, *conditions(filters)).order_by(articles.c.id.desc())

    def pool(connection: Connection) -> list[int]:
        connection.execute(text("SET LOCAL enable_indexscan = off"))
        last = connection.execute(select(func.max(articles.c.id))).scalar() or 0
        recent = newest.where(articles.c.id > last - RECENT_WINDOW).limit(RANKED_POOL)
        ids = list(connection.execute(recent).scalars())
        if len(ids) < RANKED_POOL and last > RECENT_WINDOW:
            ids = list(connection.execute(newest.limit(RANKED_POOL)).scalars())
        return ids

    return store.transaction(pool)


def _postgres_search(store: Store, terms: list[list[str]], filters: Filters, limit: int, offset: int) -> list[Hit]:
    tsquery = func.websearch_to_tsquery("simple", " ".join(_quoted(words) for words in terms))
    matches = literal_column("articles.search").op("@@")(tsquery)
    pool = _postgres_pool(store, matches, filters)
    if not pool:
        return []
    ranked = (
        _base(NO_FILTERS)
        .where(articles.c.id.in_(pool))
        .add_columns(articles.c.text, func.ts_rank(literal_column("articles.search"), tsquery).label("score"))
        .order_by(literal_column("score").desc())
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, MaxFragments=2"
    statement = select(
        *[ranked.c[name] for name in ("pk", "article_id", "title", "source", "language", "published", "score")],
        func.ts_headline("simple", ranked.c.text, tsquery, options).label("snippet"),
    ).order_by(ranked.c.score.desc())
    return _hits(store, store.execute(statement))


def _quoted(words: list[str]) -> str:
    return '"' + " ".join(words) + '"' if len(words) > 1 else words[0]


def _base(filters: Filters, select_from: Any = None) -> Select:
    statement = select(
        articles.c.id.label("pk"),
        articles.c.article_id,
        articles.c.title,
        articles.c.source,
        articles.c.language,
        articles.c.published,
    )
    statement = statement.select_from(select_from if select_from is not None else articles)
    return statement.where(*conditions(filters))


def conditions(filters: Filters) -> list[Any]:
    """SQL conditions on ``articles`` for ``filters`` (shared by search, export and the API)."""
    where: list[Any] = []
    if filters.languages:
        where.append(articles.c.language.in_(filters.languages))
    if filters.sources:
        where.append(articles.c.source.in_(filters.sources))
    if filters.since:
        where.append(articles.c.published >= filters.since)
    if filters.until:
        where.append(articles.c.published <= filters.until)
    if filters.narratives:
        where.append(exists().where(labels.c.article == articles.c.id, labels.c.name.in_(filters.narratives)))
    if filters.entity or filters.role:
        actor = [actors.c.article == articles.c.id]
        if filters.entity:
            actor.append(actors.c.key.contains(entity_key(filters.entity), autoescape=True))
        if filters.role:
            actor.append((actors.c.main_role == filters.role) | actors.c.fine_roles.contains(filters.role))
        where.append(exists().where(and_(*actor)))
    return where


def analysed(filters: Filters) -> Select:
    """Articles with an analysis within ``filters``, with the analysis JSON (for exports)."""
    return (
        select(articles, analyses.c.analysis, analyses.c.models)
        .join(analyses, analyses.c.article == articles.c.id)
        .where(*conditions(filters))
        .order_by(articles.c.id)
    )


def _hits(store: Store, rows: list[Any]) -> list[Hit]:
    names: dict[int, list[str]] = {}
    if rows:
        query = (
            select(labels.c.article, labels.c.name)
            .where(labels.c.article.in_([row["pk"] for row in rows]), labels.c.level == "narrative")
            .order_by(labels.c.article, labels.c.confidence.desc())
        )
        for row in store.execute(query):
            names.setdefault(row["article"], []).append(row["name"])
    return [
        Hit(
            pk=row["pk"],
            article_id=row["article_id"],
            title=row["title"],
            source=row["source"],
            language=row["language"],
            published=row["published"],
            snippet=" ".join(str(row["snippet"] or "").split()),
            score=round(float(row["score"] or 0.0), 4),
            narratives=tuple(names.get(row["pk"], ())),
        )
        for row in rows
    ]
