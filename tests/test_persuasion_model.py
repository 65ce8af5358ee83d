"""The persuasion models' fast inference paths compute exactly what their training features define."""

from __future__ import annotations

import numpy as np

from narrascope.ml.features import NgramBlock
from narrascope.tasks.persuasion.model import SpanTagger, TechniqueClassifier
from narrascope.text.segment import sentences

PARAGRAPHS = [
    ("a", "The corrupt elites have betrayed every honest worker!", ["Loaded_Language", "Name_Calling-Labeling"]),
    ("a", "Either we stop them now or our children will have no future.", ["False_Dilemma-No_Choice"]),
    ("a", "The ministry published its quarterly report on Tuesday.", []),
    ("b", "Experts agree: only a fool would doubt the plan.", ["Appeal_to_Authority", "Name_Calling-Labeling"]),
    ("b", "Why do they keep lying to us? Who pays them?", ["Doubt"]),
    ("c", "Rainfall was normal this spring, the agency said.", []),
    ("c", "What a disgrace, what a shameful betrayal of the people!", ["Loaded_Language"]),
    ("d", "Everyone knows the truth: they are traitors and cowards.", ["Name_Calling-Labeling"]),
    ("d", '"We will never surrender," the minister said.', []),
    ("e", "The corrupt elites lie again, and honest workers pay the price!", ["Loaded_Language", "Doubt"]),
]


def test_technique_scores_equal_the_model_on_the_training_matrix():
    documents = [document for document, _, _ in PARAGRAPHS]
    texts = [text for _, text, _ in PARAGRAPHS]
    classifier = TechniqueClassifier(
        blocks=(NgramBlock("char_wb", 2, 4, min_df=1), NgramBlock("word", 1, 2, min_df=1)), keep=500, folds=2
    ).fit(texts, [labels for _, _, labels in PARAGRAPHS], documents)
    assert classifier.model is not None

    # Interleaved documents: context sums must follow document membership, not batch order.
    order = [0, 3, 1, 4, 2, 5, 6, 7, 8, 9]
    shuffled_texts, shuffled_documents = [texts[i] for i in order], [documents[i] for i in order]
    explicit = classifier.model.decision_function(classifier._matrix(shuffled_texts, shuffled_documents))
    fast = classifier.decision_function(shuffled_texts, shuffled_documents)
    np.testing.assert_allclose(fast, explicit - classifier.thresholds, rtol=1e-4, atol=1e-4)


def test_span_probabilities_equal_the_logistic_model_on_the_training_rows():
    text = 'The corrupt elites lie.\nOnly fools believe them, and "experts" agree! The report came out.'
    spans = [[(4, 22), (24, 47)], [(0, 10)]]
    tagger = SpanTagger(C=1.0, bits=12).fit([text, "Nothing to see here at all."], spans, tune=False)
    encoded = tagger._encode(text)
    rows = encoded.matrix(1 << tagger.bits)
    expected = 1.0 / (1.0 + np.exp(-(rows @ tagger.weights + tagger.bias)))
    offsets, probabilities = tagger.token_probabilities(text, sentences(text))
    assert offsets == encoded.offsets and len(offsets) == rows.shape[0] == 21
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5)
    assert all(0 <= start < end <= len(text) for start, end in tagger.predict(text))
