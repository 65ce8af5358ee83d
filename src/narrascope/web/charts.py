"""Server-rendered SVG line charts (no JavaScript, no external assets): narrative shares over time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date

from markupsafe import Markup, escape

from narrascope.store.trends import TrendPoint

#: Colour-blind-safe palette (Okabe–Ito), readable on white; ``.swatch-<i>`` in app.css uses the same colours.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999")
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 760, 260, 44, 12, 12, 28


#: One colour per main role: the text colours of the role pills (``--pro``, ``--ant``, ``--inn`` in app.css).
ROLE_COLOURS = {"Protagonist": "#0f6b3a", "Antagonist": "#9b1c1c", "Innocent": "#1d4f91"}


def share_chart(points: Sequence[TrendPoint], link: Callable[[str], str], lines: int = 6) -> Markup:
    """Shares of the ``lines`` most frequent labels over time, with a legend of links (``link(label)``)."""
    totals: dict[str, int] = defaultdict(int)
    series: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for point in points:
        totals[point.label] += point.count
        series[point.label].append((point.period, point.share))
    labels = [label for label in sorted(totals, key=lambda name: -totals[name]) if totals[label]][:lines]
    if not labels or not points:
        return Markup('<p class="muted">No analysed articles yet.</p>')
    top = max(max(share for _, share in series[label]) for label in labels) or 1.0
    top = min(1.0, round(top + 0.05, 1))
    chosen = {label: series[label] for label in labels}
    parts = _line_chart(
        chosen, dict(zip(labels, PALETTE, strict=False)), top, "Share of articles per narrative over time"
    )
    legend = ['<ul class="legend">']
    for number, label in enumerate(labels):
        legend.append(
            f'<li><span class="swatch swatch-{number}" aria-hidden="true"></span>'
            f'<a href="{escape(link(label))}">{escape(label)}</a> <span class="muted">({totals[label]})</span></li>'
        )
    legend.append("</ul>")
    # every text piece above went through escape()
    return Markup(parts + "".join(legend))  # nosec B704


def role_chart(periods: Sequence[tuple[date, dict[str, int]]], title: str) -> Markup:
    """Articles casting an actor in each main role per period (first day → role → count): one line per role, in
    its pill colour."""
    if not periods or not any(sum(roles.values()) for _, roles in periods):
        return Markup('<p class="muted">No dated articles.</p>')
    series = {role: [(start, float(roles.get(role, 0))) for start, roles in periods] for role in ROLE_COLOURS}
    highest = max(count for points in series.values() for _, count in points)
    top = max(2, int(highest) + int(highest) % 2)  # even, so that the middle grid line is a whole number
    # escaped inside _line_chart
    return Markup(_line_chart(series, ROLE_COLOURS, top, title, percent=False))  # nosec B704


def _line_chart(
    series: dict[str, list[tuple[date, float]]], colours: dict[str, str], top: float, title: str, percent: bool = True
) -> str:
    """An SVG of one line per series (dates proportional to time, values 0 to ``top``), each point with a
    tooltip; labels and title escaped. ``percent``: values are shares, else counts."""
    periods = sorted({period for points in series.values() for period, _ in points})
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = (periods[-1] - periods[0]).days

    def x(period: date) -> float:  # proportional to time: a gap of months does not look like one week
        if not span:
            return LEFT + plot_width / 2
        return LEFT + plot_width * (period - periods[0]).days / span

    def y(value: float) -> float:
        return TOP + plot_height * (1 - value / top)

    def shown(value: float) -> str:
        return f"{value:.0%}" if percent else f"{value:.0f}"

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    for tick in (0.0, top / 2, top):
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{shown(tick)}</text>')
    ends = ((periods[0], "start"), (periods[-1], "end")) if len(periods) > 1 else ((periods[0], "middle"),)
    for period, anchor in ends:  # the end labels run inwards, so the last date is not clipped
        position = f'x="{x(period):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}"'
        parts.append(f'<text class="axis" {position}>{period.isoformat()}</text>')
    for label, points in series.items():
        colour, name = colours[label], escape(label)
        coordinates = " ".join(f"{x(period):.1f},{y(value):.1f}" for period, value in sorted(points))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coordinates}">')
        parts.append(f"<title>{name}</title></polyline>")
        for period, value in sorted(points):
            parts.append(f'<circle cx="{x(period):.1f}" cy="{y(value):.1f}" r="3" fill="{colour}">')
            parts.append(f"<title>{name}: {shown(value)} ({period.isoformat()})</title></circle>")
    parts.append("</svg>")
    return "".join(parts)
