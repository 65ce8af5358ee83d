"""HTML pages: main-text extraction with boilerplate (navigation, footers, ads) removed by trafilatura."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from narrascope.document import Article
from narrascope.errors import InputError
from narrascope.io.dates import parse_date
from narrascope.io.files import has_words
from narrascope.io.txt import with_title

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
#: Fewer extracted words than this is navigation left-overs, not an article.
MIN_WORDS = 3


def article_from_html(article_id: str, html: str, source: str | Path) -> Article:
    """The article in an HTML page: its main text, title, outlet, URL and date where the page states them."""
    import trafilatura  # imported here: it costs ~0.3 s and only HTML input needs it

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
        except Exception as error:  # trafilatura raises many lxml types on broken markup
            raise InputError(source, f"cannot parse HTML ({type(error).__name__})") from None
    if document is None or len((document.text or "").split()) < MIN_WORDS or not has_words(document.text):
        raise InputError(source, "no article text found in the HTML page")
    title = document.title or ""
    return Article(
        id=article_id,
        text=with_title(title, document.text),
        title=title.strip(),
        source=document.sitename or None,
        url=document.url or None,
        published=parse_date(document.date),
    )
