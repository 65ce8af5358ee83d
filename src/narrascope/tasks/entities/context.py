"""What the text around a mention says: its sentence, nearby words, quotes — computed once per article."""

from __future__ import annotations

import bisect
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from narrascope.document import Span
from narrascope.text.segment import sentences as split_sentences
from narrascope.text.tokens import token_offsets, token_spans
from narrascope.text.transliterate import to_latin

QUOTE_CHARACTERS = '"“”«»„'
#: Stands for the mention itself in its word window, so the model learns what is said *about* an actor.
MENTION_PLACEHOLDER = "entxx"


def entity_key(mention: str) -> str:
    """A mention's identity across spellings and scripts: lower-cased, transliterated tokens."""
    return " ".join(to_latin(token.lower()) for _, _, token in token_spans(mention))


@dataclass(frozen=True, slots=True)
class MentionContext:
    """The inputs of the role classifier for one mention."""

    sentences: str  # the mention's sentence with one sentence either side
    window: str  # words around the mention, the mention replaced by a placeholder
    mention: str
    key: str
    position: float  # relative position of the mention in the article
    in_title: float
    in_quotes: float
    repetitions: float  # log(1 + occurrences of the mention string in the article)
    sentence: Span  # the mention's own sentence: the evidence shown to users


class ArticleContext:
    """Sentences and tokens of one article, shared by all its mentions."""

    def __init__(self, text: str, sentences: list[Span] | None = None) -> None:
        self.text = text
        self.sentences = sentences if sentences is not None else split_sentences(text)
        self._sentence_starts = [span.start for span in self.sentences]
        self._tokens = token_offsets(text)
        self._title_end = text.find("\n") if "\n" in text else len(text)
        self._lowered = text.lower()
        self._counts: Counter[str] = Counter()

    def mention(self, start: int, end: int, window: int = 4, neighbours: int = 1) -> MentionContext:
        index = self._sentence_index(start)
        if self.sentences:
            nearby = self.sentences[max(0, index - neighbours) : index + neighbours + 1]
            sentence_text = " ".join(span.text for span in nearby)
            sentence = self.sentences[index]
        else:
            sentence_text = self.text[max(0, start - 200) : end + 200]
            sentence = Span(start, end, self.text[start:end])
        mention = self.text[start:end]
        return MentionContext(
            sentences=sentence_text,
            window=self._window(start, end, window),
            mention=mention,
            key=entity_key(mention),
            position=start / max(1, len(self.text)),
            in_title=float(start <= self._title_end),
            in_quotes=float(sum(self.text[sentence.start : start].count(q) for q in QUOTE_CHARACTERS) % 2 == 1),
            repetitions=math.log1p(self._count(mention.lower().strip())),
            sentence=sentence,
        )

    def _sentence_index(self, start: int) -> int:
        return max(0, bisect.bisect_right(self._sentence_starts, start) - 1)

    def _window(self, start: int, end: int, size: int) -> str:
        first, after = np.searchsorted(self._tokens[:, 0], [start, end])
        left = [self.text[a:b].lower() for a, b in self._tokens[max(0, first - size) : first]]
        right = [self.text[a:b].lower() for a, b in self._tokens[after : after + size]]
        return " ".join([*left, MENTION_PLACEHOLDER, *right])

    def _count(self, needle: str) -> int:
        if needle not in self._counts:
            self._counts[needle] = self._lowered.count(needle) if needle else 0
        return self._counts[needle]
