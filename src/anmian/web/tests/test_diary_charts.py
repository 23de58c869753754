"""The progress charts as drawn: a missing night is a gap in the line, not a slope across it;
colours are the drawing's own, so they survive where no style sheet reaches (the PDF)."""

from __future__ import annotations

import math
import random
import re
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.utils import translation

from anmian.web.diary.charts import line_chart, line_path

START = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _english():
    # pytest-django runs the database tests first, and a Chinese report test can leave its
    # language active: the descriptions read here are the English ones
    with translation.override("en"):
        yield


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


# --- the line drawn through its columns' extremes (charts.envelope) ---

DAY0 = date(2021, 1, 1)


def line_points(svg: str) -> list[list[tuple[float, float]]]:
    """The line's subpaths as (x, y) vertices, read back from its "M x,y L x,y ..." path."""
    d = re.search(r'<path d="([^"]*)" class="line"', svg)
    out: list[list[tuple[float, float]]] = []
    for letter, x, y in re.findall(r"([ML])([-\d.]+),([-\d.]+)", d.group(1) if d else ""):
        if letter == "M":
            out.append([])
        out[-1].append((float(x), float(y)))
    return out


def old_line_points(values: list[tuple[date, float]], lo: float, hi: float, gap_days=1):
    """The oracle: every night a vertex, as the chart drew it before the envelope (x and y
    as charts._x and _y compute them, to one decimal), split where the line breaks."""
    first, last = values[0][0], values[-1][0]
    span = max((last - first).days, 1)
    out: list[list[tuple[float, float]]] = []
    prev = None
    for d, v in values:
        x = round(44 + 348 * (d - first).days / span, 1)
        y = round(22 + 172 * (1 - (v - lo) / (hi - lo)), 1)
        if prev is None or (d - prev).days > gap_days:
            out.append([])
        out[-1].append((x, y))
        prev = d
    return [run for run in out if len(run) > 1]


def calm_with(n: int, spikes: dict[int, float], calm: float = 2.0) -> list[tuple[date, float]]:
    return [(DAY0 + timedelta(days=i), spikes.get(i, calm)) for i in range(n)]


def test_one_severe_night_among_five_years_of_calm_ones_is_still_drawn():
    values = calm_with(1826, {1000: 9.0})
    (run,) = line_points(line_chart("t", "T", values, (0, 10), "y"))
    assert len(run) < 100  # the envelope is at work: a flat line needs few vertices
    # by hand: x = 44 + 348 * 1000 / 1825 = 234.68; y = 22 + 172 * (1 - 9/10) = 39.2
    assert (234.7, 39.2) in run
    assert min(y for _, y in run) == 39.2  # the highest the line reaches is that night
    # and calm everywhere else: y = 22 + 172 * (1 - 2/10) = 159.6
    assert {y for _, y in run} == {39.2, 159.6}


def test_one_calm_night_among_severe_ones_is_still_drawn():
    values = calm_with(1826, {1500: 0.0}, calm=8.0)
    (run,) = line_points(line_chart("t", "T", values, (0, 10), "y"))
    # by hand: x = 44 + 348 * 1500 / 1825 = 330.03; y = 22 + 172 = 194 (the bottom)
    assert (330.0, 194.0) in run
    assert max(y for _, y in run) == 194.0


def test_a_spike_up_and_back_down_one_column_is_not_taken_for_a_straight_line():
    # three points at one x: the middle one is on the same vertical line as the others, but
    # the pen goes up to it and back: it must stay
    assert line_path([(100.0, 150.0), (100.02, 40.0), (100.04, 150.0)]) == (
        "M100,150 L100,40 L100,150"
    )


def test_a_flat_stretch_is_one_segment():
    assert line_path([(50.0 + 10 * i, 100.0) for i in range(20)]) == "M50,100 L240,100"


def wobbly(n: int, seed: int, missing: frozenset[int] = frozenset()) -> list[tuple[date, float]]:
    """A diary of `n` nights with a random walk of severity and a few sharp nights."""
    rng = random.Random(seed)
    out, v = [], 5.0
    for i in range(n):
        v = min(10.0, max(0.0, v + rng.choice((-1, 0, 0, 1))))
        if i not in missing:
            out.append((DAY0 + timedelta(days=i), 10.0 if rng.random() < 0.01 else v))
    return out


def within(p, a, b, tol: float) -> bool:
    """Whether p lies on the segment a-b, to `tol` units."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
    t = min(1.0, max(0.0, t))
    return math.hypot(px - ax - t * dx, py - ay - t * dy) <= tol


def reach(run: list[tuple[float, float]], x0: float, x1: float) -> tuple[float, float]:
    """The lowest and the highest y that the polyline `run` passes through for x0 <= x <= x1."""
    ys = []
    for (ax, ay), (bx, by) in pairwise(run):
        if bx < x0 or ax > x1:
            continue
        for x in (max(ax, x0), min(bx, x1)):  # the segment cut to the window, at both ends
            ys.append(ay if bx == ax else ay + (by - ay) * (x - ax) / (bx - ax))
        if bx == ax:
            ys.append(by)
    return min(ys), max(ys)


@pytest.mark.parametrize("n, seed", [(30, 1), (90, 2), (1826, 3), (3650, 4)])
def test_the_lighter_line_covers_every_night_the_old_line_drew(n, seed):
    values = wobbly(n, seed, missing=frozenset({n // 3, n // 3 + 1, n // 2}))
    new = line_points(line_chart("t", "T", values, (0, 10), "y"))
    old = old_line_points(values, 0, 10)
    assert len(new) == len(old)  # the same breaks
    for run, was in zip(new, old, strict=True):
        assert (run[0], run[-1]) == (was[0], was[-1])  # each piece starts and ends as before
        assert set(run) <= set(was)  # every vertex is a night, where the old line put it
        for x, y in was:
            # every night is between the lowest and the highest the new line reaches within
            # one column of it (the envelope's width, plus 0.05 of rounding each side)
            low, high = reach(run, x - 1.1, x + 1.1)
            assert low - 0.06 <= y <= high + 0.06, (x, y)
        if n <= 349:  # nights a column or more apart: the same polyline, fewer vertices
            for p in was:
                assert any(within(p, a, b, 0.06) for a, b in pairwise(run)), p
