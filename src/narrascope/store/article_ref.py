"""What every list of stored articles shows of each one: search hits, an actor's articles, similar articles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """A stored article as lists name it (``pk`` is the store's key, ``article_id`` the one it was given)."""

    pk: int
    article_id: str
    title: str
    source: str | None
    language: str | None
    published: date | None


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
