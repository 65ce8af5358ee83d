"""Charts people would rather look at than read: narrative shares over time (PNG or SVG, matplotlib)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from narrascope.io.files import atomic_writer
from narrascope.store.trends import TrendPoint

#: Lines per chart: more than this is unreadable; the rest are summed into "other labels".
MAX_LINES = 8
MAX_PANELS = 6


def plot_trends(points: Sequence[TrendPoint], out: str | Path, title: str = "Narrative share over time") -> None:
    """Share of articles per label over time; one panel per group (source or language) when split."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    totals: dict[str, int] = defaultdict(int)
    for point in points:
        totals[point.label] += point.count
    top = sorted(totals, key=lambda label: -totals[label])[:MAX_LINES]
    groups = sorted({point.group for point in points}, key=lambda g: -sum(p.count for p in points if p.group == g))
    groups = groups[:MAX_PANELS]
    figure, axes = plt.subplots(
        len(groups) or 1, 1, figsize=(11, 3.2 * max(len(groups), 1) + 1.2), squeeze=False, sharex=True
    )
    for axis, group in zip(axes[:, 0], groups, strict=False):
        for label in top:
            series = sorted((p.period, p.share) for p in points if p.group == group and p.label == label)
            if series:
                axis.plot([x for x, _ in series], [y for _, y in series], marker="o", markersize=3, label=label)
        axis.set_ylabel("share of articles")
        axis.set_ylim(bottom=0)
        axis.grid(alpha=0.3)
        if group:
            axis.set_title(group, loc="left", fontsize=10)
    axes[0, 0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.suptitle(title)
    figure.autofmt_xdate()
    figure.tight_layout()
    with atomic_writer(out, binary=True) as stream:
        figure.savefig(stream, format=out.suffix.lstrip(".").lower() or "png", dpi=110, bbox_inches="tight")
    plt.close(figure)
