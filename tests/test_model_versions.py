"""Model versions: what the store compares to decide whether an article's analysis is out of date."""

from __future__ import annotations

import re

import numpy as np
import pytest

from narrascope.ml.artifacts import build_from_artifact, load_artifact, save_artifact, shipped_model_dir

SHIPPED = ("entities", "explanations", "mentions", "narratives", "scope", "techniques")


def _version(directory, arrays, manifest) -> str:
    save_artifact(directory, arrays, manifest)
    return build_from_artifact(directory, "rebuild", lambda arrays, manifest: None)[1]


def test_a_model_is_new_when_its_weights_or_its_settings_change(tmp_path):
    """Thresholds, decoders and styles live in the manifest beside the weights: a retrained threshold with the same
    weights is a new model, and stored analyses made with the old one must be redone."""
    weights = {"w": np.arange(6, dtype=np.float32)}
    base = _version(tmp_path / "a", weights, {"name": "toy", "threshold": 0.5})
    assert re.fullmatch(r"toy-[0-9a-f]{12}", base)
    assert _version(tmp_path / "b", weights, {"name": "toy", "threshold": 0.5}) == base  # reproducible
    assert _version(tmp_path / "c", weights, {"name": "toy", "threshold": 0.6}) != base
    other_weights = {"w": np.arange(6, dtype=np.float32) + 1}
    assert _version(tmp_path / "d", other_weights, {"name": "toy", "threshold": 0.5}) != base


@pytest.mark.parametrize("name", SHIPPED)
def test_each_model_card_names_the_version_its_model_loads_as(name):
    directory = shipped_model_dir(name)
    version = build_from_artifact(directory, "rebuild", lambda arrays, manifest: None)[1]
    assert version.startswith(f"{name}-") and load_artifact(directory, "rebuild")[1]["name"] == name
    title = (directory / "MODEL_CARD.md").read_text("utf-8").splitlines()[0]
    assert title.endswith(f"({version})"), title
