"""Entity framing: scoring, actor merging, mention detection and the role model's contract."""

from __future__ import annotations

import hashlib

import pytest

from narrascope.evaluate.entities import score_entities
from narrascope.io.semeval import EntityAnnotation
from narrascope.tasks.entities import EntityModel
from narrascope.tasks.entities.actors import merge_actors
from narrascope.tasks.entities.model import actors_and_mentions
from narrascope.taxonomy import roles
from narrascope.training.data import load_entity_split
from narrascope.training.entities import training_articles


def _mention(start: int, end: int, main: str = "Antagonist", *fine: str) -> EntityAnnotation:
    return EntityAnnotation("a1", "x" * (end - start), start, end, main, fine or ("Instigator",))


def test_exact_match_ratio_needs_the_same_set_of_fine_roles():
    gold = [
        _mention(0, 5, "Antagonist", "Instigator"),
        _mention(10, 15, "Protagonist", "Guardian", "Peacemaker"),
        _mention(20, 25, "Innocent", "Victim"),
    ]
    predicted = [
        _mention(0, 5, "Antagonist", "Instigator"),
        _mention(10, 15, "Protagonist", "Guardian"),  # main right, fine set incomplete
        _mention(20, 25, "Antagonist", "Instigator"),
    ]
    scores = score_entities(gold, predicted)
    assert scores.exact_match_ratio == pytest.approx(1 / 3)
    assert scores.main_role_accuracy == pytest.approx(2 / 3)
    assert scores.mention_recall == 1.0 and scores.exact_offsets == 1.0


def test_raw_text_predictions_match_gold_by_overlap_and_unfound_mentions_count_as_wrong():
    gold = [_mention(0, 5), _mention(10, 20), _mention(30, 35)]
    predicted = [
        _mention(0, 5),  # exact
        _mention(12, 25),  # overlaps the second
        _mention(50, 60),  # no gold there
    ]
    scores = score_entities(gold, predicted)
    assert scores.mention_recall == pytest.approx(2 / 3)
    assert scores.mention_precision == pytest.approx(2 / 3)
    assert scores.exact_offsets == pytest.approx(1 / 3)
    assert scores.exact_match_ratio == pytest.approx(2 / 3)


def test_predictions_for_other_articles_do_not_count():
    gold = [_mention(0, 5)]
    other = EntityAnnotation("b2", "xxxxx", 0, 5, "Antagonist", ("Instigator",))
    assert score_entities(gold, [_mention(0, 5), other]).mention_precision == 1.0


def test_mentions_of_one_actor_are_merged_and_different_actors_are_not():
    text = (
        "Emmanuel Macron met Olaf Scholz. Macron said Russia must stop. "
        "The Russian Council disagreed. President Macron left; the president was tired."
    )
    names = ["Emmanuel Macron", "Olaf Scholz", "Macron", "Russia", "Russian Council", "President Macron", "president"]
    spans, position = [], 0
    for name in names:
        start = text.index(name, position)
        spans.append((start, start + len(name)))
        position = start + len(name)
    groups = merge_actors(text, spans)
    macron = groups[0]
    assert [groups[i] for i in (2, 5, 6)] == [macron] * 3
    assert len({groups[1], groups[3], groups[4], macron}) == 4


@pytest.fixture(scope="module")
def small_model(semeval_data):
    examples = load_entity_split(semeval_data, "train", ("EN", "HI"))[::3]
    return EntityModel().fit(training_articles(examples))


OWN_ARTICLE = (
    "NATO chief warns Moscow\n\n"
    "Emmanuel Macron said on Tuesday that NATO will defend its members. "
    "Macron accused Vladimir Putin of threatening Europe, while Ukraine asked for more help."
)


def test_detector_finds_the_named_actors_of_an_unseen_article(small_model):
    found = {OWN_ARTICLE[start:end] for start, end in small_model.detect(OWN_ARTICLE, "en")}
    for name in ("NATO", "Emmanuel Macron", "Macron", "Vladimir Putin", "Ukraine", "Moscow"):
        assert name in found
    assert "Tuesday" not in found


def test_predicted_roles_obey_the_taxonomy_and_actors_group_their_mentions(small_model):
    taxonomy = roles()
    spans = small_model.detect(OWN_ARTICLE, "en")
    (framed,) = small_model.frame([(OWN_ARTICLE, "en", spans, None)])
    assert [(item.start, item.end) for item in framed] == spans
    for item in framed:
        assert item.roles.main_role in taxonomy.coarse
        assert all(taxonomy.parent(fine) == item.roles.main_role for fine, _ in item.roles.fine_roles)
        assert item.sentence.start <= item.start < item.end <= item.sentence.end
    mentions, actors = actors_and_mentions(OWN_ARTICLE, framed)
    macron = next(actor for actor in actors if actor.name == "Emmanuel Macron")
    assert {mentions[i].span.text for i in macron.mentions} == {"Emmanuel Macron", "Macron"}
    assert sorted(i for actor in actors for i in actor.mentions) == list(range(len(mentions)))


def test_saved_model_is_deterministic_and_predicts_the_same(small_model, semeval_data, tmp_path):
    small_model.save(tmp_path / "a")
    small_model.save(tmp_path / "b")
    digests = {hashlib.sha256((tmp_path / n / "arrays.npz").read_bytes()).hexdigest() for n in ("a", "b")}
    assert len(digests) == 1
    loaded = EntityModel.load(tmp_path / "a")
    articles = [("own", OWN_ARTICLE, "en")]
    assert loaded.predict_annotations(articles) == small_model.predict_annotations(articles)
    assert loaded.version.startswith("entities-")
