"""HTTP API over article vectors: similar articles across languages, and stories."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field

from narrascope.api.app import StoreDep, require_read
from narrascope.api.routes import _errors
from narrascope.similarity.index import NothingWithinError, NoVectorsError, SimilarityError
from narrascope.similarity.similar import similar_articles
from narrascope.store.schema import MAX_ROW

router = APIRouter(responses=_errors(401, 422, 429))


class SimilarOut(BaseModel):
    pk: int = Field(description="Row number in the store: /api/articles/{pk}.")
    id: str
    title: str
    source: str | None
    language: str | None
    published: date | None
    similarity: float = Field(description="Cosine of the two article vectors (multilingual-e5-small), -1 to 1.")


@router.get(
    "/articles/{pk}/similar",
    tags=["corpus"],
    summary="Similar articles, in any language",
    dependencies=[Depends(require_read)],
    responses=_errors(404, 409),
)
def get_similar(
    pk: Annotated[int, Path(ge=1, le=MAX_ROW)],
    store: StoreDep,
    lang: Annotated[list[str], Query(description="Only articles in these languages.")] = [],  # noqa: B006
    since: Annotated[date | None, Query(description="Published on or after.")] = None,
    until: Annotated[date | None, Query(description="Published on or before.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 10,
) -> list[SimilarOut]:
    """The stored articles nearest to article `pk` by the cosine of their article vectors, most similar first.
    Empty when no other article passes the filters; 409 when the article has no vector (analysed by the fast
    engine or before the reading engine: run `narrascope analyze --db` again)."""
    try:
        found = similar_articles(store, pk, tuple(x.lower() for x in lang), since, until, limit)
    except NothingWithinError:
        return []
    except NoVectorsError as error:
        raise HTTPException(409, str(error)) from None
    except SimilarityError as error:
        raise HTTPException(404, str(error)) from None
    return [
        SimilarOut(
            pk=s.pk,
            id=s.article_id,
            title=s.title,
            source=s.source,
            language=s.language,
            published=s.published,
            similarity=s.similarity,
        )
        for s in found
    ]
