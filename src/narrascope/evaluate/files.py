"""Naming and pairing of gold/prediction files in score reports."""

from __future__ import annotations

from collections.abc import Container, Sequence
from pathlib import Path

#: Language folders of the SemEval-2025 Task 10 data.
LANGUAGE_FOLDERS = ("BG", "EN", "HI", "PT", "RU")


def dataset_name(path: Path) -> str:
    """The language code a SemEval path shows (``.../EN/dev/subtask-2-annotations.txt`` → ``EN``), else the stem."""
    for part in reversed(path.resolve().parts[:-1]):
        if part.upper() in LANGUAGE_FOLDERS:
            return part.upper()
    return path.stem


def unique_name(existing: Container[str], name: str) -> str:
    """``name``, or ``name#2``, ``name#3``… if a report already has it."""
    candidate, number = name, 2
    while candidate in existing:
        candidate, number = f"{name}#{number}", number + 1
    return candidate


def joined(paths: Sequence[Path]) -> str:
    return ", ".join(str(path) for path in paths)
