"""HTML pages: main-text extraction with boilerplate (navigation, footers, ads) removed by trafilatura."""

from __future__ import annotations

import logging
import re
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
#: What pages put between a headline and their outlet's name in titles ("Story - Outlet", "Outlet | Story").
TITLE_SEPARATORS = (" - ", " | ", " – ", " — ")
_BLANK_LINE = re.compile(r"^[^\S\n]+$", re.MULTILINE)
_NOT_WORD = re.compile(r"\W+")


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
    title = without_site_name(document.title or "", document.sitename)
    return Article(
        id=article_id,
        text=with_title(title, _BLANK_LINE.sub("", document.text)),
        title=title.strip(),
        source=document.sitename or None,
        url=document.url or None,
        published=parse_date(document.date),
    )


def without_site_name(title: str, site: str | None) -> str:
    """``title`` without a leading or trailing segment that is the site's name ("… - Ostbelgien Direkt", "… |
    CyberCook"): the outlet is the article's source, not part of its headline. ``site`` is the page's stated name
    or its host name, whose labels count as names ("cybercook.com.ua" names CyberCook)."""
    if not site:
        return title
    names = {_name_key(site)}
    if "." in site and " " not in site:
        names.update(_name_key(label) for label in site.split("."))
    names.discard("")
    for separator in TITLE_SEPARATORS:
        if separator not in title:
            continue
        first, _, after_first = title.partition(separator)
        before_last, _, last = title.rpartition(separator)
        for headline, outlet in ((before_last, last), (after_first, first)):
            if headline.strip() and _name_key(outlet) in names:
                return headline.strip()
    return title


def _name_key(name: str) -> str:
    """A name compared case- and punctuation-blind: "Ostbelgien-Direkt" is "Ostbelgien Direkt"."""
    return _NOT_WORD.sub("", name.casefold())
