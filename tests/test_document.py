import json
from datetime import date, datetime

import pytest

from narrascope.document import Actor, Analysis, Article, Explanation, Label, Mention, Span
from narrascope.errors import InputError


def _analysis() -> Analysis:
    text = "Title line\n\nFirst sentence here. Second one — with “quotes” and кириллица."
    article = Article(
        id="a1.txt",
        text=text,
        title="Title line",
        language="en",
        source="Example Times",
        url="https://example.org/a1",
        published=date(2024, 11, 20),
    )
    evidence = (Span.of(text, 12, 32),)
    return Analysis(
        article=article,
        language="en",
        sentences=[Span.of(text, 0, 10), Span.of(text, 12, 32)],
        narratives=[Label("URW: Discrediting Ukraine", 0.81, evidence)],
        subnarratives=[Label("URW: Discrediting Ukraine: Other", 0.55, evidence)],
        mentions=[Mention(Span.of(text, 0, 5), Label("Antagonist", 0.7, evidence), (Label("Instigator", 0.5),), 0)],
        actors=[Actor("Title", Label("Antagonist", 0.7), (Label("Instigator", 1.0),), (0,))],
        explanation=Explanation(
            "The text says “First sentence here.”", "URW: Discrediting Ukraine", None, evidence, "offline"
        ),
        models={"narratives": "test"},
    )


def test_analysis_round_trips_through_json_exactly():
    analysis = _analysis()
    encoded = json.dumps(analysis.to_dict(), ensure_ascii=False)
    decoded = Analysis.from_dict(json.loads(encoded))
    assert decoded == analysis
    assert decoded.to_dict() == analysis.to_dict()


def test_span_text_is_the_text_between_its_offsets():
    analysis = _analysis()
    for span in [*analysis.sentences, *analysis.narratives[0].evidence]:
        assert analysis.article.text[span.start : span.end] == span.text


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 2), (0, 10_000)])
def test_span_of_refuses_ranges_outside_the_text(start, end):
    with pytest.raises(ValueError, match="does not fit"):
        Span.of("short text", start, end)


def test_article_without_optional_fields_round_trips():
    article = Article(id="x", text="body only")
    assert Article.from_dict(article.to_dict()) == article


def test_a_publication_time_is_kept_as_its_day_so_json_round_trips():
    article = Article("x", "Text", published=datetime(2024, 1, 2, 10, 30))
    assert article.published == date(2024, 1, 2)
    assert Article.from_dict(json.loads(json.dumps(article.to_dict()))) == article


@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        ("  \n\t", InputError, "the text is empty"),
        ("\u200b — ?!", InputError, "the text has no words in it"),
        ("NATO \ud800 troops", InputError, "not valid Unicode"),
        (b"NATO troops", TypeError, "not bytes"),
        (None, TypeError, "not NoneType"),
    ],
)
def test_the_python_api_refuses_what_it_cannot_analyse_with_a_clear_error(given, error, message):
    import narrascope

    with pytest.raises(error, match=message):
        narrascope.analyze(given)
