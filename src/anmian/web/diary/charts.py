"""Progress charts as accessible inline SVG, drawn on the server so they also print and go
into the PDF report. Each chart has a <title> and <desc>, and the page shows the same numbers
as a table for screen readers and for anyone who prefers numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from html import escape

W, H = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 36


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
    standalone: bool = False,
) -> str:
    """An SVG line chart. standalone=True embeds its own styles, for use as an image (PDF)."""
    lo, hi = y_range
    if not points:
        return f'<p class="nochart">{escape(title)}: no data yet.</p>'
    first, last = points[0][0], points[-1][0]
    for m in markers:
        first, last = min(first, m), max(last, m)
    parts = [
        f'<rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" class="plot"/>'
    ]
    for i, b in enumerate(bands):
        y1, y2 = _y(min(b.high, hi), lo, hi), _y(max(b.low, lo), lo, hi)
        parts.append(
            f'<rect x="{LEFT}" y="{y1:.1f}" width="{W - LEFT - RIGHT}" height="{y2 - y1:.1f}" class="band b{i % 4}"/>'
        )
        parts.append(
            f'<text x="{W - RIGHT - 4}" y="{y1 + 12:.1f}" class="bandlabel">{escape(b.label)}</text>'
        )
    ticks = y_ticks or [(lo + (hi - lo) * k / 4, f"{lo + (hi - lo) * k / 4:g}") for k in range(5)]
    for v, label in ticks:
        y = _y(v, lo, hi)
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="ytick">{escape(label)}</text>')
    for m in markers:
        x = _x(m, first, last)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{H - BOTTOM}" class="session"/>'
        )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{_x(d, first, last):.1f},{_y(v, lo, hi):.1f}"
        for i, (d, v) in enumerate(points)
    )
    parts.append(f'<path d="{path}" class="line"/>')
    if len(points) <= 120:
        parts += [
            f'<circle cx="{_x(d, first, last):.1f}" cy="{_y(v, lo, hi):.1f}" r="2.5" class="dot"/>'
            for d, v in points
        ]
    parts.append(f'<text x="{LEFT}" y="{H - 10}" class="xtick">{first:%d %b %Y}</text>')
    parts.append(f'<text x="{W - RIGHT}" y="{H - 10}" class="xtick end">{last:%d %b %Y}</text>')
    parts.append(
        f'<text x="12" y="{TOP + (H - TOP - BOTTOM) / 2:.0f}" class="ylabel" transform="rotate(-90 12 {TOP + (H - TOP - BOTTOM) / 2:.0f})">{escape(y_label)}</text>'
    )
    desc = summary or f"{len(points)} values from {first:%d %b %Y} to {last:%d %b %Y}."
    return (
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(desc)}</desc>{"".join(parts)}</svg>'
    )


# The site's chart styles, repeated inside a standalone SVG (the page's CSP forbids inline
# styles, but an SVG used as an image in the PDF carries its own).
STANDALONE_CSS = (
    ".plot{fill:#fff;stroke:#c9d2d7}.grid{stroke:#e6ebee}.line{fill:none;stroke:#245c73;stroke-width:2}"
    ".dot{fill:#245c73}.session{stroke:#b3261e;stroke-dasharray:3 3}.b0{fill:#eef6ee}.b1{fill:#fdf6e3}"
    ".b2{fill:#fcebe6}.b3{fill:#f6dede}text{font:11px sans-serif;fill:#4a5a66}.ytick{text-anchor:end}"
    ".end,.bandlabel{text-anchor:end}"
)


def progress_charts(p, scale, standalone: bool = False) -> list[tuple[str, str]]:
    """(heading, svg) for the progress page and the report."""
    chart = partial(line_chart, standalone=standalone)
    bands = [Band(b.low, b.high, b.label) for b in scale.bands if b.high > 0]
    return [
        (
            "Leg symptoms each night",
            chart(
                "sev",
                "Leg symptom severity each night (0 to 10), with care sessions marked",
                p.severity,
                (0, 10),
                "severity",
                markers=p.sessions,
                summary=f"{len(p.severity)} nights; vertical lines mark {len(p.sessions)} care sessions.",
            ),
        ),
        (
            "When symptoms start",
            chart(
                "onset",
                "Time the leg symptoms started each night (earlier is a warning sign)",
                p.onset,
                (0, 14),
                "start time",
                y_ticks=[(2, "14:00"), (6, "18:00"), (10, "22:00"), (14, "02:00")],
            ),
        ),
        (
            "Sleep efficiency",
            chart(
                "se",
                "Sleep efficiency each night (time asleep as a share of time in bed, %)",
                p.efficiency,
                (0, 100),
                "% asleep",
                bands=[Band(85, 100, "target 85%+")],
            ),
        ),
        (
            "Self-care and symptoms by week",
            chart(
                "adh",
                "Share of nights with self-care each week (%)",
                [(w, a) for w, a, _ in p.weekly],
                (0, 100),
                "% of nights",
                summary="Weekly share of nights with acupressure, herbs or topical care; the table "
                "gives the mean severity beside it.",
            ),
        ),
        (
            "Weekly severity score",
            chart(
                "score",
                f"{scale.name}: weekly total with its bands",
                [(s.taken, s.total) for s in p.scores],
                (0, 40),
                "total",
                bands=bands,
            ),
        ),
    ]
