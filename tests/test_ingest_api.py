"""Ingestion a service can use: POST /api/articles takes one article or a list, says what became of each, and the
server analyses new articles in the background — also those a killed server stored and never analysed.

The corpora here are analysed by the fast engine, which the background analyser then follows: the engine itself
is not under test. Waits poll with a generous deadline; nothing asserts how long anything takes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from fastapi.testclient import TestClient

from narrascope.api import Settings, create_app
from narrascope.api.limits import SERVER_BASE_MB
from narrascope.batch import analyse_store, models_key
from narrascope.batch.background import BackgroundAnalyser
from narrascope.document import Article
from narrascope.io import iter_articles
from narrascope.pipeline import load
from narrascope.store import Store

from .conftest import EXAMPLES
from .test_crash_safety import consistency

TOKEN = "ingest-token-5678"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEADLINE = 180.0  # seconds: far beyond what any step takes, so a slow CI machine is never mistaken for a failure
NEW_TEXT = "Ministers meet in Brussels\n\nNATO ministers discussed sending more air defence systems to Ukraine."


@pytest.fixture
def fast_corpus(database_url: str) -> str:
    """The example articles, analysed by the fast engine."""
    with Store(database_url) as store:
        store.ingest(list(iter_articles([EXAMPLES])), source="examples")
        analyse_store(store, workers=1, fast=True)
    return database_url


def until(check: Any, what: str) -> Any:
    """Poll ``check()`` until it returns something truthy; fail after the deadline, saying what did not happen."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    pytest.fail(f"not within {DEADLINE:g} s: {what}")


def test_one_article_or_a_list_is_stored_with_each_ones_row_and_duplicates_named(fast_corpus):
    examples = consistency(fast_corpus)["articles"]
    with TestClient(create_app(Settings(db=fast_corpus, token=TOKEN))) as client:
        one = client.post("/api/articles", json={"id": "mine-1", "text": NEW_TEXT}, headers=AUTH)
        assert one.status_code == 201, one.text  # a single object was a 422
        [stored] = one.json()["articles"]
        assert one.json()["added"] == 1 and stored["id"] == "mine-1" and not stored["duplicate"]
        assert client.get(f"/api/articles/{stored['pk']}").json()["article"]["id"] == "mine-1"

        climate = (EXAMPLES / "climate-agenda-farmers.txt").read_text(encoding="utf-8")
        batch = [
            {"id": "mine-2", "text": "Farmers protest\n\nFarmers drove tractors to the ministry over fuel prices."},
            {"id": "again", "text": NEW_TEXT},  # posted above as mine-1
            {"id": "example-again", "text": climate},  # ingested (and analysed) with the examples
            {
                "id": "twice-in-one-request",
                "text": "Farmers protest\n\nFarmers drove tractors to the ministry over fuel prices.",
            },
        ]
        answer = client.post("/api/articles", json=batch, headers=AUTH)
        assert answer.status_code == 201, answer.text
        result = answer.json()
        assert (result["added"], result["duplicates"]) == (1, 3)
        new, again, example, twice = result["articles"]
        assert (new["id"], new["duplicate"], new["status"]) == ("mine-2", False, "pending")
        assert (again["pk"], again["id"], again["duplicate"]) == (stored["pk"], "mine-1", True)
        assert (
            example["duplicate"] and example["id"] == "climate-agenda-farmers.txt" and example["status"] == "analysed"
        )
        assert (twice["pk"], twice["id"], twice["duplicate"]) == (new["pk"], "mine-2", True)

        bad = client.post("/api/articles", json=[{"text": NEW_TEXT}, {"text": "<p>x</p>", "html": True}], headers=AUTH)
        assert bad.status_code == 422 and bad.json()["detail"].startswith("article 1: ")
        empty = client.post("/api/articles", json=[], headers=AUTH)
        assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "articles"]
        spec = client.get("/openapi.json").json()["paths"]["/api/articles"]["post"]
        assert len(spec["requestBody"]["content"]["application/json"]["schema"]["oneOf"]) == 2
        assert "201" in spec["responses"]
    assert consistency(fast_corpus)["articles"] == examples + 2  # mine-1, mine-2: the request that failed stored none


def test_a_new_article_is_pending_until_the_background_analyser_has_analysed_it(fast_corpus):
    examples = consistency(fast_corpus)["analyses"]
    with TestClient(create_app(Settings(db=fast_corpus, token=TOKEN))) as client:
        [posted] = client.post("/api/articles", json={"text": NEW_TEXT}, headers=AUTH).json()["articles"]
        pending = client.get(f"/api/articles/{posted['pk']}").json()
        assert pending["status"] == "pending" and pending["narratives"] == [] and pending["models"] == {}
        with BackgroundAnalyser(fast_corpus, poll=0.05):
            analysed = until(
                lambda: (
                    (answer := client.get(f"/api/articles/{posted['pk']}").json())["status"] == "analysed" and answer
                ),
                "the posted article analysed in the background",
            )
    assert analysed["article"]["text"] == NEW_TEXT and analysed["narratives"]
    # the engine the corpus was analysed with (a corpus without analyses would get the default engine)
    assert analysed["engine"] == "fast"
    with Store(fast_corpus) as store:
        assert store.latest_models() == models_key(load(engine="fast"))
    assert consistency(fast_corpus) == {"articles": examples + 1, "analyses": examples + 1}


def test_an_article_that_cannot_be_analysed_does_not_hold_the_others_back(fast_corpus, monkeypatch, caplog):
    from narrascope.batch import background

    def analyse_but_poison(batch: list, fast: bool) -> list:
        if any("poison" in stored.article.text for stored in batch):
            raise ValueError("cannot analyse this one")
        return analyse_stored(batch, fast)

    analyse_stored = background.analyse_stored
    monkeypatch.setattr(background, "analyse_stored", analyse_but_poison)
    texts = [f"{NEW_TEXT} Part {number}." for number in range(3)]
    texts.insert(1, "Poison pill\n\npoison in the text makes this article fail.")
    with Store(fast_corpus) as store:
        ingested = store.ingest_each([Article(f"a{number}", text) for number, text in enumerate(texts)])
    pks = [item.pk for item in ingested]
    with BackgroundAnalyser(fast_corpus, poll=0.05), Store(fast_corpus) as store:
        until(
            lambda: all(store.stored_analysis(pk)[1] for number, pk in enumerate(pks) if number != 1),
            "the articles around the one that fails analysed",
        )
        assert not store.stored_analysis(pks[1])[1]  # not analysed: tried once, logged, skipped
    assert f"article {pks[1]} not analysed (cannot analyse this one)" in caplog.text
    with TestClient(create_app(Settings(db=fast_corpus, token=TOKEN))) as client:
        failed = client.get(f"/api/articles/{pks[1]}").json()
        assert failed["status"] == "failed" and failed["error"] == "ValueError: cannot analyse this one"
        assert client.get(f"/api/articles/{pks[0]}").json()["status"] == "analysed"
    # once it can be analysed (the next start, other models…), the failure is forgotten
    monkeypatch.setattr(background, "analyse_stored", analyse_stored)
    with BackgroundAnalyser(fast_corpus, poll=0.05), Store(fast_corpus) as store:
        until(lambda: store.stored_analysis(pks[1])[1], "the article analysed at the next start")
        assert store.analysis_failure(pks[1]) is None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(database: str, port: int, *options: str) -> subprocess.Popen:
    environment = {**os.environ, "NARRASCOPE_TOKEN": TOKEN}
    environment.pop("NARRASCOPE_DB", None)
    return subprocess.Popen(
        [sys.executable, "-m", "narrascope", "serve", "--db", database, "--port", str(port), *options],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def call(port: int, path: str, body: Any = None) -> tuple[int, Any]:
    """(status, JSON) of a request to the server on ``port``; (0, None) while it is not listening."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=AUTH)
    if data is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:
        return 0, None


@pytest.mark.parametrize("analysing", [False, True], ids=["stored-only", "while-analysing"])
def test_articles_stored_by_a_killed_server_are_analysed_when_it_starts_again(fast_corpus, analysing):
    """SIGKILL right after the 201s: every article was committed before its 201, and the next start analyses those
    left unanalysed. Without the analyser they all are; with it, the kill lands wherever it lands."""
    examples = consistency(fast_corpus)["analyses"]
    posts = [{"id": f"post-{number}", "text": f"{NEW_TEXT} Report number {number}."} for number in range(12)]
    port = free_port()
    first = serve(fast_corpus, port, "--analyse" if analysing else "--no-analyse")
    try:
        until(lambda: call(port, "/api/narratives")[0] == 200 or first.poll() is not None, "the server started")
        answers = [call(port, "/api/articles", body) for body in (posts[0], posts[1:])]
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.kill()
        first.wait()
    assert [status for status, _ in answers] == [201, 201], answers
    pks = [article["pk"] for _, answer in answers for article in answer["articles"]]
    left = consistency(fast_corpus)
    assert left["articles"] == examples + len(posts)  # each committed before its 201
    assert analysing or left["analyses"] == examples

    port = free_port()
    second = serve(fast_corpus, port)
    try:
        for pk in pks:
            analysed = until(
                lambda pk=pk: (
                    (reply := call(port, f"/api/articles/{pk}"))[0] == 200
                    and reply[1]["status"] == "analysed"
                    and reply[1]
                ),
                f"article {pk}, left unanalysed by the killed server, analysed after the restart",
            )
            assert analysed["article"]["id"].startswith("post-") and analysed["engine"] == "fast"
    finally:
        second.send_signal(signal.SIGINT)
        try:
            second.wait(timeout=60)
        except subprocess.TimeoutExpired:
            second.kill()
            second.wait()
    assert consistency(fast_corpus) == {"articles": examples + len(posts), "analyses": examples + len(posts)}


def test_the_background_analyser_waits_for_room_in_the_servers_memory_budget(fast_corpus):
    """The analyser's batches count against `serve --memory` with the requests' analyses: while a request's long
    analysis fills the budget, a posted article stays pending; once it ends, the article is analysed."""
    from narrascope.api.limits import AnalysisLimiter, analysis_mb

    limiter = AnalysisLimiter(max_analyses=2, client_analyses=1, memory_mb=SERVER_BASE_MB + 400)
    long_request = 400_000  # characters: its estimate leaves less than one more analysis' worth of the budget
    assert analysis_mb(long_request) + analysis_mb(len(NEW_TEXT)) > 400
    assert limiter.admit("a client", long_request, exempt=False) is None
    with Store(fast_corpus) as store:
        [stored] = store.ingest_each([Article("waiting", NEW_TEXT)])
        with BackgroundAnalyser(fast_corpus, poll=0.05, limiter=limiter):
            time.sleep(3.0)  # the analyser has looked many times (poll 0.05 s) and found no room
            assert not store.stored_analysis(stored.pk)[1]
            limiter.release("a client", long_request)
            until(lambda: store.stored_analysis(stored.pk)[1], "the article analysed once the budget had room")


def test_the_background_analyser_takes_a_batch_too_big_for_the_budget_when_nothing_else_runs(fast_corpus):
    """A stored article larger than the budget affords is still analysed, alone: it must be done sometime."""
    from narrascope.api.limits import AnalysisLimiter

    limiter = AnalysisLimiter(max_analyses=1, client_analyses=1, memory_mb=SERVER_BASE_MB + 110)
    with Store(fast_corpus) as store:
        [stored] = store.ingest_each([Article("big", NEW_TEXT + " More words." * 5_000)])
        with BackgroundAnalyser(fast_corpus, poll=0.05, limiter=limiter):
            until(lambda: store.stored_analysis(stored.pk)[1], "the big article analysed alone")
