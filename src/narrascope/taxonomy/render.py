"""A taxonomy as a readable tree for the terminal."""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from narrascope.taxonomy import Taxonomy


def render_taxonomy(taxonomy: Taxonomy) -> Tree:
    tree = Tree(Text(f"{taxonomy.name}: {len(taxonomy.coarse)} labels, {len(taxonomy.fine)} fine labels", "bold"))
    for label in taxonomy.coarse:
        node = tree.add(Text(label, "bold").append(f" — {taxonomy.description(label)}", "dim"))
        for child in taxonomy.children(label):
            node.add(Text(taxonomy.short_name(child)).append(f" — {taxonomy.description(child)}", "dim"))
    return tree
