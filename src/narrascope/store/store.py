"""The corpus store: one code path over SQLite (default, embedded) and PostgreSQL (by URL).

Writes happen in batches, each in one transaction, so a crash loses at most the batch in flight and re-running
picks up where it stopped: articles are deduplicated by content hash, analyses are redone only for articles that
have none or whose model versions changed.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import bindparam, create_engine, delete, event, exists, func, select, update
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from narrascope.document import Analysis, Article, content_hash
from narrascope.errors import NarrascopeError
from narrascope.store.schema import (
    ARTICLES_LEVEL,
    CountChange,
    actors,
    add_counts,
    analyses,
    analysis_failures,
    article_vectors,
    articles,
    counted_analyses,
    dialect_insert,
    labels,
    migrate,
    trend_day,
)
from narrascope.tasks.entities.canonical import actor_key, display_name

T = TypeVar("T")

DEFAULT_DATABASE = "narrascope.db"
#: An empty file with one of these names may become a database (``touch corpus.db``); any other must be one.
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_SQLITE_HEADER = b"SQLite format 3\x00"
_RETRIES = 8


class StoreError(NarrascopeError):
    """The database cannot be opened or used (named by its URL, password hidden)."""


def database_url(value: str | Path | None) -> URL:
    """A SQLAlchemy URL from what users type: a file path (SQLite), ``sqlite:///…`` or ``postgresql://…``."""
    value = str(DEFAULT_DATABASE if value is None else value)
    if not value.strip():
        raise StoreError("the database name is empty (give a SQLite file or a postgresql:// URL)")
    if "://" not in value:
        return URL.create("sqlite", database=str(Path(value).expanduser()))
    try:
        url = make_url(value)
    except ArgumentError:
        raise StoreError(f"{value}: not a database URL (use a file path, sqlite:///file or postgresql://…)") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"{url.render_as_string(hide_password=True)}: only SQLite and PostgreSQL are supported")
    return url


@dataclass(frozen=True, slots=True)
class IngestResult:
    added: int
    duplicates: int


@dataclass(frozen=True, slots=True)
class Ingested:
    """What became of one article given to :meth:`Store.ingest_each`: its row, the id it is stored under (for a
    duplicate, the id the text was first stored with) and whether it is analysed."""

    pk: int
    article_id: str
    duplicate: bool
    analysed: bool


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article with its row number in the store (``pk``) and its day in trends (published, else ingested)."""

    pk: int
    article: Article
    day: date


ACTOR_COLUMNS = ("article", "name", "key", "main_role", "fine_roles", "mentions")


@dataclass(frozen=True, slots=True)
class AnalysisRecord:
    """What the store keeps of one analysis, ready to insert: plain strings and tuples, so workers can build it and
    send it back far more cheaply than the :class:`Analysis` object tree (and the article text it carries)."""

    pk: int
    cell: tuple[date, str, str, bool]  # day, source, language, dated (has a publication date): its trend counts
    language: str | None
    language_detected: bool  # the article declared no language: store the detected one on it
    analysis_json: str  # the analysis without the article, which the ``articles`` row already holds
    labels: tuple[tuple[str, str, float], ...]  # level, name, confidence
    actors: tuple[tuple[str, str, str, str, int], ...]  # name, key, main role, fine roles, mentions
    vector: tuple[str, bytes] | None = None  # encoder version, the article vector (see :func:`vector_bytes`)


#: How article vectors are stored: little-endian float16 (half of float32; e5's cosines change by < 0.001).
VECTOR_DTYPE = np.dtype("<f2")


def vector_bytes(vector: Any) -> bytes:
    """The stored form of an article vector."""
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def stored_actor_key(name: str) -> str:
    """The key the ``actors`` table keeps for an actor named ``name``: its canonical actor's (see
    :func:`actor_key`), cut to the column's width. Actor pages and links find stored actors by it."""
    return actor_key(name)[:512]


#: Label level of the scope decision, so corpora count what got no narrative and why (trends read other levels).
SCOPE_LEVEL = "scope"
OFF_TOPIC = "off topic"
UNSUPPORTED_LANGUAGE = "unsupported language"


def scope_labels(analysis: Analysis) -> tuple[tuple[str, str, float], ...]:
    """``scope`` rows of an analysis: off topic (no narrative applies), unsupported language (labels are guesses)."""
    scope = analysis.scope
    if scope is None:
        return ()
    return tuple(
        (SCOPE_LEVEL, name, confidence)
        for name, confidence, applies in (
            (OFF_TOPIC, round(1 - scope.confidence, 4), not scope.on_topic),
            (UNSUPPORTED_LANGUAGE, 1.0, not scope.language_supported),
        )
        if applies
    )


#: Label level of the persuasion techniques an article uses (one row per technique), for the technique filter.
TECHNIQUE_LEVEL = "technique"


def technique_labels(analysis: Analysis) -> tuple[tuple[str, str, float], ...]:
    """``technique`` rows of an analysis: each technique found, with its most confident span's confidence."""
    best: dict[str, float] = {}
    for label in analysis.techniques:
        best[label.name] = max(best.get(label.name, 0.0), label.confidence)
    return tuple((TECHNIQUE_LEVEL, name, confidence) for name, confidence in sorted(best.items()))


def analysis_record(stored: StoredArticle, analysis: Analysis) -> AnalysisRecord:
    """The record of ``analysis`` of the stored article."""
    return AnalysisRecord(
        pk=stored.pk,
        cell=(stored.day, stored.article.source or "", analysis.language or "", stored.article.published is not None),
        language=analysis.language,
        language_detected=not stored.article.language,
        analysis_json=json.dumps(_without_article_text(analysis), ensure_ascii=False),
        labels=tuple(
            (level, label.name, label.confidence)
            for level, found in (("narrative", analysis.narratives), ("subnarrative", analysis.subnarratives))
            for label in found
        )
        + scope_labels(analysis)
        + technique_labels(analysis),
        actors=tuple(
            (
                display_name(actor.name)[:512],
                stored_actor_key(actor.name),
                actor.main_role.name,
                ",".join(label.name for label in actor.fine_roles),
                len(actor.mentions),
            )
            for actor in analysis.actors
        ),
        vector=(
            None
            if analysis.vector is None
            else (analysis.models.get("encoder", "unknown")[:128], vector_bytes(analysis.vector))
        ),
    )


class Store:
    """Articles and their analyses in a SQL database (see :mod:`narrascope.store.schema`)."""

    def __init__(self, url: str | Path | None = None, *, must_exist: bool = False) -> None:
        """``must_exist``: refuse a SQLite file that is not there yet, instead of creating an empty corpus (for
        commands that only read, where a new file means a mistyped path)."""
        self.url = database_url(url)
        self.name = self.url.render_as_string(hide_password=True)
        self.dialect = self.url.get_backend_name()
        if must_exist and self.sqlite_file is not None and not self.sqlite_file.exists():
            raise StoreError(f"{self.sqlite_file}: no such database (store articles with `narrascope ingest` first)")
        self.engine = self._engine()
        self._migrate()

    def _migrate(self) -> None:
        """Bring the schema up to date. Two processes opening a new SQLite file at once both try to create it: the
        loser's transaction fails once the winner commits ("already exists", or its schema version is recorded
        twice), and its retry finds the work done."""
        for attempt in range(5):
            try:
                self._run(migrate)
                return
            except StoreError as error:
                lost_race = "already exists" in str(error) or "schema_version.version" in str(error)
                if not lost_race or attempt == 4:
                    raise
                time.sleep(0.05 * (attempt + 1))

    @property
    def sqlite_file(self) -> Path | None:
        """The database file of a SQLite store (None for PostgreSQL and in-memory SQLite)."""
        database = self.url.database
        if self.dialect != "sqlite" or not database or database == ":memory:":
            return None
        return Path(database)

    @property
    def sqlite_files(self) -> list[Path]:
        """The database file and the side files SQLite keeps beside it while open (``-wal``, ``-shm``, ``-journal``)."""
        file = self.sqlite_file
        return (
            [] if file is None else [file, *(file.with_name(file.name + side) for side in ("-wal", "-shm", "-journal"))]
        )

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------------------------------

    def ingest(self, batch: Sequence[Article], source: str | None = None) -> IngestResult:
        """Add the articles not stored yet (by content hash), in one transaction."""
        rows = _rows_by_hash(batch, source)
        added = len(self._run(lambda connection: self._insert_new(connection, rows))) if rows else 0
        return IngestResult(added, len(batch) - added)

    def ingest_each(self, batch: Sequence[Article]) -> list[Ingested]:
        """:meth:`ingest`, saying what became of each article, in order (for API clients, which need the row of
        each and the existing id of a duplicate). An article whose text came earlier in the batch is a duplicate."""
        rows = _rows_by_hash(batch, None)
        analysed = exists().where(analyses.c.article == articles.c.id).label("analysed")

        def insert_and_read(connection: Connection) -> tuple[set[str], dict[str, Any]]:
            new = self._insert_new(connection, rows)
            query = select(articles.c.id, articles.c.article_id, articles.c.content_hash, analysed)
            found = connection.execute(query.where(articles.c.content_hash.in_(list(rows)))).all()
            return new, {row.content_hash: row for row in found}

        new, stored = self._run(insert_and_read)
        result: list[Ingested] = []
        for article in batch:
            digest = content_hash(article.text)
            row = stored[digest]
            result.append(Ingested(row.id, row.article_id, digest not in new, bool(row.analysed)))
            new.discard(digest)  # the same text again in this batch is a duplicate of the first
        return result

    def _insert_new(self, connection: Connection, rows: dict[str, dict[str, Any]]) -> set[str]:
        """Insert the rows whose content hash is not stored yet; the hashes of those inserted."""
        statement = dialect_insert(self.dialect, articles).on_conflict_do_nothing(index_elements=["content_hash"])
        values = [{"content_hash": digest, **row} for digest, row in rows.items()]
        return set(connection.execute(statement.returning(articles.c.content_hash), values).scalars())

    def save_analyses(self, results: Sequence[tuple[StoredArticle, Analysis]], models: str) -> None:
        """Store analyses (replacing older ones) with their labels, actors and trend counts, in one transaction."""
        self.save_records([analysis_record(stored, analysis) for stored, analysis in results], models)

    def save_records(self, records: Sequence[AnalysisRecord], models: str) -> None:
        """:meth:`save_analyses` for analyses already turned into records (e.g. by the workers that made them)."""
        if not records:
            return

        def write(connection: Connection) -> None:
            self._forget(connection, [record.pk for record in records])
            counts: CountChange = Counter()
            label_rows, actor_rows = [], []
            for record in records:
                counts[(*record.cell, ARTICLES_LEVEL, "")] += 1
                for level, name, confidence in record.labels:
                    label_rows.append({"article": record.pk, "level": level, "name": name, "confidence": confidence})
                    counts[(*record.cell, level, name)] += 1
                actor_rows += [dict(zip(ACTOR_COLUMNS, (record.pk, *actor), strict=True)) for actor in record.actors]
            connection.execute(
                analyses.insert(),
                [
                    {"article": r.pk, "models": models, "language": r.language, "analysis": r.analysis_json}
                    for r in records
                ],
            )
            detected = [{"pk": r.pk, "detected": r.language} for r in records if r.language and r.language_detected]
            if detected:  # filters by language then work for articles that did not declare one
                connection.execute(
                    update(articles)
                    .where(articles.c.id == bindparam("pk"), articles.c.language.is_(None))
                    .values(language=bindparam("detected")),
                    detected,
                )
            if label_rows:
                connection.execute(labels.insert(), label_rows)
            if actor_rows:
                connection.execute(actors.insert(), actor_rows)
            vector_rows = [
                {"article": r.pk, "encoder": r.vector[0], "vector": r.vector[1]} for r in records if r.vector
            ]
            if vector_rows:
                connection.execute(article_vectors.insert(), vector_rows)
            add_counts(connection, counts, sign=1)
            pks = [record.pk for record in records]
            connection.execute(delete(analysis_failures).where(analysis_failures.c.article.in_(pks)))

        self._run(write)

    def _forget(self, connection: Connection, pks: Sequence[int]) -> None:
        """Remove earlier analyses of these articles, taking their labels out of the trend counts."""
        counts = counted_analyses(connection, analyses.c.article.in_(pks))
        if not counts:  # none was analysed before
            return
        add_counts(connection, counts, sign=-1)
        for table in (labels, actors, article_vectors, analyses):
            connection.execute(delete(table).where(table.c.article.in_(pks)))

    # -- reading ----------------------------------------------------------------------------------------------------

    def pending(self, models: str, batch_size: int = 256) -> Iterator[list[StoredArticle]]:
        """Batches of articles without an analysis by ``models`` (the pipeline's model versions), by row number."""
        last = 0
        while True:
            query = _stored_after(last, ~_analysed_by(models).where(analyses.c.article > last), batch_size)
            rows = self._run(lambda connection, query=query: connection.execute(query).mappings().all())
            if not rows:
                return
            last = rows[-1]["id"]
            yield [_stored_article(row) for row in rows]

    def unanalysed(self, after: int, limit: int) -> tuple[list[StoredArticle], int]:
        """Up to ``limit`` articles after row ``after`` that have no analysis at all, by row number (the queue of
        the server's background analyser), and the last row there was before they were looked for: when none is
        found, the next look can start after it."""
        never = ~exists().where(analyses.c.article == articles.c.id, analyses.c.article > after)

        def read(connection: Connection) -> tuple[list[StoredArticle], int]:
            last = connection.execute(select(func.max(articles.c.id))).scalar() or 0
            rows = connection.execute(_stored_after(after, never, limit)).mappings().all()
            return [_stored_article(row) for row in rows], last

        return self._run(read)

    def latest_models(self) -> str | None:
        """The model versions of the analysis of the latest analysed article (None before any analysis): what the
        corpus is analysed with, since switching engines redoes every analysis."""
        query = select(analyses.c.models).order_by(analyses.c.article.desc()).limit(1)
        return self._run(lambda connection: connection.execute(query).scalar())

    def count_pending(self, models: str) -> int:
        query = select(func.count()).select_from(articles).where(~_analysed_by(models))
        return self._run(lambda connection: connection.execute(query).scalar_one())

    def counts(self) -> dict[str, int]:
        """Articles and analyses stored (for reports and crash-safety checks)."""

        def read(connection: Connection) -> dict[str, int]:
            return {
                "articles": connection.execute(select(func.count()).select_from(articles)).scalar_one(),
                "analyses": connection.execute(select(func.count()).select_from(analyses)).scalar_one(),
            }

        return self._run(read)

    def analysis(self, pk: int) -> Analysis | None:
        """The stored analysis of article ``pk`` (with its article), or None."""
        found = self.stored_analysis(pk)
        return None if found is None else found[0]

    def record_failure(self, pk: int, error: str) -> None:
        """Keep why article ``pk`` could not be analysed (the last reason, 1,000 characters at most), until an
        analysis of it is stored."""

        def write(connection: Connection) -> None:
            connection.execute(delete(analysis_failures).where(analysis_failures.c.article == pk))
            connection.execute(analysis_failures.insert().values(article=pk, error=error[:1000]))

        self._run(write)

    def analysis_failure(self, pk: int) -> str | None:
        """Why article ``pk`` could not be analysed, or None (never tried, or analysed since)."""
        query = select(analysis_failures.c.error).where(analysis_failures.c.article == pk)
        return self._run(lambda connection: connection.execute(query).scalar())

    def stored_analysis(self, pk: int) -> tuple[Analysis, bool] | None:
        """Article ``pk`` with its stored analysis and True, or with an empty analysis and False when it is not
        analysed yet; None when there is no such article."""
        query = select(articles, analyses.c.analysis).outerjoin(analyses, analyses.c.article == articles.c.id)
        row = self._run(lambda connection: connection.execute(query.where(articles.c.id == pk)).mappings().first())
        if row is None:
            return None
        if row["analysis"] is None:
            return Analysis(article=article_from_row(row)), False
        data = json.loads(row["analysis"])
        data["article"] = article_from_row(row).to_dict()
        return Analysis.from_dict(data), True

    def execute(self, query: Any) -> list[Any]:
        """Rows of a read query (used by the search, trend and export modules)."""
        return self._run(lambda connection: connection.execute(query).mappings().all())

    def transaction(self, work: Callable[[Connection], T]) -> T:
        """``work(connection)`` in one transaction (e.g. queries that need a setting of their own)."""
        return self._run(work)

    # -- plumbing ---------------------------------------------------------------------------------------------------

    def _engine(self) -> Engine:
        if self.dialect == "sqlite":
            file = self.sqlite_file
            if file is not None and not file.parent.exists():
                raise StoreError(f"{self.name}: folder {file.parent} does not exist")
            if file is not None and file.is_dir():
                raise StoreError(f"{file}: is a folder, not a database file (the database comes after --db)")
            if file is not None and file.is_file() and not _may_be_database(file):
                raise StoreError(f"{file}: not a SQLite database (the database comes after --db)")
            engine = create_engine(self.url, connect_args={"timeout": 60})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(self.url, pool_pre_ping=True, connect_args={"connect_timeout": 10})

    def _run(self, work: Any) -> Any:
        """Run ``work(connection)`` in a transaction; retry when another writer holds the lock."""
        for attempt in range(_RETRIES):
            try:
                with self.engine.begin() as connection:
                    return work(connection)
            except OperationalError as error:
                if _is_lock(error) and attempt < _RETRIES - 1:
                    time.sleep(0.05 * 2**attempt)
                    continue
                raise StoreError(f"{self.name}: {_first_line(error)}") from None
            except DBAPIError as error:
                raise StoreError(f"{self.name}: {_first_line(error)}") from None
        raise AssertionError("unreachable")


def _stored_after(after: int, where: Any, limit: int) -> Any:
    """The first ``limit`` articles after row ``after`` that match ``where``, by row number."""
    return select(articles).where(articles.c.id > after, where).order_by(articles.c.id).limit(limit)


def _stored_article(row: Any) -> StoredArticle:
    return StoredArticle(row["id"], article_from_row(row), trend_day(row["published"], row["ingested_at"]))


def _analysed_by(models: str) -> Any:
    """EXISTS: the article has an analysis by these model versions (a primary-key probe per article).

    ``pending`` repeats its ``id > last`` bound inside, which lets PostgreSQL start its anti-join at ``last``.
    """
    return exists().where(analyses.c.article == articles.c.id, analyses.c.models == models)


#: WAL pages before a checkpoint (SQLite's default is 1,000). Ingest rewrites the same index pages (FTS5 segments,
#: the content-hash index) many times; checkpointing them less often copies each one fewer times: +8-10 % ingest.
WAL_AUTOCHECKPOINT_PAGES = 20_000


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    for pragma in (
        "busy_timeout=60000",
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        f"wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _may_be_database(file: Path) -> bool:
    """A SQLite database, or an empty file named like one. SQLite would take any empty file for a new database and
    write one into it: ``--db notes.txt`` must not turn a file that happens to be empty into a corpus."""
    try:
        with file.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError:  # unreadable: SQLite says why when it opens it
        return True
    return header == _SQLITE_HEADER if header else file.suffix.lower() in SQLITE_SUFFIXES


def _is_lock(error: OperationalError) -> bool:
    message = str(error.orig).lower()
    return "locked" in message or "busy" in message or "deadlock" in message


def _first_line(error: DBAPIError) -> str:
    return (str(error.orig).strip().splitlines() or ["database error"])[0]


def _rows_by_hash(batch: Sequence[Article], source: str | None) -> dict[str, dict[str, Any]]:
    """The rows of a batch by content hash (the first article of each text)."""
    rows: dict[str, dict[str, Any]] = {}
    for article in batch:
        rows.setdefault(content_hash(article.text), _article_row(article, source))
    return rows


def _article_row(article: Article, source: str | None) -> dict[str, Any]:
    return {
        "article_id": article.id[:512],
        "title": article.title,
        "text": article.text,
        "language": article.language,
        "source": article.source or source or None,
        "url": article.url,
        "published": article.published,
    }


def article_from_row(row: Any) -> Article:
    """The :class:`Article` of an ``articles`` row."""
    return Article(
        id=row["article_id"],
        text=row["text"],
        title=row["title"] or "",
        language=row["language"],
        source=row["source"],
        url=row["url"],
        published=row["published"],
    )


def _without_article_text(analysis: Analysis) -> dict[str, Any]:
    """The analysis as JSON minus the article, which the ``articles`` row already holds."""
    data = analysis.to_dict()
    data.pop("article")
    return data


def iter_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
