"""The web app in a real headless Chromium (Playwright driving Debian's chromium): what analysts click through.

Screenshots of every page land in build/screenshots/ (CI artifacts, not committed).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date

import pytest

from narrascope.api import Settings, create_app
from narrascope.batch import analyse_store
from narrascope.document import Article
from narrascope.io import iter_articles
from narrascope.store import Store

from .conftest import EXAMPLES, REPO
from .test_api import XSS_TEXT

SCREENSHOTS = REPO / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = os.environ.get("NARRASCOPE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: scripts/test installs Debian's chromium for CI")
        pytest.skip("chromium is not installed")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> str:
    """A SQLite corpus: the examples (the .txt ones dated, so every language is in the charts) plus an article full
    of XSS payloads, analysed."""
    database = str(tmp_path_factory.mktemp("web") / "web.db")
    examples = [replace(a, published=a.published or date(2025, 1, 15)) for a in iter_articles([EXAMPLES])]
    with Store(database) as store:
        store.ingest(examples, source="examples")
        store.ingest([Article("xss.txt", XSS_TEXT, title="Breaking", source="hostile", url="javascript:alert(1)")])
        analyse_store(store, workers=1)
    return database


@contextmanager
def _serving(settings: Settings) -> Iterator[str]:
    """narrascope serving ``settings`` on a free loopback port (its base URL)."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        if time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(corpus):
    with _serving(Settings(db=corpus)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.dialogs = []  # any alert() would land here
    opened.on("dialog", lambda dialog: (opened.dialogs.append(dialog.message), dialog.dismiss()))
    yield opened
    context.close()


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_analyse_the_example_article_and_see_its_highlights(page, server, london_paris_article):
    page.goto(f"{server}/analyze")
    page.get_by_label("Article text").fill(london_paris_article.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_selector("#article-body")
    assert "Why London and Paris" in page.locator("h1").inner_text()
    assert page.locator("mark.mention.role-antagonist").count() > 0
    title = page.locator("mark.mention").first.get_attribute("title")
    assert title and title.split(" ")[0] in ("Protagonist", "Antagonist", "Innocent")
    fears = page.locator(".label-button", has_text="URW: Amplifying war-related fears").first
    fears.click()
    assert fears.get_attribute("aria-pressed") == "true"
    assert page.locator(".evidence.shown").count() > 0
    _shot(page, "article-analysed")


def test_dashboard_links_through_to_an_article(page, server):
    page.goto(server)
    assert page.locator("svg.chart").count() == 1
    _shot(page, "dashboard")
    page.get_by_role("link", name="by language").click()
    assert page.locator("svg.chart").count() >= 2  # one panel per language
    _shot(page, "dashboard-by-language")
    page.get_by_role("link", name="all", exact=True).click()
    page.locator("ol.hits a.hit-title").first.click()
    page.wait_for_selector("#article-body")
    assert page.locator(".narratives .label-button").count() > 0
    _shot(page, "article-stored")


def test_search_with_filters_shows_snippets(page, server):
    page.goto(f"{server}/search")
    page.get_by_label('Words or "phrases"').fill("troops")
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector("ol.hits")
    assert page.locator("ol.hits li .snippet mark").count() > 0
    assert "troops" in page.locator("ol.hits li").first.inner_text().lower()
    _shot(page, "search")
    page.locator("a.tag", has_text="URW: ").first.click()
    assert page.locator("h1").inner_text().startswith("URW: ")
    assert page.locator("ol.hits li").count() >= 1
    _shot(page, "narrative")


def test_the_api_docs_render_every_endpoint(page, server):
    page.goto(f"{server}/docs")
    page.wait_for_selector(".opblock", timeout=15_000)  # Swagger UI 4 showed only "Unable to render this definition"
    paths = {text.strip() for text in page.locator(".opblock-summary-path").all_inner_texts()}
    assert {"/api/analyze", "/api/search", "/api/trends", "/api/entities"} <= paths
    _shot(page, "api-docs")


def test_script_payloads_in_articles_stay_inert(page, server):
    page.goto(f"{server}/search?source=hostile")
    page.locator("ol.hits a.hit-title").first.click()
    page.wait_for_selector("#article-body")
    body = page.locator("#article-body").inner_text()
    assert "<script>window.__xss = 1</script>" in body  # shown as text
    page.locator("#article-body").hover()
    assert page.evaluate("window.__xss") is None
    assert page.locator("a[href^='javascript:']").count() == 0
    page.goto(f"{server}/analyze")
    page.get_by_label("Article text").fill(XSS_TEXT)
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_selector("#article-body")
    assert page.evaluate("window.__xss") is None and page.dialogs == []
    _shot(page, "xss-inert")


def test_pages_fit_a_phone_screen(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    for path, name in (
        ("/", "phone-dashboard"),
        ("/articles/1", "phone-article"),
        ("/search?q=troops", "phone-search"),
    ):
        phone.goto(server + path)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
        _shot(phone, name)
    context.close()


def test_private_server_signs_a_browser_in(page, corpus):
    with _serving(Settings(db=corpus, token="browser-secret", private=True)) as private:
        page.goto(f"{private}/search?q=troops")
        page.wait_for_selector("form.signin")
        assert page.url.startswith(f"{private}/login")
        page.fill("#token", "wrong")
        page.click("button[type=submit]")
        assert "not this server's token" in page.inner_text("[role=alert]")
        page.fill("#token", "browser-secret")
        page.click("button[type=submit]")
        page.wait_for_selector("mark")  # back on the search it asked for, with highlighted hits
        assert page.url == f"{private}/search?q=troops"
        _shot(page, "private-search")


@pytest.fixture(scope="module")
def story_server(tmp_path_factory):
    """A corpus of one story told by three outlets in three languages (synthetic analyses and vectors)."""
    from .test_similarity import framed_story

    database = str(tmp_path_factory.mktemp("stories") / "stories.db")
    with Store(database) as store:
        framed_story(store)
    with _serving(Settings(db=database)) as url:
        yield url


def test_a_story_shows_its_outlets_side_by_side_with_their_disagreements(page, story_server):
    page.goto(f"{story_server}/stories")
    page.get_by_role("link", name="UK troops (RIA)").click()
    page.wait_for_selector("table.compare")
    outlets = page.locator("table.compare thead th.outlet").all_inner_texts()
    assert [text.split("\n")[0].strip() for text in outlets] == ["BTA", "Guardian", "RIA"]
    russia = page.locator("#actor-rows tr", has_text="Russia")
    assert russia.locator(".role-antagonist").count() == 2 and russia.locator(".role-protagonist").count() == 1
    disputed = page.locator("#actor-rows tr.disagree")
    assert disputed.count() == 2
    agreed = page.locator("#narrative-rows tr:not(.disagree):not(.section)").first
    highlight = disputed.first.evaluate("row => getComputedStyle(row).backgroundColor")
    assert highlight != agreed.evaluate("row => getComputedStyle(row).backgroundColor")
    assert page.locator("svg.story-graph line.edge").count() == 5
    assert page.locator("svg.story-graph circle.disputed").count() == 2
    _shot(page, "story")
    page.locator("table.compare thead a", has_text="UK troops (Guardian)").click()
    page.wait_for_selector("#similar-coverage")
    assert page.locator("#similar-coverage li a").all_inner_texts() == ["UK troops (RIA)", "UK troops (BTA)"]
    details = page.locator("#similar-coverage li .muted").all_inner_texts()
    assert details[0].startswith("ru · RIA") and details[1].startswith("bg · BTA")
    _shot(page, "similar-coverage")


@pytest.fixture(scope="module")
def cast_server(tmp_path_factory):
    """A corpus naming Russia in three languages and outlets (synthetic analyses)."""
    from .test_actor_profile import store_cast

    database = str(tmp_path_factory.mktemp("actors") / "actors.db")
    with Store(database) as store:
        store_cast(store)
    with _serving(Settings(db=database)) as url:
        yield url


def test_an_actor_clicked_on_an_article_page_opens_its_page_with_the_chart_and_the_article(page, cast_server):
    page.goto(f"{cast_server}/search?source=RIA")
    page.locator("ol.hits a.hit-title").first.click()
    page.wait_for_selector("#article-body")
    assert page.locator("mark.mention.role-protagonist").count() == 1  # coloured as the actors table says
    assert "Russia (Россия)" in page.locator("table.actors").inner_text()
    page.locator("table.actors").get_by_role("link", name="Russia").click()
    page.wait_for_selector("svg.chart")
    assert page.url == f"{cast_server}/actors/russia"
    assert page.locator("h1").inner_text() == "Russia"
    assert page.locator("svg.chart polyline").count() == 3  # one line per main role
    listed = page.locator("ol.casting li")
    assert listed.count() == 3
    assert "Headline r1" in listed.first.inner_text() and "Россия защищает мир." in listed.first.inner_text()
    _shot(page, "actor")
    listed.first.get_by_role("link", name="Headline r1").click()
    page.wait_for_selector("#article-body")
    assert "Россия защищает мир." in page.locator("#article-body").inner_text()
