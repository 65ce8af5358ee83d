"""The shipped models on real articles: the reference example and the SemEval dev sets."""

from __future__ import annotations

import narrascope
from narrascope.tasks.entities import EntityTagger
from narrascope.tasks.narratives import NarrativeTagger
from narrascope.training import entities as entity_training
from narrascope.training.data import load_entity_split, load_narrative_split
from narrascope.training.narratives import evaluate_by_language

#: Dev token-F1 floors of the shipped explanation model (measured 0.319 EN, 0.270 all; benchmarks/ holds the targets).
EN_TOKEN_F1, ALL_TOKEN_F1 = 0.30, 0.26


def _component(kind):
    return next(component for component in narrascope.pipeline.load().components if isinstance(component, kind))


def test_reference_article_names_the_narratives_it_plainly_pushes_with_quotes(london_paris_article):
    text = london_paris_article.read_text(encoding="utf-8")
    analysis = narrascope.analyze(text, article_id=london_paris_article.name)
    found = {label.name: label for label in analysis.narratives}
    for narrative in ("URW: Amplifying war-related fears", "URW: Discrediting the West, Diplomacy"):
        assert narrative in found, sorted(found)
        assert found[narrative].evidence, narrative
        for span in found[narrative].evidence:
            assert text[span.start : span.end] == span.text
    fears = [label for label in analysis.subnarratives if label.name.startswith("URW: Amplifying war-related fears")]
    assert fears and all(label.evidence for label in fears)
    quotes = [span.text for label in analysis.narratives + analysis.subnarratives for span in label.evidence]
    assert all(len(quote.split()) >= 6 for quote in quotes), quotes  # no headings or fragments as evidence


def test_dev_scores_have_not_regressed(semeval_data):
    """Guards the shipped model against silent breakage; the targets are measured by benchmarks/."""
    classifier = _component(NarrativeTagger).classifier
    scores = evaluate_by_language(classifier, load_narrative_split(semeval_data, "dev"))
    assert scores["all"].f1_fine >= 0.39
    assert scores["all"].f1_coarse >= 0.52
    assert scores["EN"].f1_fine >= 0.42


def test_reference_article_casts_its_actors(london_paris_article):
    analysis = narrascope.analyze(london_paris_article.read_text(encoding="utf-8"))
    actors = {actor.name: actor for actor in analysis.actors}
    for name in ("NATO", "Ukraine", "United Kingdom", "France"):  # London and Paris stand for their governments
        assert any(name in actor for actor in actors), sorted(actors)
    assert any(actor.main_role.name == "Antagonist" for actor in analysis.actors)
    for index, mention in enumerate(analysis.mentions):
        assert mention.main_role.evidence[0].start <= mention.span.start
        assert index in analysis.actors[mention.actor].mentions


def test_entity_dev_scores_have_not_regressed(semeval_data):
    model = _component(EntityTagger).model
    dev = load_entity_split(semeval_data, "dev")
    given = entity_training.evaluate_by_language(model, dev, given_mentions=True)
    assert given["all"].exact_match_ratio >= 0.37
    assert given["EN"].main_role_accuracy >= 0.79
    raw = entity_training.evaluate_by_language(model, dev, given_mentions=False)
    assert raw["all"].mention_recall >= 0.90


def test_explanations_are_short_grounded_whole_quotes_and_near_the_measured_score(semeval_data):
    """Dev, gold dominant narratives given, read by the default engine as the pipeline reads them."""
    from narrascope.tasks.explain import ExplanationTagger
    from narrascope.training.data import load_explanation_split
    from narrascope.training.explanations import evaluate_by_language, predict_all, read_examples

    model = _component(ExplanationTagger).model
    dev = load_explanation_split(semeval_data, "dev")
    scores = evaluate_by_language(predict_all(model, dev, read_examples(dev)), dev)
    assert scores["all"].over_80_words == 0 and scores["all"].ungrounded_quotes == 0
    assert scores["all"].short_quotes == 0
    assert scores["EN"].token_f1 >= EN_TOKEN_F1 and scores["all"].token_f1 >= ALL_TOKEN_F1
