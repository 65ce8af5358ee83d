"""Generated bad input (Hypothesis), 10,000 cases in all (readers 2,000, decoding 2,500, annotation files 2,000,
JSONL 1,500, API 2,000), plus hand-made pathological files: every reader and the API either accept the
input or refuse it with a one-line error naming the file — never another exception, never a 5xx."""

from __future__ import annotations

import json
import string
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrascope.api import Settings, create_app
from narrascope.document import Article
from narrascope.errors import InputError
from narrascope.io import iter_articles
from narrascope.io.files import decode, has_words
from narrascope.io.semeval import (
    read_entity_annotations,
    read_explanation_annotations,
    read_narrative_annotations,
)
from narrascope.taxonomy import narratives, roles


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1251", "latin-1", "koi8-r")

raw_bytes = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.tuples(st.text(max_size=300), st.sampled_from(ENCODINGS)).map(
        lambda pair: pair[0].encode(pair[1], errors="replace")
    ),
    st.binary(max_size=50).map(lambda chunk: b"Title\n\nBody " + chunk + b"\x00" + chunk),
)


def _one_line_error(error: InputError, path) -> None:
    message = str(error)
    assert "\n" not in message and message.startswith(str(path)), message


@fuzz(2000)
@given(data=raw_bytes, suffix=st.sampled_from([".txt", ".html", ".jsonl"]))
def test_readers_accept_or_explain_any_bytes(tmp_path, data, suffix):
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    errors: list[InputError] = []
    articles = list(iter_articles([path], errors))
    for error in errors:
        _one_line_error(error, path)
    for article in articles:
        assert isinstance(article, Article) and has_words(article.text)
    assert articles or errors


@fuzz(2500)
@given(text=st.text(min_size=1, max_size=400), encoding=st.sampled_from(ENCODINGS))
def test_decoding_never_raises_anything_but_input_errors(text, encoding):
    data = text.encode(encoding, errors="replace")
    try:
        decoded = decode(data, "mixed.txt")
    except InputError as error:
        assert str(error).startswith("mixed.txt: ")
    else:
        assert isinstance(decoded, str)


_field = st.one_of(st.text(alphabet=string.printable, max_size=30), st.integers(-5, 10**12).map(str), st.just(""))
_role = st.sampled_from(["Protagonist", "Antagonist", "Innocent", "Guardian", "Instigator", "Victim", "Hero", "x"])
_narrative = st.sampled_from([*narratives().coarse[:5], "Other", "URW: Made up", "", "CC: Amplifying Climate Fears"])
annotation_line = st.one_of(
    st.lists(_field, min_size=0, max_size=8).map("\t".join),
    st.tuples(_field, _field, _field, _field, _role, _role).map("\t".join),
    st.tuples(_field, _narrative, _narrative).map("\t".join),
    st.tuples(_field, _narrative, _narrative, _field).map("\t".join),
)


@fuzz(2000)
@given(lines=st.lists(annotation_line, min_size=1, max_size=6), kind=st.sampled_from(["entities", "narr", "expl"]))
def test_malformed_annotation_files_name_file_and_line(tmp_path, lines, kind):
    path = tmp_path / "annotations.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reader = {
        "entities": lambda p: read_entity_annotations(p, roles()),
        "narr": lambda p: read_narrative_annotations(p, narratives()),
        "expl": read_explanation_annotations,
    }[kind]
    try:
        reader(path)
    except InputError as error:
        _one_line_error(error, path)


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
article_record = st.fixed_dictionaries(
    {},
    optional={
        name: json_value | st.text(max_size=60)
        for name in ("id", "title", "text", "url", "source", "published", "language", "html")
    },
)


@fuzz(1500)
@given(records=st.lists(article_record | json_value, min_size=1, max_size=4))
def test_jsonl_with_wrong_types_is_explained_line_by_line(tmp_path, records):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(record) for record in records) + "\n", encoding="utf-8")
    errors: list[InputError] = []
    list(iter_articles([path], errors))
    for error in errors:
        _one_line_error(error, path)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    database = str(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    with TestClient(create_app(Settings(db=database, token="fuzz-token", rate_limit=0))) as test_client:
        yield test_client


@fuzz(1500)
@given(body=article_record | json_value, endpoint=st.sampled_from(["/api/analyze", "/api/articles"]))
def test_api_answers_any_json_body_without_a_server_error(client, body, endpoint):
    payload = [body] if endpoint == "/api/articles" and isinstance(body, dict) else body
    headers = {"Authorization": "Bearer fuzz-token"}
    response = client.post(
        endpoint, content=json.dumps(payload), headers={**headers, "content-type": "application/json"}
    )
    assert response.status_code in (200, 201, 413, 422), (response.status_code, response.text)
    assert "detail" in response.json() or response.status_code in (200, 201)


@fuzz(500)
@given(body=st.binary(max_size=300))
def test_api_answers_any_bytes_without_a_server_error(client, body):
    response = client.post("/api/analyze", content=body, headers={"content-type": "application/json"})
    assert response.status_code in (200, 400, 422)


def test_huge_and_pathological_inputs(tmp_path):
    bomb = tmp_path / "bomb.html"
    bomb.write_text("<html><body>" + "<div>" * 200_000 + "text " * 10 + "</div>" * 200_000, encoding="utf-8")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"a" * (50 * 1024 * 1024))
    line = tmp_path / "line.txt"
    line.write_text("Title\n\n" + "word " * 1_500_000, encoding="utf-8")  # one 7.5 MB line: accepted
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"Title\n\nbody\x00" * 100)
    errors: list[InputError] = []
    found = list(iter_articles([bomb, huge, line, nul], errors))
    assert [article.id for article in found] == ["line.txt"] or {a.id for a in found} <= {"bomb.html", "line.txt"}
    problems = {error.source.rsplit("/", 1)[-1]: error.problem for error in errors}
    assert "too large" in problems["huge.txt"] and "binary" in problems["nul.txt"]


def test_cli_exit_code_2_and_no_traceback_for_bad_files(tmp_path):
    for name, data in {"binary.txt": b"\x00\xff" * 50, "empty.txt": b"", "bad.jsonl": b"{nope\n"}.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = subprocess.run(
            [sys.executable, "-m", "narrascope", "analyze", str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 2, name
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
