"""Actor profiles on real SQLite and PostgreSQL: roles over time, by outlet and language, the casting sentences."""

from __future__ import annotations

from datetime import date

import pytest

from narrascope.document import Actor, Analysis, Article, Label, Mention, Span
from narrascope.store import Store
from narrascope.store.actor_profile import actor_profile
from narrascope.store.stats import top_actors
from narrascope.store.store import stored_actor_key

#: (id, language, outlet, published, [(actor's name as written, main role, fine roles, its sentence)]).
CAST = (
    (
        "g1",
        "en",
        "Guardian",
        date(2025, 1, 6),
        [("Russia", "Antagonist", ("Instigator",), "Russia launched the strike.")],
    ),
    ("r1", "ru", "RIA", date(2025, 1, 20), [("Россия", "Protagonist", ("Guardian",), "Россия защищает мир.")]),
    (
        "g2",
        "en",
        "Guardian",
        None,
        [
            ("Moscow", "Antagonist", ("Instigator", "Deceiver"), "Moscow denied it again."),
            ("NATO", "Protagonist", ("Guardian",), "NATO sent help."),
        ],
    ),
    ("b1", "bg", "BTA", date(2025, 1, 8), [("НАТО", "Antagonist", ("Instigator",), "НАТО отговори.")]),
)
RUSSIA = stored_actor_key("Russia")


def cast_analysis(article: Article, cast: list[tuple[str, str, tuple[str, ...], str]]) -> Analysis:
    """An analysis naming each actor once, in its own sentence of the article's text."""
    mentions, actors = [], []
    for index, (name, role, fine, sentence) in enumerate(cast):
        start = article.text.index(sentence)
        evidence = (Span.of(article.text, start, start + len(sentence)),)
        fine_labels = tuple(Label(label, 0.7, evidence) for label in fine)
        mentions.append(
            Mention(Span.of(article.text, start, start + len(name)), Label(role, 0.8, evidence), fine_labels, index)
        )
        actors.append(
            Actor(name, Label(role, 0.8, evidence), tuple(Label(label, 0.7) for label in fine), (index,), (name,))
        )
    return Analysis(article=article, language=article.language, mentions=mentions, actors=actors)


def store_cast(store: Store) -> None:
    """Store :data:`CAST` as analysed articles."""
    by_id = {}
    for article_id, language, outlet, published, cast in CAST:
        text = f"Headline {article_id}\n" + " ".join(sentence for *_, sentence in cast)
        by_id[article_id] = (Article(article_id, text, language=language, source=outlet, published=published), cast)
    store.ingest([article for article, _ in by_id.values()])
    for batch in store.pending("m-1"):
        store.save_analyses(
            [(stored, cast_analysis(stored.article, by_id[stored.article.id][1])) for stored in batch], "m-1"
        )


@pytest.fixture
def store(database_url):
    with Store(database_url) as opened:
        store_cast(opened)
        yield opened


def test_an_actor_profile_counts_its_roles_over_time_by_outlet_and_language_across_its_names(store):
    profile = actor_profile(store, RUSSIA)
    assert profile is not None
    assert (profile.name, profile.kind, profile.articles) == ("Russia", "country", 3)  # Russia, Россия, Moscow
    assert profile.roles == {"Protagonist": 1, "Antagonist": 2, "Innocent": 0}
    assert profile.fine_roles == [("Instigator", 2), ("Deceiver", 1), ("Guardian", 1)]
    assert profile.period == "day" and profile.undated == 1
    assert len(profile.over_time) == 15  # every day from 6 to 20 January, empty ones too
    assert profile.over_time[0].group == "2025-01-06" and profile.over_time[0].roles["Antagonist"] == 1
    assert profile.over_time[-1].group == "2025-01-20" and profile.over_time[-1].roles["Protagonist"] == 1
    assert sum(point.total for point in profile.over_time) == 2  # the undated article is left out
    assert [(row.group, row.roles["Antagonist"], row.roles["Protagonist"]) for row in profile.by_outlet] == [
        ("Guardian", 2, 0),
        ("RIA", 0, 1),
    ]
    assert [(row.group, row.total) for row in profile.by_language] == [("en", 2), ("ru", 1)]


def test_an_actor_profile_lists_the_newest_articles_with_the_sentences_that_cast_it(store):
    profile = actor_profile(store, RUSSIA)
    assert profile is not None
    assert [item.article_id for item in profile.recent] == ["r1", "g1", "g2"]  # newest first, undated last
    newest, _, undated = profile.recent
    assert (newest.main_role, newest.fine_roles, newest.names) == ("Protagonist", ("Guardian",), ("Россия",))
    assert newest.sentences == ("Россия защищает мир.",)
    assert undated.sentences == ("Moscow denied it again.",)  # not NATO's sentence in the same article
    assert undated.fine_roles == ("Instigator", "Deceiver")
    assert [item.article_id for item in actor_profile(store, RUSSIA, limit=1).recent] == ["r1"]


def test_an_actor_no_article_names_has_no_profile(store):
    assert actor_profile(store, "nobody") is None
    assert actor_profile(store, "") is None


def test_top_actors_carry_the_key_of_their_page(store):
    keys = {actor.name: actor.key for actor in top_actors(store)}
    assert keys["Russia"] == RUSSIA and keys["NATO"] == stored_actor_key("НАТО")
