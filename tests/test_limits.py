"""The server's bound on analyses: in flight at once, per anonymous client, and by memory (``narrascope.api.limits``).

Analyses are held open by a pipeline that waits on an event, so every assertion is about state, never timing.
"""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

import narrascope.pipeline
from narrascope.api import Settings, create_app
from narrascope.api.limits import ANALYSIS_BASE_MB, MB_PER_MILLION_CHARS, SERVER_BASE_MB, AnalysisLimiter
from narrascope.cli import main
from narrascope.document import Analysis

TOKEN = "limits-token-1234"
TEXT = {"text": "Troops\n\nNATO troops were sent to Ukraine, officials said."}
LONG = {"text": "Troops\n\n" + "NATO troops were sent to Ukraine, officials said. " * 2100}  # over LONG_CHARS


class HeldPipeline:
    """Stands in for the models: each analysis signals that it started, then waits until released."""

    def __init__(self) -> None:
        self.started = threading.Semaphore(0)
        self.release = threading.Event()

    def __call__(self, article):
        self.started.release()
        assert self.release.wait(30), "the test never released the analysis"
        return Analysis(article=article)


@pytest.fixture
def held(monkeypatch):
    pipeline = HeldPipeline()
    monkeypatch.setattr(narrascope.pipeline, "load", lambda engine="default": pipeline)
    yield pipeline
    pipeline.release.set()


def _client(app, address: str) -> TestClient:
    return TestClient(app, client=(address, 50000))


def _post_in_background(
    app, address: str, results: list, headers: dict | None = None, body: dict = LONG
) -> threading.Thread:
    thread = threading.Thread(
        target=lambda: results.append(_client(app, address).post("/api/analyze", json=body, headers=headers or {}))
    )
    thread.start()
    return thread


def test_analyses_over_the_limits_get_429_with_retry_after_and_others_are_answered(tmp_path, held):
    app = create_app(Settings(db=str(tmp_path / "l.db"), token=TOKEN, max_analyses=2, client_analyses=1))
    results: list = []
    first = _post_in_background(app, "10.0.0.1", results)
    assert held.started.acquire(timeout=30)  # client 1's analysis is running

    again = _client(app, "10.0.0.1").post("/api/analyze", json=TEXT)  # its second one: over the per-client limit
    assert again.status_code == 429 and again.headers["retry-after"].isdigit()
    assert "without a token" in again.json()["detail"]

    second = _post_in_background(app, "10.0.0.2", results)  # another client's analysis is admitted
    assert held.started.acquire(timeout=30)
    busy = _client(app, "10.0.0.3").post("/api/analyze", json=LONG)  # a third long text: over the limit of 2
    assert busy.status_code == 429 and int(busy.headers["retry-after"]) >= 1
    assert "its limit" in busy.json()["detail"]
    small = _client(app, "10.0.0.3").get("/api/narratives")  # small requests are still answered meanwhile
    assert small.status_code == 200 and small.json()
    third = _post_in_background(app, "10.0.0.3", results, body=TEXT)  # and an ordinary article is analysed
    assert held.started.acquire(timeout=30)

    held.release.set()
    for thread in (first, second, third):
        thread.join(30)
    assert [response.status_code for response in results] == [200, 200, 200]
    assert _client(app, "10.0.0.3").post("/api/analyze", json=LONG).status_code == 200  # places are given back


def test_token_holders_are_not_bound_by_the_per_client_limit(tmp_path, held):
    app = create_app(Settings(db=str(tmp_path / "t.db"), token=TOKEN, max_analyses=3, client_analyses=1))
    results: list = []
    threads = [_post_in_background(app, "10.0.0.1", results)]
    assert held.started.acquire(timeout=30)
    assert _client(app, "10.0.0.1").post("/api/analyze", json=TEXT).status_code == 429
    threads.append(_post_in_background(app, "10.0.0.1", results, {"Authorization": f"Bearer {TOKEN}"}))
    assert held.started.acquire(timeout=30)  # admitted beside the anonymous one from the same address
    held.release.set()
    for thread in threads:
        thread.join(30)
    assert [response.status_code for response in results] == [200, 200]


def test_a_memory_budget_bounds_the_text_and_the_analyses_in_flight(tmp_path):
    budget = SERVER_BASE_MB + ANALYSIS_BASE_MB + MB_PER_MILLION_CHARS // 10  # what one 100,000-character text takes
    app = create_app(Settings(db=str(tmp_path / "m.db"), memory_mb=budget))
    assert app.state.limiter.max_chars == pytest.approx(100_000, abs=1)
    long_text = {"text": "Troops\n\n" + "NATO troops were sent to Ukraine, officials said. " * 2100}
    refused = _client(app, "10.0.0.1").post("/api/analyze", json=long_text)
    assert refused.status_code == 413 and "this server analyses up to 100,000" in refused.json()["detail"]

    limiter = AnalysisLimiter(max_analyses=8, client_analyses=8, memory_mb=budget + ANALYSIS_BASE_MB + 5)
    assert limiter.admit("a", 100_000, exempt=False) is None
    assert "too little of the server's" in limiter.admit("b", 100_000, exempt=False)  # no room for a second
    assert limiter.admit("b", 1_000, exempt=False) is None  # a short text still fits beside it
    limiter.release("a", 100_000)
    assert limiter.admit("b", 100_000, exempt=False) is None


def test_serve_refuses_a_memory_budget_that_cannot_hold_one_analysis(capsys):
    assert main(["serve", "--memory", "300", "--db", "unused.db"]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "--memory" in error and "too small" in error
