"""Crash safety and concurrency on real databases: kill -9 the ingest and analyse commands at random points, kill a
Dask worker mid-run, run writers side by side — and check that nothing is lost, duplicated or half-written."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from narrascope.api import Settings, create_app
from narrascope.batch import analyse_store
from narrascope.store import Store
from narrascope.store.schema import analyses, articles, label_counts, labels
from narrascope.store.store import ARTICLES_LEVEL

TRIALS = 10
#: Large enough that an ingest is still running when the first kill comes, on a fast idle machine too.
TOTAL_INGEST = 60_000
WORDS = "troops sanctions climate energy farmers NATO Kyiv Moscow Brussels protest policy price war peace".split()


def write_feed(path: Path, count: int, seed: int, words: int = 40) -> Path:
    generator = random.Random(seed)
    with path.open("w", encoding="utf-8") as stream:
        for number in range(count):
            text = " ".join(generator.choice(WORDS) for _ in range(words)) + f" (item {seed}-{number})."
            record = {"id": f"{seed}-{number}", "title": f"Report {number}", "text": text, "source": f"s{number % 3}"}
            stream.write(json.dumps(record) + "\n")
    return path


def narrascope(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "narrascope", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def kill_at_random(process: subprocess.Popen, generator: random.Random, low: float, high: float) -> None:
    time.sleep(generator.uniform(low, high))
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()


def consistency(database: str) -> dict[str, int]:
    """Row counts, plus the invariants a crash must never break."""
    with Store(database) as store:
        (row,) = store.execute(
            select(
                func.count().label("articles"),
                func.count(func.distinct(articles.c.content_hash)).label("hashes"),
            )
        )
        analysed = store.execute(select(func.count().label("n")).select_from(analyses))[0]["n"]
        counted = store.execute(
            select(func.coalesce(func.sum(label_counts.c.count), 0).label("n")).where(
                label_counts.c.level == ARTICLES_LEVEL
            )
        )[0]["n"]
        unlabelled = store.execute(
            select(func.count().label("n"))
            .select_from(analyses)
            .where(~select(labels.c.article).where(labels.c.article == analyses.c.article).exists())
        )[0]["n"]
    assert row["articles"] == row["hashes"]  # no duplicated text
    assert counted == analysed  # trend counts match the analyses exactly: no half-written analysis
    assert unlabelled == 0  # every analysis has its labels
    return {"articles": row["articles"], "analyses": analysed}


def kill_once_it_grows(process: subprocess.Popen, database: str, table: Any, generator: random.Random) -> None:
    """SIGKILL at a random moment after the process has committed rows to ``table`` in this run: a timed kill can
    land before its first commit on a busy machine (imports alone then take longer than the delay)."""
    wait_until_it_grows(process, database, table)
    kill_at_random(process, generator, 0.0, 0.5)


def wait_until_it_grows(process: subprocess.Popen, database: str, table: Any) -> None:
    before, deadline = rows(database, table), time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline and rows(database, table) <= before:
        time.sleep(0.05)


def rows(database: str, table: Any) -> int:
    with Store(database) as store:
        return store.execute(select(func.count().label("n")).select_from(table))[0]["n"]


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux /proc)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped by its new parent, counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def test_kill_9_during_ingest_loses_and_duplicates_nothing(database_url, tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", TOTAL_INGEST, seed=1, words=20)
    generator = random.Random(2025)
    seen = []
    for trial in range(TRIALS):
        process = narrascope("ingest", str(feed), "--db", database_url)
        if trial % 2 == 0:  # anywhere: start-up, and in the first trial the creation of the schema
            kill_at_random(process, generator, 0.3, 1.2)
        else:  # surely in the middle of the ingest
            kill_once_it_grows(process, database_url, articles, generator)
        seen.append(consistency(database_url)["articles"])
    assert any(0 < count < TOTAL_INGEST for count in seen), seen  # some kills really landed mid-ingest
    finished = narrascope("ingest", str(feed), "--db", database_url)
    assert finished.wait() == 0, finished.stderr.read()
    assert consistency(database_url)["articles"] == TOTAL_INGEST


def test_kill_9_during_analysis_loses_and_duplicates_nothing(database_url, tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", 300, seed=3)
    assert narrascope("ingest", str(feed), "--db", database_url).wait() == 0
    generator = random.Random(7)
    seen = []
    for trial in range(TRIALS):
        analyse = narrascope("analyze", "--db", database_url, "--workers", "1", "--batch-size", "8")
        if trial % 2 == 0:  # anywhere, loading the models included
            kill_at_random(analyse, generator, 1.0, 4.0)
        else:  # surely in the middle of the analysis (the encoder's start-up can outlast a timed kill)
            kill_once_it_grows(analyse, database_url, analyses, generator)
        seen.append(consistency(database_url)["analyses"])
    assert any(0 < count < 300 for count in seen), seen  # some kills really landed mid-analysis
    finished = narrascope("analyze", "--db", database_url, "--workers", "1")
    assert finished.wait() == 0, finished.stderr.read()
    assert consistency(database_url) == {"articles": 300, "analyses": 300}


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads child processes from Linux /proc")
def test_workers_exit_when_analyze_is_killed(tmp_path):
    database = str(tmp_path / "workers.db")
    feed = write_feed(tmp_path / "feed.jsonl", 400, seed=5)
    assert narrascope("ingest", str(feed), "--db", database).wait() == 0
    analyse = narrascope("analyze", "--db", database, "--workers", "2", "--batch-size", "8")
    wait_until_it_grows(analyse, database, analyses)
    workers = children(analyse.pid)
    kill_at_random(analyse, random.Random(3), 0.0, 0.2)
    assert len(workers) >= 2, workers
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)  # they used to wait forever, ~300 MB each


def test_a_dask_worker_killed_mid_run_does_not_lose_results(tmp_path):
    from distributed import Client, LocalCluster

    database = str(tmp_path / "dask.db")
    with Store(database) as store:
        store.ingest(list(_articles(write_feed(tmp_path / "feed.jsonl", 240, seed=5, words=120))))
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        pids = list(client.run(os.getpid).values())

        def kill_one_worker() -> None:
            time.sleep(2.0)
            os.kill(pids[0], signal.SIGKILL)

        killer = threading.Thread(target=kill_one_worker)
        killer.start()
        with Store(database) as store:
            result = analyse_store(store, engine="dask", scheduler=cluster.scheduler_address, batch_size=4)
        killer.join()
        assert pids[0] not in client.run(os.getpid).values()  # the worker really died (and was replaced)
    assert result.analysed == 240
    assert consistency(database) == {"articles": 240, "analyses": 240}


def _articles(feed: Path):
    from narrascope.io import iter_articles

    return iter_articles([feed])


def test_two_ingests_into_one_sqlite_file_at_once(tmp_path):
    database = str(tmp_path / "shared.db")
    first = write_feed(tmp_path / "a.jsonl", 6000, seed=10)
    second = write_feed(tmp_path / "b.jsonl", 6000, seed=11)
    processes = [narrascope("ingest", str(path), "--db", database) for path in (first, second, first)]
    for process in processes:
        code, err = process.wait(), process.stderr.read()
        assert code == 0 and "locked" not in err, err
    assert consistency(database)["articles"] == 12_000


def test_api_writes_during_a_cli_ingest(tmp_path):
    database = str(tmp_path / "busy.db")
    feed = write_feed(tmp_path / "feed.jsonl", 15_000, seed=20)
    Store(database).close()
    ingest = narrascope("ingest", str(feed), "--db", database)
    with TestClient(create_app(Settings(db=database, token="t"))) as client:
        for number in range(25):
            body = [{"text": f"API article {number}\n\nWritten while the command line ingests."}]
            response = client.post("/api/articles", json=body, headers={"Authorization": "Bearer t"})
            assert response.status_code == 201, response.text
    assert ingest.wait() == 0, ingest.stderr.read()
    assert consistency(database)["articles"] == 15_025


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
def test_damaged_model_files_are_named_with_the_rebuild_command(tmp_path, damage):
    import shutil

    from narrascope.errors import ModelError
    from narrascope.tasks.narratives import NarrativeClassifier

    copy = tmp_path / "narratives"
    shutil.copytree(_shipped_dir(), copy)
    arrays = copy / "arrays.npz"
    if damage == "truncate":
        arrays.write_bytes(arrays.read_bytes()[:1000])
    elif damage == "flip":
        data = bytearray(arrays.read_bytes())
        data[len(data) // 2] ^= 0xFF
        arrays.write_bytes(bytes(data))
    else:
        arrays.unlink()
    with pytest.raises(ModelError) as raised:
        NarrativeClassifier.load(copy)
    message = str(raised.value)
    assert str(arrays) in message and "narrascope train narratives" in message and "\n" not in message


@pytest.mark.parametrize(
    ("name", "loader", "manifest_key"),
    [
        ("narratives", "narrascope.tasks.narratives:NarrativeClassifier.load", "decoders"),
        ("scope", "narrascope.tasks.scope:ScopeClassifier.load", "threshold"),
        ("entities", "narrascope.tasks.entities.model:EntityModel.load", "roles"),
        ("mentions", "narrascope.tasks.entities.tagger:MentionTagger.load", "actor_threshold"),
        ("explanations", "narrascope.tasks.explain:load_model", "settings"),
        ("techniques", "narrascope.tasks.persuasion:load_model", "spans"),
    ],
)
def test_model_files_that_do_not_fit_together_name_the_folder(tmp_path, name, loader, manifest_key):
    """A manifest from another version (here: a section missing) with intact arrays: one clear error."""
    import importlib
    import json
    import shutil

    from narrascope.errors import ModelError

    copy = tmp_path / name
    shutil.copytree(_shipped_dir(name), copy)
    manifest = json.loads((copy / "manifest.json").read_text("utf-8"))
    del manifest[manifest_key]
    (copy / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    module, attribute = loader.split(":")
    load = importlib.import_module(module)
    for part in attribute.split("."):
        load = getattr(load, part)
    with pytest.raises(ModelError, match=f"do not fit together.*narrascope train {name}") as raised:
        load(copy)
    assert str(copy) in str(raised.value)


def _shipped_dir(name: str = "narratives") -> Path:
    from importlib import resources

    return Path(str(resources.files("narrascope") / "models" / name))
