"""The corpus store on real SQLite and real PostgreSQL: ingest, analyse, search, trends, alerts, export."""

from __future__ import annotations

import csv
import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from narrascope.batch import analyse_store
from narrascope.document import Actor, Analysis, Article, Label
from narrascope.io import iter_articles
from narrascope.io.semeval import read_narrative_annotations
from narrascope.store import Store, StoreError
from narrascope.store.export import export
from narrascope.store.schema import actors, daily_label_counts, schema_version, undated_label_counts
from narrascope.store.search import MARK_END, MARK_START, Filters, search
from narrascope.store.trends import alerts, trends, undated

from .conftest import EXAMPLES

FEARS = "URW: Amplifying war-related fears"
BLAME = "URW: Blaming the war on others rather than the invader"


@pytest.fixture
def store(database_url):
    with Store(database_url) as opened:
        yield opened


def _article(number: int, text: str, source: str = "daily", day: date | None = None, language: str = "en") -> Article:
    return Article(f"a{number}", text, title=text.split("\n")[0], language=language, source=source, published=day)


def _fake_analysis(article: Article, narratives: list[str], actors: tuple[tuple[str, str], ...] = ()) -> Analysis:
    return Analysis(
        article=article,
        language=article.language,
        narratives=[Label(name, 0.9) for name in narratives],
        subnarratives=[Label(f"{name}: Other", 0.8) for name in narratives],
        actors=[Actor(name, Label(role, 0.8), (), (0,)) for name, role in actors],
    )


def _store_fake(store: Store, items: list[tuple[Article, list[str]]], models: str = "fake-1") -> None:
    store.ingest([article for article, _ in items])
    by_id = {article.id: labels for article, labels in items}
    for batch in store.pending(models):
        store.save_analyses(
            [(stored, _fake_analysis(stored.article, by_id[stored.article.id])) for stored in batch], models
        )


def test_the_same_text_is_stored_once_and_reingesting_changes_nothing(store):
    articles = list(iter_articles([EXAMPLES]))
    first = store.ingest(articles)
    assert first.added == len(articles) and first.duplicates == 0
    again = store.ingest([*articles, Article("copy", articles[0].text)])
    assert again.added == 0 and again.duplicates == len(articles) + 1
    assert store.counts() == {"articles": len(articles), "analyses": 0}


def test_analysis_is_stored_once_and_redone_only_when_models_change(store):
    store.ingest(list(iter_articles([EXAMPLES])))
    result = analyse_store(store, workers=1)
    assert result.analysed == store.counts()["articles"] == store.counts()["analyses"]
    assert analyse_store(store, workers=1).analysed == 0
    stored = store.analysis(1)
    assert stored is not None and stored.narratives and stored.article.text

    before = trends(store, by="month")
    for batch in store.pending("another-model-version"):  # a new model re-analyses every article…
        store.save_analyses([(s, _fake_analysis(s.article, [FEARS])) for s in batch], "another-model-version")
    after = trends(store, by="month")
    assert store.counts()["analyses"] == result.analysed
    # …and the trend counts hold only the new labels, not old and new together.
    assert {p.total for p in after} == {p.total for p in before}
    assert {p.label for p in after if p.count} == {FEARS}


def test_search_ranks_matches_with_highlighted_snippets_and_filters(store):
    day = date(2024, 3, 1)
    _store_fake(
        store,
        [
            (_article(1, "Troops to Ukraine\nLondon wants troops sent to Ukraine soon.", "daily", day), [FEARS]),
            (_article(2, "Farm news\nFarmers protest the green agenda in Brussels.", "weekly", day), [BLAME]),
            (_article(3, "Войска\nЛондон хочет отправить войска на Украину.", "ru-news", day, "ru"), [FEARS]),
            (_article(4, "सेना\nलंदन यूक्रेन में सेना भेजना चाहता है।", "hi-news", day, "hi"), [BLAME]),
        ],
    )
    hits = search(store, "troops")
    assert [hit.article_id for hit in hits] == ["a1"]
    assert MARK_START in hits[0].snippet and hits[0].narratives == (FEARS,)
    assert [hit.article_id for hit in search(store, '"sent to Ukraine"')] == ["a1"]
    assert search(store, '"Ukraine sent"') == []
    assert [hit.article_id for hit in search(store, "войска")] == ["a3"]
    # Devanagari vowel signs are part of the word: "सैना" differs from "सेना" only in its vowel sign.
    assert [hit.article_id for hit in search(store, "यूक्रेन")] == ["a4"]
    assert [hit.article_id for hit in search(store, '"सेना भेजना"')] == ["a4"]
    assert search(store, "सैना") == []
    assert {h.article_id for h in search(store, "", Filters(narratives=(FEARS,)))} == {"a1", "a3"}
    assert [h.article_id for h in search(store, "", Filters(languages=("ru",)))] == ["a3"]
    assert search(store, "troops", Filters(sources=("weekly",))) == []
    assert search(store, "", Filters(since=day + timedelta(days=1))) == []
    for hostile in ('"', "AND OR NOT", "troops*", "-troops", "'; DROP TABLE articles; --", "NEAR(a b)"):
        search(store, hostile)  # parsed as words, never as query syntax
    assert store.counts()["articles"] == 4


def test_a_trailing_star_searches_for_words_that_start_so(store):
    store.ingest(
        [
            _article(1, "Troops to Ukraine\nLondon wants troops sent to Ukraine soon."),
            _article(2, "Army news\nThe Ukrainian army held the line."),
            _article(3, "Войска\nЛондон хочет отправить войска на Украину.", language="ru"),
            _article(4, "Farm news\nFarmers protest in Brussels."),
        ]
    )
    assert search(store, "Ukrain") == []  # a whole word without the star
    assert {hit.article_id for hit in search(store, "Ukrain*")} == {"a1", "a2"}
    assert {hit.article_id for hit in search(store, "ukrain* army")} == {"a2"}
    assert [hit.article_id for hit in search(store, "Украин*")] == ["a3"]
    assert [hit.article_id for hit in search(store, '"sent to Ukr*"')] == ["a1"]  # the phrase's last word
    assert search(store, "krain*") == []  # from the start of a word only
    (hit,) = search(store, "Ukrainian*")
    assert f"{MARK_START}Ukrainian{MARK_END}" in hit.snippet


def test_search_ranks_the_newest_matches_by_walk_by_id_range_or_over_everything(store, monkeypatch):
    import narrascope.store.search as search_module

    monkeypatch.setattr(search_module, "RANKED_POOL", 3)
    monkeypatch.setattr(search_module, "SAMPLE", 4)
    texts = {number: f"Report {number}\nA quiet day number {number}." for number in range(1, 11)}
    for number in (1, 2, 3, 9):
        texts[number] += " Troops were moved."
    for number in range(6, 11):
        texts[number] += " The green agenda was debated."
    for number in (1, 2, 10):
        texts[number] += " The border stayed closed."
    store.ingest([_article(number, texts[number]) for number in range(1, 11)])
    # Enough matches among the newest articles: those.
    assert {hit.article_id for hit in search(store, "green")} == {"a10", "a9", "a8"}
    # Few of them: the density seen there sizes an id range that holds enough…
    assert {hit.article_id for hit in search(store, "troops")} == {"a9", "a3", "a2"}
    # …or, when it does not, the pool comes from the whole corpus.
    assert {hit.article_id for hit in search(store, "border")} == {"a10", "a2", "a1"}
    assert {hit.article_id for hit in search(store, "border", Filters(sources=("nowhere",)))} == set()


def test_entity_and_role_filters_match_across_spellings(store):
    article = _article(1, "Putin speaks\nVladimir Putin spoke today.")
    store.ingest([article])
    (batch,) = list(store.pending("m"))
    analysis = _fake_analysis(batch[0].article, [FEARS], (("Vladimir Putin", "Antagonist"),))
    store.save_analyses([(batch[0], analysis)], "m")
    assert len(search(store, "", Filters(entity="putin"))) == 1
    assert len(search(store, "", Filters(entity="Путин"))) == 1  # transliterated to the same key
    assert len(search(store, "", Filters(entity="putin", role="Antagonist"))) == 1
    assert search(store, "", Filters(entity="putin", role="Protagonist")) == []
    assert len(search(store, "", Filters(entity="vlad"))) == 1  # the start of any word of the name
    assert search(store, "", Filters(entity="tin")) == []  # not the middle of one ("us" is not in "Russia")
    assert search(store, "", Filters(entity="%")) == []  # nothing to match: names no one


def test_an_entity_filter_matches_the_stored_name_within_a_fuller_one(store):
    names = {1: "Kolomoisky", 2: "Vladimir Putin", 3: "Russia", 4: "US"}
    store.ingest([_article(number, f"Report {number}\nAbout {name}.") for number, name in names.items()])
    for stored in next(iter(store.pending("m"))):
        actor = ((names[int(stored.article.id[1:])], "Antagonist"),)
        store.save_analyses([(stored, _fake_analysis(stored.article, [FEARS], actor))], "m")

    def found(entity: str) -> set[str]:
        return {hit.article_id for hit in search(store, "", Filters(entity=entity))}

    assert found("Igor Kolomoisky") == {"a1"}  # stored by his surname alone
    assert found("President Vladimir Putin") == {"a2"}
    assert found("Vladimir Kolomoisky") == {"a1"}  # the run "kolomoisky", not the first name of "Vladimir Putin"
    assert found("US Army") == {"a4"}
    assert found("us") == {"a4"} and found("Rus") == {"a3"}  # words are whole: "us" is not in "Russia"
    assert found("Putinism") == set() and found("Igor") == set()


def test_an_entity_filter_finds_the_canonical_actor_in_any_language(store):
    names = {1: "Россия", 2: "Rússia", 3: "Moscow", 4: "Russian Council", 5: "Русия"}
    store.ingest([_article(number, f"Report {number}\nAbout {name}.") for number, name in names.items()])
    for stored in next(iter(store.pending("m"))):
        actor = ((names[int(stored.article.id[1:])], "Antagonist"),)
        store.save_analyses([(stored, _fake_analysis(stored.article, [FEARS], actor))], "m")

    def found(entity: str) -> set[str]:
        return {hit.article_id for hit in search(store, "", Filters(entity=entity))}

    assert found("Russia") == found("Россия") == found("russia") == found("रूस") == {"a1", "a2", "a3", "a5"}
    assert found("Council") == {"a4"}  # a name outside the table matches word-aligned, as before
    assert found("us") == set()  # not in Russia
    assert {row["name"] for row in store.execute(select(actors.c.name))} == {"Russia", "Russian Council"}


def _weekly_corpus(store: Store) -> None:
    """Eight quiet weeks (FEARS in 1 of 10 articles), then a week where it is in 8 of 10 and BLAME appears."""
    items, number, start = [], 0, date(2024, 1, 1)
    for week in range(9):
        for index in range(10):
            number += 1
            labels = [FEARS] if (index < 8 if week == 8 else index == 0) else ["Other"]
            if week == 8 and index >= 6:
                labels = [*labels, BLAME] if labels != ["Other"] else [BLAME]
            items.append(
                (_article(number, f"Article {number}\nText {number}.", "daily", start + timedelta(weeks=week)), labels)
            )
    _store_fake(store, items)


def test_trends_give_counts_and_shares_per_period_and_source(store):
    _weekly_corpus(store)
    points = trends(store, by="week")
    fears = [p for p in points if p.label == FEARS]
    assert len(fears) == 9 and all(p.total == 10 for p in fears)
    assert [p.share for p in fears] == [0.1] * 8 + [0.8]
    monthly = {p.period: p for p in trends(store, by="month") if p.label == FEARS}
    assert monthly[date(2024, 1, 1)].total == 50  # weeks starting in January
    per_source = trends(store, by="week", per="source")
    assert {p.group for p in per_source} == {"daily"}


def _summed(points) -> dict[tuple[date, str], tuple[int, int]]:
    """(period, label) → (count, total), summed over groups."""
    summed: dict[tuple[date, str], tuple[int, int]] = {}
    for point in points:
        count, total = summed.get((point.period, point.label), (0, 0))
        summed[(point.period, point.label)] = (count + point.count, total + point.total)
    return summed


def test_trends_over_everything_equal_the_sum_over_sources_and_languages_also_after_reanalysis(store):
    start = date(2024, 3, 4)
    items = [
        (
            _article(
                n, f"A {n}\nText {n}.", ("daily", "weekly")[n % 2], start + timedelta(days=n), ("en", "ru")[n % 3 == 0]
            ),
            [FEARS] if n % 4 else [BLAME, FEARS],
        )
        for n in range(40)
    ]
    _store_fake(store, items)
    for batch in store.pending("fake-2"):  # re-analysed: BLAME goes from every 4th article to every 5th
        store.save_analyses(
            [
                (s, _fake_analysis(s.article, [FEARS, BLAME] if int(s.article.id[1:]) % 5 == 0 else [FEARS]))
                for s in batch
            ],
            "fake-2",
        )
    everything = {(p.period, p.label): (p.count, p.total) for p in trends(store, by="week")}
    assert (
        everything
        == _summed(trends(store, by="week", per="source"))
        == _summed(trends(store, by="week", per="language"))
    )
    assert sum(count for (_, label), (count, _) in everything.items() if label == BLAME) == 8
    assert sum(total for (_, label), (_, total) in everything.items() if label == BLAME) == 40


def test_opening_a_store_from_schema_2_fills_the_daily_counts_and_reindexes_the_full_text(database_url, caplog):
    with Store(database_url) as store:
        assert not caplog.records  # creating a new database is not an upgrade worth announcing
        _weekly_corpus(store)
        before = trends(store, by="week")
        store.transaction(lambda c: c.execute(daily_label_counts.delete()))
        store.transaction(lambda c: c.execute(schema_version.delete().where(schema_version.c.version >= 3)))
        assert before and trends(store, by="week") == []  # the daily counts really are gone
    with Store(database_url) as reopened:  # migrations 3 and on run again
        rebuilt_index = reopened.dialect == "sqlite"
        assert ("rebuilding the full-text index" in caplog.text) == rebuilt_index
        assert trends(reopened, by="week") == before
        assert [hit.article_id for hit in search(reopened, '"Text 7"')] == ["a7"]


def test_undated_articles_stay_out_of_trends_and_alerts_unless_asked_for(store):
    _weekly_corpus(store)
    by_week, by_source, found = (
        trends(store, by="week"),
        trends(store, per="source"),
        alerts(store, by="week", per=None),
    )
    undated_items = [(_article(100 + n, f"Undated {n}\nNo date {n}.", "nodate"), [BLAME]) for n in range(5)]
    _store_fake(store, undated_items)
    assert undated(store) == 5 and undated(store, sources=("daily",)) == 0
    assert undated(store, since=date.today() + timedelta(days=2)) == 0  # counted by the day they were ingested
    assert trends(store, by="week") == by_week and trends(store, per="source") == by_source
    assert alerts(store, by="week", per=None) == found
    counted = trends(store, by="week", include_undated=True)
    this_week = max(p.period for p in counted)  # when they were ingested
    assert abs(this_week - date.today()) < timedelta(days=8)
    assert {(p.label, p.count, p.total) for p in counted if p.period == this_week and p.count} == {(BLAME, 5, 5)}
    assert [p for p in counted if p.period != this_week] == by_week
    (spike,) = alerts(store, by="week", per=None, include_undated=True)  # the false spike they make
    assert (spike.kind, spike.period, spike.label) == ("spike", this_week, BLAME)
    for batch in store.pending("fake-2"):  # re-analysed: still counted apart, once
        store.save_analyses([(s, _fake_analysis(s.article, [FEARS])) for s in batch], "fake-2")
    assert undated(store) == 5 and {p.period for p in trends(store, by="week")} == {p.period for p in by_week}


def test_opening_a_store_from_schema_4_counts_its_undated_articles_apart(database_url):
    with Store(database_url) as store:
        items = [
            (_article(1, "Dated\nText one.", day=date(2024, 1, 1)), [FEARS]),
            (_article(2, "Undated\nTwo."), [FEARS]),
        ]
        _store_fake(store, items)
        store.transaction(lambda c: c.execute(undated_label_counts.delete()))
        store.transaction(lambda c: c.execute(schema_version.delete().where(schema_version.c.version >= 5)))
        assert undated(store) == 0 and len({p.period for p in trends(store, by="day")}) == 2
    with Store(database_url) as reopened:
        assert undated(reopened) == 1 and {p.period for p in trends(reopened, by="day")} == {date(2024, 1, 1)}


def test_opening_a_store_from_schema_7_keys_its_actors_canonically(database_url):
    with Store(database_url) as store:
        _store_fake(store, [(_article(1, "Moscow\nText."), [FEARS]), (_article(2, "Kyiv\nText."), [FEARS])])
        for pk, (name, key) in enumerate((("Россия", "rossiya"), ("Kolomoisky", "kolomoisky")), start=1):
            row = {"article": pk, "name": name, "key": key, "main_role": "Antagonist", "fine_roles": "", "mentions": 1}
            store.transaction(lambda c, row=row: c.execute(actors.insert().values(**row)))
        store.transaction(lambda c: c.execute(schema_version.delete().where(schema_version.c.version >= 8)))
        assert search(store, "", Filters(entity="Russia")) == []
    with Store(database_url) as reopened:
        assert {(row["name"], row["key"]) for row in reopened.execute(select(actors.c.name, actors.c.key))} == {
            ("Russia", "russia"),
            ("Kolomoisky", "kolomoisky"),
        }
        assert [hit.article_id for hit in search(reopened, "", Filters(entity="Москва"))] == ["a1"]


def test_alerts_report_spikes_with_their_z_score_and_first_appearances(store):
    _weekly_corpus(store)
    found = alerts(store, by="week", per="source")
    spike = next(a for a in found if a.kind == "spike")
    assert spike.label == FEARS and spike.z_score is not None and spike.z_score >= 3
    assert spike.baseline == pytest.approx(0.1)
    new = next(a for a in found if a.kind == "new")
    assert new.label == BLAME and new.group == "daily"


def test_exports_in_every_format(store, tmp_path):
    _store_fake(
        store, [(_article(1, "One\nFirst text."), [FEARS]), (_article(2, "Two\nSecond text.", "weekly"), [BLAME])]
    )
    assert export(store, "jsonl", tmp_path / "a.jsonl") == 2
    records = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [Analysis.from_dict(r).narratives[0].name for r in records] == [FEARS, BLAME]
    assert export(store, "csv", tmp_path / "a.csv", Filters(sources=("weekly",))) == 1
    rows = list(csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8")))
    assert rows[0]["id"] == "a2" and rows[0]["narratives"] == BLAME
    export(store, "parquet", tmp_path / "a.parquet")
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "a.parquet").column("id").to_pylist() == ["a1", "a2"]
    export(store, "semeval", tmp_path / "a.txt")
    assert [item.narratives for item in read_narrative_annotations(tmp_path / "a.txt")] == [(FEARS,), (BLAME,)]


def test_unusable_databases_are_one_line_errors(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "missing-folder" / "x.db")
    with pytest.raises(StoreError, match="only SQLite and PostgreSQL"):
        Store("mysql://localhost/x")
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:1"):
        Store("postgresql://nobody@127.0.0.1:1/x").counts()


def test_stores_opened_at_once_on_a_new_sqlite_file_all_succeed(tmp_path):
    """The losers of the race to create the schema retry and find it done (once: "UNIQUE constraint failed")."""
    errors: list[Exception] = []

    def open_store(path):
        try:
            Store(path).close()
        except StoreError as error:
            errors.append(error)

    for attempt in range(30):
        path = tmp_path / f"new-{attempt}.db"
        threads = [threading.Thread(target=open_store, args=(path,)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
