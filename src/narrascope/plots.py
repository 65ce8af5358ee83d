"""Charts people would rather look at than read: narrative shares over time (PNG or SVG, matplotlib)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from narrascope.io.files import atomic_writer
from narrascope.store.trends import Period, TrendPoint, period_starts

#: Lines per chart: more than this is unreadable; the less frequent labels are left out.
MAX_LINES = 8
MAX_PANELS = 6
#: What the date axis says a point stands for.
AXIS_LABELS = {"day": "day", "week": "week (labelled by its Monday)", "month": "month", "year": "year"}
#: Colour of labels outside the taxonomy.
UNKNOWN_COLOUR = "#777777"


def plot_trends(
    points: Sequence[TrendPoint], out: str | Path, by: Period, title: str = "Narrative share over time"
) -> None:
    """Draw :func:`trend_figure` to a PNG or SVG file (written whole or not at all)."""
    figure = trend_figure(points, by, title)
    import matplotlib.pyplot as plt  # after trend_figure chose the backend

    out = Path(out)
    with atomic_writer(out, binary=True) as stream:
        figure.savefig(stream, format=out.suffix.lstrip(".").lower() or "png", dpi=110, bbox_inches="tight")
    plt.close(figure)


def trend_figure(points: Sequence[TrendPoint], by: Period, title: str = "Narrative share over time") -> Any:
    """Share of articles per label over time, ``by`` period; one panel per group (source or language) when split.

    Periods without articles break the lines (a straight line across years of nothing would invent a trend), the
    date axis has as many readable ticks as fit, and a label has the same colour in every panel and chart.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    totals: dict[str, int] = defaultdict(int)
    for point in points:
        totals[point.label] += point.count
    top = sorted(totals, key=lambda label: -totals[label])[:MAX_LINES]
    groups = sorted({point.group for point in points}, key=lambda g: -sum(p.count for p in points if p.group == g))
    groups = groups[:MAX_PANELS]
    periods = period_starts(min(p.period for p in points), max(p.period for p in points), by) if points else []
    colours = label_colours()
    figure, axes = plt.subplots(
        len(groups) or 1, 1, figsize=(11, 3.2 * max(len(groups), 1) + 1.2), squeeze=False, sharex=True
    )
    for axis, group in zip(axes[:, 0], groups, strict=False):
        shares = {(p.period, p.label): p.share for p in points if p.group == group}
        for label in top:
            line = [shares.get((period, label), math.nan) for period in periods]  # NaN: a gap in the line
            if not all(math.isnan(share) for share in line):
                axis.plot(periods, line, marker="o", markersize=3, color=colours.get(label, UNKNOWN_COLOUR))
        axis.set_ylabel("share of articles")
        axis.set_ylim(bottom=0)
        axis.grid(alpha=0.3)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        axis.xaxis.set_major_locator(locator)
        axis.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        if group:
            axis.set_title(group, loc="left", fontsize=10)
    axes[-1, 0].set_xlabel(AXIS_LABELS[by])
    legend = [Line2D([], [], marker="o", markersize=3, color=colours.get(label, UNKNOWN_COLOUR)) for label in top]
    axes[0, 0].legend(legend, top, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.suptitle(title)
    figure.tight_layout()
    return figure


@cache
def label_colours() -> dict[str, tuple[float, float, float]]:
    """One colour per label of the narrative taxonomy, the same in every panel and chart: narratives first, in
    taxonomy order, so each narrative has a colour of its own (40 colours for 22 narratives; sub-narratives reuse
    them)."""
    from matplotlib import colormaps

    from narrascope.taxonomy import narratives

    strong, light = colormaps["tab20"].colors[0::2], colormaps["tab20"].colors[1::2]
    palette = [*strong, *colormaps["tab20b"].colors, *light]
    taxonomy = narratives()
    labels = dict.fromkeys([*taxonomy.coarse, *taxonomy.fine])
    return {label: palette[number % len(palette)] for number, label in enumerate(labels)}
