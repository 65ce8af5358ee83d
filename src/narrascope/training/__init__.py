"""Reproducible training of the shipped models from the shared data (``narrascope train ...``)."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from narrascope.errors import InputError
from narrascope.io.files import current_umask
from narrascope.ml.artifacts import ARRAYS_FILE, MANIFEST_FILE

if TYPE_CHECKING:
    from rich.console import Console

MODEL_CARD = "MODEL_CARD.md"
M = TypeVar("M")


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


def report_saved(console: Console, version: str, started: float) -> None:
    """The line every trainer ends with: which model version it built, and how long training took."""
    console.print(f"Built {version} in {time.perf_counter() - started:.0f} s")


def publish(
    out: str | Path,
    manifest: dict[str, Any],
    load: Callable[[Path], M],
    write_card: Callable[[Path, M, dict[str, Any]], None],
    console: Console,
    started: float,
) -> M:
    """How every trainer ends once its model is saved in ``out``: the model read back from its files (what ships
    is what the card describes), its card, and :func:`report_saved`'s line."""
    model = load(Path(out))
    write_card(Path(out), model, manifest)
    report_saved(console, model.version, started)
    return model


#: What a model folder holds.
MODEL_FILES = frozenset({ARRAYS_FILE, MANIFEST_FILE, MODEL_CARD})


@contextmanager
def staged_model_folder(out: Path, name: str, data: Path) -> Iterator[Path]:
    """A fresh folder beside ``out`` to train into, put in place of ``out`` only when training succeeded.

    ``out`` is checked before any training: it must be new, empty, or a folder holding a ``name`` model (so a typo
    cannot replace another model or a folder of data). A failure or a kill leaves ``out`` as it was.
    """
    _check_model_output(out, name, data)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".training", dir=out.parent))
    except OSError as error:
        raise InputError(out, f"cannot write here ({error.strerror or error})") from None
    try:
        yield staging
        staging.chmod(0o777 & ~current_umask())
        previous = out.with_name(f".{out.name}.previous") if out.exists() else None
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
            out.rename(previous)
        staging.rename(out)
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _check_model_output(out: Path, name: str, data: Path) -> None:
    target = out.resolve()
    if target == data.resolve() or data.resolve() in target.parents:
        raise InputError(out, f"is inside the training data {data}; write the model elsewhere")
    if not out.exists():
        return
    if not out.is_dir():
        raise InputError(out, "exists and is not a folder")
    present = {path.name for path in out.iterdir()}
    if not present:
        return
    if not present <= MODEL_FILES:
        raise InputError(out, "is not a model folder (it holds other files); choose an empty or new folder")
    try:
        found = json.loads((out / MANIFEST_FILE).read_text("utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        found = None
    if found != name:
        raise InputError(
            out, f"holds another model ({found or 'unreadable'}), not a {name} model; choose another --out"
        )
