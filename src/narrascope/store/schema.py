"""The corpus schema (SQLAlchemy Core), its full-text index per dialect, and a minimal migration scheme.

Tables:

* ``articles`` — one row per distinct text (``content_hash`` is unique: the same text ingested twice is one article);
* ``analyses`` — the latest :class:`~narrascope.document.Analysis` of an article as JSON, with the model versions
  that made it (``models``), so a changed model marks the article for re-analysis;
* ``labels`` / ``actors`` — narratives and actor roles of each analysis, flattened for filters;
* ``label_counts`` — per day × source × language × label counts kept up to date with every analysis written, so
  trend and alert queries read a few thousand rows per source instead of millions of labels;
* ``daily_label_counts`` — the same counts summed over sources and languages (day × label), which is what trends
  not split by source or language read: about a hundred times fewer rows again;
* ``undated_label_counts`` — the part of ``label_counts`` that comes from articles without a publication date
  (counted on the day they were ingested), so trends can leave them out: all on one day, they make a false spike;
* ``article_vectors`` — the article's embedding by the reading engine's encoder (float16 bytes), with the encoder
  version; analyses by the fast engine have none. ``id`` grows with every row written, so a process that caches
  the vectors sees from ``count`` and ``max(id)`` whether rows were added or replaced since it read them;
* ``analysis_failures`` — why an article could not be analysed (by ``serve``'s background analyser), until an
  analysis of it is stored;
* ``stories`` / ``story_articles`` — articles grouped into stories by their vectors (see
  :mod:`narrascope.similarity.stories`): each story's centroid (float32 sum of its unit vectors), size, first and
  last day, representative article and the clustering parameters that made it; each article's story.

:func:`add_counts` keeps the three count tables in step with the analyses.

Full text: SQLite uses an external-content FTS5 table kept in sync by triggers (its tokenizer keeps combining
marks in words, see :data:`SQLITE_FULLTEXT`); PostgreSQL a generated ``tsvector`` column with a GIN index.
Migrations are numbered functions recorded in ``schema_version``; opening a store applies the missing ones in one
transaction.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from narrascope.tasks.entities.canonical import canonical

#: Largest row number (and useful offset) of the stores: PostgreSQL's ``integer`` keys.
MAX_ROW = 2**31 - 1
metadata = MetaData()

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(512), nullable=False),
    Column("content_hash", String(32), nullable=False, unique=True),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("language", String(16)),
    Column("source", String(256)),
    Column("url", Text),
    Column("published", Date),
    Column("ingested_at", DateTime, nullable=False, server_default=func.current_timestamp()),
    Index("ix_articles_published", "published"),
    Index("ix_articles_source", "source"),
    Index("ix_articles_article_id", "article_id"),
)

analysis_failures = Table(
    "analysis_failures",
    metadata,
    Column("article", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("error", Text, nullable=False),
    Column("failed_at", DateTime, nullable=False, server_default=func.current_timestamp()),
)

analyses = Table(
    "analyses",
    metadata,
    Column("article", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("models", String(512), nullable=False),
    Column("language", String(16)),
    Column("analysis", Text, nullable=False),
    Column("analysed_at", DateTime, nullable=False, server_default=func.current_timestamp()),
    Index("ix_analyses_models", "models"),
)

labels = Table(
    "labels",
    metadata,
    Column("article", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("level", String(16), nullable=False),  # narrative | subnarrative
    Column("name", String(256), nullable=False),
    Column("confidence", Float, nullable=False),
    Index("ix_labels_article", "article"),
    Index("ix_labels_name", "name", "article"),
)

actors = Table(
    "actors",
    metadata,
    Column("article", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(512), nullable=False),
    Column("key", String(512), nullable=False),  # lower-cased, transliterated: matches across scripts
    Column("main_role", String(32), nullable=False),
    Column("fine_roles", String(512), nullable=False),  # comma-separated
    Column("mentions", Integer, nullable=False),
    Index("ix_actors_article", "article"),
    Index("ix_actors_key", "key", "main_role"),
)

article_vectors = Table(
    "article_vectors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("encoder", String(128), nullable=False),
    Column("vector", LargeBinary, nullable=False),  # little-endian float16
    sqlite_autoincrement=True,  # never reuse the id of a deleted last row: the cache would not see the change
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("params", String(256), nullable=False),  # encoder, threshold and window that made it
    Column("centroid", LargeBinary, nullable=False),  # little-endian float32 sum of the members' vectors
    Column("size", Integer, nullable=False),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("representative", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    Index("ix_stories_last_day", "last_day"),
)

story_articles = Table(
    "story_articles",
    metadata,
    Column("article", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("story", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("similarity", Float, nullable=False),  # to the story's centroid when the article joined it
    Index("ix_story_articles_story", "story"),
)

#: Level name of the per-cell article count in the count tables (the denominator of shares); its name is ``""``.
ARTICLES_LEVEL = "articles"


def _count_table(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("day", Date, nullable=False, primary_key=True),
        Column("source", String(256), nullable=False, primary_key=True),
        Column("language", String(16), nullable=False, primary_key=True),
        Column("level", String(16), nullable=False, primary_key=True),
        Column("name", String(256), nullable=False, primary_key=True),
        Column("count", Integer, nullable=False),
    )


label_counts = _count_table("label_counts")
undated_label_counts = _count_table("undated_label_counts")
#: Trend queries read one level over a range of days: this index covers them without touching the table.
label_counts_by_level = Index(
    "ix_label_counts_level_day",
    label_counts.c.level,
    label_counts.c.day,
    label_counts.c.source,
    label_counts.c.language,
    label_counts.c.name,
    label_counts.c.count,
)

daily_label_counts = Table(
    "daily_label_counts",
    metadata,
    Column("day", Date, nullable=False, primary_key=True),
    Column("level", String(16), nullable=False, primary_key=True),
    Column("name", String(256), nullable=False, primary_key=True),
    Column("count", Integer, nullable=False),
)

schema_version = Table("schema_version", metadata, Column("version", Integer, primary_key=True))

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5("
    "title, text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END",
)
_POSTGRES_FTS = (
    "ALTER TABLE articles ADD COLUMN IF NOT EXISTS search tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple', coalesce(title, '') || ' ' || text)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_articles_search ON articles USING gin (search)",
)


logger = logging.getLogger(__name__)


def _announce(connection: Connection, work: str) -> None:
    """Say what a slow migration of an existing corpus is doing, so a long silent pause is not taken for a hang.
    Logged as a warning: Python's last-resort handler prints it to stderr even when nothing configured logging."""
    if connection.execute(select(articles.c.id).limit(1)).first():
        logger.warning("Upgrading the corpus database: %s…", work)


def _create_tables(connection: Connection) -> None:
    metadata.create_all(connection, tables=[articles, analyses, labels, actors, label_counts])
    for statement in _SQLITE_FTS if connection.dialect.name == "sqlite" else _POSTGRES_FTS:
        connection.execute(text(statement))


def _index_label_counts(connection: Connection) -> None:
    label_counts_by_level.create(connection, checkfirst=True)


def _add_daily_label_counts(connection: Connection) -> None:
    daily_label_counts.create(connection, checkfirst=True)
    by_day = (label_counts.c.day, label_counts.c.level, label_counts.c.name)
    summed = select(*by_day, func.sum(label_counts.c.count)).group_by(*by_day)
    connection.execute(daily_label_counts.insert().from_select(["day", "level", "name", "count"], summed))


#: The SQLite full-text index, version 2. Its token characters are letters, numbers, private use and combining marks:
#: unicode61's default leaves the marks out, which split Hindi words at every vowel sign ("रूस" was indexed as
#: "र" + "स", so it also matched "रास" and searched the index's two commonest tokens). PostgreSQL's parser keeps them.
SQLITE_FULLTEXT = (
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='id', "
    "tokenize=\"unicode61 remove_diacritics 2 categories 'L* N* Co M*'\")"
)
#: Bytes of new index terms FTS5 gathers in memory before it writes a segment. The default (1 MB) writes several
#: small segments per 1,000-article ingest batch that merges then copy again; 16 MB writes one.
SQLITE_FTS_HASHSIZE = 16 * 1024 * 1024


def _rebuild_sqlite_fulltext(connection: Connection) -> None:
    """SQLite: recreate the full-text index as :data:`SQLITE_FULLTEXT` and re-index every article (the triggers that
    keep it in sync name the table, so they carry over)."""
    if connection.dialect.name != "sqlite":
        return
    _announce(connection, "rebuilding the full-text index (about 4 minutes per million articles)")
    connection.execute(text("DROP TABLE articles_fts"))
    connection.execute(text(SQLITE_FULLTEXT))
    connection.execute(
        text("INSERT INTO articles_fts(articles_fts, rank) VALUES ('hashsize', :size)").bindparams(
            size=SQLITE_FTS_HASHSIZE
        )
    )
    connection.execute(text("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')"))


def _count_undated_apart(connection: Connection) -> None:
    """Copy the counts of the undated articles analysed so far into ``undated_label_counts``."""
    undated_label_counts.create(connection, checkfirst=True)
    _announce(connection, "counting the articles without a publication date apart")
    cells: Counter[tuple[date, str, str, str, str]] = Counter()
    for (day, source, language, _dated, level, name), n in counted_analyses(
        connection, articles.c.published.is_(None)
    ).items():
        cells[(day, source, language, level, name)] += n
    _upsert_counts(connection, undated_label_counts, cells, sign=1)


def _add_article_vectors(connection: Connection) -> None:
    article_vectors.create(connection, checkfirst=True)


def _add_stories(connection: Connection) -> None:
    metadata.create_all(connection, tables=[stories, story_articles])


def _key_actors_canonically(connection: Connection) -> None:
    """Re-key the stored actors by their canonical actor ("Россия", "Moscow" → Russia), so entity filters and
    actor pages find what older analyses named in any form; names the canonical table does not know keep theirs."""
    names = connection.execute(select(actors.c.name).distinct()).scalars().all()
    for name in names:
        found = canonical(name)
        if found:
            connection.execute(update(actors).where(actors.c.name == name).values(name=found.name, key=found.key))


def _add_analysis_failures(connection: Connection) -> None:
    analysis_failures.create(connection, checkfirst=True)


#: PostgreSQL advisory-lock key that serialises migrations.
MIGRATION_LOCK = 7_302_025
#: Migration n (1-based) brings the schema from version n-1 to n. Append, never edit.
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (
    _create_tables,
    _index_label_counts,
    _add_daily_label_counts,
    _rebuild_sqlite_fulltext,
    _count_undated_apart,
    _add_article_vectors,
    _add_stories,
    _key_actors_canonically,
    _add_analysis_failures,
)


def migrate(connection: Connection) -> int:
    """Apply the missing migrations; returns the schema version now in place."""
    if connection.dialect.name == "postgresql":  # one migrating process at a time (released at commit)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=MIGRATION_LOCK))
    schema_version.create(connection, checkfirst=True)
    current = connection.execute(select(func.max(schema_version.c.version))).scalar() or 0
    for number in range(current + 1, len(MIGRATIONS) + 1):
        MIGRATIONS[number - 1](connection)
        connection.execute(schema_version.insert().values(version=number))
    return len(MIGRATIONS)


#: A change to the trend counts: (day, source, language, dated, level, name) → articles.
CountChange = Counter[tuple[date, str, str, bool, str, str]]


def trend_day(published: date | None, ingested_at: datetime | date | None) -> date:
    """The day an article counts on in trends: published, else ingested."""
    if published is not None:
        return published
    if isinstance(ingested_at, datetime):
        return ingested_at.date()
    return ingested_at or date.today()


def counted_analyses(connection: Connection, where: Any) -> CountChange:
    """What the stored analyses selected by ``where`` (a condition on ``articles`` / ``analyses``) add to the trend
    counts: one article in its cell, and one per label."""
    rows = connection.execute(
        select(
            analyses.c.article,
            articles.c.published,
            articles.c.ingested_at,
            articles.c.source,
            analyses.c.language,
            labels.c.level,
            labels.c.name,
        )
        .select_from(analyses.join(articles, articles.c.id == analyses.c.article))
        .outerjoin(labels, labels.c.article == analyses.c.article)
        .where(where)
    ).all()
    counts: CountChange = Counter()
    seen: set[int] = set()
    for pk, published, ingested_at, source, language, level, name in rows:
        cell = (trend_day(published, ingested_at), source or "", language or "", published is not None)
        if pk not in seen:
            seen.add(pk)
            counts[(*cell, ARTICLES_LEVEL, "")] += 1
        if level is not None:
            counts[(*cell, level, name)] += 1
    return counts


def add_counts(connection: Connection, counts: CountChange, sign: int) -> None:
    """Add ``sign`` × ``counts`` to ``label_counts`` and ``daily_label_counts``, and the undated articles' part also
    to ``undated_label_counts``."""
    cells: Counter[tuple[date, str, str, str, str]] = Counter()
    daily: Counter[tuple[date, str, str]] = Counter()
    undated: Counter[tuple[date, str, str, str, str]] = Counter()
    for (day, source, language, dated, level, name), n in counts.items():
        cells[(day, source, language, level, name)] += n
        daily[(day, level, name)] += n
        if not dated:
            undated[(day, source, language, level, name)] += n
    for table, changes in ((label_counts, cells), (daily_label_counts, daily), (undated_label_counts, undated)):
        _upsert_counts(connection, table, changes, sign)


def _upsert_counts(connection: Connection, table: Table, cells: Counter, sign: int) -> None:
    """Add ``sign`` × the counts keyed by ``table``'s primary key to it."""
    if not cells:
        return
    keys = [column.name for column in table.primary_key]
    statement = dialect_insert(connection.dialect.name, table)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={"count": table.c.count + statement.excluded["count"]}
    )
    rows = [{**dict(zip(keys, cell, strict=True)), "count": sign * n} for cell, n in sorted(cells.items())]
    connection.execute(statement, rows)


def dialect_insert(dialect: str, table: Table) -> Any:
    """The dialect's own INSERT, which has ON CONFLICT (SQLite and PostgreSQL spell it alike in SQLAlchemy)."""
    return (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table)
