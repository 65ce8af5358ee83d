"""Reproducible training of the shipped models from the shared data (``narrascope train ...``)."""

from __future__ import annotations

from typing import Any


def rounded(scores: Any) -> dict[str, Any]:
    """A score dataclass as a manifest entry: floats rounded to 4 places."""
    return {key: round(value, 4) if isinstance(value, float) else value for key, value in scores.to_dict().items()}
