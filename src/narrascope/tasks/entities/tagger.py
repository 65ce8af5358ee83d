"""Which name candidates are actors the article casts in a role, read from the encoder's pass (default engine).

The capitalisation-and-gazetteer detector (:mod:`.mentions`) finds nearly every annotated actor and ten times as
many other strings: places, weapons, outlets, half names, and the same actor again and again. The subtask-1
annotations mark exactly the actors an article casts in a role — and only some of their occurrences, most often
the first — so a classifier trained on them learns *which* names are actors and *which* of their occurrences
carry the role. Each candidate is read as the mean of its encoder tokens (layers 8 and 12, the pipeline's one pass)
beside signals the vectors do not carry: how often and where the article names the same actor (groups of
:func:`~.actors.merge_actors`), the candidate's shape and its canonical kind (country, organisation, person, group).
A logistic regression (:class:`~narrascope.ml.dense.DenseLogistic`) gives the probability that a candidate is an
annotated actor mention; those reaching the cross-validated threshold are the article's actor mentions (the
subtask-1 output). The actor table wants whole actors instead: an actor is kept, with all its mentions, when the
chance that at least one of its mentions is cast in a role (noisy-or of its mentions' probabilities) reaches the
cross-validated actor threshold — a place named three times in passing stays out, NATO named eleven times stays in.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.encoder.encoding import Encoding
from narrascope.encoder.version import VERSION as ENCODER_VERSION
from narrascope.encoder.version import check_encoder
from narrascope.ml.artifacts import SavedModel, save_artifact, shipped_model_dir
from narrascope.ml.dense import DenseLogistic, score_in_blocks
from narrascope.tasks.entities.actors import merge_actors
from narrascope.tasks.entities.canonical import canonical
from narrascope.text.tokens import token_spans

MODEL_NAME = "mentions"
REBUILD_COMMAND = "narrascope train mentions --data ../shared/data/semeval2025-t10 --out src/narrascope/models/mentions"
KINDS = ("country", "organisation", "group", "person")
Span = tuple[int, int]


def _bins(value: int, edges: Sequence[int]) -> list[bool]:
    """One-hot of the band ``value`` falls in: ``edges`` are the bands' lowest values, ascending."""
    band = sum(value >= edge for edge in edges) - 1
    return [band == index for index in range(len(edges))]


def span_signals(text: str, spans: Sequence[Span]) -> np.ndarray:
    """What the encoder's view of a candidate does not tell (candidates × signals): which occurrence of its actor
    it is and how often and prominently the article names that actor, where it stands (share of the article before
    it, title line, paragraph, sentence start), its shape (words, capitals, Devanagari) and canonical kind."""
    groups = merge_actors(text, spans)
    sizes = Counter(groups)
    rank = {group: place for place, (group, _) in enumerate(sizes.most_common())}
    seen: Counter[int] = Counter()
    title_end = text.find("\n")
    breaks = [match.end() for match in re.finditer("\n\n", text)]  # paragraph breaks, for bisection
    rows = []
    for (start, end), group in zip(spans, groups, strict=True):
        written = text[start:end]
        words = token_spans(written)
        before = text[max(0, start - 8) : start].rstrip(" \t\"'«“„([")
        identity = canonical(written)
        rows.append(
            [
                *_bins(seen[group], (0, 1, 2, 3)),
                *_bins(sizes[group], (1, 2, 3, 5)),
                *_bins(rank[group], (0, 1, 2, 3, 6)),
                np.log1p(sizes[group]),
                np.log1p(len(spans)),
                np.log1p(len(sizes)),
                start / max(len(text), 1),
                title_end < 0 or start < title_end,
                np.log1p(bisect_right(breaks, start)),
                not before or before[-1] in ".!?:\n",
                *_bins(len(words), (0, 1, 2, 3)),
                written[:1].isupper(),
                len(written) > 1 and written.isupper(),
                any("\u0900" <= char <= "\u097f" for char in written),
                *(identity is not None and identity.kind == kind for kind in KINDS),
            ]
        )
        seen[group] += 1
    return np.asarray(rows, dtype=np.float32).reshape(len(spans), -1)


def candidate_features(
    text: str, encoding: Encoding, spans: Sequence[Span], signals: np.ndarray | None = None
) -> np.ndarray:
    """Each candidate's encoder view (its tokens pooled) beside its :func:`span_signals` (given as ``signals``
    when ``spans`` are a block of the article's candidates: the signals count over all of them)."""
    if not spans:
        return np.zeros((0, 0), dtype=np.float32)
    return np.hstack([encoding.pool(spans), span_signals(text, spans) if signals is None else signals])


def _named(mention: str) -> bool:
    """Written as a name: capitalised, in a script without capitals, or a canonical actor ("the West")."""
    return not mention[:1].islower() or canonical(mention) is not None


def actor_scores(groups: Sequence[int], probabilities: np.ndarray) -> np.ndarray:
    """Per mention, the chance that its actor (its group) is cast in a role at least once in the article: one
    minus the product of the group's mentions' chances of not being so."""
    groups_array = np.asarray(groups, dtype=np.int64).reshape(-1)
    if not len(groups_array):
        return np.zeros(0)
    missed = np.ones(groups_array.max() + 1)
    np.multiply.at(missed, groups_array, 1.0 - np.asarray(probabilities, dtype=np.float64))
    return 1.0 - missed[groups_array]


def table_chances(text: str, spans: Sequence[Span], groups: Sequence[int], probabilities: np.ndarray) -> np.ndarray:
    """Per mention, its actor's :func:`actor_scores` chance — none for an actor never written as a name (a table
    of actors lists no "демократической партии", however often the article says it)."""
    named = {group for group, (start, end) in zip(groups, spans, strict=True) if _named(text[start:end])}
    return actor_scores(groups, probabilities) * np.array([group in named for group in groups], dtype=bool)


class MentionTagger(SavedModel):
    """``fit`` on candidate features and whether each is an annotated actor; ``select`` the actors among an
    encoded article's candidates."""

    rebuild_command = REBUILD_COMMAND

    def __init__(self, C: float = 0.05, threshold: float = 0.5, actor_threshold: float = 0.5) -> None:
        self.C, self.threshold, self.actor_threshold = C, threshold, actor_threshold
        self.model: DenseLogistic | None = None
        self.cv: dict[str, Any] = {}
        self.version = "untrained"

    def fit(self, features: np.ndarray, actors: np.ndarray) -> MentionTagger:
        self.model = DenseLogistic(self.C).fit(features, np.asarray(actors, dtype=np.int8))
        return self

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """The probability that each candidate is an actor mention the article casts in a role."""
        if self.model is None:
            raise ValueError("the mention tagger is not trained")
        return self.model.predict_proba(features)[:, 0] if len(features) else np.zeros(0)

    def select(
        self, text: str, encoding: Encoding, candidates: Sequence[Span], whole_actors: bool = False
    ) -> list[Span]:
        """The candidates (in text order) whose probability reaches the threshold; with ``whole_actors``, every
        mention of the actors whose :func:`table_chances` reach the actor threshold."""
        if not candidates:
            return []
        signals = span_signals(text, candidates)
        scores = score_in_blocks(  # a 4 MB article has ~47,000 candidates
            len(candidates),
            lambda rows: self.probabilities(candidate_features(text, encoding, candidates[rows], signals[rows])),
        )
        if whole_actors:
            scores = table_chances(text, candidates, merge_actors(text, candidates), scores)
        threshold = self.actor_threshold if whole_actors else self.threshold
        return [span for span, score in zip(candidates, scores, strict=True) if score >= threshold]

    # -- persistence ----------------------------------------------------------------------------------------------

    def save(self, directory: str | Path, extra_manifest: dict[str, Any] | None = None) -> None:
        if self.model is None:
            raise ValueError("the mention tagger is not trained")
        manifest = {
            "name": MODEL_NAME,
            "C": self.C,
            "threshold": self.threshold,
            "actor_threshold": self.actor_threshold,
            "encoder": ENCODER_VERSION,
        }
        save_artifact(directory, self.model.to_arrays("tagger"), {**manifest, "cv": self.cv, **(extra_manifest or {})})

    @classmethod
    def _from_artifact(cls, arrays: dict[str, np.ndarray], manifest: dict[str, Any]) -> MentionTagger:
        check_encoder(manifest)
        tagger = cls(manifest["C"], float(manifest["threshold"]), float(manifest["actor_threshold"]))
        tagger.cv = dict(manifest.get("cv", {}))
        tagger.model = DenseLogistic.from_arrays(arrays, "tagger", {"C": manifest["C"]})
        return tagger


@cache
def shipped_tagger() -> MentionTagger:
    """The shipped tagger, loaded the first time an encoded article needs it (the fast engine never does)."""
    return MentionTagger.load(shipped_model_dir(MODEL_NAME))
