"""How many analyses a server runs at once, and how large: what keeps one process within its memory and its cores.

An analysis (``POST /api/analyze``, the Analyse page) is admitted when

* for a long text (over ``LONG_CHARS`` characters), fewer than ``max_analyses`` long analyses are in flight
  (default: one per core — each reads on one core for seconds to minutes); an article of ordinary length is not
  counted there, so clients posting long texts never keep others' ordinary articles waiting,
* its client (address) has fewer than ``client_analyses`` in flight, unless it holds the token (bearer header or
  private-mode session): anonymous clients share the server fairly,
* and, with a ``memory_mb`` budget, the estimated memory of the analyses in flight plus its own fits in it.

Otherwise it is answered 429 with ``Retry-After``. The background analyser of ``narrascope serve`` takes its places
from the same limiter (one server process), waiting instead of being refused.

With a budget the longest text analysed is what one analysis can afford beside the models
(:func:`affordable_chars`); a longer one is answered 413. The estimates are upper bounds of
what ``benchmarks/bench_memory.py`` measures (peak RSS grows linearly with the text, by either engine).
"""

from __future__ import annotations

import math
import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException, Request

from narrascope.api.access import Credentials, Settings, holds_token

#: Resident memory of a server process with both engines' models loaded and warmed up.
SERVER_BASE_MB = 1000
#: What one analysis adds: a fixed part, and per million characters of text (the default engine, measured by
#: benchmarks/bench_memory.py: about 700 MB for 1 MB of text; the fast engine needs about a third of it).
ANALYSIS_BASE_MB = 100
MB_PER_MILLION_CHARS = 650
#: The longest text an analysis takes (1 M characters through the API, 2 MB files on the Analyse page).
MAX_ANALYSIS_CHARS = 2_000_000
#: Texts longer than this are long analyses, bounded by ``max_analyses`` (about 25 pages; news articles are shorter).
LONG_CHARS = 100_000
#: Seconds a refused client is asked to wait.
RETRY_AFTER_SECONDS = 5
#: Seconds between tries of work that waits for room (:meth:`AnalysisLimiter.waiting_slot`).
WAIT_SECONDS = 0.2


def default_analyses() -> int:
    """One analysis in flight per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def analysis_mb(chars: int) -> float:
    """Estimated memory one analysis of ``chars`` characters adds to the server."""
    return ANALYSIS_BASE_MB + MB_PER_MILLION_CHARS * chars / 1_000_000


def affordable_chars(memory_mb: int | None) -> int:
    """The longest text one analysis may have within ``memory_mb`` beside the models (all of it when no budget).

    Raises :class:`ValueError` when the budget does not hold the models and one analysis of 10,000 characters."""
    if memory_mb is None:
        return MAX_ANALYSIS_CHARS
    spare = memory_mb - SERVER_BASE_MB - ANALYSIS_BASE_MB
    chars = int(spare / MB_PER_MILLION_CHARS * 1_000_000)
    if chars < 10_000:
        needed = math.ceil(SERVER_BASE_MB + analysis_mb(10_000))
        raise ValueError(f"a memory budget of {memory_mb} MB is too small: the models and an analysis need {needed} MB")
    return min(chars, MAX_ANALYSIS_CHARS)


class AnalysisLimiter:
    """The analyses in flight in this process (thread-safe: analyses run in the server's thread pool)."""

    def __init__(self, max_analyses: int, client_analyses: int, memory_mb: int | None) -> None:
        self.max_analyses, self.client_analyses, self.memory_mb = max_analyses, client_analyses, memory_mb
        self.max_chars = affordable_chars(memory_mb)
        self._lock = threading.Lock()
        self._clients: Counter[str] = Counter()
        self._long = 0
        self._reserved_mb = 0.0

    @classmethod
    def of(cls, settings: Settings) -> AnalysisLimiter:
        return cls(settings.max_analyses or default_analyses(), settings.client_analyses, settings.memory_mb)

    def admit(self, client: str, chars: int, *, exempt: bool, alone: bool = False) -> str | None:
        """Take a place for an analysis; ``None`` when taken, else why not (then nothing is taken). ``alone``: also
        take it when no other analysis is in flight, whatever the limits say (work that must be done eventually)."""
        cost = analysis_mb(chars)
        with self._lock:
            long = chars > LONG_CHARS
            refused = None
            if long and self._long >= self.max_analyses:
                refused = f"the server is running {self._long} analyses of long texts, its limit"
            elif not exempt and self._clients[client] >= self.client_analyses:
                refused = f"this client already has {self._clients[client]} analyses running, the limit without a token"
            elif self.memory_mb is not None and SERVER_BASE_MB + self._reserved_mb + cost > self.memory_mb:
                refused = f"the analyses running leave too little of the server's {self.memory_mb} MB for this one"
            if refused and not (alone and not self._clients):
                return refused
            self._long += long
            self._clients[client] += 1
            self._reserved_mb += cost
        return None

    @contextmanager
    def waiting_slot(self, client: str, chars: int, stop: threading.Event) -> Iterator[bool]:
        """Run the body as one analysis of ``chars`` characters, first waiting while the analyses in flight leave no
        room for it (for work that can wait, such as the background analyser's batches). Yields False, holding
        nothing, when ``stop`` is set while waiting."""
        while self.admit(client, chars, exempt=True, alone=True) is not None:
            if stop.wait(WAIT_SECONDS):
                yield False
                return
        try:
            yield True
        finally:
            self.release(client, chars)

    def release(self, client: str, chars: int) -> None:
        with self._lock:
            self._long -= chars > LONG_CHARS
            self._reserved_mb -= analysis_mb(chars)
            self._clients[client] -= 1
            if not self._clients[client]:
                del self._clients[client]


@contextmanager
def analysis_slot(request: Request, credentials: Credentials, chars: int) -> Iterator[None]:
    """Run the body as one admitted analysis of ``chars`` characters; 413 for a text over what the server affords,
    429 with ``Retry-After`` when it is busy."""
    limiter: AnalysisLimiter = request.app.state.limiter
    if chars > limiter.max_chars:
        raise HTTPException(413, f"the text has {chars:,} characters; this server analyses up to {limiter.max_chars:,}")
    client = request.client.host if request.client else "?"
    refused = limiter.admit(client, chars, exempt=holds_token(request, credentials))
    if refused:
        raise HTTPException(
            429, f"too many analyses: {refused}; retry later", headers={"retry-after": str(RETRY_AFTER_SECONDS)}
        )
    try:
        yield
    finally:
        limiter.release(client, chars)
