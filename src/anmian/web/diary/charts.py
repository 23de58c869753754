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
        return f'<p class="nochart">{escape(title)}: no data yet.</p>'
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
    for v, label in ticks:
        y = _y(v, lo, hi)
        parts.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid" '
            f'stroke="{GRID}"/>'
        )
        parts.append(_text(LEFT - 5, y + FONT / 3, label, "ytick", "end"))
    for m in markers:
        x = _x(m, first, last)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}" class="session" '
            f'stroke="{SESSION}" stroke-dasharray="3 3"/>'
        )
    segments = runs(points, gap_days)
    path = " ".join(
        " ".join(
            f"{'M' if i == 0 else 'L'}{_x(d, first, last):.1f},{_y(v, lo, hi):.1f}"
            for i, (d, v) in enumerate(run)
        )
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
    chinese = (get_language() or "").startswith("zh")
    bands = [
        Band(b.low, b.high, (b.zh_label if chinese and b.zh_label else b.label))
        for b in scale.bands
        if b.high > 0
    ]
    scale_name = scale.zh_name if chinese and scale.zh_name else scale.name
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
