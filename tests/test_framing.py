"""The experimental framing/genre rules: output shape, and agreement with our own annotated example articles."""

from __future__ import annotations

import narrascope
from narrascope.evaluate.framing import read_framing_gold, score_framing
from narrascope.io import iter_articles
from narrascope.tasks.framing import frames

from .conftest import EXAMPLES, REPO


def test_frames_and_genre_agree_with_our_annotations():
    gold = read_framing_gold(REPO / "tests" / "data" / "framing_genre.tsv")
    analyses = list(narrascope.pipeline.load().pipe(iter_articles([EXAMPLES])))
    scores = score_framing(gold, analyses)
    assert scores.articles == len(gold) == 15
    # In-sample for rules we wrote ourselves: these guard against breakage, they are not a measurement.
    assert scores.genre_accuracy >= 0.8
    assert scores.top_frame_precision >= 0.6
    assert scores.primary_frame_recall >= 0.8
    for analysis in analyses:
        assert analysis.genre is not None and analysis.genre.name in ("reporting", "opinion", "satire")
        assert len(analysis.frames) <= 3
        for label in analysis.frames:
            assert label.name in {frame.name for frame in frames()} and 0 <= label.confidence <= 1
            assert all(analysis.article.text[s.start : s.end] == s.text for s in label.evidence)


def test_declared_satire_is_recognised():
    analysis = narrascope.analyze(
        "Satire: Minister discovers rain\n\nIn a satirical twist, the minister said water is wet."
    )
    assert analysis.genre is not None and analysis.genre.name == "satire"
