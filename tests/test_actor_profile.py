"""Actor profiles on real SQLite and PostgreSQL: roles over time, by outlet and language, the casting sentences."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

import narrascope.web.charts
from narrascope.document import Actor, Analysis, Article, Label, Mention, Span
from narrascope.store import Store
from narrascope.store.actor_profile import actor_profile
from narrascope.store.stats import top_actors
from narrascope.store.store import stored_actor_key
from narrascope.tasks.entities.canonical import display_name, page_id
from narrascope.web.charts import ROLE_COLOURS

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
    """An analysis naming each actor once, in its own sentence of the article's text, by its canonical name with
    the written one as its alias (as the pipeline names actors)."""
    mentions, actors = [], []
    for index, (name, role, fine, sentence) in enumerate(cast):
        start = article.text.index(sentence)
        evidence = (Span.of(article.text, start, start + len(sentence)),)
        fine_labels = tuple(Label(label, 0.7, evidence) for label in fine)
        mentions.append(
            Mention(Span.of(article.text, start, start + len(name)), Label(role, 0.8, evidence), fine_labels, index)
        )
        actors.append(
            Actor(display_name(name), Label(role, 0.8, evidence), tuple(Label(f, 0.7) for f in fine), (index,), (name,))
        )
    return Analysis(article=article, language=article.language, mentions=mentions, actors=actors)


def store_cast(store: Store) -> None:
    """Store :data:`CAST` as analysed articles."""
    by_id = {}
    for article_id, language, outlet, published, cast in CAST:
        title = f"Headline {article_id}"
        text = f"{title}\n" + " ".join(sentence for *_, sentence in cast)
        article = Article(article_id, text, title=title, language=language, source=outlet, published=published)
        by_id[article_id] = (article, cast)
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


@pytest.fixture
def client(store):
    from fastapi.testclient import TestClient

    from narrascope.api import Settings, create_app

    with TestClient(create_app(Settings(db=store.url.render_as_string(hide_password=False)))) as opened:
        yield opened


def test_the_actor_page_shows_roles_over_time_by_outlet_and_language_and_the_casting_sentences(client):
    page = client.get(f"/actors/{page_id(RUSSIA)}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Russia</h1>" in html and "also written Россия, Moscow" in html
    assert '<svg class="chart"' in html and html.count(f'stroke="{ROLE_COLOURS["Antagonist"]}"') == 1
    outlets = html.split('id="by-outlet"')[1].split("</table>")[0]
    assert outlets.index("Guardian") < outlets.index("RIA") and 'href="/search?source=Guardian"' in outlets
    assert 'id="by-language"' in html and 'href="/search?lang=ru"' in html
    articles = html.split('class="hits casting"')[1]
    assert articles.index("Россия защищает мир.") < articles.index("Russia launched the strike.")
    assert "NATO sent help." not in articles and articles.count('href="/articles/') == 3
    assert "1 article without a publication date is not in the chart" in html


def test_an_unknown_actor_page_is_the_html_404(client):
    page = client.get("/actors/nobody-at-all")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "nobody-at-all" in page.text and "<h1>404</h1>" in page.text


def test_role_colours_of_the_chart_are_those_of_the_role_pills():
    from narrascope.web.highlight import ROLE_CLASSES

    css = (Path(narrascope.web.charts.__file__).parent / "static" / "app.css").read_text()
    variables = dict(re.findall(r"--(\w+): (#[0-9a-fA-F]{6})", css))
    for role, colour in ROLE_COLOURS.items():
        variable = re.search(rf"\.{ROLE_CLASSES[role]} {{[^}}]*color: var\(--(\w+)\)", css).group(1)
        assert variables[variable].lower() == colour.lower(), role


def test_the_article_page_links_its_actors_shows_their_names_and_colours_mentions_as_the_table(database_url):
    from fastapi.testclient import TestClient

    from narrascope.api import Settings, create_app

    text = "UK troops\nLondon sends troops. Britain helps the refugees."
    article = Article("uk", text, language="en", source="Daily", published=date(2025, 2, 1))
    first, second = (text.index(sentence) for sentence in ("London sends troops.", "Britain helps the refugees."))
    spans = [Span.of(text, first, first + 6), Span.of(text, second, second + 7)]
    evidence = [Span.of(text, first, text.index(" Britain")), Span.of(text, second, len(text))]
    mentions = [
        Mention(spans[0], Label("Antagonist", 0.9, (evidence[0],)), (Label("Instigator", 0.8, (evidence[0],)),), 0),
        Mention(spans[1], Label("Protagonist", 0.6, (evidence[1],)), (Label("Guardian", 0.7, (evidence[1],)),), 0),
    ]
    actor = Actor(
        "United Kingdom", Label("Antagonist", 0.6), (Label("Instigator", 1.0),), (0, 1), ("London", "Britain")
    )
    with Store(database_url) as store:
        store.ingest([article])
        (stored,) = next(store.pending("m-1"))
        store.save_analyses(
            [(stored, Analysis(article=article, language="en", mentions=mentions, actors=[actor]))], "m-1"
        )
        pk = stored.pk
    with TestClient(create_app(Settings(db=database_url))) as client:
        html = client.get(f"/articles/{pk}").text
        marks = re.findall(r'<mark class="mention (role-\w+)"[^>]*title="([^"]*)"', html)
        assert [role for role, _ in marks] == ["role-antagonist", "role-antagonist"]  # the actor's role, as the table
        assert "this sentence: Protagonist (0.60)" in marks[1][1] and "this sentence" not in marks[0][1]
        table = html.split('<table class="actors">')[1]
        assert '<a href="/actors/united-kingdom">United Kingdom</a>' in table and "(London, Britain)" in table
        assert 'class="pill role-antagonist">Antagonist<' in table
        page = client.get("/actors/united-kingdom")
        assert page.status_code == 200 and "also written London, Britain" in page.text


def test_the_dashboard_links_its_most_cast_actors_to_their_pages(client):
    html = client.get("/").text
    antagonists = html.split('id="antagonists-heading"')[1].split("</section>")[0]
    assert f'<a class="pill role-antagonist" href="/actors/{page_id(RUSSIA)}">Russia</a>' in antagonists
    assert client.get(f"/actors/{page_id(stored_actor_key('NATO'))}").status_code == 200


def test_the_terminal_report_shows_an_actors_other_names_beside_its_canonical_name():
    from rich.console import Console

    from narrascope.report import actors_table

    text = "UK\nLondon and Britain. Russia too."
    uk = Actor("United Kingdom", Label("Antagonist", 0.8), (), (0, 1), ("London", "Britain"))
    russia = Actor("Russia", Label("Innocent", 0.7), (), (2,), ("Russia",))
    console = Console(width=120, record=True)
    console.print(actors_table(Analysis(article=Article("uk", text), actors=[uk, russia])))
    lines = console.export_text().splitlines()
    assert any("United Kingdom (London, Britain)" in line and "Antagonist" in line for line in lines)
    assert not any("Russia (" in line for line in lines)  # no other name than its own


def test_the_actor_api_answers_the_profile_as_typed_json_documented_in_openapi(client):
    answer = client.get(f"/api/actors/{page_id(RUSSIA)}", params={"limit": 2})
    assert answer.status_code == 200
    data = answer.json()
    assert (data["id"], data["name"], data["kind"], data["articles"]) == (page_id(RUSSIA), "Russia", "country", 3)
    assert data["roles"] == {"Protagonist": 1, "Antagonist": 2, "Innocent": 0} and data["undated"] == 1
    assert data["fine_roles"][0] == ["Instigator", 2] and data["period"] == "day"
    assert data["over_time"][0] == {"group": "2025-01-06", "roles": {"Protagonist": 0, "Antagonist": 1, "Innocent": 0}}
    assert [row["group"] for row in data["by_outlet"]] == ["Guardian", "RIA"]
    assert [item["article_id"] for item in data["recent"]] == ["r1", "g1"]
    assert data["recent"][0]["sentences"] == ["Россия защищает мир."] and data["recent"][0]["published"] == "2025-01-20"
    missing = client.get("/api/actors/nobody")
    assert missing.status_code == 404 and "nobody" in missing.json()["detail"]
    entities = {item["name"]: item["id"] for item in client.get("/api/entities").json()}
    assert client.get(f"/api/actors/{entities['NATO']}").json()["name"] == "NATO"
    operation = client.get("/openapi.json").json()["paths"]["/api/actors/{actor_id}"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ActorProfileOut")
    assert operation["responses"]["404"]["description"] == "No analysed article names this actor."
