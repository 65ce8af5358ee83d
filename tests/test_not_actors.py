"""No stop-word actors: function words, pronouns, single letters and lower-case words are not actors."""

from __future__ import annotations

import pytest

from narrascope.ml.artifacts import shipped_model_dir
from narrascope.tasks.entities.model import EntityModel
from narrascope.tasks.entities.not_actors import actor_span

SENTENCES = {
    "de": "Doch die Regierung in Wien zögert. Und Sie fragen, wie es weitergeht? Er sagt, die ÖVP und Angela Merkel "
    "hätten es gewusst. Wie viele Menschen im Jahr 2019?",
    "fr": "Les ministres se réunissent. Il a dit qu'un accord était possible. C'est Emmanuel Macron qui l'a "
    "annoncé à Paris, d'après l'AFP. Elle n'y croit pas.",
    "pt": "Eu não sei, disse o ministro. De acordo com o governo, eu e você vamos votar. Veja também: Jair "
    "Bolsonaro visitou os Estados Unidos.",
}
NOT_ACTORS = {"Doch", "Und", "Sie", "Er", "Wie", "Les", "Il", "C", "D", "Elle", "Eu", "eu", "De", "Veja", "você",
              "Menschen", "Jahr", "es", "un", "us"}  # fmt: skip


@pytest.fixture(scope="module")
def detector():
    return EntityModel.load(shipped_model_dir("entities")).detector


@pytest.mark.parametrize("language", sorted(SENTENCES))
def test_german_french_and_portuguese_sentences_give_names_not_function_words(detector, language):
    text = SENTENCES[language]
    found = {text[mention.start : mention.end] for mention in detector.predict(text, language)}
    assert not found & NOT_ACTORS, found
    wanted = {"de": {"ÖVP", "Angela Merkel"}, "fr": {"Emmanuel Macron", "Paris", "AFP"}, "pt": {"Jair Bolsonaro"}}
    assert wanted[language] <= found


@pytest.mark.parametrize(
    ("text", "language", "candidate", "kept"),
    [
        ("Doch Angela Merkel schwieg.", "de", "Doch Angela Merkel", "Angela Merkel"),  # leading function word
        ("Meanwhile Boris Johnson left.", "en", "Meanwhile Boris Johnson", "Boris Johnson"),
        ("Sanctions hurt us.", "en", "us", None),
        ("Sanctions hurt US exporters.", "en", "US", "US"),  # an acronym is no pronoun
        ("Eu acho que sim.", "pt", "Eu", None),
        ("Os russos atacaram.", "pt", "russos", "russos"),  # lower-case, but a canonical actor (Russia)
        ("Новый закон принят. Это новый шаг.", "ru", "Новый", None),  # the article writes it lower-case too
        ("Veja também o jogo.", "pt", "Veja", None),  # capitalised only at a sentence start
        ("Die Menschen warten.", "de", "Menschen", None),  # a lone German noun: the models never learnt German
    ],
)
def test_actor_span_trims_and_drops_what_is_no_actor(text, language, candidate, kept):
    start = text.index(candidate)
    found = actor_span(text, language, start, start + len(candidate))
    assert (text[found[0] : found[1]] if found else None) == kept
