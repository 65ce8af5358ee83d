"""Who may read and write, and the store every request uses: the dependencies the API routers and the pages share.

Kept apart from :mod:`narrascope.api.app`, which assembles the application from those routers, so that imports
flow one way (access ← routers and pages ← app).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from narrascope.store import Store

MAX_BODY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    db: str = "narrascope.db"
    token: str | None = None  # bearer token for writes (and for reads when private)
    private: bool = False  # reads need the token too
    max_body_bytes: int = MAX_BODY_BYTES
    rate_limit: float = 200.0  # requests per second per client address (0: no limit)
    burst: int = 400
    max_analyses: int = 0  # analyses of long texts in flight at once (0: one per core); see narrascope.api.limits
    client_analyses: int = 1  # analyses in flight per client address without the token
    memory_mb: int | None = None  # memory budget of the server process: bounds analyses in flight and their size


_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _token_matches(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> bool:
    return credentials is not None and token_is_valid(settings, credentials.credentials)


#: The browser session cookie of private mode (set by the sign-in page).
SESSION_COOKIE = "narrascope_session"


def session_value(settings: Settings) -> str | None:
    """The session cookie's value: derived from the token, so it proves the token without carrying it."""
    if settings.token is None:
        return None
    return hmac.new(settings.token.encode("utf-8"), b"narrascope browser session", hashlib.sha256).hexdigest()


def token_is_valid(settings: Settings, candidate: str) -> bool:
    """``candidate`` equals the configured token (constant-time comparison)."""
    return settings.token is not None and hmac.compare_digest(candidate.encode("utf-8"), settings.token.encode("utf-8"))


def _signed_in(request: Request, settings: Settings) -> bool:
    expected, cookie = session_value(settings), request.cookies.get(SESSION_COOKIE)
    return expected is not None and cookie is not None and hmac.compare_digest(cookie.encode(), expected.encode())


def holds_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> bool:
    """The client proved the token: as the bearer header, or as the session cookie of a signed-in browser."""
    settings: Settings = request.app.state.settings
    return _token_matches(settings, credentials) or _signed_in(request, settings)


def require_write(request: Request, credentials: Credentials) -> None:
    """Dependency of every write endpoint."""
    settings: Settings = request.app.state.settings
    if settings.token is None:
        raise HTTPException(403, "writes are disabled: start the server with NARRASCOPE_TOKEN set")
    if not _token_matches(settings, credentials):
        raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})


def require_read(request: Request, credentials: Credentials) -> None:
    """Dependency of read endpoints: open unless the server runs with ``private`` (then token or session cookie)."""
    settings: Settings = request.app.state.settings
    if settings.private and not holds_token(request, credentials):
        raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})


def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]
