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


def test_a_sentence_is_evidence_for_at_most_two_labels_those_it_is_most_specific_to():
    from narrascope.tasks.narratives import _assign_evidence

    scores = np.array(
        [
            [5.0, 4.0, 3.0, -1.0],  # strong for three labels: serves only the two it is most specific to
            [0.1, 0.2, 2.0, -1.0],
            [0.5, -0.2, -0.3, -2.0],
        ]
    )
    evidence = _assign_evidence(scores)
    assert evidence[0] == (0, 2) and evidence[1] == (0, 1) and evidence[2] == (1,)  # sentence 0 is full for label 2
    assert evidence[3] == (2,)  # no positive sentence: its best one with room, so every label shows a quote
    uses = [sum(sentence in found for found in evidence) for sentence in range(3)]
    assert max(uses) <= 2


def test_with_encoder_vectors_the_model_runs_both_engines(small_train, tmp_path):
    generator = np.random.default_rng(0)
    vectors = generator.normal(size=(len(small_train), 16))
    model = fit_classifier(small_train, vectors, **SMALL)
    assert model.engines == ("default", "fast")
    texts = [e.article.text for e in small_train[:10]]
    sentence_vectors = [generator.normal(size=(3, 16)) for _ in texts]
    sentence_lists = [["One.", "Two.", "Three."] for _ in texts]
    with_encoder = model.predict_with_evidence(sentence_lists, vectors[:10], sentence_vectors)
    assert len(with_encoder) == len(texts)
    model.save(tmp_path)
    loaded = NarrativeClassifier.load(tmp_path)
    assert loaded.predict(texts, vectors[:10]) == model.predict(texts, vectors[:10])
    assert loaded.predict(texts) == model.predict(texts)  # the fast engine from the same files

    manifest = tmp_path / "manifest.json"
    manifest.write_text(manifest.read_text("utf-8").replace('"encoder": "e5-', '"encoder": "older-e5-'), "utf-8")
    with pytest.raises(ModelError, match="trained on encoder older-e5"):
        NarrativeClassifier.load(tmp_path)


def test_a_model_without_the_encoder_says_it_runs_only_the_fast_engine(small_train):
    model = _fit(small_train)
    assert model.engines == ("fast",)
    with pytest.raises(ModelError, match="only the fast engine"):
        model.predict([small_train[0].article.text], np.zeros((1, 16)))
