"""Readable terminal reports of analyses (rich renders colour on a terminal and plain text in a pipe)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
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
    header.append("\n" + " · ".join(details), style="dim")

    tree = Tree(Text("Narratives", style="bold"))
    children: dict[str, list[Label]] = {}
    for label in analysis.subnarratives:
        children.setdefault(taxonomy.parent(label.name) or label.name, []).append(label)
    for narrative in analysis.narratives:
        node = tree.add(_label_line(narrative.name, narrative.confidence, "bold"))
        if narrative.name == taxonomy.other:
            node.add(Text("No narrative of the taxonomy found.", style="dim"))
            continue
        for sub in children.get(narrative.name, []):
            name = taxonomy.short_name(sub.name)
            if sub.name.endswith(": Other"):
                name = "Other (none of the listed sub-narratives)"
            sub_node = node.add(_label_line(name, sub.confidence, ""))
            for span in sub.evidence:
                sub_node.add(Text(quote(span), style="italic"))
    return Panel(Group(header, Text(""), tree), expand=True)


def _label_line(name: str, confidence: float, style: str) -> Text:
    line = Text(confidence_bar(confidence) + "  ", style="cyan")
    line.append(name, style=style)
    return line


def print_analysis(console: Console, analysis: Analysis) -> None:
    console.print(render_analysis(analysis))
