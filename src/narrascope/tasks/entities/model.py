"""The entity-framing model: mention detection + role classification, saved and loaded as one artifact."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.document import Actor, Analysis, Label, Mention, Span
from narrascope.io.semeval import EntityAnnotation
from narrascope.ml.artifacts import load_parts, save_parts, shipped_model_dir
from narrascope.tasks.entities.actors import actor_name, merge_actors
from narrascope.tasks.entities.context import ArticleContext
from narrascope.tasks.entities.mentions import MentionDetector
from narrascope.tasks.entities.roles import RoleClassifier, RoleExample, RolePrediction, mention_vectors
from narrascope.tasks.entities.tagger import shipped_tagger
from narrascope.text.segment import sentences as split_sentences

MODEL_NAME = "entities"
REBUILD_COMMAND = "narrascope train entities --data ../shared/data/semeval2025-t10 --out src/narrascope/models/entities"
#: Fine roles listed per actor, at most.
ACTOR_FINE_ROLES = 2


@dataclass(frozen=True, slots=True)
class EntityTrainingArticle:
    """An article with its language and gold mentions ``(start, end, fine_roles)``, half-open offsets."""

    article_id: str
    text: str
    language: str
    mentions: tuple[tuple[int, int, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class FramedMention:
    """A mention with its predicted roles and the sentence they were read from."""

    start: int
    end: int
    roles: RolePrediction
    sentence: Span


class EntityModel:
    """Finds actor mentions (:class:`MentionDetector`) and the roles their sentences cast them in."""

    def __init__(self, detector: MentionDetector | None = None, roles: RoleClassifier | None = None) -> None:
        self.detector = detector or MentionDetector()
        self.roles = roles or RoleClassifier()
        self.version = "untrained"

    def fit(self, articles: Sequence[EntityTrainingArticle], vectors: np.ndarray | None = None) -> EntityModel:
        """Fit detection and roles; ``vectors`` (the gold mentions' encoder views, in order) add the encoder view."""
        self.detector.fit(
            [(article.text, article.language, [(s, e) for s, e, _ in article.mentions]) for article in articles]
        )
        examples = []
        for article in articles:
            context = ArticleContext(article.text)
            examples += [
                RoleExample(context.mention(start, end), article.language, article.article_id, fine)
                for start, end, fine in article.mentions
            ]
        self.roles.fit(examples, vectors)
        return self

    def detect(
        self,
        text: str,
        language: str | None,
        sentences: Sequence[Span] | None = None,
        encoding: Any = None,
        whole_actors: bool = False,
    ) -> list[tuple[int, int]]:
        """Raw-text mode: the actor mentions of ``text`` as half-open spans, in text order. With the article's
        ``encoding`` (default engine), only the candidates the mention tagger reads as actors cast in a role
        (``whole_actors``: all mentions of the actors it reads as cast in a role, for the actor table)."""
        starts = [span.start for span in sentences] if sentences is not None else None
        spans = [(found.start, found.end) for found in self.detector.predict(text, language, starts)]
        if encoding is None:
            return spans
        return shipped_tagger().select(text, encoding, spans, whole_actors)

    def frame(
        self,
        documents: Sequence[tuple[str, str | None, Sequence[tuple[int, int]], Sequence[Span] | None]],
        encodings: Sequence[Any] | None = None,
    ) -> list[list[FramedMention]]:
        """Roles of the given mentions ``(text, language, spans, sentences or None)``, classified in one batch;
        with the documents' ``encodings`` (the encoder's pass), read from context by both views."""
        contexts, languages, owners = [], [], []
        for number, (text, language, spans, sentences) in enumerate(documents):
            article = ArticleContext(text, list(sentences) if sentences is not None else None)
            for start, end in spans:
                contexts.append(article.mention(start, end))
                languages.append(language or "")
                owners.append((number, start, end))
        framed: list[list[FramedMention]] = [[] for _ in documents]
        vectors = None
        if encodings is not None and all(encoding is not None for encoding in encodings) and contexts:
            parts = [
                mention_vectors(encoding, spans, sentences if sentences is not None else split_sentences(text))
                for (text, _, spans, sentences), encoding in zip(documents, encodings, strict=True)
                if spans
            ]
            vectors = parts[0] if len(parts) == 1 else np.concatenate(parts)  # one article: no copy (6 kB a mention)
        predictions = self.roles.predict(contexts, languages, vectors)
        for (number, start, end), context, prediction in zip(owners, contexts, predictions, strict=True):
            framed[number].append(FramedMention(start, end, prediction, context.sentence))
        return framed

    def predict_annotations(
        self,
        articles: Sequence[tuple[str, str, str | None]],
        mentions: dict[str, Sequence[tuple[int, int]]] | None = None,
        encodings: Sequence[Any] | None = None,
    ) -> list[EntityAnnotation]:
        """Subtask-1 rows for ``(article_id, text, language)``: the given mentions, or the detected ones if None;
        ``encodings`` (one per article) add the encoder view of the roles and of detection (the mention tagger)."""
        documents = []
        for number, (article_id, text, language) in enumerate(articles):
            encoding = encodings[number] if encodings is not None else None
            spans = (
                mentions.get(article_id, ()) if mentions is not None else self.detect(text, language, None, encoding)
            )
            documents.append((text, language, spans, None))
        rows = []
        for (article_id, text, _), framed in zip(articles, self.frame(documents, encodings), strict=True):
            rows += [
                EntityAnnotation(
                    article_id,
                    text[item.start : item.end],
                    item.start,
                    item.end,
                    item.roles.main_role,
                    tuple(name for name, _ in item.roles.fine_roles),
                )
                for item in framed
            ]
        return rows

    # -- persistence ----------------------------------------------------------------------------------------------

    def save(self, directory: str | Path, extra_manifest: dict[str, Any] | None = None) -> None:
        save_parts(directory, MODEL_NAME, {"mentions": self.detector, "roles": self.roles}, extra_manifest)

    @classmethod
    def load(cls, directory: str | Path) -> EntityModel:
        parts, version = load_parts(directory, REBUILD_COMMAND, {"mentions": MentionDetector, "roles": RoleClassifier})
        model = cls(parts["mentions"], parts["roles"])
        model.version = version
        return model


class EntityTagger:
    """Pipeline component (raw-text mode): fills ``Analysis.mentions`` and ``Analysis.actors``."""

    name = MODEL_NAME

    def __init__(self, model: EntityModel) -> None:
        self.model = model
        self.version = model.version

    @classmethod
    def load_shipped(cls) -> EntityTagger:
        return cls(EntityModel.load(shipped_model_dir(MODEL_NAME)))

    def annotate(self, analyses: Sequence[Analysis]) -> None:
        documents = []
        for analysis in analyses:
            text = analysis.article.text
            spans = self.model.detect(text, analysis.language, analysis.sentences, analysis.encoding, whole_actors=True)
            documents.append((text, analysis.language, spans, analysis.sentences))
        encodings = [analysis.encoding for analysis in analyses]
        for analysis, framed in zip(analyses, self.model.frame(documents, encodings), strict=True):
            analysis.mentions, analysis.actors = actors_and_mentions(analysis.article.text, framed)


class SubtaskRows:
    """Pipeline component for ``predict entities``: the subtask-1 rows of every article it sees, framed while the
    encoder's vectors are at hand (the pipeline drops them after each batch).

    ``mentions``: per article id, the given mentions to frame; None to detect them.
    """

    name = "subtask-1-rows"

    def __init__(self, model: EntityModel, mentions: dict[str, list[tuple[int, int]]] | None = None) -> None:
        self.model, self.mentions = model, mentions
        self.version = model.version
        self.rows: list[EntityAnnotation] = []

    def annotate(self, analyses: Sequence[Analysis]) -> None:
        wanted = self.mentions
        self.rows += self.model.predict_annotations(
            [(analysis.article.id, analysis.article.text, analysis.language) for analysis in analyses],
            None if wanted is None else {a.article.id: wanted.get(a.article.id, []) for a in analyses},
            None if any(analysis.encoding is None for analysis in analyses) else [a.encoding for a in analyses],
        )


def actors_and_mentions(text: str, framed: Sequence[FramedMention]) -> tuple[list[Mention], list[Actor]]:
    """Mentions with labels, grouped into actors (:func:`merge_actors`) whose roles are their mentions' votes."""
    groups = merge_actors(text, [(item.start, item.end) for item in framed])
    mentions = [
        Mention(
            Span.of(text, item.start, item.end),
            Label(item.roles.main_role, round(item.roles.main_confidence, 4), (item.sentence,)),
            tuple(Label(name, round(confidence, 4), (item.sentence,)) for name, confidence in item.roles.fine_roles),
            group,
        )
        for item, group in zip(framed, groups, strict=True)
    ]
    members: dict[int, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        members[group].append(index)
    actors = [_actor([mentions[i] for i in members[group]], members[group]) for group in sorted(members)]
    return mentions, actors


def _actor(mentions: list[Mention], indices: list[int]) -> Actor:
    """An actor's name (:func:`actor_name`), main role (confidence-weighted vote) and most frequent fine roles."""
    votes: Counter[str] = Counter()
    for mention in mentions:
        votes[mention.main_role.name] += mention.main_role.confidence
    main_role, weight = votes.most_common(1)[0]
    backing = [mention for mention in mentions if mention.main_role.name == main_role]
    fine = Counter(label.name for mention in backing for label in mention.fine_roles)
    name, aliases = actor_name([mention.span.text for mention in mentions])
    return Actor(
        name=name,
        main_role=Label(main_role, round(weight / max(sum(votes.values()), 1e-9), 4), backing[0].main_role.evidence),
        fine_roles=tuple(
            Label(role, round(count / len(backing), 4)) for role, count in fine.most_common(ACTOR_FINE_ROLES)
        ),
        mentions=tuple(indices),
        aliases=aliases,
    )
