"""The web application: the HTTP API under ``/api`` (OpenAPI docs at ``/docs``) and the pages, over one store.

Security defaults: each client address gets ``rate_limit`` requests per second (429 beyond); writes need
``Authorization: Bearer <NARRASCOPE_TOKEN>`` (compared in constant time) and are refused when no token was
configured; in ``private`` mode reads need the token too — as the bearer header, or for browsers as the session
cookie that ``/login`` sets (it holds a keyed hash of the token, never the token); bodies over
``max_body_bytes`` get 413 before they are read; every response carries a Content-Security-Policy without inline
scripts, ``X-Content-Type-Options: nosniff`` and ``frame-ancestors 'none'``.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from narrascope.api.access import Settings
from narrascope.api.actors import router as actors_router
from narrascope.api.limits import AnalysisLimiter
from narrascope.api.routes import router as api_router
from narrascope.api.stories import router as stories_router
from narrascope.store import Store
from narrascope.web.routes import error_page, is_page
from narrascope.web.routes import mount as mount_pages

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


class BodyLimit:
    """ASGI middleware: 413 for bodies over the limit, by Content-Length or while streaming."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]], send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._too_large(scope, receive, send)
            return
        seen, refused = 0, False

        async def limited_receive() -> dict:
            """A streamed body (no Content-Length) that passes the limit: answer 413 here and tell the app the
            client left. (Raising instead would reach FastAPI's body parser, which makes any error a 400.)"""
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                refused = True
                await self._too_large(scope, receive, send)
                return {"type": "http.disconnect"}
            return message

        async def send_unless_refused(message: dict) -> None:
            if not refused:  # the app's own answer to the "disconnect" goes nowhere
                await send(message)

        await self.app(scope, limited_receive, send_unless_refused)

    async def _too_large(self, scope: dict, receive: Callable, send: Callable) -> None:

        detail = f"request body is larger than {self.limit / (1024 * 1024):g} MB"
        request = Request(scope)
        response = error_page(request, 413, detail) if is_page(request) else JSONResponse({"detail": detail}, 413)
        await response(scope, receive, send)


class HeadAsGet:
    """ASGI middleware: answer HEAD as GET without the body, so link checkers and monitors see 200, not 405."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]], send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: dict) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class RateLimit:
    """ASGI middleware: a token bucket per client address; 429 with Retry-After when it runs dry."""

    def __init__(self, app: Any, rate: float, burst: int) -> None:
        self.app, self.rate, self.burst = app, rate, burst
        self.buckets: dict[str, tuple[float, float]] = {}  # client → (tokens, time of last refill)

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]], send: Callable) -> None:
        if scope["type"] == "http" and self.rate > 0 and not self._take(str((scope.get("client") or ("?",))[0])):
            response = JSONResponse(
                {"detail": f"too many requests: at most {self.rate:g} per second"},
                status_code=429,
                headers={"retry-after": "1"},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _take(self, client: str) -> bool:
        now = time.monotonic()
        tokens, last = self.buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if len(self.buckets) > 100_000:  # forget idle clients rather than grow without bound
            self.buckets.clear()
        self.buckets[client] = (tokens - 1, now) if tokens >= 1 else (tokens, now)
        return tokens >= 1


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application over ``settings.db``; models are loaded on the first analysis, then kept."""
    settings = settings or Settings()
    store = Store(settings.db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,  # served below from local assets: no CDN
        redoc_url=None,
        title="narrascope",
        summary="Propaganda narratives, entity framing and corpus trends in news articles — offline, on CPU.",
        version=_version(),
        openapi_tags=[
            {"name": "analysis", "description": "Analyse one article without storing it."},
            {"name": "corpus", "description": "Stored articles: ingest, list, search, trends."},
            {"name": "taxonomy", "description": "Narratives and roles narrascope knows."},
        ],
    )
    app.state.settings = settings
    app.state.store = store
    app.state.limiter = AnalysisLimiter.of(settings)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable) -> Any:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path == "/docs":  # Swagger UI starts with an inline script of its own
            del response.headers["content-security-policy"]
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Any:
        """422 naming each bad field; the offending input is not echoed (it may be huge or not JSON-encodable).
        Pages get the error page saying the same."""

        details = [{"type": e["type"], "loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors()]
        if is_page(request):
            problems = "; ".join(f"{' '.join(str(part) for part in d['loc'][1:])}: {d['msg']}" for d in details)
            return error_page(request, 422, problems)
        return JSONResponse({"detail": details}, status_code=422)

    _mount_docs(app)
    app.include_router(api_router, prefix="/api")
    app.include_router(stories_router, prefix="/api")
    app.include_router(actors_router, prefix="/api")
    mount_pages(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(HeadAsGet)
    app.add_middleware(RateLimit, rate=settings.rate_limit, burst=settings.burst)
    return app


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI 5 (it reads OpenAPI 3.1, which FastAPI writes) from the ``fastapi-offline`` package's files: the
    default loads them from a CDN, and ``swagger-ui-bundle`` ships Swagger UI 4, which cannot read 3.1."""
    from pathlib import Path

    import fastapi_offline
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/static/swagger", StaticFiles(directory=assets), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="narrascope API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("narrascope")
    except PackageNotFoundError:
        return "0"


def app_from_environment() -> FastAPI:
    """The app as configured by ``NARRASCOPE_DB``, ``NARRASCOPE_TOKEN``, ``NARRASCOPE_PRIVATE`` and the analysis
    limits ``NARRASCOPE_MAX_ANALYSES``, ``NARRASCOPE_CLIENT_ANALYSES``, ``NARRASCOPE_MEMORY_MB`` (uvicorn workers)."""
    memory = os.environ.get("NARRASCOPE_MEMORY_MB")
    return create_app(
        Settings(
            db=os.environ.get("NARRASCOPE_DB", "narrascope.db"),
            token=os.environ.get("NARRASCOPE_TOKEN") or None,
            private=os.environ.get("NARRASCOPE_PRIVATE", "") == "1",
            max_analyses=int(os.environ.get("NARRASCOPE_MAX_ANALYSES") or 0),
            client_analyses=int(os.environ.get("NARRASCOPE_CLIENT_ANALYSES") or 1),
            memory_mb=int(memory) if memory else None,
        )
    )
