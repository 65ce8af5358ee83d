"""The default engine's actor-mention tagger: actors, not every capitalised word, on the reference article and on a
German page; its model files are checked like the other encoder heads'."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

import narrascope
from narrascope.encoder.encoding import Encoding
from narrascope.errors import ModelError
from narrascope.ml.artifacts import shipped_model_dir
from narrascope.tasks.entities.not_actors import FUNCTION_WORDS
from narrascope.tasks.entities.tagger import MentionTagger, actor_scores

#: In the reference article: places named as places, a missile, and half of "Le Monde" — none of them an actor.
NOT_ACTORS = {"Odessa", "Black Sea", "Dnieper", "Kherson", "Oreshnik", "Monde"}

GERMAN_PAGE = (
    "Doch die Regierung in Wien zögert noch. Und Sie fragen sich, wie es weitergeht? Er sagt, die ÖVP und Angela "
    "Merkel hätten es gewusst. Wie viele Menschen im Jahr 2019 betroffen waren, ist unklar. Es gibt keine Zahlen. "
    "Die Wirtschaft wächst, aber Sie spüren es nicht. Denn die Preise steigen. Man wartet ab. Das sagt die "
    "Kanzlerin.\n\nDer Bericht erscheint am Montag. Ich glaube nicht daran, sagt Er."
)


@pytest.fixture(scope="module")
def reference(london_paris_article):
    text = london_paris_article.read_text(encoding="utf-8")
    return text, narrascope.analyze(text, article_id=london_paris_article.name)


def test_reference_article_has_no_place_weapon_or_half_name_actors(reference):
    _, analysis = reference
    forms = {form for actor in analysis.actors for form in (actor.name, *actor.aliases)}
    assert not forms & NOT_ACTORS, sorted(forms & NOT_ACTORS)


def test_reference_article_names_the_uk_france_and_russia_once_each(reference):
    _, analysis = reference
    names = [actor.name for actor in analysis.actors]
    for name in ("United Kingdom", "France", "Russia"):
        assert names.count(name) == 1, names


def test_tagger_keeps_fewer_mentions_than_the_fast_engine_and_spans_are_whole_words(reference):
    text, analysis = reference
    fast = narrascope.analyze(text, engine="fast")
    default_spans = {(m.span.start, m.span.end) for m in analysis.mentions}
    assert default_spans < {(m.span.start, m.span.end) for m in fast.mentions}
    for start, end in default_spans:
        assert text[start].isalnum() and text[end - 1].isalnum(), text[start:end]
        assert start == 0 or not text[start - 1].isalnum(), text[start - 1 : end]
        assert end == len(text) or not text[end].isalnum(), text[start : end + 1]


def test_german_page_gives_no_stop_word_actors():
    analysis = narrascope.analyze(GERMAN_PAGE, language="de")
    for actor in analysis.actors:
        for form in (actor.name, *actor.aliases):
            assert len(form) > 1 and form[:1].isupper() and form.casefold() not in FUNCTION_WORDS, form


def test_tagger_refuses_a_model_built_on_another_encoder(tmp_path):
    folder = tmp_path / "mentions"
    shutil.copytree(shipped_model_dir("mentions"), folder)
    MentionTagger.load(folder)  # the copy loads as it is
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    (folder / "manifest.json").write_text(json.dumps({**manifest, "encoder": "another-encoder"}), "utf-8")
    with pytest.raises(ModelError, match="another-encoder"):
        MentionTagger.load(folder)


def test_an_actor_is_as_likely_as_its_likeliest_mentions_together():
    chances = actor_scores([0, 1, 0, 2], np.array([0.5, 0.1, 0.5, 0.0]))
    assert chances == pytest.approx([0.75, 0.1, 0.75, 0.0])


def test_actor_table_keeps_whole_actors_written_as_names(monkeypatch):
    text = "Россия ответила. Россия снова. демократической партии нет."
    spans = [(m.start(), m.end()) for m in re.finditer(r"Россия|демократической партии", text)]
    encoding = Encoding(np.array([[0, len(text)]]), {8: np.zeros((1, 4), np.float16), 12: np.zeros((1, 4), np.float16)})
    tagger = MentionTagger(threshold=0.5, actor_threshold=0.5)
    # the first Россия is likely cast in a role, the second not; the lower-case party is likely too
    monkeypatch.setattr(tagger, "probabilities", lambda _: np.array([0.9, 0.1, 0.6]))
    assert tagger.select(text, encoding, spans) == [spans[0], spans[2]]
    assert tagger.select(text, encoding, spans, whole_actors=True) == spans[:2]


def test_an_article_without_candidates_has_no_mentions():
    """A text with nothing name-like (the README's example folder has one) is analysed, with no actors."""
    analysis = narrascope.analyze("the library reopens on monday after the repairs, said the town.")
    assert analysis.actors == []
