"""HTTP API over actor profiles: how the corpus casts one canonical actor (the data of the actor page)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field

from narrascope.api.access import StoreDep, require_read
from narrascope.api.routes import ErrorOut, _errors
from narrascope.store.actor_profile import actor_profile
from narrascope.store.trends import Period
from narrascope.tasks.entities.canonical import key_of_page_id, page_id

router = APIRouter(responses=_errors(401, 422, 429))


class RoleCountsOut(BaseModel):
    group: str = Field(description='A period\'s first day (ISO), an outlet or a language; `""`: none given.')
    roles: dict[str, int] = Field(description="Main role (Protagonist, Antagonist, Innocent) → articles.")


class CastingArticleOut(BaseModel):
    pk: int = Field(description="Row number in the store: /api/articles/{pk}.")
    article_id: str
    title: str
    source: str | None
    language: str | None
    published: date | None
    main_role: str = Field(description="The actor's role in this article.")
    fine_roles: list[str]
    names: list[str] = Field(description="How this article writes the actor.")
    sentences: list[str] = Field(description="The sentences that cast the actor (its mentions' evidence).")


class ActorProfileOut(BaseModel):
    id: str = Field(description="Its id in URLs: /api/actors/{id}, /actors/{id}.")
    key: str = Field(description="The key the store keeps (`entity` filters match it).")
    name: str = Field(description="Canonical display name.")
    kind: str | None = Field(description="country, organisation, group or person; null for names outside the table.")
    articles: int = Field(description="Analysed articles naming the actor.")
    roles: dict[str, int] = Field(description="Main role → articles (an article casting it in two roles counts twice).")
    fine_roles: list[tuple[str, int]] = Field(description="The most frequent fine roles: `[role, articles]`.")
    period: Period = Field(description="Length of the periods of `over_time`, chosen from the span of the dates.")
    over_time: list[RoleCountsOut] = Field(description="Every period from the first to the last dated article.")
    undated: int = Field(description="Articles without a publication date, left out of `over_time`.")
    by_outlet: list[RoleCountsOut] = Field(description="Most articles first.")
    by_language: list[RoleCountsOut] = Field(description="Most articles first.")
    recent: list[CastingArticleOut] = Field(description="The newest articles naming the actor (undated last).")


@router.get(
    "/actors/{actor_id}",
    tags=["corpus"],
    summary="How the corpus casts one actor",
    dependencies=[Depends(require_read)],
    responses={404: {"model": ErrorOut, "description": "No analysed article names this actor."}},
)
def get_actor(
    actor_id: Annotated[
        str, Path(max_length=600, description="The actor's id: its key with hyphens for spaces (`united-kingdom`).")
    ],
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Articles listed in `recent`.")] = 20,
) -> ActorProfileOut:
    """Counts of the main roles the actor is cast in over time, by outlet and by language, its most frequent fine
    roles, and its newest articles with the sentences that cast it. Names in any form or language count as the
    one canonical actor ("Россия", "Moscow" and "Russia" are `russia`); ids come from `/api/entities`."""
    profile = actor_profile(store, key_of_page_id(actor_id), limit=limit)
    if profile is None:
        raise HTTPException(404, f"no analysed article names the actor {actor_id!r}")
    return ActorProfileOut(id=page_id(profile.key), **asdict(profile))
