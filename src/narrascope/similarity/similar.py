"""Similar articles: the stored articles nearest to one article's vector, in any language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from narrascope.similarity.index import (
    NO_VECTORS_HINT,
    ArticleVector,
    NoVectorsError,
    SimilarityError,
    article_vector,
    nearest,
)
from narrascope.store import Store
from narrascope.store.article_ref import ArticleRef, ref_columns, ref_fields
from narrascope.store.schema import analyses, article_vectors, articles


@dataclass(frozen=True, slots=True)
class ScoredArticle(ArticleRef):
    """A stored article with its cosine to something: the article a query named, or a story's centroid."""

    similarity: float  # centred cosine (see narrascope.similarity.centre)


def resolve_article(store: Store, reference: str) -> int:
    """The row number of an article given by row number or by its own id (``EN_UA_300009.txt``)."""
    reference = reference.strip()
    query = select(articles.c.id).where(articles.c.article_id == reference).order_by(articles.c.id).limit(1)
    if reference.isdigit() and not store.execute(query):
        found = store.execute(select(articles.c.id).where(articles.c.id == int(reference)))
    else:
        found = store.execute(query)
    if not found:
        raise SimilarityError(f"no article {reference!r} in {store.name} (give its row number or its id)")
    return found[0]["id"]


def query_vector(store: Store, pk: int) -> ArticleVector:
    """The stored vector of article ``pk``; a :class:`SimilarityError` saying why there is none."""
    found = article_vector(store, pk)
    if found is not None:
        return found
    if not store.execute(select(articles.c.id).where(articles.c.id == pk)):
        raise SimilarityError(f"no article {pk} in {store.name}")
    if not store.execute(select(article_vectors.c.id).limit(1)):
        raise NoVectorsError(f"{store.name} has no article vectors ({NO_VECTORS_HINT})")
    raise NoVectorsError(f"article {pk} has no vector ({NO_VECTORS_HINT})")


def similar_articles(
    store: Store,
    pk: int,
    languages: tuple[str, ...] = (),
    since: date | None = None,
    until: date | None = None,
    limit: int = 10,
) -> list[ScoredArticle]:
    """The ``limit`` articles most similar to article ``pk`` within the filters, most similar first."""
    found = nearest(store, query_vector(store, pk), limit, languages, since, until, exclude=(pk,))
    rows = store.execute(
        select(*ref_columns())
        .outerjoin(analyses, analyses.c.article == articles.c.id)
        .where(articles.c.id.in_([neighbour.pk for neighbour in found]))
    )
    by_pk = {row["id"]: row for row in rows}
    return [ScoredArticle(**ref_fields(by_pk[n.pk]), similarity=n.similarity) for n in found if n.pk in by_pk]
