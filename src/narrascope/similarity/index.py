"""The nearest stored article vectors, by an exact scan of every vector that passes the filters.

Every stored vector (``article_vectors``) is loaded once per process into a FAISS flat index of float16 vectors
(the stored precision: the scan is exact, SIMD over half the bytes of float32 — numpy's float32 product takes
about 210 ms per query at 1 M vectors, this about 40 ms on one core), with the filter columns beside it
(language, publication day, encoder) as numpy arrays. Before a query the cache compares the table's row count and
largest ``id`` with what it read: new rows are appended, anything else (a re-analysed article replaced its vector,
an article was deleted) reloads the table. Vectors are compared centred (:mod:`~narrascope.similarity.centre`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import faiss
import numpy as np
from sqlalchemy import func, select

from narrascope.errors import NarrascopeError
from narrascope.similarity.centre import centred
from narrascope.store import Store
from narrascope.store.schema import analyses, article_vectors, articles
from narrascope.store.store import VECTOR_DTYPE

#: Rows read per query while loading the index (bounded memory for the byte strings in flight).
LOAD_CHUNK = 50_000
#: One thread per scan: on a shared two-core machine two OpenMP threads took 1.3–3 times as long as one.
faiss.omp_set_num_threads(1)

#: Publication day of undated articles in the day column: outside every ``since``/``until`` range.
UNDATED = -1


class SimilarityError(NarrascopeError):
    """A similar-article or story request the store cannot answer (unknown article, no vectors, empty period)."""


class NoVectorsError(SimilarityError):
    """The article (or the whole store) has no stored vector: it was analysed by the fast engine or before."""


class NothingWithinError(SimilarityError):
    """No other stored vector passes the filters (language, period)."""


NO_VECTORS_HINT = "analysed before the reading engine or with --fast: run `narrascope analyze --db` again"


@dataclass
class VectorMatrix:
    """The stored vectors of one database: row ``i`` of the index is article ``pks[i]``."""

    last_id: int = 0
    index: Any = None  # faiss.IndexScalarQuantizer (float16, inner product), made with the first rows
    pks: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    days: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    languages: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    encoders: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    codes: dict[str, int] = field(default_factory=dict)  # "lang:<code>" or "encoder:<version>" → its code

    @property
    def size(self) -> int:
        return len(self.pks)

    def code(self, name: str) -> int:
        return self.codes.setdefault(name, len(self.codes))

    def append(self, rows: list) -> None:
        """Add ``(id, article, encoder, vector bytes, language, published)`` rows."""
        if not rows:
            return
        block = np.frombuffer(b"".join(row[3] for row in rows), dtype=VECTOR_DTYPE).reshape(len(rows), -1)
        encoders = np.array([row[2] for row in rows])
        block = block.astype(np.float32)
        for encoder in np.unique(encoders):
            mine = np.flatnonzero(encoders == encoder)
            block[mine] = centred(block[mine], str(encoder), [rows[i][4] for i in mine])
        if self.index is None:
            self.index = faiss.IndexScalarQuantizer(
                block.shape[1], faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
            )
        self.index.add(block)
        self.pks = np.concatenate([self.pks, [row[1] for row in rows]]).astype(np.int64)
        days = [row[5].toordinal() if row[5] else UNDATED for row in rows]
        self.days = np.concatenate([self.days, days]).astype(np.int32)
        languages = [self.code(f"lang:{row[4] or ''}") for row in rows]
        self.languages = np.concatenate([self.languages, languages]).astype(np.int16)
        encoders = [self.code(f"encoder:{row[2]}") for row in rows]
        self.encoders = np.concatenate([self.encoders, encoders]).astype(np.int16)
        self.last_id = rows[-1][0]


@dataclass(frozen=True, slots=True)
class Neighbour:
    pk: int
    similarity: float


_ROWS = (
    select(
        article_vectors.c.id,
        article_vectors.c.article,
        article_vectors.c.encoder,
        article_vectors.c.vector,
        func.coalesce(articles.c.language, analyses.c.language),
        articles.c.published,
    )
    .select_from(article_vectors.join(articles, articles.c.id == article_vectors.c.article))
    .outerjoin(analyses, analyses.c.article == article_vectors.c.article)
    .order_by(article_vectors.c.id)
)
_LAST_ID = select(func.coalesce(func.max(article_vectors.c.id), 0))
_COUNT = select(func.count()).select_from(article_vectors)

_cache: dict[str, VectorMatrix] = {}
_lock = threading.Lock()


def stored_vectors(store: Store) -> VectorMatrix:
    """The store's vectors as an index: cached per process, brought up to date when the table has grown (a probe
    of the largest ``id``; rows are only counted then, so a vector deleted without a new one written — an article
    re-analysed by the fast engine — stays findable until the table next grows)."""
    with _lock:
        last_id = store.transaction(lambda connection: connection.execute(_LAST_ID).scalar_one())
        matrix = _cache.get(store.name)
        if matrix is not None and matrix.last_id == last_id:
            return matrix
        count = store.transaction(lambda connection: connection.execute(_COUNT).scalar_one())
        if matrix is None or count < matrix.size:
            matrix = VectorMatrix()
        _read_rows_after(store, matrix)
        if matrix.size != count:  # rows were replaced or deleted below what was read: read everything again
            matrix = VectorMatrix()
            _read_rows_after(store, matrix)
        _cache[store.name] = matrix
        return matrix


def _read_rows_after(store: Store, matrix: VectorMatrix) -> None:
    while True:
        query = _ROWS.where(article_vectors.c.id > matrix.last_id).limit(LOAD_CHUNK)
        rows = store.transaction(lambda connection, query=query: connection.execute(query).all())
        matrix.append(rows)
        if len(rows) < LOAD_CHUNK:
            return


@dataclass(frozen=True, slots=True)
class ArticleVector:
    encoder: str
    language: str | None
    vector: np.ndarray  # as stored (float32 of the float16), not centred


def article_vector(store: Store, pk: int) -> ArticleVector | None:
    """The stored vector of article ``pk`` with its encoder version and language, or None."""
    query = (
        select(
            article_vectors.c.encoder, func.coalesce(articles.c.language, analyses.c.language), article_vectors.c.vector
        )
        .select_from(article_vectors.join(articles, articles.c.id == article_vectors.c.article))
        .outerjoin(analyses, analyses.c.article == article_vectors.c.article)
        .where(article_vectors.c.article == pk)
    )
    row = store.transaction(lambda connection: connection.execute(query).first())
    if row is None:
        return None
    return ArticleVector(row[0], row[1], np.frombuffer(row[2], dtype=VECTOR_DTYPE).astype(np.float32))


def nearest(
    store: Store,
    query: ArticleVector,
    limit: int = 10,
    languages: tuple[str, ...] = (),
    since: date | None = None,
    until: date | None = None,
    exclude: tuple[int, ...] = (),
) -> list[Neighbour]:
    """The ``limit`` stored articles nearest to ``query`` (cosine of the centred vectors, see
    :mod:`~narrascope.similarity.centre`) among those by its encoder and within the filters, nearest first.
    Raises :class:`NothingWithinError` when no stored article passes the filters."""
    matrix = stored_vectors(store)
    keep = matrix.encoders == matrix.codes.get(f"encoder:{query.encoder}", -1)
    if languages:
        keep &= np.isin(matrix.languages, [matrix.codes.get(f"lang:{name}", -1) for name in languages])
    if since is not None or until is not None:
        keep &= (matrix.days >= (since or date.min).toordinal()) & (matrix.days <= (until or date.max).toordinal())
    available = int(np.count_nonzero(keep & ~np.isin(matrix.pks, exclude)))
    if not available:
        raise NothingWithinError(_nothing_within(languages, since, until))
    params = None
    if not keep.all():  # a filter: scan only the rows it keeps (a bitmap over the index rows)
        bitmap = np.packbits(keep, bitorder="little")
        params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(matrix.size, faiss.swig_ptr(bitmap)))
    wanted = min(limit + len(exclude), int(np.count_nonzero(keep)))
    centre = centred(query.vector, query.encoder, query.language)
    scores, rows = matrix.index.search(centre[None, :], wanted, params=params)
    found = [
        (float(score), int(matrix.pks[row]))
        for score, row in zip(scores[0], rows[0], strict=True)
        if row >= 0 and int(matrix.pks[row]) not in exclude
    ]
    return [Neighbour(pk, score) for score, pk in sorted(found, key=lambda item: (-item[0], item[1]))[:limit]]


def _nothing_within(languages: tuple[str, ...], since: date | None, until: date | None) -> str:
    return "no other analysed article with a vector " + (describe_filters(languages, since, until) or "in the store")


def describe_filters(
    languages: Sequence[str], since: date | None, until: date | None, sources: Sequence[str] = ()
) -> str:
    """The filters in words, for messages that say nothing passed them ("in en, ru published 2025-01-01 to …")."""
    parts = []
    if languages:
        parts.append(f"in {', '.join(languages)}")
    if sources:
        parts.append(f"from {', '.join(sources)}")
    if since or until:
        parts.append(f"published {since or '…'} to {until or '…'}")
    return " ".join(parts)


def clear_cache() -> None:
    """Forget every cached matrix (tests, and benchmarks that time a cold start)."""
    with _lock:
        _cache.clear()
