"""The progress charts as drawn: a missing night is a gap in the line, not a slope across it;
colours are the drawing's own, so they survive where no style sheet reaches (the PDF)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from anmian.web.diary.charts import line_chart

START = date(2026, 11, 1)


def nights(*days: int) -> list[tuple[date, float]]:
    return [(START + timedelta(days=d), 5.0) for d in days]


def subpaths(svg: str) -> int:
    line = re.search(r'<path d="([^"]*)" class="line"', svg)
    return line.group(1).count("M") if line else 0


def test_consecutive_nights_are_one_line():
    assert subpaths(line_chart("t", "T", nights(0, 1, 2, 3), (0, 10), "y")) == 1


def test_a_missing_night_breaks_the_line_in_two():
    svg = line_chart("t", "T", nights(0, 1, 2, 4, 5), (0, 10), "y")
    assert subpaths(svg) == 2
    assert "breaks at 1 gap" in svg  # the description read aloud says so too


def test_a_lone_night_between_gaps_is_still_shown_as_a_dot():
    many = [d for d in range(200) if d != 99 and d != 101]  # night 100 stands alone
    svg = line_chart("t", "T", nights(*many), (0, 10), "y")
    assert subpaths(svg) == 2  # 0-98 and 102-199; night 100 has no neighbour to join
    assert svg.count('class="dot"') == 1


def test_weekly_values_a_week_apart_are_joined():
    weeks = [(START + timedelta(weeks=w), 50.0) for w in range(4)]
    assert subpaths(line_chart("t", "T", weeks, (0, 100), "%", gap_days=7)) == 1


def test_every_shape_carries_its_own_fill_or_stroke():
    svg = line_chart("t", "T", nights(0, 1, 2), (0, 10), "y", markers=[START])
    for shape in re.findall(r"<(?:rect|path|line|circle|text)\b[^>]*>", svg):
        assert "fill=" in shape or "stroke=" in shape, shape
    assert 'class="plot" fill="#ffffff"' in svg  # an unfilled rect would print black
