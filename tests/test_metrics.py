import numpy as np
import pytest

from narrascope.evaluate.multilabel import document_f1, macro_f1, samples_f1

CLASSES = {"A", "B", "C", "Other"}


@pytest.mark.parametrize(
    ("gold", "predicted", "expected"),
    [
        ({"A"}, {"A"}, 1.0),
        ({"A", "B"}, {"A"}, 2 / 3),  # P=1, R=1/2
        ({"A"}, {"A", "B", "C"}, 0.5),  # P=1/3, R=1
        ({"A", "B"}, {"B", "C"}, 0.5),
        ({"Other"}, {"Other"}, 1.0),
        ({"A"}, set(), 0.0),
        ({"A"}, {"Z"}, 0.0),  # labels outside the class list are ignored
        ({"A", "Z"}, {"A"}, 1.0),
    ],
)
def test_document_f1_by_hand(gold, predicted, expected):
    assert document_f1(gold, predicted, CLASSES) == pytest.approx(expected)


def test_samples_f1_is_the_mean_of_document_f1_aligned_by_id():
    gold = {"d1": {"A"}, "d2": {"A", "B"}, "d3": {"Other"}}
    predicted = {"d3": {"A"}, "d2": {"A"}, "d1": {"A"}}  # other order than gold
    mean, std = samples_f1(gold, predicted, CLASSES)
    scores = [1.0, 2 / 3, 0.0]
    assert mean == pytest.approx(sum(scores) / 3)
    assert std == pytest.approx((sum((s - mean) ** 2 for s in scores) / 3) ** 0.5)


def test_macro_f1_by_hand():
    gold = {"d1": {"A"}, "d2": {"A", "B"}, "d3": {"C"}}
    predicted = {"d1": {"A"}, "d2": {"B"}, "d3": {"A"}}
    # A: tp=1 (d1), gold 2, pred 2 -> 0.5; B: 1.0; C: 0.0
    assert macro_f1(gold, predicted, ["A", "B", "C", "Other"]) == pytest.approx((0.5 + 1.0 + 0.0) / 3)


def test_bertscore_of_identical_texts_is_exactly_one():
    from narrascope.evaluate.explanations import bertscore_f1

    def encode(words):  # one axis per word, with the rounding error of real encoders (norms a hair above 1)
        axis = {word: i for i, word in enumerate(["NATO", "nato", "troops"])}
        vectors = np.zeros((len(words), len(axis)), dtype=np.float32)
        for row, word in enumerate(words):
            vectors[row, axis[word]] = 1 + 1e-6
        return vectors

    assert bertscore_f1("NATO troops", "NATO troops", encode, baseline=0.5) == 1.0
    assert bertscore_f1("NATO troops", "NATO", encode, baseline=0.5) < 1.0
