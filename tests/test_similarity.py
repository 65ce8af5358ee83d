"""Article vectors in the store (both backends), the nearest-vector index, similar articles and stories."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from narrascope.api import Settings, create_app
from narrascope.document import Actor, Analysis, Article, Label
from narrascope.similarity import centre
from narrascope.similarity.clustering import StoryState, assign
from narrascope.similarity.framing import compare
from narrascope.similarity.index import ArticleVector, SimilarityError, nearest
from narrascope.similarity.similar import resolve_article, similar_articles
from narrascope.similarity.stories import list_stories, story, update_stories
from narrascope.store import Store
from narrascope.store.schema import article_vectors, articles, schema_version
from narrascope.web.story_graph import actor_role_graph

from .conftest import EXAMPLES
from .test_cli import run

ENCODER = "e5-test"


@pytest.fixture
def store(database_url):
    with Store(database_url) as opened:
        yield opened


def unit(*values: float, dims: int = 8) -> np.ndarray:
    """A unit vector whose first components are ``values``."""
    vector = np.zeros(dims, np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def stored_corpus(
    store: Store, items: list[tuple[str, str, date | None, np.ndarray | None]], models: str = "m-1"
) -> dict[str, int]:
    """Store articles ``(id, language, published, vector)`` with analyses carrying those vectors; id → pk."""
    store.ingest(
        [
            Article(i, f"Title {i}\n\nText of {i}.", title=f"Title {i}", language=lang, published=day)
            for i, lang, day, _ in items
        ]
    )
    vectors = {i: vector for i, _, _, vector in items}
    pks = {}
    for batch in store.pending(models):
        results = []
        for stored in batch:
            vector = vectors[stored.article.id]
            analysis = Analysis(
                article=stored.article,
                language=stored.article.language,
                vector=vector,
                models={"encoder": ENCODER} if vector is not None else {},
            )
            results.append((stored, analysis))
            pks[stored.article.id] = stored.pk
        store.save_analyses(results, models)
    return pks


def probe(vector: np.ndarray, encoder: str = ENCODER) -> ArticleVector:
    """A query vector as if stored."""
    return ArticleVector(encoder, None, vector)


def stored_vectors_by_pk(store: Store) -> dict[int, tuple[str, np.ndarray]]:
    rows = store.execute(select(article_vectors))
    return {row["article"]: (row["encoder"], np.frombuffer(row["vector"], "<f2")) for row in rows}


def test_vectors_are_stored_as_float16_with_the_encoder_and_dropped_by_a_fast_reanalysis(store):
    pks = stored_corpus(store, [("a", "en", None, unit(3, 4)), ("b", "ru", None, unit(1)), ("c", "en", None, None)])
    found = stored_vectors_by_pk(store)
    assert set(found) == {pks["a"], pks["b"]}  # "c" was analysed by the fast engine: no vector
    encoder, vector = found[pks["a"]]
    assert encoder == ENCODER and vector.dtype == np.float16
    assert np.allclose(vector[:2], [0.6, 0.8], atol=1e-3) and not vector[2:].any()
    stored_corpus(store, [("a", "en", None, None), ("b", "ru", None, None), ("c", "en", None, None)], models="fast-2")
    assert stored_vectors_by_pk(store) == {}  # re-analysed by the fast engine: the old vectors are gone


def test_opening_a_store_from_schema_5_adds_the_vector_table(database_url):
    with Store(database_url) as store:
        store.transaction(lambda c: c.execute(article_vectors.delete()))
        store.transaction(lambda c: article_vectors.drop(c))
        store.transaction(lambda c: c.execute(schema_version.delete().where(schema_version.c.version >= 6)))
    with Store(database_url) as reopened:
        pks = stored_corpus(reopened, [("a", "en", None, unit(1))])
        assert list(stored_vectors_by_pk(reopened)) == [pks["a"]]


def test_nearest_ranks_by_cosine_within_the_language_date_and_encoder_of_the_query(store):
    pks = stored_corpus(
        store,
        [
            ("q", "en", date(2025, 3, 1), unit(1, 0)),
            ("ru-close", "ru", date(2025, 3, 2), unit(1, 0.1)),
            ("bg-closer", "bg", date(2025, 3, 9), unit(1, 0.05)),
            ("en-far", "en", date(2025, 3, 1), unit(0, 1)),
            ("undated", "ru", None, unit(1, 0.01)),
        ],
    )
    everything = nearest(store, probe(unit(1, 0)), limit=10, exclude=(pks["q"],))
    assert [n.pk for n in everything] == [pks[i] for i in ("undated", "bg-closer", "ru-close", "en-far")]
    assert everything[0].similarity == pytest.approx(1.0, abs=1e-3) and everything[-1].similarity < 0.01
    in_russian = nearest(store, probe(unit(1, 0)), languages=("ru",))
    assert [n.pk for n in in_russian] == [pks["undated"], pks["ru-close"]]
    first_week = nearest(store, probe(unit(1, 0)), since=date(2025, 3, 1), until=date(2025, 3, 7), limit=2)
    assert [n.pk for n in first_week] == [pks["q"], pks["ru-close"]]  # undated articles are outside every period
    with pytest.raises(SimilarityError, match="in de"):
        nearest(store, probe(unit(1, 0)), languages=("de",))
    with pytest.raises(SimilarityError, match="no other analysed article"):
        nearest(store, probe(unit(1, 0), "another-encoder"))  # vectors of another encoder are not comparable


def test_the_cached_vectors_follow_added_and_replaced_rows(store):
    pks = stored_corpus(store, [("a", "en", None, unit(1, 0)), ("b", "en", None, unit(0, 1))])
    assert [n.pk for n in nearest(store, probe(unit(1, 0)), limit=1)] == [pks["a"]]
    more = stored_corpus(store, [("c", "ru", None, unit(1, 0.02))])
    assert [n.pk for n in nearest(store, probe(unit(1, 0.03)), limit=1)] == [more["c"]]  # appended
    stored_corpus(store, [(i, "en", None, unit(0, 1) if i == "a" else unit(1, 0)) for i in "abc"], models="m-2")
    assert [n.pk for n in nearest(store, probe(unit(0, 1)), limit=1)] == [pks["a"]]  # replaced: reloaded


def test_similar_articles_say_in_one_line_why_there_are_none(store):
    with pytest.raises(SimilarityError, match="no article '7'"):
        resolve_article(store, "7")
    pks = stored_corpus(store, [("fast", "en", date(2025, 1, 1), None)])
    with pytest.raises(SimilarityError, match=r"has no article vectors \(analysed before the reading engine"):
        similar_articles(store, pks["fast"])
    more = stored_corpus(store, [("a", "en", date(2025, 1, 1), unit(1)), ("b", "ru", date(2025, 1, 2), unit(1, 1))])
    with pytest.raises(SimilarityError, match=f"article {pks['fast']} has no vector"):
        similar_articles(store, pks["fast"])
    with pytest.raises(SimilarityError, match="published 2024-01-01 to 2024-12-31"):
        similar_articles(store, more["a"], since=date(2024, 1, 1), until=date(2024, 12, 31))
    assert resolve_article(store, "b") == resolve_article(store, str(more["b"])) == more["b"]
    (found,) = similar_articles(store, more["a"])
    assert (found.pk, found.article_id, found.language, found.title) == (more["b"], "b", "ru", "Title b")
    assert found.similarity == pytest.approx(2**-0.5, abs=1e-3)


def three_languages(store: Store) -> dict[str, int]:
    """One story in English, Russian and Bulgarian, and an unrelated English article."""
    return stored_corpus(
        store,
        [
            ("troops-en", "en", date(2025, 3, 1), unit(1, 0.1)),
            ("troops-ru", "ru", date(2025, 3, 1), unit(1, 0.15)),
            ("troops-bg", "bg", date(2025, 3, 2), unit(1, 0.2)),
            ("floods-en", "en", date(2025, 3, 2), unit(0, 0.1, 1)),
        ],
    )


def test_similar_command_lists_other_languages_first_by_similarity_and_fails_in_one_line(capsys, tmp_path):
    db = str(tmp_path / "corpus.db")
    with Store(db) as store:
        pks = three_languages(store)
    code, out, _ = run(capsys, "similar", "troops-en", "--db", db, "--format", "json")
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["troops-ru", "troops-bg", "floods-en"]
    code, out, _ = run(capsys, "similar", str(pks["troops-en"]), "--db", db, "--lang", "BG", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("pk,id,title") and len(out.splitlines()) == 2
    code, out, _ = run(capsys, "similar", "troops-en", "--db", db, "--limit", "1")
    assert code == 0 and "Title troops-ru" in out and "floods" not in out
    for arguments, message in [
        (["nope"], "no article 'nope'"),
        (["troops-en", "--since", "2024-01-01", "--until", "2024-02-01"], "published 2024-01-01 to 2024-02-01"),
    ]:
        code, out, err = run(capsys, "similar", *arguments, "--db", db)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and message in err
    empty = str(tmp_path / "fast.db")
    with Store(empty) as store:
        stored_corpus(store, [("fast", "en", None, None)])
    code, _, err = run(capsys, "similar", "fast", "--db", empty)
    assert code == 2 and "no article vectors" in err and "run `narrascope analyze --db` again" in err


def test_similar_endpoint_and_the_article_page_panel(database_url):
    with Store(database_url) as store:
        pks = three_languages(store)
        fast = stored_corpus(store, [("fast", "en", None, None)])["fast"]
    with TestClient(create_app(Settings(db=database_url))) as client:
        answer = client.get(f"/api/articles/{pks['troops-en']}/similar", params={"lang": ["ru", "bg"]})
        assert answer.status_code == 200
        assert [(s["id"], s["language"]) for s in answer.json()] == [("troops-ru", "ru"), ("troops-bg", "bg")]
        assert answer.json()[0]["similarity"] > 0.99
        period = {"since": "2020-01-01", "until": "2020-12-31"}
        assert client.get(f"/api/articles/{pks['troops-en']}/similar", params=period).json() == []
        assert client.get("/api/articles/999/similar").status_code == 404
        assert client.get(f"/api/articles/{fast}/similar").status_code == 409
        page = client.get(f"/articles/{pks['troops-ru']}").text
        panel = page[page.index('id="similar-coverage"') :]
        assert panel.index("Title troops-en") < panel.index("Title troops-bg") < panel.index("Title floods-en")
        assert "has no vector" in client.get(f"/articles/{fast}").text
        documented = client.get("/openapi.json").json()["paths"]["/api/articles/{pk}/similar"]["get"]
        assert {"200", "404", "409"} <= set(documented["responses"])


def test_an_article_joins_the_closest_open_story_or_starts_one_and_stories_close_after_the_window():
    days = np.array([0, 0, 1, 1, 2, 9])
    vectors = np.stack([unit(1, 0), unit(0, 1), unit(1, 0.1), unit(0.1, 1), unit(1, 0.3), unit(1, 0)])
    state = StoryState(8)
    stories_of, similarities = assign(state, days, vectors, threshold=0.99, window=3)
    assert stories_of.tolist() == [0, 1, 0, 1, 2, 3]  # 1, 0.3 is too far from the centroid; day 9 is past day 1 + 3
    assert similarities[0] == 1.0 and similarities[2] == pytest.approx(float(unit(1, 0.1) @ unit(1, 0)))
    assert state.sizes[: state.count].tolist() == [2, 2, 1, 1] and state.last[:2].tolist() == [1, 1]


def test_block_scoring_gives_the_same_stories_as_scoring_one_article_at_a_time():
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((40, 16)).astype(np.float32)
    vectors = centres[rng.integers(0, 40, 700)] + 0.5 * rng.standard_normal((700, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    days = np.sort(rng.integers(0, 30, 700))
    found, _ = assign(StoryState(16), days, vectors, threshold=0.8, window=2)
    one_by_one = StoryState(16)
    expected = []
    for day, vector in zip(days, vectors, strict=True):  # the definition, article by article
        open_ = np.flatnonzero(one_by_one.last[: one_by_one.count] >= day - 2)
        scores = one_by_one.units[open_] @ vector
        if len(open_) and scores.max() >= 0.8:
            story = int(open_[np.argmax(scores)])
            one_by_one.join(story, vector, int(day))
        else:
            story = one_by_one.start(vector, int(day))
        expected.append(story)
    assert found.tolist() == expected and 40 < len(set(expected)) < 700


def story_corpus(store: Store, items: list[tuple[str, str, str, int, np.ndarray]]) -> dict[str, int]:
    """Articles ``(id, language, outlet, day of March 2025, vector)``."""
    pks = stored_corpus(store, [(i, lang, date(2025, 3, day), vector) for i, lang, _, day, vector in items])
    for i, _, outlet, _, _ in items:
        store.transaction(
            lambda c, i=i, outlet=outlet: c.execute(
                articles.update().where(articles.c.id == pks[i]).values(source=outlet)
            )
        )
    return pks


TROOPS = [
    ("troops-guardian", "en", "Guardian", 1, unit(1, 0.12)),
    ("troops-ria", "ru", "RIA", 1, unit(1, 0.02)),
    ("floods-bbc", "en", "BBC", 2, unit(0, 0, 1)),
    ("troops-bta", "bg", "BTA", 2, unit(1, -0.1)),
]


def test_stories_are_stored_incrementally_and_a_rebuild_gives_the_same_groups(store):
    pks = story_corpus(store, TROOPS)
    first = update_stories(store)
    assert (first.clustered, first.started, first.rebuilt) == (4, 2, False)
    troops, floods = list_stories(store)
    assert (troops.size, troops.languages, troops.outlets) == (3, ("bg", "en", "ru"), ("BTA", "Guardian", "RIA"))
    assert troops.headline == "Title troops-ria" and troops.representative == pks["troops-ria"]  # nearest the centre
    assert (troops.first_day, troops.last_day, floods.size) == (date(2025, 3, 1), date(2025, 3, 2), 1)
    later = story_corpus(store, [("troops-folha", "pt", "Folha", 4, unit(1, 0.05)), ("late", "en", "BBC", 9, unit(1))])
    second = update_stories(store)
    assert (second.clustered, second.started) == (2, 1)  # one joins the open story; the other comes after its window
    grown = story(store, troops.id)
    assert grown is not None and grown[0].size == 4 and grown[0].languages == ("bg", "en", "pt", "ru")
    assert [m.pk for m in grown[1]] == [
        pks["troops-guardian"],
        pks["troops-ria"],
        pks["troops-bta"],
        later["troops-folha"],
    ]
    groups = {frozenset(m.pk for m in story(store, s.id)[1]) for s in list_stories(store)}
    assert update_stories(store, rebuild=True).rebuilt
    assert {frozenset(m.pk for m in story(store, s.id)[1]) for s in list_stories(store)} == groups
    assert [s.size for s in list_stories(store, languages=("pt",))] == [4]
    assert [s.size for s in list_stories(store, sources=("BBC",))] == [1, 1]
    assert list_stories(store, since=date(2025, 3, 5), until=date(2025, 3, 8)) == []
    assert story(store, 10**6) is None


def test_stories_command_and_endpoints(capsys, tmp_path):
    db = str(tmp_path / "corpus.db")
    with Store(db) as store:
        stored_corpus(store, [("fast", "en", None, None)])
    code, _, err = run(capsys, "stories", "--db", db)
    assert code == 2 and "no article vectors" in err and len(err.strip().splitlines()) == 1
    with Store(db) as store:
        story_corpus(store, TROOPS)
    code, out, err = run(capsys, "stories", "--db", db, "--format", "json")
    assert code == 0 and "4 article(s) grouped (2 new stories)" in err
    first, floods = (json.loads(line) for line in out.splitlines())
    assert (first["size"], first["languages"], first["headline"]) == (3, ["bg", "en", "ru"], "Title troops-ria")
    assert (floods["size"], floods["outlets"]) == (1, ["BBC"])
    code, out, _ = run(capsys, "stories", "--db", db, "--lang", "ru", "--format", "csv")
    assert code == 0 and out.splitlines()[1].split(",")[:3] == [str(first["story"]), "Title troops-ria", "3"]
    code, out, _ = run(capsys, "stories", "--db", db, "--source", "BBC")
    assert code == 0 and "floods" in out and "troops" not in out
    code, out, err = run(capsys, "stories", "--db", db, "--since", "2024-01-01", "--until", "2024-01-31")
    assert code == 2 and out == "" and "no stories with articles published 2024-01-01 to 2024-01-31" in err
    with TestClient(create_app(Settings(db=db))) as client:
        listed = client.get("/api/stories", params={"lang": "bg"}).json()
        assert [s["id"] for s in listed] == [first["story"]] and listed[0]["outlets"] == ["BTA", "Guardian", "RIA"]
        detail = client.get(f"/api/stories/{first['story']}").json()
        assert [a["id"] for a in detail["articles"]] == ["troops-guardian", "troops-ria", "troops-bta"]
        assert client.get("/api/stories/999").status_code == 404
        assert client.get("/api/stories", params={"since": "2030-01-01"}).json() == []
        schema = client.get("/openapi.json").json()
        assert schema["paths"]["/api/stories/{story_id}"]["get"]["responses"]["200"]["content"]
        assert "StoryDetailOut" in schema["components"]["schemas"]


BLAME = "URW: Blaming the war on others rather than the invader"
FEARS = "URW: Amplifying war-related fears"
#: One story told by three outlets: (id, language, outlet, vector, narratives, actors (name, role, fine), techniques).
FRAMED = [
    (
        "uk-troops-guardian",
        "en",
        "Guardian",
        unit(1, 0.1),
        {FEARS: 0.7},
        [("UK", "Protagonist", "Guardian"), ("Russia", "Antagonist", "Instigator")],
        ["Loaded_Language"],
    ),
    (
        "uk-troops-ria",
        "ru",
        "RIA",
        unit(1, 0.05),
        {BLAME: 0.8, FEARS: 0.6},
        [("Великобритания", "Antagonist", "Instigator"), ("Россия", "Protagonist", "Guardian")],
        ["Loaded_Language", "Appeal_to_Fear-Prejudice"],
    ),
    ("uk-troops-bta", "bg", "BTA", unit(1, 0.0), {FEARS: 0.5}, [("Русия", "Antagonist", "Instigator")], []),
]


def framed_story(store: Store) -> int:
    """Store :data:`FRAMED` with full analyses, group it; the story's id."""
    store.ingest(
        [
            Article(
                i,
                f"UK troops {i}\n\nText {i}.",
                title=f"UK troops ({o})",
                language=lang,
                source=o,
                published=date(2025, 3, 1),
            )
            for i, lang, o, *_ in FRAMED
        ]
    )
    by_id = {item[0]: item for item in FRAMED}
    for batch in store.pending("m-1"):
        results = []
        for stored in batch:
            _, lang, _, vector, narratives, actors, techniques = by_id[stored.article.id]
            analysis = Analysis(
                article=stored.article,
                language=lang,
                vector=vector,
                models={"encoder": ENCODER},
                narratives=[Label(name, confidence) for name, confidence in narratives.items()],
                actors=[Actor(name, Label(role, 0.9), (Label(fine, 0.8),), (0, 1)) for name, role, fine in actors],
                techniques=[Label(name, 1.0) for name in techniques],
            )
            results.append((stored, analysis))
        store.save_analyses(results, "m-1")
    update_stories(store)
    (found,) = list_stories(store)
    return found.id


def test_outlets_are_compared_row_by_actor_across_languages_and_their_disagreements_flagged(store):
    story_id = framed_story(store)
    _, members = story(store, story_id)
    comparison = compare([(m.pk, store.analysis(m.pk)) for m in members])
    assert [column.outlet for column in comparison.columns] == ["BTA", "Guardian", "RIA"]
    rows = {row.name: row for row in comparison.actors}
    assert set(rows) == {"Russia", "United Kingdom"}  # Россия, Русия and Russia are one actor; UK and Великобритания
    russia, uk = rows["Russia"], rows["United Kingdom"]
    assert [cell.main if cell else None for cell in russia.cells] == ["Antagonist", "Antagonist", "Protagonist"]
    assert [cell.main if cell else None for cell in uk.cells] == [None, "Protagonist", "Antagonist"]
    assert russia.disagree and uk.disagree and comparison.actors[0] is russia  # named by every outlet: first
    narratives = {row.name: row for row in comparison.narratives}
    assert narratives[FEARS].cells == (0.5, 0.7, 0.6) and not narratives[FEARS].disagree
    assert narratives[BLAME].cells == (None, None, 0.8) and narratives[BLAME].disagree
    assert (comparison.techniques[0].name, comparison.techniques[0].cells) == ("Loaded_Language", (None, 1, 1))
    graph = str(actor_role_graph(comparison))
    assert graph.count('<line class="edge"') == 5 and graph.count('class="actor disputed"') == 2
    assert 'data-role="Antagonist"' in graph and "Великобритания" not in graph  # canonical names only


def test_the_story_page_shows_the_outlets_side_by_side(database_url):
    with Store(database_url) as store:
        story_id = framed_story(store)
    with TestClient(create_app(Settings(db=database_url))) as client:
        page = client.get(f"/stories/{story_id}")
        assert page.status_code == 200
        text = page.text
        assert text.index(">BTA") < text.index(">Guardian") < text.index(">RIA")
        actor_rows = text[text.index('id="actor-rows"') : text.index('id="technique-rows"')]
        assert actor_rows.count('class="disagree"') == 2 and "Instigator" in actor_rows
        assert '<svg class="chart story-graph"' in text
        assert "UK troops (RIA)" in client.get("/stories").text  # the headline: the article nearest the centre
        assert client.get("/stories/999").status_code == 404


def test_centring_takes_out_each_language_s_own_direction(tmp_path, monkeypatch):
    monkeypatch.setattr(centre, "HERE", tmp_path)
    centre.encoder_means.cache_clear()
    english, russian, story = unit(1, 0, 0, 0), unit(0, 1, 0, 0), unit(0, 0, 1, 0.2)
    ordinary_news = np.stack([english + 0.1 * unit(0, 0, 0, 1), english, russian, russian - 0.1 * unit(0, 0, 0, 1)])
    try:
        assert np.array_equal(centre.centred(english, "e5-test", "en"), english)  # no means: as they are
        assert centre.centre_version("e5-test") == "none"
        centre.write_means("e5-test", ordinary_news, ["en", "en", "ru", "ru"])
        version = centre.centre_version("e5-test")
        report_en, report_ru = centre.centred(np.stack([english + story, russian + story]), "e5-test", ["en", "ru"])
        raw_cosine = float(unit(*(english + story)[:4]) @ unit(*(russian + story)[:4]))
        assert raw_cosine < 0.6 and float(report_en @ report_ru) > 0.99  # a story and its translation meet
        other = centre.centred(english + story, "e5-test", "de")  # no German mean: the mean of all
        assert np.allclose(other, centre.centred(english + story, "e5-test", None))
        assert version != "none" and np.allclose(np.linalg.norm(other), 1)
    finally:
        centre.encoder_means.cache_clear()


def test_articles_without_an_outlet_are_columns_of_their_own():
    articles = [Article(f"doc{n}.txt", "Text.", language=lang) for n, lang in ((1, "bg"), (2, "pt"), (3, "pt"))]
    analyses = [
        (n, Analysis(article=a, language=a.language, actors=[Actor("UK", Label(role, 0.9), (), (0,))]))
        for n, (a, role) in enumerate(zip(articles, ("Antagonist", "Protagonist", "Protagonist"), strict=True))
    ]
    comparison = compare(analyses)
    assert [c.outlet for c in comparison.columns] == ["doc1.txt (bg)", "doc2.txt (pt)", "doc3.txt (pt)"]
    assert comparison.actors[0].disagree


def test_analyze_db_stores_the_reading_engine_s_vectors_and_groups_them_and_the_fast_engine_stores_none(
    capsys, tmp_path
):
    db = str(tmp_path / "corpus.db")
    files = [str(EXAMPLES / name) for name in ("nato-troops-escalation.txt", "climate-agenda-farmers.txt")]
    code, _, err = run(capsys, "analyze", "--db", db, *files, "--workers", "1")
    assert code == 0 and "2 article(s) grouped into stories (2 new)" in err
    with Store(db) as store:
        vectors = stored_vectors_by_pk(store)
    assert len(vectors) == 2 and all(encoder.startswith("e5-") and len(v) == 384 for encoder, v in vectors.values())
    code, out, _ = run(capsys, "similar", "nato-troops-escalation.txt", "--db", db, "--format", "json")
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["climate-agenda-farmers.txt"]
    code, _, _ = run(capsys, "analyze", "--db", db, "--fast", "--workers", "1")
    code, _, err = run(capsys, "similar", "nato-troops-escalation.txt", "--db", db)
    assert code == 2 and "no article vectors" in err
