"""Naming and pairing of gold/prediction files in score reports."""

from __future__ import annotations

from collections.abc import Collection, Container, Sequence
from pathlib import Path

from narrascope.errors import InputError

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


def refuse_missing(gold_ids: Collection[str], predicted_ids: Container[str], gold: Path, pred: Sequence[Path]) -> None:
    """Every gold article needs a prediction: scoring a missing one as empty would hide a broken run."""
    missing = sorted(article for article in set(gold_ids) if article not in predicted_ids)
    if missing:
        raise InputError(joined(pred), f"{len(missing)} article(s) of {gold} have no prediction (e.g. {missing[0]})")


def refuse_extra(gold_ids: Container[str], predicted_ids: Collection[str], pred: Sequence[Path]) -> None:
    """Predictions for articles no gold file has: a wrong --gold or a mixed-up prediction file."""
    extra = sorted(article for article in set(predicted_ids) if article not in gold_ids)
    if extra:
        raise InputError(joined(pred), f"{len(extra)} predicted article(s) are not in any gold file (e.g. {extra[0]})")
