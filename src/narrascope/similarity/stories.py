"""Stories in the corpus: articles grouped by :mod:`~narrascope.similarity.clustering`, stored and listed.

:func:`update_stories` is incremental: articles with a vector and no story yet are clustered in publication order,
joining the stories still open at their date (stories are read back from ``stories``) or starting new ones. When
the clustering parameters or the encoder change, every story is rebuilt from scratch; ``rebuild=True`` forces it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.engine import Connection

from narrascope.similarity.centre import centre_version, centred
from narrascope.similarity.clustering import StoryState, assign
from narrascope.similarity.index import NO_VECTORS_HINT, NoVectorsError
from narrascope.similarity.similar import ScoredArticle
from narrascope.store import Store
from narrascope.store.article_ref import ARTICLE_LANGUAGE, ref_columns, ref_fields
from narrascope.store.schema import analyses, article_vectors, articles, stories, story_articles, trend_day
from narrascope.store.store import VECTOR_DTYPE

#: Cosine (of centred vectors, see :mod:`~narrascope.similarity.centre`) to a story's centroid at which an article
#: joins it: the best B-cubed F1 on the cross-lingual same-story set of ``benchmarks/bench_stories.py`` (0.73, purity
#: 0.94; chosen on that small set itself, so an optimistic figure). Lower values chain articles of one topic together.
THRESHOLD = 0.65
#: Days after its last article that a story stays open.
WINDOW_DAYS = 3
CENTROID_DTYPE = np.dtype("<f4")
#: An article's language: declared, else detected by its analysis.


@dataclass(frozen=True, slots=True)
class StoryUpdate:
    clustered: int  # articles put into stories by this update
    started: int  # stories it started
    rebuilt: bool
    seconds: float


@dataclass(frozen=True, slots=True)
class Story:
    id: int
    headline: str  # the title of the article nearest the centroid
    representative: int | None
    size: int
    first_day: date
    last_day: date
    languages: tuple[str, ...]
    outlets: tuple[str, ...]


def _params(encoder: str, threshold: float, window: int) -> str:
    return f"{encoder};centre={centre_version(encoder)};threshold={threshold:g};window={window}"


def update_stories(
    store: Store, threshold: float = THRESHOLD, window: int = WINDOW_DAYS, rebuild: bool = False
) -> StoryUpdate:
    """Cluster the articles not in a story yet (all of them when ``rebuild`` or the parameters changed)."""
    started_at = time.perf_counter()

    def work(connection: Connection) -> StoryUpdate:
        latest = connection.execute(
            select(article_vectors.c.encoder).order_by(article_vectors.c.id.desc()).limit(1)
        ).scalar()
        if latest is None:
            raise NoVectorsError(f"{store.name} has no article vectors ({NO_VECTORS_HINT})")
        params = _params(latest, threshold, window)
        other = connection.execute(select(stories.c.id).where(stories.c.params != params).limit(1)).first()
        rebuilding = rebuild or other is not None
        if rebuilding:
            connection.execute(delete(story_articles))
            connection.execute(delete(stories))
        pks, days, vectors = _unclustered(connection, latest)
        if not len(pks):
            return StoryUpdate(0, 0, rebuilding, time.perf_counter() - started_at)
        state, ids = _open_stories(connection, params, int(days[0]) - window, vectors.shape[1])
        known = state.count
        rows, similarities = assign(state, days, vectors, threshold, window)
        ids += _insert_stories(connection, state, known, params)
        connection.execute(
            story_articles.insert(),
            [
                {"article": int(pk), "story": ids[row], "similarity": float(similarity)}
                for pk, row, similarity in zip(pks, rows, similarities, strict=True)
            ],
        )
        touched = sorted({ids[row] for row in rows})
        _save_changes(connection, state, {ids[row]: row for row in range(known)}, touched)
        _choose_representatives(connection, touched)
        return StoryUpdate(len(pks), state.count - known, rebuilding, time.perf_counter() - started_at)

    return store.transaction(work)


def _unclustered(connection: Connection, encoder: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Articles with a vector by ``encoder`` and no story: pks, day ordinals and centred vectors, in publication
    order."""
    rows = connection.execute(
        select(articles.c.id, articles.c.published, articles.c.ingested_at, ARTICLE_LANGUAGE, article_vectors.c.vector)
        .select_from(article_vectors.join(articles, articles.c.id == article_vectors.c.article))
        .outerjoin(analyses, analyses.c.article == article_vectors.c.article)
        .outerjoin(story_articles, story_articles.c.article == article_vectors.c.article)
        .where(article_vectors.c.encoder == encoder, story_articles.c.article.is_(None))
    ).all()
    ordered = sorted(
        (trend_day(published, ingested).toordinal(), pk, language, vector)
        for pk, published, ingested, language, vector in rows
    )
    if not ordered:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 0), np.float32)
    vectors = np.frombuffer(b"".join(row[3] for row in ordered), VECTOR_DTYPE).reshape(len(ordered), -1)
    return (
        np.array([row[1] for row in ordered], np.int64),
        np.array([row[0] for row in ordered], np.int64),
        centred(vectors, encoder, [row[2] for row in ordered]),
    )


def _open_stories(connection: Connection, params: str, since: int, dims: int) -> tuple[StoryState, list[int]]:
    """The stored stories still open at day ordinal ``since``, as a state to cluster into; their ids by row."""
    rows = connection.execute(
        select(stories.c.id, stories.c.centroid, stories.c.size, stories.c.first_day, stories.c.last_day)
        .where(stories.c.params == params, stories.c.last_day >= date.fromordinal(since))
        .order_by(stories.c.id)
    ).all()
    state = StoryState(dims)
    if rows:
        state.add(
            np.frombuffer(b"".join(row[1] for row in rows), CENTROID_DTYPE).reshape(len(rows), -1),
            np.array([row[2] for row in rows]),
            np.array([row[3].toordinal() for row in rows]),
            np.array([row[4].toordinal() for row in rows]),
        )
    return state, [row[0] for row in rows]


def _story_row(state: StoryState, row: int) -> dict[str, Any]:
    return {
        "centroid": state.sums[row].astype(CENTROID_DTYPE).tobytes(),
        "size": int(state.sizes[row]),
        "first_day": date.fromordinal(int(state.first[row])),
        "last_day": date.fromordinal(int(state.last[row])),
    }


def _insert_stories(connection: Connection, state: StoryState, known: int, params: str) -> list[int]:
    """Insert the stories started by this update (rows ``known`` on); their new ids, in row order."""
    if state.count == known:
        return []
    statement = stories.insert().returning(stories.c.id, sort_by_parameter_order=True)
    values = [{"params": params, **_story_row(state, row)} for row in range(known, state.count)]
    return [row[0] for row in connection.execute(statement, values)]


def _save_changes(connection: Connection, state: StoryState, known: dict[int, int], touched: list[int]) -> None:
    """Write the centroid, size and days of the stories that were open before and took new articles."""
    rows = [{"story_id": story, **_story_row(state, known[story])} for story in touched if story in known]
    if rows:
        connection.execute(
            update(stories)
            .where(stories.c.id == bindparam("story_id"))
            .values(
                centroid=bindparam("centroid"),
                size=bindparam("size"),
                first_day=bindparam("first_day"),
                last_day=bindparam("last_day"),
            ),
            rows,
        )


def _choose_representatives(connection: Connection, touched: list[int]) -> None:
    """Set each touched story's representative: the member nearest its centroid (the lowest row number on a tie)."""
    best: dict[int, tuple[float, int]] = {}
    for chunk in range(0, len(touched), 5000):
        part = touched[chunk : chunk + 5000]
        rows = connection.execute(
            select(
                story_articles.c.story,
                story_articles.c.article,
                article_vectors.c.encoder,
                ARTICLE_LANGUAGE,
                article_vectors.c.vector,
                stories.c.centroid,
            )
            .select_from(
                story_articles.join(article_vectors, article_vectors.c.article == story_articles.c.article)
                .join(stories, stories.c.id == story_articles.c.story)
                .join(articles, articles.c.id == story_articles.c.article)
            )
            .outerjoin(analyses, analyses.c.article == story_articles.c.article)
            .where(story_articles.c.story.in_(part))
        ).all()
        for story, pk, encoder, language, vector, centroid in rows:
            member = centred(np.frombuffer(vector, VECTOR_DTYPE), encoder, language)
            score = float(member @ np.frombuffer(centroid, CENTROID_DTYPE))
            if story not in best or (score, -pk) > (best[story][0], -best[story][1]):
                best[story] = (score, pk)
    if best:
        connection.execute(
            update(stories).where(stories.c.id == bindparam("story_id")).values(representative=bindparam("pk")),
            [{"story_id": story, "pk": pk} for story, (_, pk) in sorted(best.items())],
        )


def _members(*conditions: Any) -> Select:
    """Story members joined with their article (and its analysed language), within ``conditions``."""
    return (
        select(story_articles.c.story)
        .select_from(story_articles.join(articles, articles.c.id == story_articles.c.article))
        .outerjoin(analyses, analyses.c.article == story_articles.c.article)
        .where(*conditions)
    )


def list_stories(
    store: Store,
    since: date | None = None,
    until: date | None = None,
    languages: Sequence[str] = (),
    sources: Sequence[str] = (),
    limit: int = 50,
    offset: int = 0,
) -> list[Story]:
    """Stories with at least one article within the filters (publication dates, languages, outlets), largest
    first, then the latest."""
    conditions = []
    if since is not None:
        conditions.append(articles.c.published >= since)
    if until is not None:
        conditions.append(articles.c.published <= until)
    if languages:
        conditions.append(ARTICLE_LANGUAGE.in_(list(languages)))
    if sources:
        conditions.append(articles.c.source.in_(list(sources)))
    query = _summaries().order_by(stories.c.size.desc(), stories.c.last_day.desc(), stories.c.id)
    if conditions:
        query = query.where(stories.c.id.in_(_members(*conditions)))
    return _stories(store, store.execute(query.limit(limit).offset(offset)))


def story(store: Store, story_id: int) -> tuple[Story, list[ScoredArticle]] | None:
    """A story and its articles in publication order (similarity: to its centroid when each joined), or None."""
    found = _stories(store, store.execute(_summaries().where(stories.c.id == story_id)))
    if not found:
        return None
    rows = store.execute(
        select(*ref_columns(), story_articles.c.similarity)
        .select_from(story_articles.join(articles, articles.c.id == story_articles.c.article))
        .outerjoin(analyses, analyses.c.article == articles.c.id)
        .where(story_articles.c.story == story_id)
        .order_by(articles.c.published, articles.c.id)
    )
    members = [ScoredArticle(**ref_fields(row), similarity=row["similarity"]) for row in rows]
    return found[0], members


def _summaries() -> Select:
    return select(
        stories.c.id,
        stories.c.size,
        stories.c.first_day,
        stories.c.last_day,
        stories.c.representative,
        articles.c.title,
        articles.c.article_id,
    ).outerjoin(articles, articles.c.id == stories.c.representative)


def _stories(store: Store, rows: list[Any]) -> list[Story]:
    """Stories of summary rows, with the languages and outlets of their articles."""
    ids = [row["id"] for row in rows]
    languages: dict[int, set[str]] = defaultdict(set)
    outlets: dict[int, set[str]] = defaultdict(set)
    if ids:
        query = _members(story_articles.c.story.in_(ids)).add_columns(ARTICLE_LANGUAGE, articles.c.source).distinct()
        for story_id, language, source in (tuple(row.values()) for row in store.execute(query)):
            if language:
                languages[story_id].add(language)
            if source:
                outlets[story_id].add(source)
    return [
        Story(
            id=row["id"],
            headline=row["title"] or row["article_id"] or "",
            representative=row["representative"],
            size=row["size"],
            first_day=row["first_day"],
            last_day=row["last_day"],
            languages=tuple(sorted(languages[row["id"]])),
            outlets=tuple(sorted(outlets[row["id"]])),
        )
        for row in rows
    ]
