"""Reproducible training of the shipped models from the shared data (``narrascope train ...``)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

MODEL_CARD = "MODEL_CARD.md"


def rounded(scores: Any) -> dict[str, Any]:
    """A score dataclass as a manifest entry: floats rounded to 4 places."""
    return {key: round(value, 4) if isinstance(value, float) else value for key, value in scores.to_dict().items()}


def model_files_size(directory: Path) -> int:
    """Bytes on disk of the model in ``directory``: every file but its card, so the card can state it."""
    return sum(path.stat().st_size for path in directory.iterdir() if path.name != MODEL_CARD)


def table_rows(scores: Mapping[str, Mapping[str, Any]], columns: Mapping[str, str]) -> str:
    """The body of a model card's score table: per language, a ``| language | ... |`` line of ``columns``.

    ``columns`` maps a score's key to its format spec (``""`` for counts, ``".3f"``, ``".0%"``), in table order.
    """
    return "\n".join(
        "| " + " | ".join([language, *(format(row[key], spec) for key, spec in columns.items())]) + " |"
        for language, row in scores.items()
    )


def save_model_card(directory: Path, card: str) -> None:
    """The card beside the model files it describes (written last: :func:`model_files_size` leaves it out)."""
    (directory / MODEL_CARD).write_text(card, encoding="utf-8")


def report_saved(console: Console, version: str, out: str | Path, started: float) -> None:
    """The line every trainer ends with: which model version it wrote where, and how long training took."""
    console.print(f"Saved {version} to {out} in {time.perf_counter() - started:.0f} s")
