"""The narrative classifier: deterministic training, pickle-free persistence, taxonomy-consistent output."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from narrascope.errors import ModelError
from narrascope.ml.features import NgramBlock
from narrascope.tasks.narratives import NarrativeClassifier
from narrascope.taxonomy import narratives
from narrascope.training.data import load_narrative_split
from narrascope.training.narratives import fit_classifier

#: Small and quick: few features, two folds, a tiny decoder grid.
SMALL = {
    "char_block": NgramBlock("char_wb", 3, 4, min_df=3),
    "word_block": NgramBlock("word", 1, 1, min_df=2),
    "keep_weights": 500,
    "folds": 2,
    "decoder_grid": {"other": (0.8, 1.2), "sharpness": (1.0,)},
}


@pytest.fixture(scope="module")
def small_train(semeval_data):
    examples = load_narrative_split(semeval_data, "train", ("EN", "RU"))
    return examples[::4]


def _fit(examples) -> NarrativeClassifier:
    return fit_classifier(examples, **SMALL)


def test_training_is_deterministic_and_saved_models_predict_the_same(small_train, tmp_path):
    first, second = _fit(small_train), _fit(small_train)
    first.save(tmp_path / "a")
    second.save(tmp_path / "b")
    digest = [hashlib.sha256((tmp_path / name / "arrays.npz").read_bytes()).hexdigest() for name in ("a", "b")]
    assert digest[0] == digest[1]

    loaded = NarrativeClassifier.load(tmp_path / "a")
    texts = [e.article.text for e in small_train[:20]]
    np.testing.assert_allclose(loaded.predict_proba(texts).fine, first.predict_proba(texts).fine, atol=2e-3)
    assert loaded.predict(texts) == first.predict(texts)


def test_predictions_obey_the_taxonomy(small_train):
    model = _fit(small_train)
    taxonomy = narratives()
    for coarse, fine in model.predict([e.article.text for e in small_train[:40]]):
        assert coarse and fine
        if "Other" in coarse:
            assert coarse == ["Other"] and fine == ["Other"]
            continue
        assert {taxonomy.parent(label) for label in fine} == set(coarse)


def test_evidence_points_at_sentences_of_the_document(small_train):
    model = _fit(small_train)
    documents = [["NATO troops will enter Ukraine.", "This means war with Russia."], ["The library reopened."]]
    for sentences, (coarse, fine) in zip(documents, model.predict_with_evidence(documents), strict=True):
        for label in (*coarse, *fine):
            assert all(0 <= index < len(sentences) for index in label.evidence)
            assert len(label.evidence) <= 3


def test_damaged_model_files_give_a_clear_error(small_train, tmp_path):
    _fit(small_train).save(tmp_path)
    arrays = tmp_path / "arrays.npz"
    arrays.write_bytes(arrays.read_bytes()[:-100])
    with pytest.raises(ModelError, match=r"corrupted.*narrascope train narratives"):
        NarrativeClassifier.load(tmp_path)
    arrays.unlink()
    with pytest.raises(ModelError, match="missing"):
        NarrativeClassifier.load(tmp_path)
