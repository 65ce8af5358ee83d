"""Two-level label taxonomies (narratives → sub-narratives, main roles → fine roles) shipped as JSON data.

>>> from narrascope.taxonomy import narratives
>>> tax = narratives()
>>> tax.parent("URW: Discrediting Ukraine: Ukraine is a puppet of the West")
'URW: Discrediting Ukraine'
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """Labels of two levels with descriptions; ``other`` is the label for "none of these" (or ``None``)."""

    name: str
    other: str | None
    coarse: tuple[str, ...]
    fine: tuple[str, ...]
    scored_fine: frozenset[str]
    _parents: dict[str, str]
    _descriptions: dict[str, str]
    _domains: dict[str, str]

    @classmethod
    def from_json(cls, data: dict) -> Taxonomy:
        coarse, fine, parents, descriptions, domains, scored = [], [], {}, {}, {}, set()
        for node in data["labels"]:
            coarse.append(node["label"])
            descriptions[node["label"]] = node["description"]
            if node.get("domain"):
                domains[node["label"]] = node["domain"]
            for child in node["children"]:
                fine.append(child["label"])
                parents[child["label"]] = node["label"]
                descriptions[child["label"]] = child["description"]
                if child.get("scored", True):
                    scored.add(child["label"])
        other = data.get("other")
        if other:
            coarse.append(other)
            fine.append(other)
            scored.add(other)
            descriptions[other] = "None of the narratives of the taxonomy."
        return cls(data["name"], other, tuple(coarse), tuple(fine), frozenset(scored), parents, descriptions, domains)

    def parent(self, label: str) -> str | None:
        """The coarse label of a fine one (``None`` for coarse labels and ``Other``)."""
        return self._parents.get(label)

    def children(self, label: str) -> tuple[str, ...]:
        """The fine labels under a coarse one, in taxonomy order."""
        return tuple(fine for fine in self.fine if self._parents.get(fine) == label)

    def description(self, label: str) -> str:
        return self._descriptions[label]

    def domain(self, label: str) -> str | None:
        """The domain code (``URW``, ``CC``) of a coarse or fine label."""
        return self._domains.get(self._parents.get(label, label))

    def short_name(self, label: str) -> str:
        """The last segment of a label: ``Ukraine is a puppet of the West`` for the full fine label."""
        parent = self._parents.get(label)
        if parent and label.startswith(parent + ": "):
            return label[len(parent) + 2 :]
        return label if parent else label.split(": ", 1)[-1]

    def other_child(self, label: str) -> str | None:
        """The ``<narrative>: Other`` fine label of a coarse one, if the taxonomy has it."""
        candidate = f"{label}: Other"
        return candidate if candidate in self._parents else None

    def resolve(self, name: str) -> str:
        """The label a user means: the exact name, else the one label whose name ends with or contains ``name``
        (case-insensitive), so ``"puppet of the west"`` finds the full sub-narrative. A label's name means the label,
        not its children too (whose full names start with it): ``"Climate Fears"`` is the narrative. ValueError if
        none or several.
        """
        labels = (*self.coarse, *(label for label in self.fine if label not in self.coarse))
        if name in labels:
            return name
        wanted = name.casefold().strip()
        for matches in (
            [label for label in labels if label.casefold() == wanted or self.short_name(label).casefold() == wanted],
            [label for label in labels if wanted in label.casefold()],
        ):
            matches = [label for label in matches if self._parents.get(label) not in matches]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                shown = "; ".join(matches[:4]) + (" …" if len(matches) > 4 else "")
                raise ValueError(f"{name!r} matches {len(matches)} labels ({shown}); give more of the name")
        raise ValueError(f"{name!r} is not a label of the {self.name} taxonomy (see `narrascope taxonomy {self.name}`)")

    def consistent(self, coarse: Iterable[str], fine: Iterable[str]) -> tuple[list[str], list[str]]:
        """Labels repaired to obey the taxonomy, order kept.

        A fine label implies its coarse label; a coarse label without any fine label gets its ``X: Other``;
        ``Other`` stands alone and only when nothing else is left.
        """
        fine_labels = [label for label in dict.fromkeys(fine) if label != self.other]
        coarse_labels = [label for label in dict.fromkeys(coarse) if label != self.other]
        for label in fine_labels:
            parent = self._parents.get(label)
            if parent and parent not in coarse_labels:
                coarse_labels.append(parent)
        covered = {self._parents.get(label) for label in fine_labels}
        for label in coarse_labels:
            if label not in covered:
                other = self.other_child(label)
                if other:
                    fine_labels.append(other)
        if not coarse_labels and self.other:
            return [self.other], [self.other]
        return coarse_labels, fine_labels


@cache
def load(name: str) -> Taxonomy:
    """A shipped taxonomy by name: ``narratives`` or ``roles``."""
    source = resources.files(__package__).joinpath(f"{name}.json")
    return Taxonomy.from_json(json.loads(source.read_text(encoding="utf-8")))


def narratives() -> Taxonomy:
    """The SemEval-2025 Task 10 narrative taxonomy (URW and CC)."""
    return load("narratives")


def roles() -> Taxonomy:
    """The SemEval-2025 Task 10 entity-framing roles (main role → fine-grained roles)."""
    return load("roles")


def techniques() -> Taxonomy:
    """The SemEval-2023 Task 3 persuasion techniques (6 groups → 23 techniques)."""
    return load("techniques")
