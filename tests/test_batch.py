"""Corpus analysis on worker processes and on a real local Dask cluster gives the same results as in-process."""

from __future__ import annotations

import json

import pytest

from narrascope.batch import analyse_store
from narrascope.io import iter_articles
from narrascope.store import Store

from .conftest import EXAMPLES


def _analysed(tmp_path, name: str, **options) -> dict[str, dict]:
    with Store(tmp_path / f"{name}.db") as store:
        store.ingest(list(iter_articles([EXAMPLES])))
        result = analyse_store(store, **options)
        assert result.analysed == store.counts()["articles"] == store.counts()["analyses"]
        found = {}
        for pk in range(1, result.analysed + 1):
            analysis = store.analysis(pk)
            assert analysis is not None
            found[analysis.article.id] = json.loads(json.dumps(analysis.to_dict()))
        return found


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    return _analysed(tmp_path_factory.mktemp("one"), "one", workers=1)


def test_local_worker_processes_match_in_process_analysis(in_process, tmp_path):
    assert _analysed(tmp_path, "pool", engine="local", workers=2, batch_size=2) == in_process


def test_dask_local_cluster_with_two_workers_matches_in_process_analysis(in_process, tmp_path):
    assert _analysed(tmp_path, "dask", engine="dask", workers=2, batch_size=2) == in_process
