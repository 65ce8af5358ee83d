"""Grouping the mentions of one actor within an article ("Macron", "Emmanuel Macron", "the French president")."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from narrascope.tasks.entities.canonical import TITLES, canonical
from narrascope.tasks.entities.mentions import CONNECTORS, STEM, latin
from narrascope.text.tokens import token_spans

_ARTICLES = frozenset(("the", "o", "a"))


def merge_actors(text: str, spans: Sequence[tuple[int, int]]) -> list[int]:
    """A group number per mention (spans in text order); mentions of one actor share their group.

    Precision first: a mention joins an earlier group when its name stems are a subset of the group's names
    ("Macron" after "Emmanuel Macron", "Путина" after "Владимир Путин"), or when the group is a one-word name that
    is the mention's last word ("Emmanuel Macron" after "Macron") — never "Russia" with "Russian Council". A bare
    title ("the president") joins the latest group introduced with that title. Mentions of one canonical actor
    (:func:`canonical`: "Russia", "Moscow", "России") form one group, which no other canonical actor joins ("Biden"
    is not "Hunter Biden").
    """
    names: list[set[str]] = []
    with_stem: dict[str, list[int]] = defaultdict(list)  # stem → the groups whose names hold it
    with_title: dict[str, int] = {}  # title → the latest group that holds it
    canonical_groups: dict[str, int] = {}
    groups = []
    for start, end in spans:
        words = [latin(token) for _, _, token in token_spans(text[start:end])]
        stems = {
            word[:STEM] for word in words if word not in TITLES and word not in CONNECTORS and word not in _ARTICLES
        }
        own_titles = {word for word in words if word in TITLES}
        group = -1
        identity = canonical(text[start:end])
        if identity:
            group = canonical_groups.get(identity.key, -1)
        elif stems:
            head = words[-1][:STEM]
            # Only groups that hold one of the mention's stems can match: look those up rather than scan every
            # group (mentions × groups would grow with the square of a long article's length).
            candidates = {g for stem in stems for g in with_stem.get(stem, ())}
            group = min(
                (
                    g
                    for g in candidates
                    if stems <= names[g] or (len(names[g]) == 1 and names[g] <= stems and head in names[g])
                ),
                default=-1,
            )
        elif own_titles:
            group = max((with_title[title] for title in own_titles if title in with_title), default=-1)
        if group < 0:
            names.append(set())
            group = len(names) - 1
        for stem in stems - names[group]:
            with_stem[stem].append(group)
        names[group] |= stems
        for title in own_titles:
            with_title[title] = max(with_title.get(title, -1), group)
        if identity:
            canonical_groups.setdefault(identity.key, group)
        groups.append(group)
    return groups


def actor_name(spellings: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """An actor's display name and its surface forms (most used first), from the spellings of its mentions.

    The name is the canonical one when a spelling has one ("Russia" for "России"), else the most used spelling,
    then the fullest.
    """
    counts = Counter(" ".join(spelling.split()) for spelling in spellings)
    forms = tuple(sorted(counts, key=lambda value: (-counts[value], -len(value), value)))
    names = [found.name for found in map(canonical, forms) if found]
    return (names[0] if names else forms[0]), forms
