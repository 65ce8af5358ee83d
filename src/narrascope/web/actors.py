"""Actor pages: how the corpus casts one (canonical) actor over time, by outlet and language, and where."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParameter
from fastapi.responses import HTMLResponse

from narrascope.api.access import StoreDep, require_read
from narrascope.store.actor_profile import MAIN_ROLES, actor_profile
from narrascope.tasks.entities.canonical import key_of_page_id
from narrascope.web.charts import role_chart
from narrascope.web.pages import page

router = APIRouter(dependencies=[Depends(require_read)], include_in_schema=False)
#: Articles listed on an actor page, newest first.
ARTICLES_LISTED = 30


@router.get("/actors/{actor_id}", response_class=HTMLResponse)
def actor_page(
    request: Request, actor_id: Annotated[str, PathParameter(max_length=600)], store: StoreDep
) -> HTMLResponse:
    profile = actor_profile(store, key_of_page_id(actor_id), limit=ARTICLES_LISTED)
    if profile is None:
        raise HTTPException(404, f"no analysed article names the actor {actor_id!r}")
    periods = [(date.fromisoformat(point.group), point.roles) for point in profile.over_time]
    names = dict.fromkeys(name for item in profile.recent for name in item.names if name != profile.name)
    return page(
        request,
        "actor.html",
        profile=profile,
        main_roles=MAIN_ROLES,
        other_names=list(names)[:12],
        chart=role_chart(periods, f"Articles casting {profile.name} in each role, per {profile.period}"),
    )
