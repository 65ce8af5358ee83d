"""What every list of stored articles shows of each one: search hits, an actor's articles, similar articles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func

from narrascope.store.schema import analyses, articles

#: An article's language: the one it declared, else the one its analysis detected (needs analyses outer-joined).
ARTICLE_LANGUAGE = func.coalesce(articles.c.language, analyses.c.language)


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """A stored article as lists name it (``pk`` is the store's key, ``article_id`` the one it was given)."""

    pk: int
    article_id: str
    title: str
    source: str | None
    language: str | None
    published: date | None


def ref_columns() -> list[Any]:
    """The columns :func:`ref_fields` reads, from articles outer-joined with analyses."""
    return [
        articles.c.id,
        articles.c.article_id,
        articles.c.title,
        articles.c.source,
        ARTICLE_LANGUAGE.label("language"),
        articles.c.published,
    ]


def ref_fields(row: Mapping[str, Any], pk: str = "id") -> dict[str, Any]:
    """The :class:`ArticleRef` fields of a row selected from the articles table (its key in column ``pk``)."""
    return {
        "pk": row[pk],
        "article_id": row["article_id"],
        "title": row["title"],
        "source": row["source"],
        "language": row["language"],
        "published": row["published"],
    }
