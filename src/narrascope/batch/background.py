"""The server's background analyser: a thread of ``narrascope serve`` that analyses articles stored without an
analysis — posted to ``/api/articles``, ingested by the CLI, or left unanalysed by a crash — one batch at a time.

The store is the queue: an article is committed before the API answers 201, and its analysis is committed in one
transaction with its labels and trend counts, so a ``kill -9`` at any moment loses nothing; the next start finds
the articles still without an analysis and analyses them. New articles are analysed with the engine the corpus
was analysed with (its latest analysis says which), so the corpus does not mix engines. Articles whose analysis
is merely stale (older model versions) are left to ``narrascope analyze --db``, which uses every core.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import Protocol

from narrascope.batch.run import analyse_stored, engine_of, models_key
from narrascope.pipeline import load
from narrascope.store import Store, StoredArticle

log = logging.getLogger(__name__)

#: Articles per analysis batch: small, so that stopping the server waits for a few seconds of work at most.
BATCH_SIZE = 8
#: Seconds between looks for new articles when there is nothing to do.
POLL_SECONDS = 1.0
#: Seconds between looks from the first row when idle, on PostgreSQL: it may commit a lower row number after a higher
#: one was seen, which looks after the highest row seen would miss. (SQLite commits row numbers in order: one writer
#: at a time, which takes its numbers while it holds the lock.)
RESCAN_SECONDS = 60.0
#: Seconds to wait before trying again after a database error.
RETRY_SECONDS = 5.0
#: How the analyser is named among the server's clients (:class:`~narrascope.api.limits.AnalysisLimiter`).
LIMITER_CLIENT = "background analyser"


class Slots(Protocol):
    """Where the analyser takes its place among the server's analyses (``api.limits.AnalysisLimiter``)."""

    def waiting_slot(self, client: str, chars: int, stop: threading.Event) -> AbstractContextManager[bool]: ...


class BackgroundAnalyser:
    """One thread analysing the store's unanalysed articles, batch after batch: at most one analysis at a time.

    Use as a context manager (``with BackgroundAnalyser(db): …``): the thread starts on entry and is stopped on
    exit, after the batch in hand if it ends within seconds (a batch cut short is not committed, and is redone).
    """

    def __init__(
        self,
        db: str,
        *,
        batch_size: int = BATCH_SIZE,
        poll: float = POLL_SECONDS,
        limiter: Slots | None = None,
    ) -> None:
        self.db, self.batch_size, self.poll = db, batch_size, poll
        self.limiter = limiter  # the server's: a batch waits for room among the requests' analyses
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="narrascope-analyser", daemon=True)
        self._failed: set[int] = set()  # articles whose analysis raised: not retried by this process (the store keeps
        # why, for GET /api/articles/{pk}; the next start tries them again, perhaps with other models)

    def __enter__(self) -> BackgroundAnalyser:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=10)  # a batch cut short is not committed, and is redone at the next start

    def _run(self) -> None:
        with Store(self.db) as store:
            last, rescan_at = 0, time.monotonic() + RESCAN_SECONDS
            while not self._stop.is_set():
                try:
                    batch, top = store.unanalysed(last, self.batch_size)
                    if batch:
                        self._analyse(store, [stored for stored in batch if stored.pk not in self._failed])
                        last = batch[-1].pk
                        continue
                except Exception as error:  # the database went away, a disk filled up…: say so and try again
                    log.warning("background analysis: %s; retrying in %g s", error, RETRY_SECONDS)
                    self._stop.wait(RETRY_SECONDS)
                    continue
                last = max(last, top)  # the next looks start after the rows seen, not at the first row
                if store.dialect == "postgresql" and time.monotonic() >= rescan_at:
                    last, rescan_at = 0, time.monotonic() + RESCAN_SECONDS
                self._stop.wait(self.poll)

    def _analyse(self, store: Store, batch: list[StoredArticle]) -> None:
        """Analyse a batch and store it in one transaction. When the analysis fails, each article on its own, so
        that one article that cannot be analysed does not hold the others back; database errors go to the caller,
        which tries the batch again."""
        if not batch:
            return
        models = store.latest_models()
        fast = models is not None and engine_of(models) == "fast"
        chars = sum(len(stored.article.text) for stored in batch)
        try:
            slot = self.limiter.waiting_slot(LIMITER_CLIENT, chars, self._stop) if self.limiter else nullcontext(True)
            with slot as taken:
                if not taken:
                    return  # stopping: the batch is left for the next start
                records = analyse_stored(batch, fast)
        except Exception as error:
            if len(batch) > 1:
                for stored in batch:
                    self._analyse(store, [stored])
                return
            self._failed.add(batch[0].pk)
            log.warning("background analysis: article %d not analysed (%s)", batch[0].pk, error)
            store.record_failure(batch[0].pk, f"{type(error).__name__}: {error}")
            return
        store.save_records(records, models_key(load(engine="fast" if fast else "default")))
