"""Body charts as inline SVG, drawn from the knowledge base's chart coordinates.

Chart positions are percents of each view's box (see knowledge/data/points/README.md for
the landmarks the figures follow). Figures are simple outlines: the point is to show where
to press, not anatomy. Each chart has a <title> and a text list beside it for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext_lazy as _

from anmian.knowledge.models import Point

# width:height of each view's box, and its outline drawn in that box's percent space
ASPECT = {
    "front": 0.45,
    "back": 0.45,
    "leg-medial": 0.6,
    "leg-lateral": 0.6,
    "foot-top": 0.55,
    "foot-sole": 0.55,
    "head-side": 0.9,
    "hand": 0.6,
}
# The views' names, in the page's language when shown.
TITLE = {
    "front": _("Front of the body"),
    "back": _("Back of the body"),
    "leg-medial": _("Inner side of the lower leg and foot"),
    "leg-lateral": _("Outer side of the lower leg and foot"),
    "foot-top": _("Top of the foot"),
    "foot-sole": _("Sole of the foot"),
    "head-side": _("Side of the head"),
    "hand": _("Palm side of the hand and wrist"),
}


def _figure(view: str) -> str:
    """Outline paths in percent space (x 0..100 of width, y 0..100 of height)."""
    if view in ("front", "back"):
        half = [  # person's left half, mirrored for the right
            "M50,0 C56,0 60,3 60,7 C60,11 56,13 53,13.5 L53,15.5 L62,17 L76,18.5",
            "C79,19.5 80,22 80,25 L80,38 L84,52 L86,62 L82,63 L80,54 L75,41 L74,30",
            "L71,34 L71,43 C72,47 71,50 70,52 L66,72 L64,92 L65,99 L57,100 L56,93 L55,73",
            "L52,54 L50,53",
        ]
        path = " ".join(half)
        return f'<path d="{path}" /><path d="{path}" transform="translate(100,0) scale(-1,1)" />'
    if view in ("leg-medial", "leg-lateral"):
        leg = "M35,0 L70,0 L68,30 L66,60 L66,78 L70,88 L72,100 L10,100 L8,93 L30,88 L42,80 L40,60 L36,30 Z"
        flip = ' transform="translate(100,0) scale(-1,1)"' if view == "leg-lateral" else ""
        bone = (
            '<circle cx="55" cy="80" r="3" />'
            if view == "leg-medial"
            else '<circle cx="45" cy="82" r="3" transform="translate(100,0) scale(-1,1)" />'
        )
        return f'<path d="{leg}"{flip} />{bone}'
    if view in ("foot-top", "foot-sole"):
        foot = "M20,4 C30,0 40,2 45,6 L60,6 C70,6 80,10 82,18 L78,60 C78,80 70,100 50,100 C32,100 24,85 24,65 L18,20 Z"
        flip = ' transform="translate(100,0) scale(-1,1)"' if view == "foot-sole" else ""
        return f'<path d="{foot}"{flip} />'
    if view == "head-side":
        return (
            '<path d="M20,45 C18,15 45,0 65,5 C88,10 95,35 88,60 L85,85 L70,100 L45,100 '
            'L42,85 C30,85 22,75 20,65 L12,58 Z" /><ellipse cx="55" cy="50" rx="5" ry="9" />'
        )
    return (  # hand, palm up, fingers up
        '<path d="M25,85 L22,40 L20,22 C20,18 26,18 27,22 L30,38 L32,12 C32,8 38,8 38,12 '
        "L40,36 L43,8 C43,4 49,4 49,8 L50,36 L54,12 C54,8 60,8 60,12 L59,40 L64,30 "
        'C66,26 72,28 70,33 L62,60 L68,85 L66,100 L30,100 Z" />'
    )


@dataclass(frozen=True)
class Marker:
    code: str
    x: float
    y: float
    side: str


def markers(points: list[Point], view: str) -> list[Marker]:
    out = []
    for point in points:
        for pos in point.chart:
            if pos.view != view:
                continue
            out.append(Marker(point.code, pos.x, pos.y, pos.side))
            # Bilateral points are given once; in the front and back views draw the mirror too.
            if pos.side == "both" and view in ("front", "back"):
                out.append(Marker(point.code, 100 - pos.x, pos.y, "mirror"))
    return out


def views_for(points: list[Point]) -> list[str]:
    seen = {pos.view for p in points for pos in p.chart}
    return [v for v in ASPECT if v in seen]


def render(points: list[Point], view: str, height: int = 360) -> str:
    """One inline SVG of a view with a numbered dot for each point on it."""
    w = round(100 * ASPECT[view], 2)
    sx = w / 100
    dots = []
    for m in markers(points, view):
        cx, cy = round(m.x * sx, 2), m.y
        label = (
            ""
            if m.side == "mirror"
            else (f'<text x="{cx + 2.2:.2f}" y="{cy + 1:.2f}">{escape(m.code)}</text>')
        )
        dots.append(
            f'<circle class="pt" cx="{cx}" cy="{cy}" r="1.4"><title>{escape(m.code)}</title></circle>{label}'
        )
    figure_scale = f'transform="scale({sx:.4f},1)"'
    title = str(TITLE[view])  # in the page's language
    codes = ", ".join(dict.fromkeys(m.code for m in markers(points, view)))
    return (
        f'<svg class="bodychart" viewBox="-4 -2 {w + 8} 104" height="{height}" role="img" '
        f'aria-labelledby="chart-{view}-t" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-{view}-t">{escape(title)}: {escape(codes)}</title>'
        f'<g class="figure" {figure_scale}>{_figure(view)}</g>'
        f'<g class="points">{"".join(dots)}</g></svg>'
    )


def plan_charts(kb, result: dict) -> list[tuple[str, str]]:
    """(title, svg) for every view that shows a self-pressable point of a plan."""
    points = [
        kb.points[p["id"]] for p in result["plan"]["points"] if p["mode"] in ("both", "acupressure")
    ]
    return [(str(TITLE[v]), render(points, v)) for v in views_for(points)]
