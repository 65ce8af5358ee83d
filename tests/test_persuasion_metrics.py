"""Persuasion formats and metrics against hand-computed cases."""

from __future__ import annotations

import pytest

from narrascope.errors import InputError
from narrascope.evaluate.techniques import score_paragraphs, score_spans
from narrascope.io.persuasion import (
    ParagraphLabels,
    TechniqueSpan,
    article_id_from_name,
    paragraphs,
    read_paragraph_labels,
    read_spans,
)
from narrascope.taxonomy import techniques


def test_paragraphs_are_the_non_empty_lines_numbered_from_one():
    text = "Title\n\nFirst paragraph.\r\n\nSecond one."
    assert [(line, text[start:end]) for line, start, end in paragraphs(text)] == [
        (1, "Title"),
        (3, "First paragraph."),
        (5, "Second one."),
    ]
    assert article_id_from_name("article111111111.txt") == "111111111"
    assert article_id_from_name("EN_UA_1.txt") == "EN_UA_1"


def test_paragraph_micro_and_macro_f1():
    gold = [
        ParagraphLabels("a", 1, ("Doubt", "Slogans")),
        ParagraphLabels("a", 3, ("Doubt",)),
        ParagraphLabels("a", 5, ()),
    ]
    predicted = [ParagraphLabels("a", 1, ("Doubt",)), ParagraphLabels("a", 3, ("Doubt", "Repetition"))]
    scores = score_paragraphs(gold, predicted, ["Doubt", "Slogans", "Repetition"])
    # tp 2 (Doubt twice), fp 1 (Repetition), fn 1 (Slogans): P = R = 2/3
    assert scores.micro_f1 == pytest.approx(2 / 3)
    assert scores.macro_f1 == pytest.approx((1.0 + 0.0 + 0.0) / 3)


def test_span_f1_gives_partial_credit_for_overlap():
    gold = [TechniqueSpan("a", None, 0, 10), TechniqueSpan("a", None, 20, 30)]
    predicted = [TechniqueSpan("a", "Doubt", 5, 15), TechniqueSpan("b", "Doubt", 0, 5)]
    scores = score_spans(gold, predicted)
    # predicted [5,15) overlaps gold [0,10) by 5: precision credit 5/10, recall credit 5/10
    assert scores.precision == pytest.approx(0.5 / 2)
    assert scores.recall == pytest.approx(0.5 / 2)
    assert scores.f1 == pytest.approx(0.25)


def test_malformed_technique_files_name_file_and_line(tmp_path):
    labels = tmp_path / "labels.txt"
    labels.write_text("a\t1\tDoubt\na\tx\tDoubt\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"labels.txt:2: line number 'x'"):
        read_paragraph_labels(labels)
    labels.write_text("a\t1\tMade_Up\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown technique 'Made_Up'"):
        read_paragraph_labels(labels, techniques())
    spans = tmp_path / "spans.txt"
    spans.write_text("a\t10\t5\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad offsets"):
        read_spans(spans)
