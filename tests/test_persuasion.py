"""Persuasion techniques end to end: the official formats, the analysis, and the shipped model's dev scores."""

from __future__ import annotations

import json

import pytest

import narrascope
from narrascope.taxonomy import techniques

from .test_cli import run

OWN_ARTICLE = (
    "Traitors sell out the nation\n"
    "\n"
    "The corrupt elites in the capital have betrayed every honest worker, and everyone knows it.\n"
    "Either we stop them now or our children will have no future at all!\n"
    "The ministry published its quarterly report on Tuesday.\n"
)


def test_predict_techniques_writes_one_line_per_paragraph(capsys, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "article42.txt").write_text(OWN_ARTICLE, encoding="utf-8")
    out = tmp_path / "pred.txt"
    code, _, err = run(capsys, "predict", "techniques", "--docs", str(docs), "--out", str(out))
    assert code == 0, err
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(row[0], row[1]) for row in rows] == [("42", "1"), ("42", "3"), ("42", "4"), ("42", "5")]
    names = set(techniques().fine)
    assert all(name in names for row in rows for name in row[2].split(",") if name)

    gold = tmp_path / "gold.txt"
    gold.write_text("42\t1\tLoaded_Language\n42\t3\tName_Calling-Labeling,Loaded_Language\n42\t4\t\n42\t5\t\n")
    predicted = tmp_path / "by-hand.txt"
    predicted.write_text("42\t1\t\n42\t3\tLoaded_Language\n42\t4\tDoubt\n42\t5\t\n")
    code, out_json, err = run(capsys, "eval", "techniques", "--gold", str(gold), "--pred", str(predicted), "-f", "json")
    assert code == 0, err
    scores = json.loads(out_json)["gold"]
    assert scores["paragraphs"] == 4 and scores["micro_f1"] == pytest.approx(2 * 1 / (2 * 1 + 1 + 2))


def test_predict_technique_spans_inside_the_text(capsys, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "article7.txt").write_text(OWN_ARTICLE, encoding="utf-8")
    out = tmp_path / "spans.txt"
    code, _, err = run(capsys, "predict", "techniques", "--docs", str(docs), "--out", str(out), "--spans")
    assert code == 0, err
    for line in out.read_text(encoding="utf-8").splitlines():
        article, technique, start, end = line.split("\t")
        assert article == "7" and technique in techniques().fine
        assert 0 <= int(start) < int(end) <= len(OWN_ARTICLE)


def test_span_scoring_reads_span_files_of_any_technique_scheme(capsys, tmp_path):
    gold = tmp_path / "gold.labels"
    gold.write_text("7\tAppeal_to_fear-prejudice\t10\t20\n", encoding="utf-8")  # a PTC-2020 label
    pred = tmp_path / "pred.txt"
    pred.write_text("7\tLoaded_Language\t15\t20\n", encoding="utf-8")
    code, out, err = run(
        capsys, "eval", "techniques", "--level", "spans", "--gold", str(gold), "--pred", str(pred), "--format", "json"
    )
    assert code == 0, err
    scores = json.loads(out)["gold"]
    assert scores["precision"] == pytest.approx(1.0) and scores["recall"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("label_line", "problem"),
    [
        ("1\tLoaded_Language\t5\t500\n", "article 1: span 5-500 ends past its 23 characters"),
        ("2\tLoaded_Language\t0\t5\n", "spans of article 2, which is not in train-articles/"),
    ],
)
def test_training_refuses_span_labels_that_do_not_fit_the_articles(tmp_path, label_line, problem):
    from narrascope.errors import InputError
    from narrascope.training.persuasion import load_ptc

    articles = tmp_path / "ptc2020" / "train-articles"
    articles.mkdir(parents=True)
    (articles / "article1.txt").write_text("Shocking news, they say", encoding="utf-8")
    (tmp_path / "ptc2020" / "train-task2-TC.labels").write_text(label_line, encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        load_ptc(tmp_path, "train")


def test_analysis_carries_technique_spans_with_valid_offsets():
    analysis = narrascope.analyze(OWN_ARTICLE)
    assert analysis.techniques
    for label in analysis.techniques:
        (span,) = label.evidence
        assert analysis.article.text[span.start : span.end] == span.text and 0 <= label.confidence <= 1


def test_shipped_technique_model_dev_scores(semeval_data):
    from narrascope.evaluate.techniques import span_prf
    from narrascope.tasks.persuasion import TechniqueTagger
    from narrascope.training.persuasion import (
        evaluate_paragraphs,
        load_ptc,
        load_t3,
        paragraph_predictions,
        span_predictions,
    )

    model = TechniqueTagger.load_shipped().model
    data = semeval_data.parent
    paragraphs = load_t3(data, "en", "dev")
    _, texts, spans = load_ptc(data, "dev")
    for engine, paragraph_f1, span_f1 in (("fast", 0.17, 0.25), ("default", 0.30, 0.40)):
        predicted = paragraph_predictions(model, paragraphs, data, "dev", engine)
        assert evaluate_paragraphs(paragraphs, predicted)["en"].micro_f1 >= paragraph_f1, engine
        assert span_prf(span_predictions(model, texts[:25], engine), spans[:25]).f1 >= span_f1, engine


def test_reading_engine_spans_on_the_example_are_whole_words_each_with_its_own_technique(london_paris_article):
    from narrascope.document import Analysis
    from narrascope.encoder.component import EncoderComponent
    from narrascope.io.txt import article_from_text
    from narrascope.pipeline import LanguageIdentifier, SentenceSegmenter
    from narrascope.tasks.persuasion import TechniqueTagger
    from narrascope.tasks.persuasion.words import DANGLING_WORDS, on_word_boundaries

    analyses = [Analysis(article=article_from_text("example", london_paris_article.read_text(encoding="utf-8")))]
    for component in (LanguageIdentifier(), SentenceSegmenter(), EncoderComponent(), TechniqueTagger.load_shipped()):
        component.annotate(analyses)
    text, labels = analyses[0].article.text, analyses[0].techniques
    assert len(labels) >= 5
    assert all(on_word_boundaries(text, label.evidence[0].start, label.evidence[0].end) for label in labels)
    assert all("\n" not in label.evidence[0].text for label in labels)
    # No span is cut before its phrase's last word ("… security and stability of" without "Europe").
    assert not [label for label in labels if label.evidence[0].text.split()[-1].casefold() in DANGLING_WORDS]
    # Spans of one paragraph are labelled one by one, not with their paragraph's technique.
    by_line: dict[int, set[str]] = {}
    for label in labels:
        by_line.setdefault(text.count("\n", 0, label.evidence[0].start), set()).add(label.name)
    assert any(len(names) > 1 for names in by_line.values())
