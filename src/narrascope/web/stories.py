"""Story pages: the list of stories and the framing comparison of one story (its outlets side by side)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParameter
from fastapi.responses import HTMLResponse

from narrascope.api.access import StoreDep, require_read
from narrascope.similarity.framing import MAX_COLUMNS, compare
from narrascope.similarity.stories import list_stories, story
from narrascope.store.schema import MAX_ROW
from narrascope.web.pages import page
from narrascope.web.story_graph import actor_role_graph

router = APIRouter(dependencies=[Depends(require_read)], include_in_schema=False)
#: Articles of one outlet read for its column (the story page reads these analyses whole).
ARTICLES_PER_COLUMN = 5
STORIES_LISTED = 100


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request, store: StoreDep) -> HTMLResponse:
    return page(request, "stories.html", stories=list_stories(store, limit=STORIES_LISTED))


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(
    request: Request, story_id: Annotated[int, PathParameter(ge=1, le=MAX_ROW)], store: StoreDep
) -> HTMLResponse:
    found = story(store, story_id)
    if found is None:
        raise HTTPException(404, f"no story {story_id}")
    summary, members = found
    per_outlet: dict[str | None, list[int]] = {}
    for member in members:
        per_outlet.setdefault(member.source, []).append(member.pk)
    read = [pk for pks in per_outlet.values() for pk in pks[:ARTICLES_PER_COLUMN]]
    analysed = [(pk, analysis) for pk in read if (analysis := store.analysis(pk)) is not None]
    comparison = compare(analysed)
    return page(
        request,
        "story.html",
        story=summary,
        members=members,
        comparison=comparison,
        graph=actor_role_graph(comparison),
        max_columns=MAX_COLUMNS,
    )
