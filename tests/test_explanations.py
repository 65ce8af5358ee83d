"""Explanations: the dominant narrative is the one shown first, quotes are whole article sentences or clauses from
the narrative's evidence, the frame names the article's actors and roles, and nothing runs over 80 words."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from rich.console import Console

import narrascope
from narrascope.document import Actor, Analysis, Article, Label, Mention, Span
from narrascope.evaluate.explanations import MAX_WORDS, quotes, short_quotes
from narrascope.report import render_analysis
from narrascope.tasks.explain import dominant_narrative, reading
from narrascope.tasks.explain.frames import Cast, frame
from narrascope.text.segment import sentences
from tests.conftest import EXAMPLES

FEARS = "URW: Amplifying war-related fears"
NUCLEAR = f"{FEARS}: There is a real possibility that nuclear weapons will be employed"
AGGRESSORS = "URW: Blaming the war on others rather than the invader: The West are the aggressors"
BLAMING = "URW: Blaming the war on others rather than the invader"


def _first_reported_narrative(analysis: Analysis) -> str | None:
    console = Console(file=io.StringIO(), record=True, width=300)
    console.print(render_analysis(analysis))
    found = re.search(r"[█░]{10} \d\.\d\d  (.+?)\s*│", console.export_text())
    return found.group(1) if found else None


def test_the_dominant_narrative_is_the_first_one_shown_not_the_owner_of_the_best_sub_narrative():
    """The issue's case: the most confident sub-narrative belongs to the second narrative."""
    analysis = Analysis(
        Article("a", "text"),
        narratives=[Label(FEARS, 0.8), Label(BLAMING, 0.6)],
        subnarratives=[Label(AGGRESSORS, 0.7), Label(NUCLEAR, 0.5)],
    )
    assert dominant_narrative(analysis) == (FEARS, NUCLEAR)
    assert _first_reported_narrative(analysis) == FEARS
    analysis.subnarratives = [Label(f"{FEARS}: Other", 0.5)]
    assert dominant_narrative(analysis) == (FEARS, None)
    analysis.narratives = analysis.subnarratives = [Label("Other", 0.9)]
    assert dominant_narrative(analysis) is None


def test_the_frame_says_whom_the_article_casts_as_what_and_what_it_claims():
    cast = [
        Cast("NATO", "NATO", "Instigator", "Antagonist"),
        Cast("United Kingdom", "UK", "Instigator", "Antagonist"),
        Cast("France", "Paris", "Instigator", "Antagonist"),
        Cast("Russia", "России", "Victim", "Innocent"),
    ]
    assert frame("en", FEARS, NUCLEAR, cast) == (
        "The text presents NATO, the UK and France as aggressors and Russia as a victim, and warns that "
        "there is a real possibility that nuclear weapons will be employed:"
    )
    # Other languages name countries in the nominative (CLDR), whatever case the article used.
    assert frame("ru", FEARS, NUCLEAR, cast[3:]) == "В статье Россия — жертва. Говорится о том, что"
    # A name once per frame, two role groups at most.
    london = Cast("United Kingdom", "London", "Victim", "Innocent")
    spy = Cast("Spain", "Spain", "Spy", "Antagonist")
    assert frame("en", FEARS, NUCLEAR, [*cast[:1], london, spy]) == (
        "The text presents NATO as an aggressor and the United Kingdom as a victim, and warns that there is a real "
        "possibility that nuclear weapons will be employed:"
    )
    assert frame("en", BLAMING, None, []) == "The text blames the war on others rather than the invader:"
    assert frame("en", BLAMING, f"{BLAMING}: Other", []) == frame("en", BLAMING, None, [])


class _Scores:
    """A narrative head that scores the sentences as told."""

    def __init__(self, scores: list[float]) -> None:
        self.scores = np.array(scores)

    def evidence_scores(self, texts, label, vectors=None):
        assert len(texts) == len(self.scores)
        return self.scores


def test_evidence_skips_the_title_and_short_sentences_and_keeps_what_carries_the_signal():
    text = (
        "NATO troops could be sent to Ukraine within weeks, officials say\n\n"
        "Moscow warned again. A clash between nuclear powers could not be ruled out, the ministry said. "
        "The weather in Brussels was mild and sunny for most of the week. "
        "Western leaders are pushing Kyiv to fight on while their own economies suffer badly."
    )
    analysis = Analysis(Article("a", text, title=text.partition("\n")[0]), sentences=sentences(text))
    assert len(analysis.sentences) == 5
    found = reading(analysis, NUCLEAR, _Scores([9.0, 8.0, 2.0, -1.0, 0.5]))
    assert [text[start:end] for start, end in found.evidence] == [
        "A clash between nuclear powers could not be ruled out, the ministry said.",
        "Western leaders are pushing Kyiv to fight on while their own economies suffer badly.",
    ]
    nothing_positive = reading(analysis, NUCLEAR, _Scores([9.0, 8.0, -2.0, -1.0, -3.0]))
    assert [text[start:end] for start, end in nothing_positive.evidence] == [
        "The weather in Brussels was mild and sunny for most of the week."
    ]


def test_quotes_come_from_the_evidence_and_the_frame_names_its_actors():
    from narrascope.ml.artifacts import shipped_model_dir
    from narrascope.tasks.explain import load_model
    from narrascope.tasks.explain.offline import Reading

    model, _ = load_model(shipped_model_dir("explanations"))
    text = (
        "Title of the piece\n\nNATO is preparing to send troops to Ukraine, and Paris backs the plan. "
        "Russia warned that a nuclear war could follow, dragging all of Europe into it. Nobody else spoke today."
    )
    evidence = ((text.index("Russia"), text.index(" Nobody")),)
    cast = (
        (Cast("Russia", "Russia", "Guardian", "Protagonist"), (text.index("Russia"),)),
        (Cast("NATO", "NATO", "Instigator", "Antagonist"), (text.index("NATO"),)),
    )
    draft = model.predict(text, "en", FEARS, NUCLEAR, Reading(evidence, cast))
    assert draft.evidence and all(evidence[0][0] <= start < end <= evidence[0][1] for start, end in draft.evidence)
    assert "Russia as a defender" in draft.text and "NATO" not in draft.text.split("“")[0]  # not named there
    assert draft.language == "en" and len(draft.text.split()) <= MAX_WORDS


@pytest.mark.parametrize("name", ["nato-troops-escalation.txt", "climate-agenda-farmers.txt", "calor-extremo.txt"])
def test_explanations_of_the_examples_quote_whole_article_sentences_and_explain_the_top_narrative(name):
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    analysis = narrascope.analyze(text, article_id=name)
    explanation = analysis.explanation
    assert explanation is not None
    assert explanation.narrative == _first_reported_narrative(analysis)
    assert len(explanation.text.split()) <= MAX_WORDS
    assert quotes(explanation.text) and not short_quotes(explanation.text)
    flat = " ".join(text.split())
    for quoted in quotes(explanation.text):
        assert " ".join(quoted.split()) in flat and quoted != analysis.article.title
    for span in explanation.evidence:
        assert text[span.start : span.end] == span.text and span.start >= len(analysis.article.title)


def test_the_reference_article_is_explained_with_its_actors_in_their_roles(london_paris_article):
    text = london_paris_article.read_text(encoding="utf-8")
    analysis = narrascope.analyze(text)
    explanation = analysis.explanation
    assert explanation is not None and explanation.language == "en"
    assert explanation.narrative == analysis.narratives[0].name
    frame_words = explanation.text.split("“")[0]
    named = [actor.name for actor in analysis.actors if actor.name in frame_words]
    assert named and frame_words.startswith("The text presents ")
    assert not any(quoted == analysis.article.title for quoted in quotes(explanation.text))


def test_analyses_from_before_the_frame_language_read_back():
    data = {"text": "t", "narrative": FEARS, "subnarrative": None, "evidence": [], "engine": "offline"}
    from narrascope.document import Explanation

    assert Explanation.from_dict(data).language is None
    assert Explanation.from_dict({**data, "language": "ru"}).language == "ru"


def test_actors_reach_the_reading_with_their_mentions():
    text = "Title\n\nNATO is preparing to send troops to Ukraine and warns about it today."
    span = Span.of(text, text.index("NATO"), text.index("NATO") + 4)
    role = Label("Antagonist", 0.9, (span,))
    analysis = Analysis(
        Article("a", text, title="Title"),
        sentences=sentences(text),
        mentions=[Mention(span, role, (Label("Instigator", 0.8),))],
        actors=[Actor("NATO", role, (Label("Instigator", 0.8),), (0,), ("NATO",))],
    )
    found = reading(analysis, NUCLEAR, _Scores([0.0] * len(analysis.sentences)))
    assert found.cast == ((Cast("NATO", "NATO", "Instigator", "Antagonist"), (span.start,)),)


def test_every_role_reads_in_every_frame_language():
    """The frame's role words (``taxonomy/role_words.json``) name each main and fine role, for one actor and for
    several, in each of the five languages: a role without words would fall back to "villain"."""
    from narrascope.tasks.explain.frames import FRAME_LANGUAGES, role_words
    from narrascope.taxonomy import roles

    table, taxonomy = role_words(), roles()
    assert set(table) == {*taxonomy.coarse, *taxonomy.fine} - {taxonomy.other}
    for role, words in table.items():
        assert set(words) == set(FRAME_LANGUAGES), role
        assert all(one and several for one, several in words.values()), role
