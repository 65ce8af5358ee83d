"""Shared fixtures: the repository's example articles and, for model tests, the SemEval data in ../shared."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def _find_shared(relative: str) -> Path | None:
    """``../shared/<relative>`` (or under ``$NARRASCOPE_SHARED``), where the team's data and examples live."""
    roots = [os.environ.get("NARRASCOPE_SHARED"), REPO.parent / "shared", "/work/shared"]
    for root in roots:
        if root and (Path(root) / relative).exists():
            return Path(root) / relative
    return None


def _require_shared(relative: str) -> Path:
    """The shared path; CI has it, so there a missing one fails instead of skipping."""
    found = _find_shared(relative)
    if found is None:
        message = f"shared/{relative} not found (set NARRASCOPE_SHARED to the shared folder)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def semeval_data() -> Path:
    """The SemEval-2025 Task 10 data folder."""
    return _require_shared("data/semeval2025-t10")


@pytest.fixture(scope="session")
def london_paris_article() -> Path:
    """The team's reference example article (not in the repository: it is not our text)."""
    return _require_shared("examples/why-london-and-paris.txt")


def _postgres_admin_url() -> str | None:
    url = os.environ.get("NARRASCOPE_TEST_POSTGRES")
    if url is None and os.environ.get("CI"):
        pytest.fail("NARRASCOPE_TEST_POSTGRES is not set: scripts/test starts a PostgreSQL server for CI")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty database: a SQLite file, or a fresh database on the test PostgreSQL server (dropped after)."""
    if request.param == "sqlite":
        yield str(tmp_path / "corpus.db")
        return
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip("no PostgreSQL server (NARRASCOPE_TEST_POSTGRES)")
    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
