"""Rendering a page: the templates and the helpers every template may call (one place for routes and pages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from narrascope.store.search import marked_html
from narrascope.store.store import stored_actor_key
from narrascope.tasks.entities.canonical import page_id
from narrascope.web.highlight import ROLE_CLASSES

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def narrative_url(name: str) -> str:
    return "/narratives/" + quote(name, safe="")


def actor_url(key: str) -> str:
    """The page of the actor stored under ``key`` (see :func:`stored_actor_key`)."""
    return "/actors/" + quote(page_id(key), safe="")


def actor_name_url(name: str) -> str:
    """The page of the actor an analysis names ``name``: the key the store keeps for it."""
    return actor_url(stored_actor_key(name))


def snippet_html(snippet: str) -> str:
    """A search snippet with its matches in <mark>, everything else escaped."""
    from markupsafe import Markup

    # The only markup in it is <mark>, around escaped text.
    return Markup(marked_html(snippet))  # nosec B704


def safe_link(url: str | None) -> str | None:
    """Only http(s) links are rendered: a ``javascript:`` URL in article metadata must not become clickable."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


templates.env.globals.update(
    narrative_url=narrative_url,
    actor_url=actor_url,
    actor_name_url=actor_name_url,
    snippet_html=snippet_html,
    safe_link=safe_link,
    role_classes=ROLE_CLASSES,
)


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)
