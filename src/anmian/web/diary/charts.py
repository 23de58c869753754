"""Progress charts as accessible inline SVG, drawn on the server so they also print and go
into the PDF report. Each chart has a <title> and <desc>, and the page shows the same numbers
as a table for screen readers and for anyone who prefers numbers.

Colours and sizes are presentation attributes, not CSS classes alone: the PDF renderer
(WeasyPrint) draws an SVG image without the site's stylesheet, and an unstyled <rect> is
filled black. The page's CSP forbids inline styles, but attributes are not styles.

The drawing is 400 units wide with 13-unit text: on a 390 px phone the chart is about 358 px
wide, so the text is drawn at 11.6 px or more (the site caps the width so it does not grow
coarse on a desktop)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from anmian.engine.zh_result import to_simplified

W, H = 400, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 22, 26
FONT = 13  # user units; see the module docstring for the size on a phone
INK, MUTED, LINE, FRAME, GRID, SESSION = (
    "#1d2a33",
    "#4a5a66",
    "#245c73",
    "#c9d2d7",
    "#e6ebee",
    "#b3261e",
)
BAND_FILLS = ("#eef6ee", "#fdf6e3", "#fcebe6", "#f6dede")
MANY_POINTS = 120  # above this, dots would blur into the line: only lone points get one
# The envelope's column, in user units: the plot is 348 units wide and drawn 325 px wide in
# the PDF's half column (at most 390 px on the page), so a column is about one pixel, half the
# 2-unit stroke: what differs inside one is under the pen.
COLUMN = 1.0


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    label: str


def _x(d: date, first: date, last: date) -> float:
    span = max((last - first).days, 1)
    return LEFT + (W - LEFT - RIGHT) * (d - first).days / span


def _y(v: float, lo: float, hi: float) -> float:
    return TOP + (H - TOP - BOTTOM) * (1 - (v - lo) / (hi - lo))


def _text(x: float, y: float, label: str, cls: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}" font-family="sans-serif" '
        f'font-size="{FONT}" fill="{MUTED}" text-anchor="{anchor}">{escape(label)}</text>'
    )


def runs(
    points: Sequence[tuple[date, float]], gap_days: int | None
) -> list[list[tuple[date, float]]]:
    """The points split where more than `gap_days` separate two neighbours (a missing night
    is a gap in the line, not a slope across it); None joins every point."""
    out: list[list[tuple[date, float]]] = []
    for point in points:
        if out and (gap_days is None or (point[0] - out[-1][-1][0]).days <= gap_days):
            out[-1].append(point)
        else:
            out.append([point])
    return out


def envelope(xy: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Of each COLUMN-wide column of a run's (x, y) points, the lowest and the highest, in
    their order in time, and the run's first and last points: five years of nights are
    about five a column, and a line through all of them draws no more than this does. Every
    spike stays, as its column's extreme at its own night's x and y; each point kept is a
    real night, none is moved or invented."""
    keep: list[int] = []
    column: int | None = None
    low = high = 0  # the indices of the current column's lowest and highest points
    for i, (x, y) in enumerate(xy):
        here = int((x - LEFT) // COLUMN)
        if here != column:
            if column is not None:
                keep += sorted({low, high})
            column, low, high = here, i, i
        elif y > xy[low][1]:  # SVG's y grows downwards: a larger y is a lower value
            low = i
        elif y < xy[high][1]:
            high = i
    if column is not None:
        keep += sorted({low, high})
    ends = {0, len(xy) - 1}
    return [xy[i] for i in sorted(set(keep) | ends)]


def _tenths(xy: Sequence[tuple[float, float]]) -> list[tuple[int, int]]:
    """The points as the path writes them, in tenths of a unit, with a repeat dropped and the
    middle of three in a straight line (a flat stretch of equal nights) dropped: the same
    line with fewer commands for the PDF renderer to parse and draw."""
    out: list[tuple[int, int]] = []
    for x, y in xy:
        p = (round(x * 10), round(y * 10))
        if out and out[-1] == p:
            continue
        if len(out) >= 2:
            (ax, ay), (bx, by) = out[-2], out[-1]
            on_line = (bx - ax) * (p[1] - ay) == (by - ay) * (p[0] - ax)
            # and between a and p: a spike drawn up and back down a column is on one line too
            between = (bx - ax) * (p[0] - bx) >= 0 and (by - ay) * (p[1] - by) >= 0
            if on_line and between:
                out[-1] = p
                continue
        out.append(p)
    return out


def _coord(tenths: int) -> str:
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def line_path(xy: Sequence[tuple[float, float]]) -> str:
    """One run as path commands, "M x,y L x,y L ...": each point with its own L, because
    WeasyPrint re-reads the rest of the string after each point of an implicit lineto."""
    return " ".join(
        f"{'M' if i == 0 else 'L'}{_coord(x)},{_coord(y)}"
        for i, (x, y) in enumerate(_tenths(envelope(xy)))
    )


def line_chart(
    ident: str,
    title: str,
    points: Sequence[tuple[date, float]],
    y_range: tuple[float, float],
    y_label: str,
    markers: Sequence[date] = (),
    bands: Sequence[Band] = (),
    y_ticks: Sequence[tuple[float, str]] = (),
    summary: str = "",
    gap_days: int | None = 1,
) -> str:
    """An SVG line chart of dated values, broken where `gap_days` is exceeded (see `runs`)."""
    lo, hi = y_range
    if not points:
        return f'<p class="nochart">{escape(_("%(chart)s: no data yet.") % {"chart": title})}</p>'
    first, last = points[0][0], points[-1][0]
    for m in markers:
        first, last = min(first, m), max(last, m)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    parts = [
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" class="plot" '
        f'fill="#ffffff" stroke="{FRAME}"/>'
    ]
    for i, b in enumerate(bands):
        y1, y2 = _y(min(b.high, hi), lo, hi), _y(max(b.low, lo), lo, hi)
        parts.append(
            f'<rect x="{LEFT}" y="{y1:.1f}" width="{plot_w}" height="{y2 - y1:.1f}" '
            f'class="band b{i % 4}" fill="{BAND_FILLS[i % 4]}"/>'
        )
        parts.append(_text(W - RIGHT - 4, y1 + FONT + 1, b.label, "bandlabel", "end"))
    ticks = y_ticks or [(lo + (hi - lo) * k / 4, f"{lo + (hi - lo) * k / 4:g}") for k in range(5)]
    # The grid lines, and below the session markers, are one path each, a subpath a line: one
    # node for the PDF renderer to set up instead of one per line (130 sessions in five years).
    # A dash pattern starts again at each subpath, in SVG and in PDF, so they look the same.
    grid = " ".join(f"M{LEFT},{_y(v, lo, hi):.1f} H{W - RIGHT}" for v, _label in ticks)
    parts.append(f'<path d="{grid}" class="grid" fill="none" stroke="{GRID}"/>')
    parts += [
        _text(LEFT - 5, _y(v, lo, hi) + FONT / 3, label, "ytick", "end") for v, label in ticks
    ]
    if markers:
        at = sorted({f"{_x(m, first, last):.1f}" for m in markers})  # a repeat draws nothing new
        sessions = " ".join(f"M{x},{TOP} V{TOP + plot_h}" for x in at)
        parts.append(
            f'<path d="{sessions}" class="session" fill="none" stroke="{SESSION}" '
            'stroke-dasharray="3 3"/>'
        )
    segments = runs(points, gap_days)
    path = " ".join(
        line_path([(_x(d, first, last), _y(v, lo, hi)) for d, v in run])
        for run in segments
        if len(run) > 1
    )
    if path:
        parts.append(
            f'<path d="{path}" class="line" fill="none" stroke="{LINE}" stroke-width="2" '
            'stroke-linejoin="round"/>'
        )
    dotted = [
        p for run in segments for p in run if len(points) <= MANY_POINTS or len(run) == 1
    ]  # a lone night between gaps has no line: its dot is all that shows it
    parts += [
        f'<circle cx="{_x(d, first, last):.1f}" cy="{_y(v, lo, hi):.1f}" r="3" class="dot" '
        f'fill="{LINE}"/>'
        for d, v in dotted
    ]
    tick = pgettext("chart date", "j M Y")  # the locale's order: 2026年11月20日 in Chinese
    parts.append(_text(LEFT, H - 7, date_format(first, tick), "xtick"))
    parts.append(_text(W - RIGHT, H - 7, date_format(last, tick), "xtick end", "end"))
    parts.append(_text(LEFT, TOP - 7, y_label, "ylabel"))
    span = pgettext("chart description date", "d M Y")
    desc = summary or _("%(n)s values from %(first)s to %(last)s.") % {
        "n": len(points),
        "first": date_format(first, span),
        "last": date_format(last, span),
    }
    if gap_days is not None and len(segments) > 1:
        gaps = len(segments) - 1
        desc += " " + ngettext(
            "The line breaks at %(n)s gap.", "The line breaks at %(n)s gaps.", gaps
        ) % {"n": gaps}
    return (
        f'<svg class="chart" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(desc)}</desc>{"".join(parts)}</svg>'
    )


def progress_charts(p, scale) -> list[tuple[str, str]]:
    """(heading, svg) for the progress page and the report."""
    lang = (get_language() or "").lower()
    chinese = lang.startswith("zh")
    # the base's Chinese is Traditional; a 简体 page shows it in Simplified, as its messages
    script = to_simplified if lang == "zh-hans" else str
    bands = [
        Band(b.low, b.high, script(b.zh_label) if chinese and b.zh_label else b.label)
        for b in scale.bands
        if b.high > 0
    ]
    scale_name = script(scale.zh_name) if chinese and scale.zh_name else scale.name
    return [
        (
            _("Leg symptoms each night"),
            line_chart(
                "sev",
                _("Leg symptom severity each night (0 to 10), with care sessions marked"),
                p.severity,
                (0, 10),
                _("severity (0-10)"),
                markers=p.sessions,
                summary=_("%(nights)s nights; vertical lines mark %(sessions)s care sessions.")
                % {"nights": len(p.severity), "sessions": len(p.sessions)},
            ),
        ),
        (
            _("When symptoms start"),
            line_chart(
                "onset",
                _("Time the leg symptoms started each night (earlier is a warning sign)"),
                p.onset,
                (0, 14),
                _("start time"),
                y_ticks=[(2, "14:00"), (6, "18:00"), (10, "22:00"), (14, "02:00")],
            ),
        ),
        (
            _("Sleep efficiency"),
            line_chart(
                "se",
                _("Sleep efficiency each night (time asleep as a share of time in bed, %)"),
                p.efficiency,
                (0, 100),
                # xgettext:no-python-format
                _("% asleep"),
                # xgettext:no-python-format
                bands=[Band(85, 100, _("target 85%+"))],
            ),
        ),
        (
            _("Self-care and symptoms by week"),
            line_chart(
                "adh",
                _("Share of nights with self-care each week (%)"),
                [(w, a) for w, a, _s in p.weekly],
                (0, 100),
                # xgettext:no-python-format
                _("% of nights"),
                summary=_(
                    "Weekly share of nights with acupressure, herbs or topical care; the table "
                    "gives the mean severity beside it."
                ),
                gap_days=7,
            ),
        ),
        (
            _("Weekly severity score"),
            line_chart(
                "score",
                _("%(scale)s: weekly total with its bands") % {"scale": scale_name},
                [(s.taken, s.total) for s in p.scores],
                (0, 40),
                _("total"),
                bands=bands,
                gap_days=None,  # a score a few days late is still the next score
            ),
        ),
    ]
