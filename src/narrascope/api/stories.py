"""HTTP API over article vectors: similar articles across languages, and stories."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field

from narrascope.api.access import StoreDep, require_read
from narrascope.api.routes import ArticleRef, _errors
from narrascope.similarity.index import NothingWithinError, NoVectorsError, SimilarityError
from narrascope.similarity.similar import similar_articles
from narrascope.similarity.stories import Story, list_stories, story
from narrascope.store.schema import MAX_ROW

router = APIRouter(responses=_errors(401, 422, 429))


class SimilarOut(ArticleRef):
    similarity: float = Field(
        description="Cosine of the two article vectors (multilingual-e5-small, their language's mean taken out)."
    )


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
    return [SimilarOut(**ArticleRef.fields_of(s), similarity=s.similarity) for s in found]


class StoryOut(BaseModel):
    id: int = Field(description="/api/stories/{id}; the framing comparison page is /stories/{id}.")
    headline: str = Field(description="Title of the article nearest the story's centroid.")
    representative: int | None = Field(description="Row number of that article.")
    size: int = Field(description="Articles in the story.")
    first_day: date
    last_day: date
    languages: list[str]
    outlets: list[str]


class StoryArticleOut(ArticleRef):
    similarity: float = Field(description="Cosine to the story's centroid when the article joined it.")


class StoryDetailOut(StoryOut):
    articles: list[StoryArticleOut] = Field(description="In publication order.")


def _story_out(found: Story) -> dict[str, Any]:
    return {
        "id": found.id,
        "headline": found.headline,
        "representative": found.representative,
        "size": found.size,
        "first_day": found.first_day,
        "last_day": found.last_day,
        "languages": list(found.languages),
        "outlets": list(found.outlets),
    }


@router.get(
    "/stories", tags=["corpus"], summary="Stories across outlets and languages", dependencies=[Depends(require_read)]
)
def get_stories(
    store: StoreDep,
    since: Annotated[date | None, Query(description="Stories with an article published on or after.")] = None,
    until: Annotated[date | None, Query(description="…on or before.")] = None,
    lang: Annotated[list[str], Query(description="Stories with an article in these languages.")] = [],  # noqa: B006
    source: Annotated[list[str], Query(description="Stories with an article of these outlets.")] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW)] = 0,
) -> list[StoryOut]:
    """The stored stories (grouped by `narrascope analyze --db` and `narrascope stories`), largest first, then the
    latest; empty when none has an article within the filters."""
    found = list_stories(store, since, until, tuple(x.lower() for x in lang), tuple(source), limit, offset)
    return [StoryOut(**_story_out(item)) for item in found]


@router.get(
    "/stories/{story_id}",
    tags=["corpus"],
    summary="One story and its articles",
    dependencies=[Depends(require_read)],
    responses=_errors(404),
)
def get_story(story_id: Annotated[int, Path(ge=1, le=MAX_ROW)], store: StoreDep) -> StoryDetailOut:
    found = story(store, story_id)
    if found is None:
        raise HTTPException(404, f"no story {story_id}")
    summary, members = found
    return StoryDetailOut(
        **_story_out(summary),
        articles=[StoryArticleOut(**ArticleRef.fields_of(m), similarity=m.similarity) for m in members],
    )
