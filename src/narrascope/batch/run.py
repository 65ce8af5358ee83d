"""Resumable corpus analysis: pending batches go to workers, results come back and are stored batch by batch.

The same function (:func:`analyse_articles`) runs everywhere: in this process (``workers=1``), in local worker
processes (``engine="local"``) or on Dask workers (``engine="dask"``; a local cluster unless a scheduler address
is given). Only this process writes to the store, one transaction per batch, so a crash or ``kill -9`` loses at
most the batches in flight, and the next run redoes exactly those.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from narrascope.document import Analysis, Article
from narrascope.errors import NarrascopeError
from narrascope.pipeline import Pipeline, load
from narrascope.store import AnalysisRecord, Store, StoredArticle, analysis_record

Engine = Literal["local", "dask"]
BATCH_SIZE = 64


@dataclass(frozen=True, slots=True)
class AnalyseResult:
    analysed: int
    seconds: float
    workers: int
    engine: str

    @property
    def rate(self) -> float:
        return self.analysed / self.seconds if self.seconds else 0.0


def models_key(pipeline: Pipeline) -> str:
    """The versions of every model in the pipeline: stored with each analysis, compared to find stale ones."""
    return ";".join(f"{component.name}={component.version}" for component in pipeline.components)


def engine_of(models: str) -> str:
    """The engine whose pipeline has these model versions: only the default engine's reads with the encoder."""
    return "default" if any(part.startswith("encoder=") for part in models.split(";")) else "fast"


def analyse_articles(batch: list[Article], fast: bool = False) -> list[Analysis]:
    """Worker function: the pipeline of the default or the fast engine (loaded once per process) over one batch."""
    return list(load(engine="fast" if fast else "default").pipe(batch, batch_size=len(batch) or 1))


def analyse_store(
    store: Store,
    engine: Engine = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] = lambda _n: None,
    batch_size: int = BATCH_SIZE,
    fast: bool = False,
) -> AnalyseResult:
    """Analyse every stored article that has no analysis by the current models of the engine (``fast``: the n-gram
    models); returns what was done. Switching engines redoes every analysis: a corpus never mixes engines."""
    workers = workers or os.cpu_count() or 1
    models = models_key(load(engine="fast" if fast else "default"))
    done = 0
    job = partial(analyse_stored, fast=fast)
    with _executor(engine, workers, scheduler, job) as submit_and_collect:
        started = time.perf_counter()  # the rate of the engine, not of starting a cluster
        for stored_batch, records in submit_and_collect(store.pending(models, batch_size), workers):
            store.save_records(records, models)
            done += len(stored_batch)
            progress(len(stored_batch))
    return AnalyseResult(done, time.perf_counter() - started, workers, engine)


Runner = Callable[[Iterator[list[StoredArticle]], int], Iterator[tuple[list[StoredArticle], list[AnalysisRecord]]]]


@contextmanager
def _executor(
    engine: Engine, workers: int, scheduler: str | None, job: Callable[[list[StoredArticle]], list[AnalysisRecord]]
) -> Iterator[Runner]:
    if engine == "dask":
        with _dask_client(workers, scheduler) as client:
            yield lambda batches, width: _bounded(batches, width, lambda batch: client.submit(job, batch))
    elif workers == 1:
        yield lambda batches, _width: ((batch, job(batch)) for batch in batches)
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_exit_with_parent) as pool:
            yield lambda batches, width: _bounded(batches, width, lambda batch: pool.submit(job, batch))


def _exit_with_parent() -> None:
    """Worker initializer: end this worker when the process that started it is gone. After a ``kill -9`` of
    ``narrascope analyze`` its workers otherwise wait forever, blocked writing results nobody reads (~300 MB each)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _quiet_dask_logs() -> None:
    """Dask's own loggers print tracebacks when a scheduler goes away; this command says it in one line."""
    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name == "distributed" or name.startswith("distributed."):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def analyse_stored(batch: list[StoredArticle], fast: bool = False) -> list[AnalysisRecord]:
    """Analyse a batch and return what the store keeps (records travel back much lighter than analyses)."""
    analyses = analyse_articles([stored.article for stored in batch], fast)
    return [analysis_record(stored, analysis) for stored, analysis in zip(batch, analyses, strict=True)]


def _bounded(
    batches: Iterator[list[StoredArticle]], width: int, submit: Callable[[list[StoredArticle]], Any]
) -> Iterator[tuple[list[StoredArticle], list[AnalysisRecord]]]:
    """At most two batches per worker in flight; results in completion order."""
    in_flight: dict[Any, list[StoredArticle]] = {}
    exhausted = False
    while True:
        while not exhausted and len(in_flight) < 2 * width:
            batch = next(batches, None)
            if batch is None:
                exhausted = True
                break
            in_flight[submit(batch)] = batch
        if not in_flight:
            return
        for future in _first_done(list(in_flight)):
            yield in_flight.pop(future), future.result()


def _first_done(futures: list[Any]) -> list[Any]:
    if isinstance(futures[0], Future):
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        return list(done)
    from distributed import wait as dask_wait

    done, _ = dask_wait(futures, return_when="FIRST_COMPLETED")
    return list(done)


@contextmanager
def _dask_client(workers: int, scheduler: str | None) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is a dependency; this guards broken installs
        raise NarrascopeError("the dask engine needs `pip install 'dask[distributed]'`") from None
    _quiet_dask_logs()
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as error:
            raise NarrascopeError(f"{scheduler}: cannot reach the Dask scheduler ({error})") from None
        except ValueError as error:  # e.g. no port: distributed parses the address before connecting
            raise NarrascopeError(
                f"{scheduler}: not a Dask scheduler address, e.g. tcp://host:8786 ({error})"
            ) from None
        with client:
            try:
                yield client
            except (CancelledError, OSError, TimeoutError) as error:  # the scheduler went away mid-run
                raise NarrascopeError(
                    f"{scheduler}: lost the Dask scheduler ({type(error).__name__}); what was stored is kept, "
                    "run the command again to analyse the rest"
                ) from None
        return
    with _children_ignore_ctrl_c():
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        )
    with cluster, Client(cluster) as client:
        yield client


@contextmanager
def _children_ignore_ctrl_c() -> Iterator[None]:
    """Processes started inside ignore SIGINT (an ignored signal stays ignored in a child, and Python keeps it so).
    Ctrl-C reaches the whole process group: the workers would each print a KeyboardInterrupt traceback, while
    this process stopping closes the cluster anyway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
