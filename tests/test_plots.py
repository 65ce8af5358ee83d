"""The trends chart: its bucket, gaps, date axis and colours."""

from __future__ import annotations

import math
from datetime import date

import pytest

from narrascope.plots import label_colours, plot_trends, trend_figure
from narrascope.store.trends import TrendPoint, period_for, period_starts

FEARS = "URW: Amplifying war-related fears"
BLAME = "URW: Blaming the war on others rather than the invader"


@pytest.mark.parametrize(
    ("last", "bucket"),
    [(date(2024, 3, 31), "day"), (date(2025, 6, 1), "week"), (date(2030, 1, 1), "month"), (date(2044, 1, 1), "year")],
)
def test_the_bucket_follows_the_span_of_dates(last, bucket):
    assert period_for(date(2024, 1, 1), last) == bucket


def test_period_starts_cover_the_range_across_month_and_year_ends():
    assert period_starts(date(2024, 11, 15), date(2025, 2, 3), "month") == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]
    assert period_starts(date(2023, 12, 31), date(2024, 1, 8), "week") == [
        date(2023, 12, 25),
        date(2024, 1, 1),
        date(2024, 1, 8),
    ]
    assert period_starts(date(2019, 7, 1), date(2021, 1, 1), "year") == [
        date(2019, 1, 1),
        date(2020, 1, 1),
        date(2021, 1, 1),
    ]


def _points(group: str, years: list[int], labels: tuple[str, ...]) -> list[TrendPoint]:
    return [TrendPoint(date(year, 1, 1), group, label, 1, 4) for year in years for label in labels]


def test_the_chart_breaks_lines_at_missing_periods_labels_its_axis_and_keeps_colours(tmp_path):
    # Two sources; the second has no articles from 2006 to 2019 and never carries FEARS.
    points = _points("daily", [2004, 2005, 2020, 2021], (FEARS, BLAME)) + _points("weekly", [2004, 2020], (BLAME,))
    figure = trend_figure(points, "year")
    daily, weekly = figure.axes
    blame, fears = daily.get_lines()  # the most frequent first
    assert [math.isnan(y) for y in fears.get_ydata()] == [False, False] + [True] * 14 + [False, False]
    assert sum(not math.isnan(y) for y in weekly.get_lines()[0].get_ydata()) == 2
    assert blame.get_color() == weekly.get_lines()[0].get_color() == label_colours()[BLAME] != fears.get_color()
    figure.canvas.draw()
    ticks = [label.get_text() for label in weekly.get_xticklabels() if label.get_text()]
    assert len(ticks) >= 4 and "2010" in ticks  # not only the first and the last date
    assert [text.get_text() for text in daily.get_legend().get_texts()] == [BLAME, FEARS]
    assert "Monday" in trend_figure(points, "week").axes[-1].get_xlabel()
    out = tmp_path / "chart.svg"
    plot_trends(points, out, "year")
    assert out.read_text(encoding="utf-8").startswith("<?xml")


def test_every_narrative_has_a_colour_of_its_own():
    from narrascope.taxonomy import narratives

    colours = label_colours()
    assert len({colours[label] for label in narratives().coarse}) == len(narratives().coarse)
