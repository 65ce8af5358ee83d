"""The actor–role graph of a story as server-rendered SVG: outlets on the left, actors on the right, an edge for
each outlet that names an actor, coloured by the role it casts the actor in. An actor the outlets agree on takes
that role's colour; one they disagree on is drawn hollow with a dashed ring."""

from __future__ import annotations

from markupsafe import Markup, escape

from narrascope.similarity.framing import Comparison, Role

#: The role colours of the pages (app.css: --pro, --ant, --inn), grey for other roles.
ROLE_COLOURS = {"Protagonist": "#0f6b3a", "Antagonist": "#9b1c1c", "Innocent": "#1d4f91"}
OTHER_COLOUR = "#777777"
WIDTH, ROW, TOP, OUTLET_X, ACTOR_X, RADIUS = 760, 34, 24, 170, 520, 9
#: Actors drawn: the ones most outlets name.
MAX_ACTORS = 14


def actor_role_graph(comparison: Comparison) -> Markup:
    actors = comparison.actors[:MAX_ACTORS]
    if not actors:
        return Markup('<p class="muted">No actors named in these articles.</p>')
    outlets = [column.outlet for column in comparison.columns]
    height = TOP * 2 + ROW * max(len(outlets), len(actors))

    def outlet_y(i: int) -> float:
        return TOP + ROW * (i + 0.5) + (ROW * (len(actors) - len(outlets)) / 2 if len(actors) > len(outlets) else 0)

    def actor_y(j: int) -> float:
        return TOP + ROW * (j + 0.5) + (ROW * (len(outlets) - len(actors)) / 2 if len(outlets) > len(actors) else 0)

    parts = [
        f'<svg class="chart story-graph" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="graph-title">',
        '<title id="graph-title">Actors and the roles each outlet casts them in</title>',
    ]
    for j, row in enumerate(actors):
        for i, cell in enumerate(row.cells):
            if isinstance(cell, Role):
                colour = ROLE_COLOURS.get(cell.main, OTHER_COLOUR)
                parts.append(
                    f'<line class="edge" x1="{OUTLET_X}" y1="{outlet_y(i):.1f}" x2="{ACTOR_X}" y2="{actor_y(j):.1f}" '
                    f'stroke="{colour}" stroke-width="2" data-role="{escape(cell.main)}">'
                    f"<title>{escape(outlets[i])}: {escape(row.name)} as {escape(cell.main)}</title></line>"
                )
    for i, outlet in enumerate(outlets):
        y = outlet_y(i)
        parts.append(f'<rect x="{OUTLET_X - 6}" y="{y - 6:.1f}" width="12" height="12" fill="#333"/>')
        parts.append(f'<text x="{OUTLET_X - 14}" y="{y + 4:.1f}" text-anchor="end">{escape(outlet)}</text>')
    for j, row in enumerate(actors):
        y = actor_y(j)
        roles = {cell.main for cell in row.cells if isinstance(cell, Role)}
        name = escape(row.name)
        if row.disagree:
            circle = f'fill="#fff" stroke="{ROLE_COLOURS["Antagonist"]}" stroke-width="3" stroke-dasharray="4 2"'
            summary = "outlets disagree: " + ", ".join(sorted(roles))
        else:
            circle = f'fill="{ROLE_COLOURS.get(next(iter(roles)), OTHER_COLOUR)}"'
            summary = next(iter(roles))
        parts.append(
            f'<circle class="actor{" disputed" if row.disagree else ""}" cx="{ACTOR_X}" cy="{y:.1f}" r="{RADIUS}" '
            f"{circle}><title>{name}: {escape(summary)}</title></circle>"
        )
        parts.append(f'<text x="{ACTOR_X + 16}" y="{y + 4:.1f}">{name}</text>')
    parts.append("</svg>")
    # Every text piece above went through escape().
    return Markup("".join(parts))  # nosec B704
