"""Full-text search with filters: FTS5 (bm25) on SQLite, tsvector (ts_rank) on PostgreSQL.

User queries never reach SQL as text: words, "quoted phrases" and prefixes (``Ukrain*``) are parsed here and passed
as bound parameters in each engine's own query syntax.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, column, exists, false, func, literal, literal_column, select, table, text
from sqlalchemy.engine import Connection

from narrascope.store.article_ref import ArticleRef, ref_fields
from narrascope.store.schema import actors, analyses, articles, labels
from narrascope.store.store import TECHNIQUE_LEVEL, Store
from narrascope.tasks.entities.canonical import actor_key, canonical
from narrascope.tasks.entities.context import entity_key
from narrascope.text.tokens import WORD, token_spans

#: Around highlighted words in snippets; presentation layers turn them into bold text or <mark>, or use
#: :func:`highlights` (JSON).
MARK_START, MARK_END = "\x02", "\x03"
_MARKS = re.compile(f"([{MARK_START}{MARK_END}])")
_TERM = re.compile(r'"([^"]+)"|(\S+)')
_PREFIX = re.compile(rf"(?:{WORD.pattern})\*$")
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
    techniques: tuple[str, ...] = ()  # persuasion techniques (any of them)


NO_FILTERS = Filters()


@dataclass(frozen=True, slots=True)
class Hit(ArticleRef):
    snippet: str
    score: float
    narratives: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Term:
    """A word or "quoted phrase" of a query (a phrase has several words); ``prefix``: its last word was written with
    a trailing ``*`` and matches any word that starts with it (``Ukrain*`` finds Ukraine and Ukrainian)."""

    words: tuple[str, ...]
    prefix: bool = False


def parse_terms(query: str) -> list[Term]:
    """The query as terms: ``a "b c" d*`` → ``a``, the phrase ``b c`` and the prefix ``d``."""
    terms = []
    for phrase, word in _TERM.findall(query):
        written = phrase or word
        words = WORD.findall(written)
        if words:
            terms.append(Term(tuple(words), bool(_PREFIX.search(written))))
    return terms


def highlights(snippet: str) -> tuple[str, list[tuple[int, int]]]:
    """A snippet's plain text and the ``(start, end)`` offsets (half-open) of its highlighted matches in it."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    length, start = 0, None
    for piece in _MARKS.split(snippet):
        if piece == MARK_START:
            start = length
        elif piece == MARK_END:
            if start is not None and start < length:
                spans.append((start, length))
            start = None
        else:
            pieces.append(piece)
            length += len(piece)
    return "".join(pieces), spans


def marked_html(snippet: str) -> str:
    """A snippet as HTML: its matches in ``<mark>``, all text escaped (so the markup is only ours)."""
    plain, spans = highlights(snippet)
    pieces, last = [], 0
    for start, end in spans:
        pieces += [html.escape(plain[last:start]), "<mark>", html.escape(plain[start:end]), "</mark>"]
        last = end
    return "".join([*pieces, html.escape(plain[last:])])


def check_query(query: str) -> None:
    """A :class:`ValueError` for a query that has text but no word to search for (``*``, ``"``, an emoji). The user
    commands call it first: :func:`search` answers such a query like an empty one, with the newest articles, which
    would look like matches."""
    if query.strip() and not parse_terms(query):
        raise ValueError(f"{query!r} has no words to search for")


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


def _sqlite_search(store: Store, terms: list[Term], filters: Filters, limit: int, offset: int) -> list[Hit]:
    fts5 = " ".join('"' + " ".join(term.words) + '"' + ("*" if term.prefix else "") for term in terms)
    matches = text("articles_fts MATCH :match").bindparams(match=fts5)
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


#: PostgreSQL first tests this many of the newest articles (within the filters) for matches.
SAMPLE = 2000
#: How much wider than the sampled density suggests the id range of the bitmap scan is made.
_RANGE_MARGIN = 1.5
_search_vector = literal_column("articles.search")


def _postgres_pool(store: Store, tsquery: Any, filters: Filters) -> list[int]:
    """Ids of the ``RANKED_POOL`` newest matches, by whichever of two plans is cheap for this query.

    A common word is found fastest by walking the newest articles backwards and testing each one; a rarer word by
    bitmap scans (the GIN index ANDed with an id range and the filter indexes), which touch only matching rows but
    pay for every match in the range. No single plan suits both (the planner's own choice took seconds under a
    selective filter), so the walk over the ``SAMPLE`` newest articles decides: enough matches there and it is
    done; otherwise the match density it saw sizes the id range of the bitmap scan, widened to the whole corpus
    only if that range still holds too few.
    """
    within = conditions(filters)
    newest = (
        select(articles.c.id, _search_vector.label("search"))
        .where(*within)
        .order_by(articles.c.id.desc())
        .limit(SAMPLE)
        .subquery("newest")
    )
    walked = select(newest.c.id).where(newest.c.search.op("@@")(tsquery)).order_by(newest.c.id.desc())
    matching = select(articles.c.id).where(_search_vector.op("@@")(tsquery), *within)
    matching = matching.order_by(articles.c.id.desc()).limit(RANKED_POOL)

    def pool(connection: Connection) -> list[int]:
        ids = list(connection.execute(walked.limit(RANKED_POOL)).scalars())
        if len(ids) == RANKED_POOL:
            return ids
        oldest_walked = connection.execute(select(func.min(newest.c.id))).scalar()
        if oldest_walked is None:  # nothing within the filters
            return ids
        last = connection.execute(select(func.max(articles.c.id))).scalar() or 0
        density = (len(ids) + 1) / (last - oldest_walked + 1)
        span = int(_RANGE_MARGIN * RANKED_POOL / density)  # an int: a float bound would keep the pk index unused
        connection.execute(text("SET LOCAL enable_indexscan = off"))  # bitmap scans only
        if span < last:
            ids = list(connection.execute(matching.where(articles.c.id > last - span)).scalars())
            if len(ids) == RANKED_POOL:
                return ids
        return list(connection.execute(matching).scalars())

    return store.transaction(pool)


def _postgres_search(store: Store, terms: list[Term], filters: Filters, limit: int, offset: int) -> list[Hit]:
    tsquery = func.to_tsquery("simple", " & ".join(_tsquery_term(term) for term in terms))
    pool = _postgres_pool(store, tsquery, filters)
    if not pool:
        return []
    ranked = (
        _base(NO_FILTERS)
        .where(articles.c.id.in_(pool))
        .add_columns(articles.c.text, func.ts_rank(_search_vector, tsquery).label("score"))
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


def _tsquery_term(term: Term) -> str:
    """``'b' <-> 'c':*`` for a phrase ``b c*``: quoted lexemes in sequence (words hold no quote or operator)."""
    return " <-> ".join(f"'{word}'" for word in term.words) + (":*" if term.prefix else "")


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
    if filters.techniques:
        used = (labels.c.article == articles.c.id, labels.c.level == TECHNIQUE_LEVEL)
        where.append(exists().where(*used, labels.c.name.in_(filters.techniques)))
    if filters.entity or filters.role:
        mention = actors.alias("mention")  # its own name, so a query already reading ``actors`` keeps its FROM
        actor = [mention.c.article == articles.c.id]
        if filters.entity and not entity_key(filters.entity):  # no letters or digits ("%", "😀"): names no one
            return [*where, false()]
        if filters.entity:
            actor.append(_names_the_actor(mention.c.key, filters.entity))
        if filters.role:
            actor.append((mention.c.main_role == filters.role) | mention.c.fine_roles.contains(filters.role))
        where.append(exists().where(and_(*actor)))
    return where


#: The longest run of the query's words tried as a whole stored name (bounds the query's parameters).
MAX_NAME_WORDS = 4


def _names_the_actor(stored: Any, entity: str) -> Any:
    """Whether a stored actor key names the actor an entity filter names. A name of the canonical table is that
    actor ("Россия", "Moscow" and "russia" are Russia, not the "Russian Council"); other names match
    word-aligned: the filter starts a word of the stored name ("vlad" is in "vladimir putin"; "us" is not in
    "russia"), or the stored name is a run of the filter's words, canonical ones included ("kolomoisky" for "Igor
    Kolomoisky", "united states" for "US Army")."""
    known = canonical(entity, any_case=True)
    if known:
        return stored == known.key
    words = [token for _, _, token in token_spans(entity)]
    key = entity_key(entity)
    runs = {
        actor_key(" ".join(words[start:end]), any_case=True)
        for start in range(len(words))
        for end in range(start + 1, min(start + MAX_NAME_WORDS, len(words)) + 1)
    }
    return (literal(" ") + stored).contains(" " + key, autoescape=True) | stored.in_(runs)


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
            **ref_fields(row, "pk"),
            snippet=" ".join(str(row["snippet"] or "").split()),
            score=round(float(row["score"] or 0.0), 4),
            narratives=tuple(names.get(row["pk"], ())),
        )
        for row in rows
    ]
