"""Shared fixtures: the repository's example articles and, for model tests, the SemEval data in ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def _find_shared_data() -> Path | None:
    candidates = [os.environ.get("NARRASCOPE_DATA"), REPO.parent / "shared" / "data", "/work/shared/data"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "semeval2025-t10").is_dir():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def semeval_data() -> Path:
    """The SemEval-2025 Task 10 folder; CI has it, so there a missing folder fails instead of skipping."""
    found = _find_shared_data()
    if found is None:
        message = "SemEval data not found (set NARRASCOPE_DATA to the shared/data folder)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found / "semeval2025-t10"
