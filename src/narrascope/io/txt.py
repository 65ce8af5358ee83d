"""Plain-text articles in the SemEval convention: line 1 is the title, then a blank line, then the body."""

from __future__ import annotations

from narrascope.document import Article

#: A first line longer than this is body text, not a title.
MAX_TITLE_CHARS = 300


def article_from_text(article_id: str, text: str, **metadata: object) -> Article:
    """An article whose title is the first line of ``text`` when that line looks like a title; a text of one short
    line is its own title (its text starts with its title, as the convention wants, and it is not "untitled")."""
    title = text.partition("\n")[0].strip().lstrip("\ufeff")
    if len(title) > MAX_TITLE_CHARS:
        title = ""
    return Article(id=article_id, text=text, title=title, **metadata)  # type: ignore[arg-type]


def with_title(title: str, body: str) -> str:
    """The article text for a separately given title and body: the title on the first line, as in SemEval files."""
    title, body = title.strip(), body.strip("\n")
    if not title or body.lstrip().startswith(title):
        return body
    return f"{title}\n\n{body}"
