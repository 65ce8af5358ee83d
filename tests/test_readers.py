import json

import pytest

from narrascope.errors import InputError
from narrascope.io import iter_articles, read_text
from narrascope.io.readers import iter_articles as iter_articles_direct

from .conftest import REPO

BODY = "Officials said on Monday that talks would continue.\n\nCritics disagreed."


def test_txt_article_takes_its_title_from_the_first_line(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(f"A headline\n\n{BODY}\n", encoding="utf-8")
    [article] = iter_articles([path])
    assert article.id == "story.txt"
    assert article.title == "A headline"
    assert article.text == f"A headline\n\n{BODY}\n"


def test_utf8_byte_order_mark_stays_in_the_text_but_not_in_the_title(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffTitle\n\nBody.".encode())
    [article] = iter_articles([path])
    assert article.text == "\ufeffTitle\n\nBody." and article.title == "Title"


def test_crlf_is_kept_so_semeval_offsets_stay_valid(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"Title\r\n\r\nBody text here.\r\n")
    [article] = iter_articles([path])
    assert article.text == "Title\r\n\r\nBody text here.\r\n"
    assert article.title == "Title"


def test_folder_is_read_recursively_in_order_skipping_annotations_and_hidden_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("Two\n\nbody two", encoding="utf-8")
    (tmp_path / "one.txt").write_text("One\n\nbody one", encoding="utf-8")
    (tmp_path / "subtask-2-annotations.txt").write_text("one.txt\tOther\tOther\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nbody", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("a,b", encoding="utf-8")
    assert [a.id for a in iter_articles([tmp_path])] == ["two.txt", "one.txt"]


def test_same_article_twice_is_read_once_and_name_clashes_are_disambiguated(tmp_path):
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text("Same\n\nidentical body", encoding="utf-8")
    (tmp_path / "z").mkdir()
    (tmp_path / "z" / "same.txt").write_text("Other\n\ndifferent body", encoding="utf-8")
    assert [a.id for a in iter_articles([tmp_path])] == ["same.txt", "same.txt#2"]
    # Streams into the store skip this bookkeeping (the store keeps one row per text by itself).
    assert [a.title for a in iter_articles([tmp_path], distinct=False)] == ["Same", "Same", "Other"]


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1251", "Заголовок статьи\n\nРоссия и Запад снова обсуждают санкции против экономики страны."),
        ("latin-1", "Título da notícia\n\nA posição do governo é clara: não há acordo à vista, disse o ministro."),
        ("utf-16", "Заглавие\n\nБългария и Европейският съюз обсъждат нови мерки за енергетиката."),
        ("utf-8-sig", "Headline\n\nBody with a byte-order mark at the start of the file."),
        # Windows-1252 with typographic quotes and dashes: once read as cp850 ("û"), mac-roman ("Michiganís") or
        # cp1251 ("Sjцberg").
        (
            "cp1252",
            "Michigan’s “green” plan – a test\n\nThe state’s fleet – cars, buses — goes electric, "
            "said Anna Sjöberg. “It’s the law,” she added…",
        ),
        ("cp1252", "Cimeira nº 1 – calor\n\nTemperaturas de 40 ºC – e não há acordo à vista, disse o ministro."),
    ],
)
def test_encodings_are_detected(tmp_path, encoding, text):
    path = tmp_path / "enc.txt"
    path.write_bytes(text.encode(encoding))
    # A UTF-8 byte-order mark stays in the text (SemEval offsets count it); UTF-16's is part of the encoding.
    assert read_text(path) == ("\ufeff" + text if encoding == "utf-8-sig" else text)


def test_utf8_with_one_broken_byte_stays_utf8(tmp_path):
    text = "Заголовок\n\nРоссия и Запад снова обсуждают санкции против экономики страны."
    raw = text.encode("utf-8")
    path = tmp_path / "damaged.txt"
    path.write_bytes(raw[:40] + b"\xff" + raw[40:])  # one stray byte would make cp1251 garble every letter
    assert read_text(path) == text[:22] + "\ufffd" + text[22:]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "file is empty"),
        (b"  \n\t\n", "file is empty"),
        ("\u200b\u200b\n\u2060 — …".encode(), "no words in it"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (bytes(range(256)) * 4, "binary"),
    ],
)
def test_empty_and_binary_files_are_refused_with_the_file_named(tmp_path, content, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem) as caught:
        read_text(path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_oversized_files_are_refused(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * 3000)
    with pytest.raises(InputError, match="too large"):
        read_text(path, max_bytes=10_000)


def test_folder_errors_can_be_collected_while_good_files_are_read(tmp_path):
    (tmp_path / "good.txt").write_text("Good\n\nbody", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    errors: list[InputError] = []
    assert [a.id for a in iter_articles_direct([tmp_path], errors)] == ["good.txt"]
    assert len(errors) == 1 and "empty.txt: file is empty" in str(errors[0])


def test_jsonl_articles_and_their_metadata(tmp_path):
    path = tmp_path / "feed.jsonl"
    records = [
        {
            "id": "n1",
            "title": "Headline one",
            "text": "Body one.",
            "source": "Daily",
            "published": "2024-05-01T10:00:00Z",
            "url": "https://example.org/1",
            "language": "EN",
        },
        {"id": 2, "text": "Headline two\n\nBody two."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    first, second = iter_articles([path])
    assert (first.id, first.title, first.source, first.language) == ("n1", "Headline one", "Daily", "en")
    assert first.text == "Headline one\n\nBody one."
    assert first.published.isoformat() == "2024-05-01"
    assert (second.id, second.title) == ("2", "")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"id": "a"}', "field 'text' must be a non-empty string"),
        ('{"text": 42}', "field 'text' must be a non-empty string"),
        ('{"text": "ok", "title": ["x"]}', "field 'title' must be a string"),
        ('{"text": "ok", "published": "yesterday"}', "not an ISO-8601 date"),
        ('{"text": "ok", "id": true}', "field 'id'"),
        ('{"text": "ok", "id": "a\\tb"}', "without tabs or line breaks"),
        ('{"text": "ok", "id": " "}', "field 'id' must be non-empty"),
        ('{"text": "NATO wants war \\ud800 with Russia."}', "field 'text' is not valid Unicode"),
        ('{"text": "\\u200b ... \\u200b"}', "field 'text' has no words in it"),
    ],
)
def test_bad_jsonl_lines_are_reported_with_file_and_line(tmp_path, line, problem):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": "fine", "text": "Good line."}\n' + line + "\n", encoding="utf-8")
    errors: list[InputError] = []
    articles = list(iter_articles_direct([path], errors))
    assert [a.id for a in articles] == ["fine"]
    assert len(errors) == 1
    assert str(errors[0]).startswith(f"{path}:2: ") and problem in str(errors[0])


def test_html_main_text_is_extracted_without_boilerplate(tmp_path):
    html = """<html><head><title>Site | News</title><meta property="og:site_name" content="Example Times">
    <meta name="date" content="2024-03-05"></head><body>
    <nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
    <article><h1>Minister defends energy policy</h1>
    <p>The energy minister said on Monday that the government would keep its support for wind farms,
    despite protests from residents who complain about noise and rising bills.</p>
    <p>Opposition parties called the policy a costly mistake and demanded a parliamentary inquiry.</p></article>
    <footer>Copyright 2024 Example Times. All rights reserved. Cookie settings.</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    [article] = iter_articles([path])
    assert article.title == "Minister defends energy policy"
    assert article.text.startswith("Minister defends energy policy\n")
    assert "wind farms" in article.text and "parliamentary inquiry" in article.text
    assert "Cookie settings" not in article.text and "Sport" not in article.text
    assert article.source == "Example Times"
    assert article.published is not None and article.published.isoformat() == "2024-03-05"


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ('<meta property="og:title" content="Minister defends policy - Ostbelgien Direkt">', "Minister defends policy"),
        ('<meta property="og:title" content="Ostbelgien Direkt | Minister defends policy">', "Minister defends policy"),
        ('<meta property="og:title" content="Paris - Berlin talks — Ostbelgien-Direkt">', "Paris - Berlin talks"),
        ('<meta property="og:title" content="Paris - Berlin talks">', "Paris - Berlin talks"),  # not the site
    ],
)
def test_html_titles_lose_the_site_name(tmp_path, head, title):
    path = tmp_path / "page.html"
    site = '<meta property="og:site_name" content="Ostbelgien Direkt">'
    body = "<p>The energy minister said on Monday that the government would keep its support for wind farms.</p>"
    path.write_text(f"<html><head>{head}{site}</head><body><article>{body}</article></body></html>", encoding="utf-8")
    [article] = iter_articles([path])
    assert article.title == title and article.text.startswith(f"{title}\n\nThe energy minister")
    assert article.source == "Ostbelgien Direkt"


def test_html_titles_lose_the_host_name_when_the_page_names_no_site(tmp_path):
    path = tmp_path / "page.html"
    head = (
        '<meta name="title" content="Borscht with beans – CyberCook">'
        '<link rel="canonical" href="https://www.cybercook.com.ua/recipes/1">'
    )
    body = "<p>Cook the beans for an hour, then add beetroot, cabbage and potatoes to the broth.</p>"
    path.write_text(f"<html><head>{head}</head><body><article>{body}</article></body></html>", encoding="utf-8")
    [article] = iter_articles([path])
    assert article.title == "Borscht with beans"


G1_LIKE_PAGE = """<html lang="pt-BR"><head><title>Senado aprova reforma | Política | g1</title>
<meta property="og:site_name" content="Política">
<link rel="canonical" href="https://g1.globo.com/politica/noticia/2024/11/21/senado-aprova-reforma.ghtml">
</head><body><article><h1>Senado aprova reforma</h1><p>O Senado aprovou nesta quinta-feira a reforma, que segue
para a Câmara dos Deputados depois de meses de negociação com o governo.</p></article></body></html>"""


@pytest.mark.parametrize(
    ("page", "outlet"),
    [
        # og:site_name says Estadão, but a JSON-LD WebSite named after the section won trafilatura's pick
        ((REPO / "tests" / "data" / "pages" / "politica-estadao.html").read_text(encoding="utf-8"), "Estadão"),
        # the section is the page's og:site_name itself: the host names the outlet
        (G1_LIKE_PAGE, "g1.globo.com"),
    ],
)
def test_the_source_of_a_page_is_its_outlet_not_its_section(tmp_path, page, outlet):
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    [article] = iter_articles([path])
    assert article.source == outlet
    assert "Política" not in article.title


def test_whitespace_only_lines_of_a_page_become_empty_lines(tmp_path):
    path = tmp_path / "page.html"
    body = "<p>The energy minister said on Monday that wind farms stay.</p><pre>Line one\n\u00a0 \t\nLine two</pre>"
    path.write_text(f"<html><body><article>{body}</article></body></html>", encoding="utf-8")
    [article] = iter_articles([path])
    assert article.text.endswith("wind farms stay.\nLine one\n\nLine two")


def test_a_txt_of_one_line_is_its_own_title(tmp_path):
    path = tmp_path / "line.txt"
    path.write_text("NATO troops head to the border\n", encoding="utf-8")
    [article] = iter_articles([path])
    assert article.title == "NATO troops head to the border" and article.text == "NATO troops head to the border\n"
    path.write_text("x" * 400, encoding="utf-8")  # too long for a title: body text
    [article] = iter_articles([path])
    assert article.title == ""


def test_files_of_folders_skipped_for_their_extension_are_listed_for_the_summary(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "notes.md", "sub/scan.PDF", ".hidden.md", "subtask-2-annotations.txt", "README"):
        (tmp_path / name).write_text("Title\n\nbody", encoding="utf-8")
    others: list = []
    assert [article.id for article in iter_articles([tmp_path], others=others)] == ["a.txt"]
    assert others == [tmp_path / "README", tmp_path / "notes.md", tmp_path / "sub" / "scan.PDF"]


def test_html_without_text_is_an_error(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="no article text"):
        list(iter_articles([path]))


def test_missing_path_is_an_error():
    with pytest.raises(InputError, match="no such file or folder"):
        list(iter_articles(["/nonexistent/article.txt"]))
