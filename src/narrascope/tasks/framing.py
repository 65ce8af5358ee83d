"""Framing dimensions and genre — EXPERIMENTAL: we hold no labelled data for either, so both are weak rules.

Frames (the 14 generic framing dimensions): each frame has keyword stems per language (``taxonomy/frames.json``,
written by us); a frame's score is its keyword hits per 100 words, plus a prior from the narratives the article
pushes (e.g. war-fear narratives → security and defense). The top frames above a threshold are reported, with the
sentences richest in their keywords as evidence.

Genre (reporting / opinion / satire): reporting is attribution-heavy ("said", "according to", quotes); opinion is
first-person, evaluative, question- and exclamation-heavy and pushes narratives; satire is reported only when the
text declares itself satire or parody — we cannot detect deadpan satire.

Both were checked on a small set of our own articles annotated by us (``tests/data/framing_genre.tsv``, guidelines
in ``docs/annotation-guidelines.md``); treat the output as a hint, not a measurement.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from narrascope.document import Analysis, Label, Span
from narrascope.text.tokens import tokens

MAX_FRAMES = 3
MIN_FRAME_SCORE = 1.0  # keyword hits per 100 words (narrative prior included)
NARRATIVE_PRIOR = 1.0
#: Frames the narratives of the taxonomy usually come with (by narrative name prefix).
NARRATIVE_FRAMES = {
    "URW: Amplifying war-related fears": ("Security and defense",),
    "URW: Blaming the war on others": ("Security and defense", "External regulation and reputation"),
    "URW: Discrediting Ukraine": ("Political", "Crime and punishment"),
    "URW: Discrediting the West": ("External regulation and reputation", "Political"),
    "URW: Negative Consequences for the West": ("Economic", "Quality of life"),
    "URW: Praise of Russia": ("Security and defense", "Cultural identity"),
    "URW: Russia is the Victim": ("Fairness and equality", "Security and defense"),
    "URW: Distrust towards Media": ("Public opinion",),
    "URW: Speculating war outcomes": ("Security and defense",),
    "URW: Overpraising the West": ("External regulation and reputation",),
    "URW: Hidden plots": ("Political",),
    "CC: Criticism of climate policies": ("Policy prescription and evaluation", "Economic"),
    "CC: Criticism of institutions and authorities": ("Political", "Policy prescription and evaluation"),
    "CC: Climate change is beneficial": ("Health and safety",),
    "CC: Downplaying climate change": ("Health and safety",),
    "CC: Questioning the measurements and science": ("Legality, constitutionality and jurisprudence",),
    "CC: Criticism of climate movement": ("Public opinion", "Morality"),
    "CC: Controversy about green technologies": ("Economic", "Capacity and resources"),
    "CC: Hidden plots": ("Political",),
    "CC: Amplifying Climate Fears": ("Health and safety",),
    "CC: Green policies are geopolitical instruments": ("External regulation and reputation", "Economic"),
}
ATTRIBUTION = {
    "en": "said says told according stated announced reported added spokesman spokeswoman",
    "ru": "заявил заявила сообщил сообщила сказал сказала отметил отметила словам пресс-секретарь",
    "bg": "заяви каза съобщи посочи добави според говорител",
    "pt": "disse afirmou declarou segundo anunciou acrescentou porta-voz informou",
    "hi": "कहा बताया अनुसार घोषणा प्रवक्ता",
}
FIRST_PERSON = {
    "en": "i my me we our us",
    "ru": "я мне мой моя мы нас наш",
    "bg": "аз мен моя моят ние нас наш",
    "pt": "eu meu minha nós nosso nossa",
    "hi": "मैं मेरा मेरी हम हमारा हमारी",
}
_SATIRE = re.compile(r"\b(satire|satirical|parody|сатир|пароди|sátira|paródia|व्यंग्य)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Frame:
    name: str
    description: str
    stems: dict[str, tuple[str, ...]]


@cache
def frames() -> tuple[Frame, ...]:
    data = json.loads(resources.files("narrascope.taxonomy").joinpath("frames.json").read_text(encoding="utf-8"))
    return tuple(
        Frame(item["label"], item["description"], {lang: tuple(stems) for lang, stems in item["stems"].items()})
        for item in data["frames"]
    )


def _matches(word: str, stem: str) -> bool:
    """A stem matches words it begins; a short stem (≤ 4 letters) only with a short ending ("war", "wars", not
    "warned")."""
    return word.startswith(stem) and (len(stem) > 4 or len(word) - len(stem) <= 2)


@lru_cache(maxsize=200_000)
def _frames_of(word: str, language: str) -> tuple[int, ...]:
    """Indices of the frames whose stems (for ``language``) match ``word``; cached, since words recur."""
    return tuple(
        index
        for index, frame in enumerate(frames())
        if any(_matches(word, stem) for stem in frame.stems.get(language, frame.stems["en"]))
    )


def _frame_counts(words: Sequence[str], language: str) -> list[int]:
    counts = [0] * len(frames())
    for word in words:
        for index in _frames_of(word, language):
            counts[index] += 1
    return counts


def score_frames(text: str, language: str | None, narratives: Sequence[str]) -> dict[str, float]:
    """Keyword hits per 100 words for every frame, plus the narrative prior."""
    words = tokens(text)
    scale = 100.0 / max(len(words), 1)
    counts = _frame_counts(words, language or "en")
    scores = {frame.name: count * scale for frame, count in zip(frames(), counts, strict=True)}
    for narrative in narratives:
        for prefix, names in NARRATIVE_FRAMES.items():
            if narrative.startswith(prefix):
                for name in names:
                    scores[name] += NARRATIVE_PRIOR
    return scores


def genre_scores(text: str, language: str | None, narrative_count: int) -> dict[str, float]:
    """Evidence for reporting and opinion (per 100 words) and for declared satire."""
    words = tokens(text)
    scale = 100.0 / max(len(words), 1)
    language = language if language in ATTRIBUTION else "en"
    attribution = set(ATTRIBUTION[language].split())
    first_person = set(FIRST_PERSON[language].split())
    quotes = sum(text.count(mark) for mark in ('"', "“", "«", "„")) / 2
    reporting = (sum(word in attribution for word in words) + quotes) * scale
    opinion = (sum(word in first_person for word in words) + text.count("!") + text.count("?")) * scale
    opinion += 1.5 * min(narrative_count, 3)
    return {"reporting": reporting, "opinion": opinion, "satire": 10.0 if _SATIRE.search(text[:2000]) else 0.0}


class FramingTagger:
    """Pipeline component: fills ``Analysis.frames`` and ``Analysis.genre`` (experimental, see the module docstring)."""

    name = "framing"
    version = "rules-1"

    def annotate(self, analyses: Sequence[Analysis]) -> None:
        for analysis in analyses:
            text, language = analysis.article.text, analysis.language
            narratives = [label.name for label in analysis.narratives if label.name != "Other"]
            scores = score_frames(text, language, narratives)
            top = sorted(scores, key=lambda name: -scores[name])[:MAX_FRAMES]
            analysis.frames = [
                Label(name, round(min(1.0, scores[name] / 5.0), 3), _evidence(analysis.sentences, name, language))
                for name in top
                if scores[name] >= MIN_FRAME_SCORE
            ]
            genre = genre_scores(text, language, len(narratives))
            best = max(genre, key=lambda name: genre[name])
            total = sum(genre.values())
            analysis.genre = Label(best, round(genre[best] / total, 3)) if total else Label("reporting", 0.34)


def _evidence(sentences: Sequence[Span], frame_name: str, language: str | None) -> tuple[Span, ...]:
    index = next(i for i, frame in enumerate(frames()) if frame.name == frame_name)
    hits = [
        (sum(index in _frames_of(word, language or "en") for word in tokens(span.text)), span) for span in sentences
    ]
    ranked = sorted(hits, key=lambda item: -item[0])
    return tuple(span for count, span in ranked[:2] if count)
