"""How the outlets of one story frame it: their articles side by side, rows aligned by actor and by label.

A column is one outlet: its articles of the story taken together (a narrative at its highest confidence, an actor
in the role of the article that names it most, techniques counted over all). Outlets disagree on an actor when
columns that name it cast it in different main roles, and on a narrative when some columns carry it and others
do not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from narrascope.document import Analysis
from narrascope.tasks.entities.canonical import actor_key, display_name

#: Columns of the comparison: more outlets than this are left out (the ones with fewest articles, then by name).
MAX_COLUMNS = 6


def outlet_of(analysis: Analysis) -> str:
    """The column of an article: its outlet; an article without one is a column of its own (a folder of SemEval
    files has no outlets, and one "unknown" column would hide every difference between them)."""
    article = analysis.article
    return article.source or f"{article.id} ({analysis.language or 'language unknown'})"


def same_actor(name: str) -> str:
    """The key under which actors of different articles are one row: the canonical actor (issue 17), so "Россия",
    "Russia" and "Moscow" meet. The one place to change how actors are matched across articles."""
    return actor_key(name)


@dataclass(frozen=True, slots=True)
class Role:
    main: str
    fine: tuple[str, ...]
    mentions: int


@dataclass
class Column:
    outlet: str
    articles: list[tuple[int, Analysis]]  # row number, analysis
    narratives: dict[str, float] = field(default_factory=dict)  # name → highest confidence
    roles: dict[str, Role] = field(default_factory=dict)  # actor key → role in the article naming it most
    techniques: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class Row:
    """One actor or label across the columns; ``cells[i]`` is column i's value (None: not there)."""

    key: str
    name: str
    cells: tuple[Role | float | int | None, ...]
    disagree: bool


@dataclass(frozen=True, slots=True)
class Comparison:
    columns: list[Column]
    actors: list[Row]
    narratives: list[Row]
    techniques: list[Row]
    left_out: int  # outlets beyond MAX_COLUMNS


def compare(articles: Sequence[tuple[int, Analysis]]) -> Comparison:
    """The comparison of a story's analysed articles (row number, analysis), by outlet."""
    by_outlet: dict[str, list[tuple[int, Analysis]]] = {}
    for pk, analysis in articles:
        by_outlet.setdefault(outlet_of(analysis), []).append((pk, analysis))
    chosen = sorted(by_outlet, key=lambda outlet: (-len(by_outlet[outlet]), outlet))[:MAX_COLUMNS]
    columns = [_column(outlet, by_outlet[outlet]) for outlet in chosen]
    names: dict[str, str] = {}
    for column in columns:
        for _, analysis in column.articles:
            for actor in analysis.actors:
                names.setdefault(same_actor(actor.name), display_name(actor.name))
    actors = []
    for key, name in names.items():
        cells = tuple(column.roles.get(key) for column in columns)
        actors.append(Row(key, name, cells, len({cell.main for cell in cells if cell is not None}) > 1))
    actors.sort(key=lambda row: (-sum(cell is not None for cell in row.cells), -_mentions(row), row.name))
    return Comparison(
        columns=columns,
        actors=actors,
        narratives=_label_rows([column.narratives for column in columns], flag_partial=True),
        techniques=_label_rows([column.techniques for column in columns], flag_partial=False),
        left_out=len(by_outlet) - len(chosen),
    )


def _column(outlet: str, articles: list[tuple[int, Analysis]]) -> Column:
    column = Column(outlet, articles)
    for _, analysis in articles:
        for label in analysis.narratives:
            column.narratives[label.name] = max(label.confidence, column.narratives.get(label.name, 0.0))
        for actor in analysis.actors:
            key = same_actor(actor.name)
            role = Role(actor.main_role.name, tuple(label.name for label in actor.fine_roles), len(actor.mentions))
            if key not in column.roles or role.mentions > column.roles[key].mentions:
                column.roles[key] = role
        column.techniques.update(label.name for label in analysis.techniques)
    return column


def _mentions(row: Row) -> int:
    return sum(cell.mentions for cell in row.cells if isinstance(cell, Role))


def _label_rows(per_column: list[dict[str, float] | Counter[str]], flag_partial: bool) -> list[Row]:
    """Rows of labels, the ones most columns carry first; ``flag_partial``: a label only some columns carry is a
    disagreement."""
    names = sorted({name for values in per_column for name in values})
    rows = []
    for name in names:
        cells = tuple(values.get(name) for values in per_column)
        present = sum(cell is not None for cell in cells)
        rows.append(Row(name, name, cells, flag_partial and 0 < present < len(cells)))
    rows.sort(key=lambda row: (-sum(cell is not None for cell in row.cells), -sum(c or 0 for c in row.cells), row.name))
    return rows
