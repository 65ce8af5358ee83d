"""The HTTP API and pages through FastAPI's test client, over real SQLite and PostgreSQL stores."""

from __future__ import annotations

import html
import json
import re

import pytest
from fastapi.testclient import TestClient

from narrascope.api import Settings, create_app
from narrascope.batch import analyse_store
from narrascope.document import Analysis
from narrascope.io import iter_articles
from narrascope.store import Store

from .conftest import EXAMPLES

TOKEN = "test-token-1234"
XSS_TEXT = (
    'Breaking <script>window.__xss = 1</script>\n\nNATO troops <img src=x onerror="window.__xss = 2"> '
    'were sent to Ukraine, officials said. <a href="javascript:window.__xss = 3">more</a>'
)


@pytest.fixture
def client(database_url):
    with Store(database_url) as store:
        store.ingest(list(iter_articles([EXAMPLES])), source="examples")
        analyse_store(store, workers=1)
    with TestClient(create_app(Settings(db=database_url, token=TOKEN))) as test_client:
        yield test_client


def test_analyze_returns_the_analysis_json(client):
    response = client.post("/api/analyze", json={"text": (EXAMPLES / "nato-troops-escalation.txt").read_text()})
    assert response.status_code == 200
    analysis = Analysis.from_dict(response.json())
    assert "URW: Amplifying war-related fears" in [label.name for label in analysis.narratives]
    assert analysis.actors and all(
        span.text == analysis.article.text[span.start : span.end] for span in analysis.sentences
    )


def test_analyze_reads_html_and_rejects_malformed_requests_with_the_field(client):
    html = (
        "<html><head><title>Troops</title></head><body><article><p>NATO will send troops to Ukraine, they say, "
        "and Russia warns of war.</p></article></body></html>"
    )
    response = client.post("/api/analyze", json={"text": html, "html": True})
    assert response.status_code == 200 and "NATO will send troops" in response.json()["article"]["text"]
    missing = client.post("/api/analyze", json={"body": "x"})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "text"]
    broken = client.post("/api/analyze", content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 422
    wrong_type = client.post("/api/analyze", json={"text": "x", "language": "english"})
    assert wrong_type.status_code == 422 and wrong_type.json()["detail"][0]["loc"] == ["body", "language"]
    for blank in (" \n\t ", "\u200b\u200b …"):  # the CLI refuses these too ("file is empty", "no words in it")
        refused = client.post("/api/analyze", json={"text": blank})
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "text"]


def test_openapi_documents_the_analysis_and_the_error_answers(client):
    from pydantic import TypeAdapter

    spec = client.get("/openapi.json").json()
    answers = spec["paths"]["/api/analyze"]["post"]["responses"]
    assert answers["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Analysis"}
    assert {"401", "413", "422", "429"} <= answers.keys()
    assert {"404", "200"} <= spec["paths"]["/api/articles/{pk}"]["get"]["responses"].keys()
    text = (EXAMPLES / "nato-troops-escalation.txt").read_text()
    analysed = client.post("/api/analyze", json={"text": text}).content  # what is documented is what is sent
    assert TypeAdapter(Analysis).validate_json(analysed) == Analysis.from_dict(json.loads(analysed))
    refused = client.post("/api/analyze", json={"text": ""}).json()
    assert set(refused) == set(spec["components"]["schemas"]["ErrorOut"]["properties"]) == {"detail"}


def test_head_is_answered_like_get_without_a_body(client):
    for path in ("/", "/search?q=troops", "/api/narratives", "/docs"):
        head, get = client.head(path), client.get(path)
        assert (head.status_code, head.content) == (200, b""), path
        assert head.headers["content-length"] == get.headers["content-length"] != "0"
    assert client.head("/api/analyze").status_code == 405  # POST only


def test_oversized_bodies_get_413_with_a_message(client):
    response = client.post(
        "/api/analyze", content=b"x" * (2 * 1024 * 1024 + 1), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and "larger than 2 MB" in response.json()["detail"]
    chunks = (b"x" * 100_000 for _ in range(30))  # streamed without a Content-Length: was a 400 "error parsing"
    streamed = client.post("/api/analyze", content=chunks, headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and "larger than 2 MB" in streamed.json()["detail"]
    assert client.post("/api/analyze", json={"text": "NATO troops"}).status_code == 200  # and the server goes on


def test_writes_need_the_bearer_token(client):
    body = [{"text": "Fresh report\n\nA new text about troops."}]
    assert client.post("/api/articles", json=body).status_code == 401
    assert client.post("/api/articles", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/api/articles", json=body, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    created = client.post("/api/articles", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert created.status_code == 201 and (created.json()["added"], created.json()["duplicates"]) == (1, 0)
    again = client.post("/api/articles", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert (again.json()["added"], again.json()["duplicates"]) == (0, 1)


def test_without_a_configured_token_writes_are_refused(database_url):
    with TestClient(create_app(Settings(db=database_url))) as test_client:
        response = test_client.post("/api/articles", json=[{"text": "x"}], headers={"Authorization": "Bearer "})
        assert response.status_code == 403 and "NARRASCOPE_TOKEN" in response.json()["detail"]


def test_private_mode_gates_reads(database_url):
    with TestClient(create_app(Settings(db=database_url, token=TOKEN, private=True))) as test_client:
        assert test_client.get("/api/articles").status_code == 401
        assert test_client.post("/api/analyze", json={"text": "NATO troops"}).status_code == 401
        assert test_client.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_private_mode_browser_signs_in_with_a_cookie_that_is_not_the_token(database_url):
    with TestClient(create_app(Settings(db=database_url, token=TOKEN, private=True))) as browser:
        sent_away = browser.get("/search?q=troops", follow_redirects=False)
        assert sent_away.status_code == 303 and sent_away.headers["location"] == "/login?next=%2Fsearch%3Fq%3Dtroops"
        wrong = browser.post("/login", data={"token": "guess", "next": "/search?q=troops"}, follow_redirects=False)
        assert wrong.status_code == 401 and "narrascope_session" not in wrong.cookies
        # A sign-in link pointing to another site lands on the dashboard instead.
        signed = browser.post("/login", data={"token": TOKEN, "next": "//evil.example/"}, follow_redirects=False)
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and TOKEN not in cookie
        assert browser.get("/search", params={"q": "troops"}).status_code == 200
        assert browser.get("/api/articles").status_code == 200
        browser.post("/logout")
        assert browser.get("/api/articles").status_code == 401


def test_read_endpoints(client):
    listed = client.get("/api/articles", params={"lang": "ru"}).json()
    assert [hit["id"] for hit in listed] == ["sanktsii-evropa.txt"]
    hits = client.get("/api/search", params={"q": "troops"}).json()
    nato = next(hit for hit in hits if hit["id"] == "nato-troops-escalation.txt")
    for hit in hits:  # plain text, the matches given by offsets and as <mark> in the HTML
        assert "\u0002" not in hit["snippet"] and "\u0003" not in hit["snippet_html"]
        assert hit["highlights"] and {hit["snippet"][start:end].lower() for start, end in hit["highlights"]} == {
            "troops"
        }
        assert hit["snippet_html"].count("<mark>") == len(hit["highlights"])
        assert html.unescape(re.sub("</?mark>", "", hit["snippet_html"])) == hit["snippet"]
    article = client.get(f"/api/articles/{nato['pk']}").json()
    assert article["article"]["id"] == "nato-troops-escalation.txt" and article["narratives"]
    assert client.get("/api/articles/99999").status_code == 404
    trends = client.get("/api/trends", params={"by": "month"}).json()["points"]
    assert {point["label"] for point in trends} >= {"URW: Amplifying war-related fears"}
    narratives = {item["name"]: item for item in client.get("/api/narratives").json()}
    assert narratives["URW: Amplifying war-related fears"]["articles"] >= 1
    assert (
        narratives["URW: Discrediting Ukraine: Ukraine is a puppet of the West"]["parent"]
        == "URW: Discrediting Ukraine"
    )
    entities = client.get("/api/entities", params={"limit": 5}).json()
    assert entities and all(item["articles"] >= 1 for item in entities)
    assert client.get("/api/search", params={"narrative": "no such narrative"}).status_code == 422


def test_search_snippets_are_plain_text_with_match_offsets_and_escaped_html(client):
    text = 'Tanks & "troops"\nRumours say 5 < 7 kilotanks & more kilotanks.'
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post("/api/articles", json=[{"text": text}], headers=headers).status_code == 201
    (hit,) = client.get("/api/search", params={"q": "kilotanks"}).json()
    assert hit["snippet"].startswith('Tanks & "troops" Rumours say 5 < 7 kilotanks')  # as written, no markers
    assert [hit["snippet"][start:end] for start, end in hit["highlights"]] == ["kilotanks", "kilotanks"]
    assert hit["snippet_html"] == html.escape(hit["snippet"]).replace("kilotanks", "<mark>kilotanks</mark>")
    assert "Tanks &amp; &quot;troops&quot; Rumours say 5 &lt; 7 <mark>kilotanks</mark>" in hit["snippet_html"]
    assert "5 &lt; 7 <mark>kilotanks</mark>" in client.get("/search", params={"q": "kilotanks"}).text  # the page
    hit_schema = client.get("/openapi.json").json()["components"]["schemas"]["Hit"]
    assert {"snippet", "highlights", "snippet_html"} <= set(hit_schema["required"])
    assert "offsets" in hit_schema["properties"]["highlights"]["description"]


def test_filters_apply_to_every_endpoint_that_lists_them(client):
    top = client.get("/api/entities", params={"limit": 1}).json()[0]
    named = client.get("/api/entities", params={"entity": top["name"]})  # was a 500: the filter lost its FROM
    assert named.status_code == 200 and top["name"] in [item["name"] for item in named.json()]
    assert client.get("/api/entities", params={"entity": "%"}).json() == []  # no letters: names no one
    undated_too = {"by": "month", "include_undated": "true"}  # the Russian example (a .txt) has no date
    everything = client.get("/api/trends", params=undated_too).json()["points"]
    russian = client.get("/api/trends", params={**undated_too, "lang": "ru"}).json()["points"]
    assert sum(p["count"] for p in russian) < sum(p["count"] for p in everything)
    assert {p["total"] for p in russian} == {1}  # one Russian example: shares are within the filter
    assert client.get("/api/trends", params={"source": "nowhere"}).json() == {"points": [], "undated": 0}
    assert client.get("/api/trends", params={"entity": "NATO"}).status_code == 422
    puppet = client.get("/api/trends", params={**undated_too, "narrative": "Ukraine is a puppet of the West"})
    puppet = puppet.json()["points"]
    assert {p["label"] for p in puppet} <= {"URW: Discrediting Ukraine: Ukraine is a puppet of the West"}
    assert client.get("/api/search", params={"q": "* -"}).status_code == 422


def test_trends_leave_undated_articles_out_and_say_how_many(client):
    def totals(answer: dict) -> int:  # articles over the periods
        return sum({point["period"]: point["total"] for point in answer["points"]}.values())

    dated = client.get("/api/trends", params={"by": "month"}).json()
    counted = client.get("/api/trends", params={"by": "month", "include_undated": "true"}).json()
    assert dated["undated"] == counted["undated"] == 5  # the five .txt examples have no publication date
    assert totals(dated) == 10 and totals(counted) == 15  # the JSONL examples have one
    assert {p["period"] for p in dated["points"]} == {"2025-01-01", "2025-02-01"}  # no month of their ingest
    assert client.get("/api/trends", params={"lang": "ru"}).json() == {"points": [], "undated": 1}
    assert "5 article(s) without a publication date are not in the chart" in client.get("/").text


def test_out_of_range_numbers_are_422_not_500(client):
    huge = str(2**63)
    assert client.get(f"/api/articles/{huge}").status_code == 422
    assert client.get("/api/articles", params={"offset": huge}).status_code == 422
    assert client.get("/api/search", params={"q": "troops", "offset": "9" * 20}).status_code == 422
    page = client.get(f"/articles/{huge}")
    assert page.status_code in (404, 422) and page.headers["content-type"].startswith("text/html")
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "Back to the dashboard" in missing.text
    bad = client.get("/search", params={"page": "0"})
    assert bad.status_code == 422 and "<h1>422</h1>" in bad.text
    assert client.get("/api/no-such-endpoint").json() == {"detail": "Not Found"}


def test_stored_articles_get_distinct_ids_and_ids_cannot_break_tsv_exports(client):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = [{"text": "First\n\nOne text."}, {"text": "Second\n\nAnother text."}]
    assert client.post("/api/articles", json=body, headers=auth).status_code == 201
    ids = [hit["id"] for hit in client.get("/api/search", params={"q": "text"}).json()]
    assert len(set(ids)) == len(ids) and all(article_id.startswith("api-") for article_id in ids)
    bad = client.post("/api/articles", json=[{"id": "a\tb", "text": "x"}], headers=auth)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "articles", 0, "id"]
    html = "<html><head><title>Page title</title></head><body><article><p>NATO troops went.</p></article></body></html>"
    titled = client.post("/api/analyze", json={"text": html, "html": True, "title": "My title"})
    assert titled.json()["article"]["title"] == "My title"


def test_pages_render_and_send_security_headers(client):
    for url in (
        "/",
        "/?per=source",
        "/?per=language",
        "/search?q=troops",
        "/articles/1",
        "/narratives/URW%3A%20Amplifying%20war-related%20fears",
        "/analyze",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/articles/4242").status_code == 404
    icon = client.get("/static/favicon.svg")  # linked from every page, so browsers stop asking for /favicon.ico
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text


def test_the_search_form_shows_the_filters_it_applied(client):
    response = client.get("/search", params={"narrative": "puppet of the west", "lang": "RU"})
    assert response.status_code == 200
    puppet = "URW: Discrediting Ukraine: Ukraine is a puppet of the West"
    assert f'<option value="{puppet}" selected>' in response.text  # submitting again keeps the filter
    assert "<option selected>ru</option>" in response.text


def test_article_text_is_escaped_in_pages(client):
    response = client.post("/analyze", data={"text": XSS_TEXT})
    assert response.status_code == 200
    assert "<script>window.__xss" not in response.text and "&lt;script&gt;" in response.text
    assert "<img src=x" not in response.text and 'href="javascript:' not in response.text


def test_uploaded_files_are_read_in_memory_and_bad_ones_explained(client):
    upload = {"upload": ("../../etc/passwd.txt", b"Title\n\nNATO troops in Ukraine.", "text/plain")}
    response = client.post("/analyze", files=upload)
    assert response.status_code == 200 and "troops in" in response.text and "passwd" not in response.text
    binary = client.post("/analyze", files={"upload": ("x.txt", b"\x00\x01\x02" * 100, "text/plain")})
    assert binary.status_code == 422 and "binary" in binary.text
    empty = client.post("/analyze", data={"text": "  "})
    assert empty.status_code == 422 and "paste an article" in empty.text
    as_browsers_send_it = {"upload": ("", b"", "application/octet-stream")}  # multipart, no file chosen
    pasted = client.post("/analyze", data={"text": "Війна " * 110_000}, files=as_browsers_send_it)  # 1.2 MB part
    assert pasted.status_code == 413 and "upload the article as a file" in pasted.text and "<textarea" in pasted.text
    huge = client.post("/analyze", data={"text": "Війна " * 200_000})  # 2.2 MB: over the server's body limit
    assert huge.status_code == 413 and "larger than 2 MB" in huge.text and huge.text.startswith("<!doctype html>")


def test_clients_over_the_rate_limit_get_429(tmp_path):
    with TestClient(create_app(Settings(db=str(tmp_path / "r.db"), rate_limit=1, burst=3))) as test_client:
        codes = [test_client.get("/api/narratives").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[-1] == 429
        limited = test_client.get("/api/narratives")
        assert limited.headers["retry-after"] == "1" and "too many requests" in limited.json()["detail"]


def test_charts_space_periods_by_time():
    from datetime import date

    from narrascope.store.trends import TrendPoint
    from narrascope.web.charts import share_chart

    periods = [date(2025, 1, 6), date(2025, 1, 13), date(2025, 12, 29)]  # two weeks, then a gap of eleven months
    svg = share_chart([TrendPoint(period, "", "A", 1, 2) for period in periods], lambda label: f"/n/{label}")
    xs = [float(part.split('"')[0]) for part in svg.split('<circle cx="')[1:]]
    assert xs[1] - xs[0] < (xs[2] - xs[1]) / 40
    assert 'text-anchor="end">2025-12-29<' in svg


def test_the_dashboard_counts_what_got_no_narrative_and_why(client):
    html = " ".join(client.get("/").text.split())
    assert "3 article(s) not about the war or climate (no narrative applies)" in html
