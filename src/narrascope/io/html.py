"""HTML pages: main-text extraction with boilerplate (navigation, footers, ads) removed by trafilatura."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
    from trafilatura.utils import load_html

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = load_html(html)
            names, sections = _page_names(tree) if tree is not None else ([], [])
            document = (
                None if tree is None else trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False)
            )
        except Exception as error:  # trafilatura raises many lxml types on broken markup
            raise InputError(source, f"cannot parse HTML ({type(error).__name__})") from None
    if document is None or len((document.text or "").split()) < MIN_WORDS or not has_words(document.text):
        raise InputError(source, "no article text found in the HTML page")
    outlet = _outlet(document, names, sections)
    title = without_site_name(document.title or "", outlet)
    return Article(
        id=article_id,
        text=with_title(title, _BLANK_LINE.sub("", document.text)),
        title=title.strip(),
        source=outlet,
        url=document.url or None,
        published=parse_date(document.date),
    )


def _page_names(tree: Any) -> tuple[list[str], list[str]]:
    """What the page itself says, read before extraction prunes the tree: the names it gives its outlet apart from
    trafilatura's pick (``og:site_name``, the publisher of its JSON-LD blocks) and its ``article:section``."""
    names = [str(value) for value in tree.xpath('//meta[@property="og:site_name"]/@content')]
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script, strict=False)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data, *_as_list(data.get("@graph"))]:
            publisher = item.get("publisher") if isinstance(item, dict) else None
            for entry in _as_list(publisher):
                name = entry.get("name") if isinstance(entry, dict) else entry
                if isinstance(name, str):
                    names.append(name)
    sections = [str(value) for value in tree.xpath('//meta[@property="article:section"]/@content')]
    return [name.strip() for name in names if name.strip()], sections


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _outlet(document: Any, names: list[str], sections: list[str]) -> str | None:
    """The outlet that published the page. trafilatura's site name can be a section: of ``og:site_name`` and the
    JSON-LD ``WebSite`` names it keeps the longest, and some outlets (Brazilian ones among them) name the section
    there ("Política"). A name that is the page's section — its ``article:section``, JSON-LD ``articleSection``,
    category, or a folder of its URL — gives way to the next of ``og:site_name``, the JSON-LD publisher and the host
    name (without ``www.``)."""
    try:
        url = urlsplit(document.url or "")
        host, folders = url.hostname or "", url.path.split("/")
    except ValueError:  # a malformed URL (e.g. a broken IPv6 host) names no outlet
        host, folders = "", []
    section_keys = {_name_key(section) for section in (*(document.categories or ()), *sections, *folders)} - {""}
    candidates = (document.sitename, *names, host.removeprefix("www."))
    return next((name for name in candidates if name and _name_key(name) not in section_keys), None)


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
    """A name compared case-, accent- and punctuation-blind: "Ostbelgien-Direkt" is "Ostbelgien Direkt", the
    folder "politica" is the section "Política"."""
    letters = unicodedata.normalize("NFKD", name.casefold())
    return _NOT_WORD.sub("", "".join(char for char in letters if not unicodedata.combining(char)))
