"""The one document model: readers produce :class:`Article`, every task component writes into :class:`Analysis`.

Offsets are character offsets into ``Article.text`` and spans are half-open (``text[start:end]``), as in Python and
spaCy. ``Article.text`` follows the SemEval file convention: when an article has a title, the text starts with it
on its own line, so offsets from SemEval annotation files index it directly.

Everything serialises to plain JSON (``to_dict``) and back (``from_dict``) without loss, except two arrays:
``Analysis.encoding``, the encoder's token vectors, which heads read during the pass and the pipeline then drops,
and ``Analysis.vector``, the article's embedding, which the store keeps beside the JSON (for similar articles and
stories).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from narrascope.taxonomy import narratives as narrative_taxonomy


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` of an article's text, with the text it covers."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        """The span of ``text[start:end]``; refuses ranges that do not fit the text."""
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"span [{start}, {end}) does not fit a text of {len(text)} characters")
        return cls(start, end, text[start:end])

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(int(data["start"]), int(data["end"]), str(data["text"]))


@dataclass(frozen=True, slots=True)
class Label:
    """A predicted label with its confidence (0–1) and the spans of the article that support it."""

    name: str
    confidence: float
    evidence: tuple[Span, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "confidence": self.confidence,
            "evidence": [span.to_dict() for span in self.evidence],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Label:
        return cls(
            str(data["name"]),
            float(data["confidence"]),
            tuple(Span.from_dict(span) for span in data.get("evidence", ())),
        )


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of an actor, with the role the sentence around it casts the actor in.

    ``main_role`` is Protagonist, Antagonist or Innocent; ``fine_roles`` are roles of that kind (e.g. Guardian,
    Victim). Both labels carry the mention's context sentence as evidence. ``actor`` indexes
    ``Analysis.actors``.
    """

    span: Span
    main_role: Label
    fine_roles: tuple[Label, ...]
    actor: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "span": self.span.to_dict(),
            "main_role": self.main_role.to_dict(),
            "fine_roles": [label.to_dict() for label in self.fine_roles],
            "actor": self.actor,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mention:
        return cls(
            Span.from_dict(data["span"]),
            Label.from_dict(data["main_role"]),
            tuple(Label.from_dict(label) for label in data.get("fine_roles", ())),
            int(data.get("actor", 0)),
        )


@dataclass(frozen=True, slots=True)
class Actor:
    """A person, organisation, country or group named in the article: its mentions and its overall role."""

    name: str
    main_role: Label
    fine_roles: tuple[Label, ...]
    mentions: tuple[int, ...]  # indices into Analysis.mentions
    aliases: tuple[str, ...] = ()  # the names the article uses for it, most used first ("Россия", "Москва")

    @property
    def other_names(self) -> tuple[str, ...]:
        """The article's names for the actor besides its display name ("London", "Britain" for United Kingdom):
        reports show them, so a reader sees which words of the text the canonical name stands for."""
        return tuple(alias for alias in self.aliases if alias.casefold() != self.name.casefold())

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "main_role": self.main_role.to_dict(),
            "fine_roles": [label.to_dict() for label in self.fine_roles],
            "mentions": list(self.mentions),
            "aliases": list(self.aliases),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Actor:
        return cls(
            str(data["name"]),
            Label.from_dict(data["main_role"]),
            tuple(Label.from_dict(label) for label in data.get("fine_roles", ())),
            tuple(int(index) for index in data.get("mentions", ())),
            tuple(str(alias) for alias in data.get("aliases", ())),
        )


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why the article pushes its dominant narrative, in at most 80 words, with the spans it is built from."""

    text: str
    narrative: str
    subnarrative: str | None
    evidence: tuple[Span, ...]
    engine: str  # "offline", or "llm:<model>"
    language: str | None = None  # the language the explanation is written in (quotes stay in the article's)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "narrative": self.narrative,
            "subnarrative": self.subnarrative,
            "evidence": [span.to_dict() for span in self.evidence],
            "engine": self.engine,
            "language": self.language,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Explanation:
        return cls(
            str(data["text"]),
            str(data["narrative"]),
            data.get("subnarrative"),
            tuple(Span.from_dict(span) for span in data.get("evidence", ())),
            str(data.get("engine", "offline")),
            data.get("language"),
        )


#: The languages narrascope's models were trained on; others are analysed but marked as such.
SUPPORTED_LANGUAGES = ("en", "bg", "hi", "pt", "ru")
LANGUAGE_NAMES = {"bg": "Bulgarian", "en": "English", "hi": "Hindi", "pt": "Portuguese", "ru": "Russian"}


@dataclass(frozen=True, slots=True)
class Scope:
    """Whether narrative labels apply: the article is about the war in Ukraine or climate change, in a trained language.

    ``confidence`` is the probability that the article is on topic. An article out of scope gets no narratives
    (not ``Other``, which means an on-topic article with no listed narrative).
    """

    on_topic: bool
    confidence: float
    language_supported: bool

    def to_dict(self) -> dict[str, Any]:
        return {"on_topic": self.on_topic, "confidence": self.confidence, "language_supported": self.language_supported}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scope:
        return cls(bool(data["on_topic"]), float(data["confidence"]), bool(data["language_supported"]))


@dataclass(slots=True)
class Article:
    """A news article as read from a file, a JSONL line or the API."""

    id: str
    text: str
    title: str = ""
    language: str | None = None
    source: str | None = None
    url: str | None = None
    published: date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.published, datetime):  # a day is what trends count and JSON keeps
            self.published = self.published.date()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "language": self.language,
            "source": self.source,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        published = data.get("published")
        return cls(
            id=str(data["id"]),
            text=str(data["text"]),
            title=str(data.get("title") or ""),
            language=data.get("language"),
            source=data.get("source"),
            url=data.get("url"),
            published=date.fromisoformat(published) if published else None,
        )


def content_hash(text: str) -> str:
    """The identity of an article's text: readers and the store both treat the same text as the same article."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(slots=True)
class Analysis:
    """What narrascope found in one article; each pipeline component fills in its part.

    ``narratives`` are the coarse labels of the taxonomy (e.g. ``URW: Discrediting Ukraine``) and
    ``subnarratives`` the fine ones (``URW: Discrediting Ukraine: Ukraine is a puppet of the West``), both sorted by
    confidence. ``mentions`` are the actor mentions in text order, ``actors`` the actors they belong to;
    ``explanation`` says why the article pushes its dominant narrative; ``techniques`` are persuasion-technique
    spans (one label per span, the span as evidence); ``frames`` and ``genre`` are experimental.
    ``models`` records the version of every model that contributed, so stored analyses can be
    recomputed when a model changes; ``engine`` is ``default`` (the encoder) or ``fast`` (n-gram models only).
    ``encoding`` holds the encoder's token vectors while the pipeline runs (never serialised); ``vector`` is the
    article's multilingual-e5 embedding (384 floats, L2-normalised; default engine only, not in the JSON).
    """

    article: Article
    language: str | None = None
    scope: Scope | None = None
    sentences: list[Span] = field(default_factory=list)
    narratives: list[Label] = field(default_factory=list)
    subnarratives: list[Label] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    explanation: Explanation | None = None
    techniques: list[Label] = field(default_factory=list)
    frames: list[Label] = field(default_factory=list)
    genre: Label | None = None
    models: dict[str, str] = field(default_factory=dict)
    engine: str = "default"
    encoding: Any = field(default=None, repr=False, compare=False)
    vector: Any = field(default=None, repr=False, compare=False)

    @property
    def narratives_apply(self) -> bool:
        """False when the scope head found the article off topic: it then has no narrative labels at all."""
        return self.scope is None or self.scope.on_topic

    def narrative_tree(self) -> list[tuple[Label, list[tuple[int, Label]]]]:
        """The narratives in the order every view shows them, each with its sub-narratives (index into
        ``subnarratives``, label), in the same order: the one ranking that reports, pages and the explanation's
        dominant narrative (the first shown) read, so they cannot disagree."""
        taxonomy = narrative_taxonomy()
        children: dict[str, list[tuple[int, Label]]] = {}
        for index, label in enumerate(self.subnarratives):
            children.setdefault(taxonomy.parent(label.name) or label.name, []).append((index, label))
        return [(narrative, children.get(narrative.name, [])) for narrative in self.narratives]

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article.to_dict(),
            "language": self.language,
            "scope": self.scope.to_dict() if self.scope else None,
            "engine": self.engine,
            "sentences": [span.to_dict() for span in self.sentences],
            "narratives": [label.to_dict() for label in self.narratives],
            "subnarratives": [label.to_dict() for label in self.subnarratives],
            "mentions": [mention.to_dict() for mention in self.mentions],
            "actors": [actor.to_dict() for actor in self.actors],
            "explanation": self.explanation.to_dict() if self.explanation else None,
            "techniques": [label.to_dict() for label in self.techniques],
            "frames": [label.to_dict() for label in self.frames],
            "genre": self.genre.to_dict() if self.genre else None,
            "models": dict(self.models),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        return cls(
            article=Article.from_dict(data["article"]),
            language=data.get("language"),
            scope=Scope.from_dict(data["scope"]) if data.get("scope") else None,
            engine=str(data.get("engine", "fast")),  # analyses from before the encoder were n-gram only
            sentences=[Span.from_dict(span) for span in data.get("sentences", ())],
            narratives=[Label.from_dict(label) for label in data.get("narratives", ())],
            subnarratives=[Label.from_dict(label) for label in data.get("subnarratives", ())],
            mentions=[Mention.from_dict(mention) for mention in data.get("mentions", ())],
            actors=[Actor.from_dict(actor) for actor in data.get("actors", ())],
            explanation=Explanation.from_dict(data["explanation"]) if data.get("explanation") else None,
            techniques=[Label.from_dict(label) for label in data.get("techniques", ())],
            frames=[Label.from_dict(label) for label in data.get("frames", ())],
            genre=Label.from_dict(data["genre"]) if data.get("genre") else None,
            models=dict(data.get("models", {})),
        )
