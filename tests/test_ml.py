"""The machine-learning building blocks, checked against brute-force computations."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp

from narrascope.ml.decoding import DOMAINS, DecoderSettings, ExpectedF1Decoder, LabelProbabilities
from narrascope.ml.features import NgramBlock, NgramTfidf, char_wb_ngrams, sum_rows
from narrascope.ml.knn import NearestNeighbourLabels
from narrascope.taxonomy import narratives
from narrascope.text.tokens import tokens
from narrascope.text.transliterate import to_latin

TEXTS = [
    "NATO troops in Ukraine? НАТО заплашва Русия.",
    "Войска НАТО на Украине, говорит Кремль.",
    "नाटो की सेना यूक्रेन में।",
    "Tropas da NATO na Ucrânia.",
]


def test_transliteration_lets_languages_meet():
    assert to_latin("нато") == "nato" and to_latin("нато") == to_latin("НАТО".lower())
    assert to_latin("नाटो") == "nato"
    assert to_latin("путин") == "putin"
    assert to_latin("ukraine") == "ukraine"


@pytest.mark.parametrize("block", [NgramBlock("char_wb", 2, 4, min_df=1), NgramBlock("word", 1, 2, min_df=1)])
def test_counts_match_a_brute_force_count(block):
    features = NgramTfidf(block).fit(TEXTS)
    counts = features.count(TEXTS).toarray()
    for row, text in enumerate(TEXTS):
        words = [to_latin(token) for token in tokens(text)]
        if block.analyzer == "char_wb":
            grams = [gram for word in words for gram in char_wb_ngrams(word, 2, 4)]
        else:
            grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
        expected = Counter(grams)
        for gram, index in features.vocabulary.items():
            assert counts[row, index] == expected.get(gram, 0), gram


def test_nato_is_one_feature_across_scripts():
    features = NgramTfidf(NgramBlock("word", 1, 1, min_df=4)).fit(TEXTS)
    assert "nato" in features.vocabulary


def test_tfidf_rows_have_unit_norm_and_round_trip_through_arrays():
    features = NgramTfidf(NgramBlock("char_wb", 2, 5, min_df=1)).fit(TEXTS)
    matrix = features.transform(TEXTS)
    np.testing.assert_allclose(sp.linalg.norm(matrix, axis=1), 1.0, rtol=1e-5)
    arrays, settings = features.to_arrays("x")
    restored = NgramTfidf.from_arrays(arrays, "x", settings)
    assert abs(restored.transform(TEXTS) - matrix).max() == 0


def test_sum_rows_adds_consecutive_groups():
    matrix = sp.csr_matrix(np.arange(12, dtype=np.float32).reshape(4, 3))
    np.testing.assert_array_equal(sum_rows(matrix, [1, 3]).toarray(), [[0, 1, 2], [18, 21, 24]])


def test_nearest_neighbours_vote_by_similarity():
    X = sp.csr_matrix(np.array([[1, 0], [0.8, 0.6], [0, 1]], dtype=np.float32))
    Y = np.array([[1, 0], [1, 1], [0, 1]])
    knn = NearestNeighbourLabels(k=2).fit(X, Y)
    scores = knn.decision_function(sp.csr_matrix(np.array([[1.0, 0.0]], dtype=np.float32)))
    # neighbours: doc 0 (similarity 1.0) and doc 1 (0.8)
    np.testing.assert_allclose(scores, [[1.0, 0.8 / 1.8]], rtol=1e-6)
    restored = NearestNeighbourLabels.from_arrays(knn.to_arrays("n"), "n")
    np.testing.assert_allclose(restored.decision_function(X), knn.decision_function(X), atol=1e-3)


def _decoder() -> ExpectedF1Decoder:
    taxonomy = narratives()
    return ExpectedF1Decoder(taxonomy, list(taxonomy.coarse), [f for f in taxonomy.fine if f in taxonomy.scored_fine])


def test_decoder_picks_the_confident_labels_with_their_parents():
    decoder = _decoder()
    coarse = np.full((1, len(decoder.coarse_labels)), 0.02)
    fine = np.full((1, len(decoder.fine_labels)), 0.02)
    puppet = "URW: Discrediting Ukraine: Ukraine is a puppet of the West"
    fears = "URW: Amplifying war-related fears: NATO should/will directly intervene"
    for label, p in ((puppet, 0.9), (fears, 0.7)):
        fine[0, decoder.fine_labels.index(label)] = p
        coarse[0, decoder.coarse_labels.index(decoder.taxonomy.parent(label))] = p
    domain = np.array([[0.9, 0.05, 0.05]])
    [(narratives_, subnarratives)] = decoder.decode(LabelProbabilities(domain, coarse, fine), DecoderSettings())
    assert subnarratives == [puppet, fears]
    assert narratives_ == ["URW: Discrediting Ukraine", "URW: Amplifying war-related fears"]


def test_decoder_answers_other_when_no_narrative_is_likely():
    decoder = _decoder()
    coarse = np.full((1, len(decoder.coarse_labels)), 0.03)
    fine = np.full((1, len(decoder.fine_labels)), 0.03)
    coarse[0, decoder.coarse_labels.index("Other")] = 0.9
    fine[0, decoder.fine_labels.index("Other")] = 0.9
    domain = np.zeros((1, len(DOMAINS)))
    domain[0, DOMAINS.index("none")] = 0.9
    assert decoder.decode(LabelProbabilities(domain, coarse, fine), DecoderSettings()) == [(["Other"], ["Other"])]
