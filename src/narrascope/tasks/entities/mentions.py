"""Finding the actors an article names — people, organisations, countries, groups — in five languages.

No registry package ships a multilingual named-entity model, so detection combines three cheap sources and keeps
the union of what they find (recall first; roles and actor merging come after):

* a gazetteer: every mention string annotated in training plus ``actors.txt``, matched on transliterated
  5-character token stems, which absorbs case endings (Путин/Путина/Путину, Україна/Украины);
* capitalised runs in cased scripts ("Emmanuel Macron", "Bank of America", "von der Leyen"), minus words that
  are usually written lower-case (so a capitalised sentence start is not a name);
* for Hindi, which has no capitals, a token tagger: logistic regression over hashed word, affix and neighbour
  features, trained on every occurrence of the annotated strings.
"""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

import numpy as np
import scipy.sparse as sp

from narrascope.tasks.entities.not_actors import actor_span
from narrascope.text.segment import sentences
from narrascope.text.tokens import TokenSpans, token_spans
from narrascope.text.transliterate import to_latin

STEM = 5
#: Words that may sit inside a capitalised name ("Banco do Brasil", "Bank of America", "von der Leyen").
CONNECTORS = frozenset("de da do das dos di del della of von der van al bin и на за".split())
_ARTICLES = frozenset("the a an o os as la le el".split())
#: Capitalised words that are never actors on their own.
NOT_ACTORS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december i mr mrs ms dr""".split()
)
_POSSESSIVES = ("'s", "’s")
_NAME_BREAKS = set('.,;:!?()"«»“”')
_TAGGER_LANGUAGES = ("hi",)
_HASH_BITS = 18

Token = tuple[int, int, str]


def latin(token: str) -> str:
    return to_latin(token.lower())


def _is_devanagari(token: str) -> bool:
    return any("\u0900" <= char <= "\u097f" for char in token)


def _capitalised(token: str) -> bool:
    return token[:1].isupper() and not token.isdigit()


def seed_actors() -> list[str]:
    """The actor names shipped in ``actors.txt``."""
    text = resources.files(__package__).joinpath("actors.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True, slots=True)
class DetectedMention:
    start: int
    end: int
    sources: frozenset[str]  # gazetteer, caps, tagger


class MentionDetector:
    """Gazetteer + capitalisation + Hindi token tagger (see the module docstring)."""

    def __init__(self) -> None:
        self.entries: set[tuple[str, ...]] = set()  # stemmed token sequences
        self.exact: set[tuple[str, ...]] = set()  # full transliterated token sequences
        self.longest = 1
        self.common: set[str] = set()
        self.tagger: TokenTagger | None = None

    def fit(self, documents: Sequence[tuple[str, str, Sequence[tuple[int, int]]]]) -> MentionDetector:
        """Learn from ``(text, language, gold mention spans)``: gazetteer, common words, Hindi tagger."""
        self.common = _common_words(text for text, _, _ in documents)
        strings = [text[start:end] for text, _, spans in documents for start, end in spans]
        self.entries, self.exact, self.longest = set(), set(), 1
        for name in [*strings, *seed_actors()]:
            self._add_entry(name)
        tagged = [(text, spans) for text, language, spans in documents if language in _TAGGER_LANGUAGES]
        if tagged:
            self.tagger = TokenTagger().fit(tagged, self._leave_document_out_flags(tagged))
        return self

    def predict(
        self, text: str, language: str | None, sentence_starts: Iterable[int] | None = None
    ) -> list[DetectedMention]:
        """Mentions in text order; overlapping finds are merged into the longest reading."""
        tokens = TokenSpans(text)
        if not tokens:
            return []
        # One string per distinct word, shared by its occurrences (a long article repeats its words many times).
        latin_of: dict[str, str] = {}
        latins = [latin_of.get(token) or latin_of.setdefault(token, latin(token)) for _, _, token in tokens]
        stem_of: dict[str, str] = {}
        stems = [stem_of.get(value) or stem_of.setdefault(value, value[:STEM]) for value in latins]
        starts = set(sentence_starts) if sentence_starts is not None else {span.start for span in sentences(text)}
        initial = [start in starts or text[max(0, start - 2) : start].strip() in ('"', "«", "“", "-", "—")
                   for start, _, _ in tokens]  # fmt: skip
        found = self._gazetteer_hits(text, tokens, latins, stems)
        found += self._capitalised_runs(text, tokens, latins, initial)
        if self.tagger is not None and language in _TAGGER_LANGUAGES:
            flags = [0] * len(tokens)
            for first, last, _ in found:
                flags[first:last] = [1] * (last - first)
            found += [(first, last, "tagger") for first, last in self.tagger.runs(latins, flags)]
        spans = [
            (mention, actor_span(text, language, mention.start, mention.end, "gazetteer" in mention.sources))
            for mention in _merge(found, tokens)
        ]
        return [replace(mention, start=span[0], end=span[1]) for mention, span in spans if span]

    # -- persistence (see EntityModel) ---------------------------------------------------------------------------

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays = {
            "mention_entries": _text_array("\t".join(entry) for entry in sorted(self.entries)),
            "mention_exact": _text_array("\t".join(entry) for entry in sorted(self.exact)),
            "mention_common": _text_array(sorted(self.common)),
        }
        if self.tagger is not None:
            arrays.update(self.tagger.to_arrays())
        return arrays, {"tagger": self.tagger is not None}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> MentionDetector:
        detector = cls()
        detector.entries = {tuple(line.split("\t")) for line in _lines(arrays["mention_entries"])}
        detector.exact = {tuple(line.split("\t")) for line in _lines(arrays["mention_exact"])}
        detector.common = set(_lines(arrays["mention_common"]))
        detector.longest = max((len(entry) for entry in detector.entries), default=1)
        if settings.get("tagger"):
            detector.tagger = TokenTagger.from_arrays(arrays)
        return detector

    # -- internals ----------------------------------------------------------------------------------------------

    def _add_entry(self, name: str) -> None:
        words = [token for _, _, token in token_spans(name)]
        if len(words) > 1 and words[0].lower() in _ARTICLES:
            words = words[1:]  # "the West" matches "West" anywhere
        if not words:
            return
        latins = tuple(latin(word) for word in words)
        self.entries.add(tuple(value[:STEM] for value in latins))
        self.exact.add(latins)
        self.longest = max(self.longest, len(latins))

    def _gazetteer_hits(
        self, text: str, tokens: Sequence[Token], latins: list[str], stems: list[str]
    ) -> list[tuple[int, int, str]]:
        hits, index = [], 0
        while index < len(tokens):
            length = self._match_length(text, tokens, latins, stems, index)
            if length:
                hits.append((index, index + length, "gazetteer"))
            index += max(length, 1)
        return hits

    def _match_length(self, text: str, tokens: Sequence[Token], latins: list[str], stems: list[str], index: int) -> int:
        """The longest gazetteer entry starting at ``index`` (0 if none)."""
        for length in range(min(self.longest, len(tokens) - index), 0, -1):
            if tuple(stems[index : index + length]) not in self.entries:
                continue
            word = tokens[index][2]
            # a lower-case word matching a one-word entry counts only when exact and not a common word
            lower_case = length == 1 and not _is_devanagari(word) and not _capitalised(word)
            if lower_case and ((latins[index],) not in self.exact or latins[index] in self.common):
                continue
            if "\n" in text[tokens[index][1] : tokens[index + length - 1][0]]:
                continue
            return length
        return 0

    def _capitalised_runs(
        self, text: str, tokens: Sequence[Token], latins: list[str], initial: list[bool]
    ) -> list[tuple[int, int, str]]:
        runs, index = [], 0
        while index < len(tokens):
            word = tokens[index][2]
            if _is_devanagari(word) or not _capitalised(word):
                index += 1
                continue
            end = index + 1
            while end < len(tokens):
                gap = text[tokens[end - 1][1] : tokens[end][0]]
                if "\n" in gap or _NAME_BREAKS & set(gap):
                    break
                following = tokens[end][2]
                if not _is_devanagari(following) and _capitalised(following):
                    end += 1
                elif following.lower() in CONNECTORS and end + 1 < len(tokens) and _capitalised(tokens[end + 1][2]):
                    end += 2
                else:
                    break
            first = index
            while first < end and ((initial[first] and latins[first] in self.common) or latins[first] in _ARTICLES):
                first += 1
            single = end - first == 1 and (latins[first] in self.common or latins[first] in NOT_ACTORS)
            if first < end and not single:
                runs.append((first, end, "caps"))
            index = end
        return runs

    def _leave_document_out_flags(
        self, documents: Sequence[tuple[str, Sequence[tuple[int, int]]]]
    ) -> Callable[[int, Sequence[Token], list[str]], list[int]]:
        """Gazetteer flags for training the tagger, ignoring entries that only this document's gold put there.

        Otherwise "in the gazetteer" would be trivially true for every training mention, and the tagger would
        never learn to fire on names it has not seen.
        """
        seeded = set()
        for name in seed_actors():
            words = [latin(token)[:STEM] for _, _, token in token_spans(name)]
            seeded.add(tuple(words))
        owners: dict[tuple[str, ...], set[int]] = defaultdict(set)
        for number, (text, spans) in enumerate(documents):
            for start, end in spans:
                owners[tuple(latin(token)[:STEM] for _, _, token in token_spans(text[start:end]))].add(number)
        own_only: dict[int, set[tuple[str, ...]]] = defaultdict(set)
        for key, numbers in owners.items():
            if len(numbers) == 1 and key not in seeded:
                own_only[next(iter(numbers))].add(key)

        def flags(number: int, tokens: Sequence[Token], latins: list[str]) -> list[int]:
            stems = [value[:STEM] for value in latins]
            marked = [0] * len(tokens)
            for index in range(len(tokens)):
                for length in range(min(self.longest, len(tokens) - index), 0, -1):
                    key = tuple(stems[index : index + length])
                    if key in self.entries and key not in own_only[number]:
                        marked[index : index + length] = [1] * length
                        break
            return marked

        return flags


def _common_words(texts: Iterable[str]) -> set[str]:
    """Words seen lower-case more often than capitalised inside sentences: not names at a sentence start."""
    lower, capital = Counter(), Counter()
    for text in texts:
        for sentence in sentences(text):
            for position, (_, _, token) in enumerate(token_spans(sentence.text)):
                if _is_devanagari(token) or token.isdigit():
                    continue
                if token[:1].islower():
                    lower[latin(token)] += 1
                elif position > 0:
                    capital[latin(token)] += 1
    return {word for word, count in lower.items() if count >= 2 and count > capital[word]}


def _merge(found: list[tuple[int, int, str]], tokens: Sequence[Token]) -> list[DetectedMention]:
    """Overlapping token runs merged into their union, as character spans."""
    merged: list[list[Any]] = []
    for first, last, source in sorted(found):
        if merged and first < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
            merged[-1][2].add(source)
        else:
            merged.append([first, last, {source}])
    found = []
    for first, last, sources in merged:
        start, end, word = tokens[first][0], tokens[last - 1][1], tokens[last - 1][2]
        if word[-2:].lower() in _POSSESSIVES and len(word) > 2:
            end -= 2  # "Russia's" names Russia
        found.append(DetectedMention(start, end, frozenset(sources)))
    return found


def _text_array(lines: Iterable[str]) -> np.ndarray:
    return np.frombuffer("\n".join(lines).encode("utf-8"), dtype=np.uint8)


def _lines(array: np.ndarray) -> list[str]:
    text = array.tobytes().decode("utf-8")
    return text.split("\n") if text else []


class TokenTagger:
    """Per-token logistic regression over hashed features: "is this token part of an actor's name?"

    Trained on silver labels — gold mention tokens plus every other occurrence of the same strings in the article
    (gold marks only a part of them). Corpus frequencies exclude the token's own document while training, so that
    unseen names look in training as they will at prediction time.
    """

    def __init__(self, threshold: float = 0.3, C: float = 0.5) -> None:
        self.threshold, self.C = threshold, C
        self.weights = np.zeros(1 << _HASH_BITS, dtype=np.float32)
        self.bias = 0.0
        self.frequency: dict[str, int] = {}

    def fit(
        self,
        documents: Sequence[tuple[str, Sequence[tuple[int, int]]]],
        gazetteer_flags: Callable[[int, Sequence[Token], list[str]], list[int]],
    ) -> TokenTagger:
        from sklearn.linear_model import LogisticRegression  # training only

        frequency: Counter[str] = Counter()
        for text, _ in documents:
            frequency.update({latin(token) for _, _, token in token_spans(text)})
        self.frequency = dict(frequency)
        rows, labels = [], []
        for number, (text, spans) in enumerate(documents):
            tokens = token_spans(text)
            latins = [latin(token) for _, _, token in tokens]
            silver = list(spans)
            for string in {text[start:end] for start, end in spans}:
                position = text.find(string)
                while position != -1:
                    silver.append((position, position + len(string)))
                    position = text.find(string, position + 1)
            labels.append(
                np.array([any(a < end and start < b for start, end in silver) for a, b, _ in tokens], dtype=np.int8)
            )
            flags = gazetteer_flags(number, tokens, latins)
            rows.extend(self._features(latins, flags, own=set(latins)))
        indptr = np.cumsum([0] + [len(row) for row in rows])
        X = sp.csr_matrix(
            (np.ones(indptr[-1], np.float32), np.concatenate(rows), indptr), shape=(len(rows), 1 << _HASH_BITS)
        )
        X.sum_duplicates()
        model = LogisticRegression(C=self.C, solver="liblinear", random_state=0).fit(X, np.concatenate(labels))
        self.weights, self.bias = model.coef_[0].astype(np.float32), float(model.intercept_[0])
        return self

    def runs(self, latins: list[str], flags: list[int]) -> list[tuple[int, int]]:
        """Runs of consecutive tagged tokens, as token index ranges."""
        if not latins:
            return []
        scores = np.array([self.weights[row].sum() for row in self._features(latins, flags)]) + self.bias
        tagged = 1.0 / (1.0 + np.exp(-scores)) >= self.threshold
        runs, index = [], 0
        while index < len(tagged):
            if tagged[index]:
                end = index
                while end < len(tagged) and tagged[end]:
                    end += 1
                runs.append((index, end))
                index = end
            else:
                index += 1
        return runs

    def _features(self, latins: list[str], flags: list[int], own: set[str] | None = None) -> list[list[int]]:
        def frequency_band(word: str) -> int:
            count = self.frequency.get(word, 0) - (1 if own is not None and word in own else 0)
            return min(int(np.log2(1 + max(count, 0))), 12)

        rows = []
        for index, word in enumerate(latins):
            features = [f"w={word}", f"s3={word[-3:]}", f"s2={word[-2:]}", f"p3={word[:3]}",
                        f"fb={frequency_band(word)}", f"g={flags[index]}", f"len={min(len(word), 10)}"]  # fmt: skip
            for offset in (-2, -1, 1, 2):
                position = index + offset
                neighbour = latins[position] if 0 <= position < len(latins) else "<s>"
                features.append(f"{offset}={neighbour}")
                if offset in (-1, 1):
                    features.append(f"{offset}fb={frequency_band(neighbour)}")
                    features.append(f"{offset}g={flags[position] if 0 <= position < len(latins) else 0}")
            following = latins[index + 1] if index + 1 < len(latins) else "<s>"
            preceding = latins[index - 1] if index > 0 else "<s>"
            features += [f"w|+1={word}|{following}", f"-1|w={preceding}|{word}"]
            rows.append([zlib.crc32(feature.encode("utf-8")) & ((1 << _HASH_BITS) - 1) for feature in features])
        return rows

    def to_arrays(self) -> dict[str, np.ndarray]:
        words = sorted(self.frequency)
        return {
            "tagger_weights": self.weights.astype(np.float16),
            "tagger_bias": np.array([self.bias, self.threshold, self.C], dtype=np.float32),
            "tagger_words": _text_array(words),
            "tagger_counts": np.array([self.frequency[word] for word in words], dtype=np.int32),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> TokenTagger:
        bias, threshold, C = (float(value) for value in arrays["tagger_bias"])
        tagger = cls(threshold, C)
        tagger.weights = arrays["tagger_weights"].astype(np.float32)
        tagger.bias = bias
        tagger.frequency = dict(zip(_lines(arrays["tagger_words"]), arrays["tagger_counts"].tolist(), strict=True))
        return tagger
