"""Model artifacts as plain arrays (``.npz``) plus a JSON manifest — never pickle.

Loading a model must not execute code from a file, and a damaged file must say which file and how to rebuild it.
The manifest stores a SHA-256 of the arrays file, checked at load time.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Protocol, Self, TypeVar

import numpy as np

from narrascope.errors import ModelError

T = TypeVar("T")

ARRAYS_FILE = "arrays.npz"
MANIFEST_FILE = "manifest.json"


def shipped_model_dir(name: str) -> Path:
    """The folder of a model shipped inside the package (``narrascope/models/<name>``)."""
    from importlib import resources

    return Path(str(resources.files("narrascope") / "models" / name))


def save_artifact(directory: str | Path, arrays: dict[str, np.ndarray], manifest: dict[str, Any]) -> None:
    """Write ``arrays.npz`` and ``manifest.json`` (with the arrays' checksum) into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    arrays_path = directory / ARRAYS_FILE
    # A fixed timestamp inside the zip makes the file byte-identical across runs (reproducible training).
    with zipfile.ZipFile(arrays_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as stream:
                np.lib.format.write_array(stream, np.ascontiguousarray(arrays[name]), allow_pickle=False)
    manifest = {**manifest, "sha256": _sha256(arrays_path)}
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", "utf-8")


def load_artifact(directory: str | Path, rebuild_hint: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and manifest in ``directory``; a clear :class:`ModelError` if anything is missing or damaged."""
    directory = Path(directory)
    manifest_path, arrays_path = directory / MANIFEST_FILE, directory / ARRAYS_FILE
    for path in (manifest_path, arrays_path):
        if not path.is_file():
            raise ModelError(f"{path}: model file is missing; rebuild it with `{rebuild_hint}`")
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ModelError(f"{manifest_path}: model manifest is corrupted; rebuild it with `{rebuild_hint}`") from None
    if manifest.get("sha256") != _sha256(arrays_path):
        raise ModelError(
            f"{arrays_path}: model file is corrupted (checksum mismatch); rebuild it with `{rebuild_hint}`"
        )
    try:
        with np.load(arrays_path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile):
        raise ModelError(f"{arrays_path}: model file is unreadable; rebuild it with `{rebuild_hint}`") from None
    return arrays, manifest


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def model_version(manifest: dict[str, Any]) -> str:
    """``<name>-<12 hex digits>`` over the arrays' checksum and everything else in the manifest: thresholds,
    decoders and styles live in the manifest, and changing them must make stored analyses out of date just as
    new weights do (the store re-analyses articles whose model versions differ)."""
    described = json.dumps({k: v for k, v in manifest.items() if k != "sha256"}, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(f"{manifest['sha256']}\n{described}".encode()).hexdigest()
    return f"{manifest['name']}-{digest[:12]}"


def build_from_artifact(
    directory: str | Path, rebuild_hint: str, build: Callable[[dict[str, np.ndarray], dict[str, Any]], T]
) -> tuple[T, str]:
    """``build(arrays, manifest)`` on the artifact in ``directory``, and the model's version (:func:`model_version`).

    Files that load but do not fit together (e.g. written by another version) give one clear :class:`ModelError`.
    """
    arrays, manifest = load_artifact(directory, rebuild_hint)
    try:
        return build(arrays, manifest), model_version(manifest)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(
            f"{directory}: model files do not fit together ({error}); rebuild with `{rebuild_hint}`"
        ) from None


class SavedModel:
    """Base of a model saved as one artifact: :meth:`load` rebuilds it and sets its ``version``.

    A subclass names the command that rebuilds its shipped files (``rebuild_command``, quoted by every load error)
    and builds itself from the arrays and manifest its ``save`` wrote (``_from_artifact``).
    """

    rebuild_command: ClassVar[str]
    version: str = "untrained"

    @classmethod
    def load(cls, directory: str | Path) -> Self:
        model, model.version = build_from_artifact(directory, cls.rebuild_command, cls._from_artifact)
        return model

    @classmethod
    def _from_artifact(cls, arrays: dict[str, np.ndarray], manifest: dict[str, Any]) -> Self:
        raise NotImplementedError


class ArtifactPart(Protocol):
    """A model component that saves itself as arrays plus JSON settings."""

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]: ...


class ArtifactPartType(Protocol):
    """A component class: rebuilds a component from the arrays and settings its ``to_arrays`` gave."""

    def from_arrays(self, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> Any: ...


def save_parts(
    directory: str | Path, name: str, parts: Mapping[str, ArtifactPart], extra_manifest: dict[str, Any] | None = None
) -> None:
    """One artifact from several components: all their arrays in one file, each one's settings under its key.

    The manifest reads ``{"name": name, <key>: <settings>, ..., **extra_manifest}``, the layout of the shipped
    models that are built from parts (entities, techniques).
    """
    arrays: dict[str, np.ndarray] = {}
    manifest: dict[str, Any] = {"name": name}
    for key, part in parts.items():
        part_arrays, manifest[key] = part.to_arrays()
        arrays.update(part_arrays)
    save_artifact(directory, arrays, {**manifest, **(extra_manifest or {})})


def load_parts(
    directory: str | Path, rebuild_hint: str, kinds: Mapping[str, ArtifactPartType]
) -> tuple[dict[str, Any], str]:
    """The components saved by :func:`save_parts`, each rebuilt by ``kinds[key].from_arrays``, and the version."""
    return build_from_artifact(
        directory,
        rebuild_hint,
        lambda arrays, manifest: {key: kind.from_arrays(arrays, manifest[key]) for key, kind in kinds.items()},
    )
