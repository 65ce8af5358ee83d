"""The article text as HTML with its evidence sentences and actor mentions marked — every character escaped.

The text is cut at every span boundary; each piece is escaped and wrapped in the markup of the spans covering it:
``<span data-ev="n0 s1 t2">`` for evidence of narrative 0 / sub-narrative 1 / technique group 2 (the page's script
shows a label's evidence on click; a technique span is underlined and names its technique in a tooltip),
``<mark class="role-…">`` for an actor mention with its roles in a tooltip. A mention is coloured by its actor's role
in the article, the role the actors table shows; a sentence that reads the actor otherwise says so in the tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from markupsafe import Markup, escape

from narrascope.document import Actor, Analysis, Mention
from narrascope.report import strongest_by_technique

ROLE_CLASSES = {"Protagonist": "role-protagonist", "Antagonist": "role-antagonist", "Innocent": "role-innocent"}


def technique_groups(analysis: Analysis) -> list[tuple[str, int]]:
    """The techniques found, most frequent first, with their span counts; ``t<i>`` ids follow this order."""
    return [(name, count) for name, count, _ in strongest_by_technique(analysis.techniques)]


def technique_title(name: str) -> str:
    """How a technique reads on the page: ``Name_Calling-Labeling`` → ``Name Calling / Labeling``."""
    return name.replace("_", " ").replace("-", " / ")


def evidence_ids(analysis: Analysis) -> dict[tuple[int, int], list[str]]:
    """Span → ids of the labels it supports (``n<i>`` narratives, ``s<i>`` sub-narratives, ``t<i>`` techniques)."""
    found: dict[tuple[int, int], list[str]] = {}
    for prefix, labels in (("n", analysis.narratives), ("s", analysis.subnarratives)):
        for index, label in enumerate(labels):
            for span in label.evidence:
                found.setdefault((span.start, span.end), []).append(f"{prefix}{index}")
    group = {name: index for index, (name, _) in enumerate(technique_groups(analysis))}
    for label in analysis.techniques:
        for span in label.evidence:
            found.setdefault((span.start, span.end), []).append(f"t{group[label.name]}")
    return found


def mention_title(mention: Mention, actor: Actor | None = None) -> str:
    """The tooltip of a mention: its actor's role (when known), then the role this mention's sentence reads."""
    fine = ", ".join(f"{label.name} ({label.confidence:.2f})" for label in mention.fine_roles)
    own = f"{mention.main_role.name} ({mention.main_role.confidence:.2f})" + (f" — {fine}" if fine else "")
    if actor is None:
        return own
    overall = f"{actor.main_role.name} ({actor.main_role.confidence:.2f}): {actor.name}'s role in this article"
    return overall if mention.main_role.name == actor.main_role.name else f"{overall}; this sentence: {own}"


def mention_role(analysis: Analysis, mention: Mention) -> tuple[str, Actor | None]:
    """The role a mention is coloured by, and its actor: the actor's role, as in the actors table (a mention
    whose actor is missing keeps its own)."""
    actor = analysis.actors[mention.actor] if 0 <= mention.actor < len(analysis.actors) else None
    return (actor.main_role.name if actor else mention.main_role.name), actor


def article_html(analysis: Analysis) -> Markup:
    """The whole article text, escaped, with evidence and mentions marked; newlines become line breaks."""
    text = analysis.article.text
    evidence = evidence_ids(analysis)
    groups = technique_groups(analysis)
    mentions: Sequence[Mention] = sorted(analysis.mentions, key=lambda mention: mention.span.start)
    cuts = {0, len(text)}
    for start, end in evidence:
        cuts.update((start, end))
    for mention in mentions:
        cuts.update((mention.span.start, mention.span.end))
    cuts.update(index for index, char in enumerate(text) if char == "\n")
    cuts.update(index + 1 for index, char in enumerate(text) if char == "\n")
    points = sorted(cut for cut in cuts if 0 <= cut <= len(text))
    pieces: list[str] = []
    mention_index = 0
    for start, end in pairwise(points):
        piece = text[start:end]
        if piece == "\n":
            pieces.append("<br>")
            continue
        while mention_index < len(mentions) and mentions[mention_index].span.end <= start:
            mention_index += 1
        html = str(escape(piece))
        mention = mentions[mention_index] if mention_index < len(mentions) else None
        if mention is not None and mention.span.start <= start and end <= mention.span.end:
            role, actor = mention_role(analysis, mention)
            html = (
                f'<mark class="mention {ROLE_CLASSES.get(role, "role-other")}" tabindex="0" '
                f'data-actor="{mention.actor}" title="{escape(mention_title(mention, actor))}">{html}</mark>'
            )
        ids = sorted({i for (a, b), labels in evidence.items() if a <= start and end <= b for i in labels})
        if ids:
            names = [technique_title(groups[int(i[1:])][0]) for i in ids if i.startswith("t")]
            marks = f'class="evidence technique" title="{escape(", ".join(names))}"' if names else 'class="evidence"'
            html = f'<span {marks} data-ev="{" ".join(ids)}">{html}</span>'
        pieces.append(html)
    # every piece of article text went through escape()
    return Markup("".join(pieces))  # nosec B704
