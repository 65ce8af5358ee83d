"""Server-rendered pages (Jinja2, autoescaped): dashboard, search, article, narrative, analyse."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParameter
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from narrascope.api.access import SESSION_COOKIE, StoreDep, require_read, session_value, token_is_valid
from narrascope.api.limits import analysis_slot
from narrascope.document import LANGUAGE_NAMES, Analysis
from narrascope.errors import InputError
from narrascope.similarity.index import SimilarityError
from narrascope.similarity.similar import similar_articles
from narrascope.store.schema import MAX_ROW
from narrascope.store.search import Filters, check_query, search
from narrascope.store.stats import analysed_by, label_totals, top_actors, top_sources
from narrascope.store.store import SCOPE_LEVEL
from narrascope.store.trends import alerts, trends, undated
from narrascope.taxonomy import narratives, techniques
from narrascope.web.actors import router as actor_pages
from narrascope.web.charts import share_chart
from narrascope.web.highlight import article_html, technique_groups
from narrascope.web.pages import HERE, narrative_url, page
from narrascope.web.stories import router as story_pages

PAGE_SIZE = 20
#: Articles in the "similar coverage" panel of an article page.
SIMILAR_SHOWN = 8
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
router = APIRouter(dependencies=[Depends(require_read)], include_in_schema=False)
sign_in = APIRouter(include_in_schema=False)  # reachable without the token: it is where the token is entered


#: Panels in the dashboard's per-source / per-language view.
GROUP_CHARTS = 4


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, store: StoreDep, per: Literal["source", "language"] | None = None) -> HTMLResponse:
    points = trends(store, by="week", per=per)
    sizes: dict[str, int] = {}
    for point in {(p.period, p.group): p for p in points}.values():
        sizes[point.group] = sizes.get(point.group, 0) + point.total
    groups = sorted(sizes, key=lambda group: -sizes[group])[:GROUP_CHARTS] if per else [""]
    charts = [
        (group, share_chart([p for p in points if p.group == group], narrative_url, lines=5 if per else 6))
        for group in groups
    ]
    return page(
        request,
        "dashboard.html",
        counts=store.counts(),
        per=per,
        charts=charts,
        undated=undated(store),
        scope=label_totals(store, SCOPE_LEVEL),
        narratives=list(label_totals(store).items())[:12],
        languages=list(analysed_by(store, "language").items()),
        sources=list(analysed_by(store, "source").items())[:12],
        alerts=alerts(store, by="week", per="source")[:10],
        recent=search(store, "", limit=10),
        antagonists=top_actors(store, role="Antagonist", limit=8),
        protagonists=top_actors(store, role="Protagonist", limit=8),
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    store: StoreDep,
    q: Annotated[str, Query(max_length=500)] = "",
    narrative: str = "",
    technique: str = "",
    lang: str = "",
    source: str = "",
    since: str = "",
    until: str = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=500)] = 1,
) -> HTMLResponse:
    problems = []
    try:
        check_query(q)
    except ValueError as error:
        problems.append(str(error))
    narrative_name = None
    if narrative:
        try:
            narrative_name = narratives().resolve(narrative)
        except ValueError as error:
            problems.append(str(error))
    technique_name = None
    if technique:
        try:
            technique_name = techniques().resolve(technique)
        except ValueError as error:
            problems.append(str(error))
    dates = {}
    for name, value in (("since", since), ("until", until)):
        try:
            dates[name] = date.fromisoformat(value) if value else None
        except ValueError:
            problems.append(f"{name}: {value!r} is not a date (YYYY-MM-DD)")
    found = Filters(
        (narrative_name,) if narrative_name else (),
        languages=(lang.lower(),) if lang else (),
        sources=(source,) if source else (),
        since=dates.get("since"),
        until=dates.get("until"),
        techniques=(technique_name,) if technique_name else (),
    )
    hits = [] if problems else search(store, q, found, limit=PAGE_SIZE + 1, offset=(page_number - 1) * PAGE_SIZE)
    # The form shows the filters as applied: the full label of a partial name, the code in lower case.
    shown_narrative = narrative_name or narrative
    query = {
        "q": q,
        "narrative": shown_narrative,
        "technique": technique_name or technique,
        "lang": lang.lower(),
        "source": source,
        "since": since,
        "until": until,
    }
    narrative_names = list(narratives().coarse)
    if narrative_name and narrative_name not in narrative_names:  # a sub-narrative: an option of its own
        narrative_names.insert(0, narrative_name)
    return page(
        request,
        "search.html",
        status_code=422 if problems else 200,
        hits=hits[:PAGE_SIZE],
        query=query,
        problems=problems,
        page_number=page_number,
        previous_url=f"/search?{urlencode({**query, 'page': page_number - 1})}" if page_number > 1 else None,
        next_url=f"/search?{urlencode({**query, 'page': page_number + 1})}" if len(hits) > PAGE_SIZE else None,
        narrative_names=narrative_names,
        technique_names=sorted(techniques().fine),
        languages=[language for language in analysed_by(store, "language") if language],
        sources=[source for source in analysed_by(store, "source") if source],
    )


@router.get("/articles/{pk}", response_class=HTMLResponse)
def article_page(
    request: Request, pk: Annotated[int, PathParameter(ge=1, le=MAX_ROW)], store: StoreDep
) -> HTMLResponse:
    analysis = store.analysis(pk)
    if analysis is None:
        raise HTTPException(404, f"no article {pk}")
    try:
        similar, similar_note = similar_articles(store, pk, limit=SIMILAR_SHOWN), None
    except SimilarityError as error:
        similar, similar_note = [], str(error)
    return _article_view(request, analysis, stored=True, similar=similar, similar_note=similar_note)


def _article_view(request: Request, analysis: Analysis, stored: bool, **extra: Any) -> HTMLResponse:
    actors = sorted(enumerate(analysis.actors), key=lambda item: -len(item[1].mentions))
    return page(
        request,
        "article.html",
        analysis=analysis,
        article=analysis.article,
        text_html=article_html(analysis),
        technique_groups=technique_groups(analysis),
        technique_taxonomy=techniques(),
        narrative_tree=analysis.narrative_tree(),
        language_names=LANGUAGE_NAMES,
        actors=actors,
        taxonomy=narratives(),
        stored=stored,
        **extra,
    )


@router.get("/narratives/{name:path}", response_class=HTMLResponse)
def narrative_page(request: Request, name: str, store: StoreDep) -> HTMLResponse:
    taxonomy = narratives()
    try:
        label = taxonomy.resolve(name)
    except ValueError as error:
        raise HTTPException(404, str(error)) from None
    found = Filters((label,))
    level = "subnarrative" if taxonomy.parent(label) else "narrative"
    sub_counts = label_totals(store, "subnarrative")
    return page(
        request,
        "narrative.html",
        label=label,
        description=taxonomy.description(label),
        parent=taxonomy.parent(label),
        children=[(child, taxonomy.description(child), sub_counts.get(child, 0)) for child in taxonomy.children(label)],
        chart=share_chart(trends(store, by="week", level=level, labels=(label,)), narrative_url, lines=1),
        sources=top_sources(store, label),
        examples=search(store, "", found, limit=10),
        antagonists=top_actors(store, found, role="Antagonist", limit=8),
        protagonists=top_actors(store, found, role="Protagonist", limit=8),
    )


@router.get("/analyze", response_class=HTMLResponse)
def analyze_form(request: Request) -> HTMLResponse:
    return page(request, "analyze.html", problem=None, text="", title="")


@router.post("/analyze", response_class=HTMLResponse)
async def analyze_submit(
    request: Request,
    text: Annotated[str, Form(max_length=1_000_000)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    upload: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """Analyse pasted text or an uploaded .txt/.html file (not stored) and show the article view."""
    from fastapi.concurrency import run_in_threadpool

    from narrascope.document import Article
    from narrascope.io.files import decode, has_words
    from narrascope.io.html import HTML_SUFFIXES, article_from_html
    from narrascope.io.txt import article_from_text, with_title
    from narrascope.pipeline import load

    try:
        if upload is not None and upload.filename:
            name = Path(upload.filename).name  # never a path: the upload is read in memory only
            data = await upload.read(MAX_UPLOAD_BYTES + 1)
            if len(data) > MAX_UPLOAD_BYTES:
                raise InputError(name, "file is larger than 2 MB")
            content = decode(data, name)
            article = (
                article_from_html(name, content, name)
                if Path(name).suffix.lower() in HTML_SUFFIXES
                else article_from_text(name, content)
            )
        elif has_words(text):
            article = (
                Article("pasted", with_title(title, text), title=title.strip())
                if title.strip()
                else article_from_text("pasted", text)
            )
        else:
            raise InputError("form", "paste an article or choose a file")
    except InputError as error:
        return page(request, "analyze.html", status_code=422, problem=str(error), text=text, title=title)
    with analysis_slot(request, None, len(article.text)):
        analysis = await run_in_threadpool(load(), article)
    return _article_view(request, analysis, stored=False)


def local_path(target: str) -> str:
    """``target`` when it is a path on this server, else ``/``: the sign-in page must not redirect elsewhere."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@sign_in.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html", problem=None, next=local_path(next))


@sign_in.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request, token: Annotated[str, Form(max_length=1000)] = "", next: Annotated[str, Form()] = "/"
) -> Any:
    """Check the token and keep the browser signed in with a session cookie (HttpOnly, SameSite=Strict)."""
    settings = request.app.state.settings
    if not token_is_valid(settings, token):
        return page(request, "login.html", status_code=401, problem="That is not this server's token.", next=next)
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_value(settings) or "",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@sign_in.post("/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def mount(app: FastAPI) -> None:
    """Add the pages and their static assets (served locally: no CDN) to ``app``."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(sign_in)
    app.include_router(router)
    app.include_router(story_pages)
    app.include_router(actor_pages)

    @app.exception_handler(StarletteHTTPException)  # also the router's own 404 and 405, not only ours
    async def http_error(request: Request, error: StarletteHTTPException) -> Any:
        from fastapi.exception_handlers import http_exception_handler

        if not is_page(request):
            return await http_exception_handler(request, error)
        if error.status_code == 401:  # a private server: pages send the browser to the sign-in page
            wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/login?" + urlencode({"next": wanted}), status_code=303)
        if error.status_code == 400 and request.method == "POST" and request.url.path == "/analyze":
            # The form parser refused the body (a pasted text over its 1 MB part limit): keep the user on the form
            problem = f"{error.detail} Paste a shorter text, or upload the article as a file (up to 2 MB)."
            return page(request, "analyze.html", status_code=413, problem=problem, text="", title="")
        return error_page(request, error.status_code, error.detail)


def is_page(request: Request) -> bool:
    """Whether a request is for a page (errors as HTML) rather than the API, its docs or static files (JSON)."""
    return not request.url.path.startswith(("/api", "/static", "/openapi.json", "/docs"))


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    return page(request, "error.html", status_code=status, status=status, detail=detail)
