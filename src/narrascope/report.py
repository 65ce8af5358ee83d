"""Readable terminal reports of analyses (rich renders colour on a terminal and plain text in a pipe)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from narrascope.document import Analysis, Label, Span
from narrascope.taxonomy import narratives as narrative_taxonomy

QUOTE_CHARS = 220
_BAR_WIDTH = 10


def confidence_bar(confidence: float) -> str:
    """``███████░░░ 0.72``: a bar readable without colour."""
    filled = round(max(0.0, min(1.0, confidence)) * _BAR_WIDTH)
    return "█" * filled + "░" * (_BAR_WIDTH - filled) + f" {confidence:.2f}"


def quote(span: Span, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(span.text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f"“{text}” [{span.start}:{span.end}]"


#: Spans quoted per technique in a report.
SPANS_PER_TECHNIQUE = 2


def strongest_by_technique(
    techniques: Sequence[Label], per: int = SPANS_PER_TECHNIQUE
) -> list[tuple[str, int, list[Label]]]:
    """Each technique found (most spans first), its span count and its ``per`` most confident spans: every
    technique gets its quotes, not only the few that top one overall ranking."""
    grouped: dict[str, list[Label]] = {}
    for label in techniques:
        grouped.setdefault(label.name, []).append(label)
    ranked = sorted(grouped.items(), key=lambda item: (-len(item[1]), item[0]))
    return [(name, len(labels), sorted(labels, key=lambda label: -label.confidence)[:per]) for name, labels in ranked]


def render_analysis(analysis: Analysis) -> Panel:
    """One article: header, then narratives with their sub-narratives and evidence quotes."""
    article = analysis.article
    taxonomy = narrative_taxonomy()
    header = Text()
    header.append(article.title or "(untitled)", style="bold")
    details = [f"id {article.id}", f"language {analysis.language or 'unknown'}"]
    if article.source:
        details.append(f"source {article.source}")
    if article.published:
        details.append(f"published {article.published.isoformat()}")
    details.append(f"{analysis.engine} engine")
    header.append("\n" + " · ".join(details), style="dim")
    scope = analysis.scope
    if scope is not None and not scope.language_supported:
        header.append(
            f"\nLanguage {analysis.language or 'unknown'} is not one narrascope was trained on (en, bg, hi, pt, ru): "
            "treat every label below with caution.",
            style="yellow",
        )

    tree = Tree(Text("Narratives", style="bold"))
    if scope is not None and not scope.on_topic:
        tree.add(
            Text(
                f"Not about the war in Ukraine or climate change (on-topic confidence {scope.confidence:.2f}): "
                "no narrative applies.",
                style="dim",
            )
        )
    for narrative, children in analysis.narrative_tree():
        node = tree.add(_label_line(narrative.name, narrative.confidence, "bold"))
        if narrative.name == taxonomy.other:
            node.add(Text("No narrative of the taxonomy found.", style="dim"))
            continue
        for _, sub in children:
            name = taxonomy.short_name(sub.name)
            if sub.name.endswith(": Other"):
                name = "Other (none of the listed sub-narratives)"
            sub_node = node.add(_label_line(name, sub.confidence, ""))
            for span in sub.evidence:
                sub_node.add(Text(quote(span), style="italic"))
    parts = [header, Text(""), tree]
    if analysis.explanation:
        written = f", written in {analysis.explanation.language}" if analysis.explanation.language else ""
        explanation = Text(f"Why ({analysis.explanation.engine} engine{written}): ", style="bold")
        explanation.append(analysis.explanation.text)
        parts += [Text(""), explanation]
    if analysis.techniques:
        groups = strongest_by_technique(analysis.techniques)
        line = Text("Persuasion techniques: ", style="bold")
        line.append(", ".join(f"{name} ×{count}" for name, count, _ in groups))
        parts += [Text(""), line]
        for name, _, strongest in groups:
            parts += [
                Text(f"  {name}:", style="bold"),
                *(Text(f"    {quote(label.evidence[0], 160)}") for label in strongest),
            ]
    if analysis.genre or analysis.frames:
        framing = Text("Genre and frames (experimental): ", style="bold")
        if analysis.genre:
            framing.append(f"{analysis.genre.name} ({analysis.genre.confidence:.2f})")
        if analysis.frames:
            framing.append(" · " + ", ".join(label.name for label in analysis.frames))
        parts += [Text(""), framing]
    if analysis.actors:
        parts += [Text(""), actors_table(analysis)]
    return Panel(Group(*parts), expand=True)


#: Actors listed in a report, most mentioned first.
MAX_ACTORS = 12
_ROLE_STYLES = {"Protagonist": "green", "Antagonist": "red", "Innocent": "blue"}


def actors_table(analysis: Analysis) -> Table:
    """Actors with their other names, overall role, fine roles and how often the article names them."""
    ranked = sorted(
        analysis.actors, key=lambda actor: (-len(actor.mentions), actor.mentions[0] if actor.mentions else 0)
    )
    table = Table(title="Actors and roles", title_justify="left", title_style="bold", expand=False)
    table.add_column("actor")
    table.add_column("role")
    table.add_column("fine roles")
    table.add_column("mentions", justify="right")
    for actor in ranked[:MAX_ACTORS]:
        role = Text(
            f"{actor.main_role.name} {actor.main_role.confidence:.2f}", style=_ROLE_STYLES.get(actor.main_role.name, "")
        )
        fine = ", ".join(f"{label.name} ({label.confidence:.0%})" for label in actor.fine_roles)
        name = Text(actor.name)
        if actor.other_names:  # the words of the text the canonical name stands for: "United Kingdom (London)"
            name.append(f" ({', '.join(actor.other_names)})", style="dim")
        table.add_row(name, role, fine, str(len(actor.mentions)))
    if len(ranked) > MAX_ACTORS:
        table.caption = f"{len(ranked) - MAX_ACTORS} more actor(s) in --format json"
    return table


def _label_line(name: str, confidence: float, style: str) -> Text:
    line = Text(confidence_bar(confidence) + "  ", style="cyan")
    line.append(name, style=style)
    return line


def print_analysis(console: Console, analysis: Analysis) -> None:
    console.print(render_analysis(analysis))
