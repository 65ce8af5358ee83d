"""Roles read from context on the reference article, a pro-Kremlin text: the side the article takes decides whom it
casts as the antagonist — the West here — not how the actor is usually cast in the training data. Real shipped model
and encoder; the actors' mentions are given, so detection is not under test."""

from __future__ import annotations

import re

import pytest

from narrascope.encoder.component import shared_encoder
from narrascope.tasks.entities import EntityTagger
from narrascope.tasks.entities.model import actors_and_mentions
from narrascope.text.segment import sentences

#: Every name form of the actors checked, as written in the article.
FORMS = re.compile(
    r"\b(?:President Putin|Maria Zakharova|Russian Foreign Ministry|NATO|London|Great Britain|Britain|UK|France|Paris)"
    r"\b"
)


@pytest.fixture(scope="module")
def roles(london_paris_article) -> dict[str, str]:
    """Main role of each actor (its mentions' confidence-weighted vote), default engine."""
    text = london_paris_article.read_text(encoding="utf-8")
    spans = [(found.start(), found.end()) for found in FORMS.finditer(text)]
    split = sentences(text)
    encoding = shared_encoder().encode([text], [[(span.start, span.end) for span in split]])[0]
    framed = EntityTagger.load_shipped().model.frame([(text, "en", spans, split)], [encoding])[0]
    _, actors = actors_and_mentions(text, framed)
    return {actor.name: actor.main_role.name for actor in actors}


@pytest.mark.parametrize("name", ["NATO", "United Kingdom", "France"])
def test_reference_article_casts_the_west_as_antagonist(roles, name):
    assert roles[name] == "Antagonist", roles


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            "Vladimir Putin",
            marks=pytest.mark.xfail(
                strict=True,
                reason="issue 17: cast as Antagonist ('If President Putin himself does not stop our troops'); "
                "training casts Putin as Antagonist 24 times in 30 EN mentions and no view tried reads the side",
            ),
        ),
        "Maria Zakharova",
        "Russian Foreign Ministry",
    ],
)
def test_reference_article_does_not_cast_the_kremlin_as_antagonist(roles, name):
    assert roles[name] != "Antagonist", roles
