"""Where techniques are shown: the report quotes the strongest spans of every technique, the article page has a
legend and a one-technique filter, and search filters by technique (small fixtures; no model)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from rich.console import Console

from narrascope.api import Settings, create_app
from narrascope.document import Analysis, Article, Label, Span
from narrascope.report import render_analysis, strongest_by_technique
from narrascope.store import Store
from narrascope.store.search import Filters, search

from .test_cli import run

TEXT = (
    "Thugs in London\n"
    "His thugs wreck everything. The regime of liars bombs towns. Catastrophic consequences await Europe. "
    "Is it worth believing his peacefulness? Our great nation stands tall. A shameful, disgraceful betrayal."
)

#: (technique, phrase, confidence): Name calling has three spans, the weakest of which a report leaves out.
FOUND = (
    ("Name_Calling-Labeling", "His thugs", 0.9),
    ("Name_Calling-Labeling", "regime of liars", 0.7),
    ("Name_Calling-Labeling", "Thugs", 0.2),
    ("Appeal_to_Fear-Prejudice", "Catastrophic consequences await Europe", 0.6),
    ("Doubt", "Is it worth believing his peacefulness?", 0.5),
    ("Flag_Waving", "Our great nation stands tall", 0.3),
    ("Loaded_Language", "shameful, disgraceful betrayal", 0.25),
)


def _analysis(article: Article, found=FOUND) -> Analysis:
    labels = []
    for name, phrase, confidence in found:
        start = article.text.index(phrase)
        labels.append(Label(name, confidence, (Span.of(article.text, start, start + len(phrase)),)))
    return Analysis(article=article, language="en", techniques=labels)


def test_the_report_quotes_the_strongest_spans_of_every_technique():
    analysis = _analysis(Article("a", TEXT, title="Thugs in London"))
    groups = strongest_by_technique(analysis.techniques)
    assert [(name, count) for name, count, _ in groups][:2] == [
        ("Name_Calling-Labeling", 3),
        ("Appeal_to_Fear-Prejudice", 1),
    ]
    assert [label.evidence[0].text for label in groups[0][2]] == ["His thugs", "regime of liars"]
    console = Console(record=True, width=200)
    console.print(render_analysis(analysis))
    report = console.export_text()
    for name, phrase, _ in FOUND[:2] + FOUND[3:]:  # five techniques, each quoted, however weak its best span
        assert name in report and f"“{phrase}”" in report
    assert "“Thugs”" not in report  # the third Name calling span: two per technique


def _stored(database_url: str, analyses: list[Analysis]) -> None:
    with Store(database_url) as store:
        store.ingest([analysis.article for analysis in analyses])
        by_id = {analysis.article.id: analysis for analysis in analyses}
        for batch in store.pending("fake-1"):
            store.save_analyses([(stored, by_id[stored.article.id]) for stored in batch], "fake-1")


def test_the_article_page_has_a_legend_and_a_filter_of_its_technique_marks(database_url):
    article = Article("a", TEXT, title="Thugs in London", language="en")
    _stored(database_url, [_analysis(article)])
    with TestClient(create_app(Settings(db=database_url))) as client:
        (hit,) = client.get("/api/search").json()
        page = client.get(f"/articles/{hit['pk']}").text
    legend = re.search(r'<p class="legend-techniques[^>]*id="technique-legend">(.*?)</p>', page, re.S)
    assert legend and 'class="evidence technique"' in legend.group(1)
    options = re.findall(r'<option value="(t\d+)">([^<]+)</option>', page)
    assert options[:2] == [("t0", "Name Calling / Labeling (3)"), ("t1", "Appeal to Fear / Prejudice (1)")]
    assert len(options) == 5
    # Each mark names its technique and carries the id the filter selects by.
    assert re.search(r'class="evidence technique" title="Doubt" data-ev="t\d">Is it worth believing', page)
    assert re.search(r'title="Name Calling / Labeling" data-ev="t0">His thugs', page)


def test_search_filters_by_technique_in_the_store_and_on_the_command_line(database_url, capsys):
    doubtful = Article("a", TEXT, title="Thugs in London", language="en")
    plain = Article("b", "Weather\nRain is expected in London on Tuesday.", title="Weather", language="en")
    _stored(database_url, [_analysis(doubtful), _analysis(plain, ())])
    with Store(database_url) as store:
        assert [hit.article_id for hit in search(store, "", Filters(techniques=("Doubt",)))] == ["a"]
        assert search(store, "", Filters(techniques=("Slogans",))) == []
        assert {hit.article_id for hit in search(store, "London")} == {"a", "b"}
        assert [hit.article_id for hit in search(store, "London", Filters(techniques=("Flag_Waving", "Doubt")))] == [
            "a"
        ]
    code, out, err = run(capsys, "search", "London", "--db", database_url, "--technique", "flag waving", "-f", "csv")
    assert code == 0, err
    assert "Thugs in London" in out and "Weather" not in out
    code, _, err = run(capsys, "search", "--db", database_url, "--technique", "no such technique")
    assert code != 0 and "no such technique" in err
    with TestClient(create_app(Settings(db=database_url))) as client:
        page = client.get("/search", params={"technique": "Doubt"}).text
        assert "Thugs in London" in page and "Weather" not in page
        assert '<option value="Doubt" selected>' in page
