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


# Label geometry in the chart's units (percent of the view's height). The font size is
# site.css's (svg.bodychart text), set on the text too so the chart reads the same without it.
FONT = 3.5
DOT_R = 1.4
RING = 0.4  # the dot's white stroke (site.css), half of it outside the circle
CLEAR = 0.5  # room left between a dot's ring and a label's box
PAD = 0.5  # the label's background beyond its text
# DejaVu Sans, the widest of the site's fonts on Linux: em widths, ascent and descent, so a
# box made from them holds the text as any of the fonts draws it.
ASCENT, DESCENT = 0.93, 0.24
NARROW, DIGIT, WIDE, LETTER = 0.30, 0.64, 1.0, 0.78
NEAR = (0.0, -2.5, 2.5)  # vertical shifts of a label kept beside its dot
STEP = 0.5  # a label sent to a side column moves in these steps to a free place


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def hits_dot(self, cx: float, cy: float) -> bool:
        """Does the circle of a dot and its ring, with room to spare, reach into the box?"""
        nx, ny = min(max(cx, self.x0), self.x1), min(max(cy, self.y0), self.y1)
        reach = DOT_R + RING / 2 + CLEAR
        return (cx - nx) ** 2 + (cy - ny) ** 2 < reach**2

    def crossed_by(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Does the segment a-b pass through the box (Liang-Barsky clipping)?"""
        lo, hi = 0.0, 1.0
        d = (b[0] - a[0], b[1] - a[1])
        for p, q in (
            (-d[0], a[0] - self.x0),
            (d[0], self.x1 - a[0]),
            (-d[1], a[1] - self.y0),
            (d[1], self.y1 - a[1]),
        ):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                lo = max(lo, t)
            else:
                hi = min(hi, t)
        return lo < hi


@dataclass(frozen=True)
class Label:
    code: str
    x: float  # where the text starts (anchor start) or ends (anchor end)
    baseline: float
    anchor: str  # "start" | "end"
    box: Box  # the text and its background
    leader: tuple[float, float, float, float] | None = None  # dot to box, when set apart


def _text_width(code: str) -> float:
    em = {**dict.fromkeys("IJ-.", NARROW), **dict.fromkeys("MW", WIDE)}
    return FONT * sum(em.get(c, DIGIT if c.isdigit() else LETTER) for c in code)


def _label_at(code: str, x: float, cy: float, anchor: str) -> Label:
    """A label whose text starts (or ends) at x and whose em box is centred on cy."""
    width = _text_width(code)
    left = x if anchor == "start" else x - width
    baseline = cy + (ASCENT - DESCENT) / 2 * FONT
    box = Box(
        left - PAD,
        baseline - ASCENT * FONT - PAD,
        left + width + PAD,
        baseline + DESCENT * FONT + PAD,
    )
    return Label(code, x, baseline, anchor, box)


class _Layout:
    """Labels placed one by one where no dot, label or leader line is under them."""

    def __init__(self, dots: list[tuple[float, float]], width: float) -> None:
        self.dots = dots
        self.width = width
        self.labels: list[Label] = []

    def free(self, label: Label) -> bool:
        box = label.box
        if any(box.hits_dot(cx, cy) for cx, cy in self.dots):
            return False
        if any(box.overlaps(o.box) for o in self.labels):
            return False
        lines = [o.leader for o in self.labels if o.leader]
        if any(box.crossed_by((x0, y0), (x1, y1)) for x0, y0, x1, y1 in lines):
            return False
        if label.leader:
            a, b = label.leader[:2], label.leader[2:]
            return not any(o.box.crossed_by(a, b) for o in self.labels)
        return True

    def beside(self, code: str, dots: list[tuple[float, float]]) -> Label | None:
        """Next to one of the point's dots, on the side away from the figure's middle first."""
        gap = DOT_R + RING / 2 + CLEAR + PAD + 0.05
        for dy in NEAR:
            for cx, cy in dots:
                right = (cx + gap, "start")
                left = (cx - gap, "end")
                for x, anchor in (right, left) if cx >= self.width / 2 else (left, right):
                    label = _label_at(code, x, cy + dy, anchor)
                    if self.free(label):
                        return label
        return None

    def apart(self, code: str, dots: list[tuple[float, float]]) -> Label:
        """In a column beside the figure, joined to its nearest dot by a leader line."""
        cx, cy = min(dots, key=lambda d: min(d[0], self.width - d[0]))
        right = cx >= self.width / 2
        x, anchor = (self.width + 3, "start") if right else (-3.0, "end")
        for k in range(400):
            shift = (k + 1) // 2 * STEP * (1 if k % 2 else -1)
            label = _label_at(code, x, cy + shift, anchor)
            edge = label.box.x0 if right else label.box.x1
            mid = (label.box.y0 + label.box.y1) / 2
            start = cx + (DOT_R if right else -DOT_R)
            label = Label(code, label.x, label.baseline, anchor, label.box, (start, cy, edge, mid))
            if self.free(label):
                return label
        return label  # never reached for the base's few dozen points: 400 steps is 200 units

    def place(self, code: str, dots: list[tuple[float, float]]) -> Label:
        label = self.beside(code, dots) or self.apart(code, dots)
        self.labels.append(label)
        return label


def layout(placed: list[tuple[Marker, float, float]], width: float) -> list[Label]:
    """A label for each point (the first of its dots and their mirrors), top to bottom."""
    layout_ = _Layout([(cx, cy) for _, cx, cy in placed], width)
    dots: dict[str, list[tuple[float, float]]] = {}
    for m, cx, cy in placed:
        dots.setdefault(m.code, []).append((cx, cy))
    order = sorted(dots, key=lambda code: min(y for _, y in dots[code]))
    return [layout_.place(code, dots[code]) for code in order]


def _label_svg(label: Label) -> str:
    b = label.box
    line = ""
    if label.leader:
        x0, y0, x1, y1 = label.leader
        line = f'<line class="leader" x1="{x0:.2f}" y1="{y0:.2f}" x2="{x1:.2f}" y2="{y1:.2f}" stroke="#6b5a4c" stroke-width="0.25" />'
    anchor = ' text-anchor="end"' if label.anchor == "end" else ""
    return (
        f'<g class="label">{line}<rect x="{b.x0:.2f}" y="{b.y0:.2f}" width="{b.x1 - b.x0:.2f}" '
        f'height="{b.y1 - b.y0:.2f}" rx="0.8" fill="#fff" fill-opacity="0.85" />'
        f'<text x="{label.x:.2f}" y="{label.baseline:.2f}" font-size="{FONT}"{anchor}>'
        f"{escape(label.code)}</text></g>"
    )


def render(points: list[Point], view: str, height: int = 360) -> str:
    """One inline SVG of a view with a dot for each point on it, each point labelled once
    beside a dot it has, where no dot covers the label (or apart, with a leader line)."""
    w = round(100 * ASPECT[view], 2)
    sx = w / 100
    placed = [(m, round(m.x * sx, 2), m.y) for m in markers(points, view)]
    dots = [
        f'<circle class="pt" cx="{cx}" cy="{cy}" r="{DOT_R}"><title>{escape(m.code)}</title></circle>'
        for m, cx, cy in placed
    ]
    labels = layout(placed, w)
    # The box holds the figure and every label (a label set apart lies outside the figure).
    x0 = min([-4.0, *(lb.box.x0 - 1 for lb in labels)])
    x1 = max([w + 4, *(lb.box.x1 + 1 for lb in labels)])
    y0 = min([-2.0, *(lb.box.y0 - 1 for lb in labels)])
    y1 = max([102.0, *(lb.box.y1 + 1 for lb in labels)])
    figure_scale = f'transform="scale({sx:.4f},1)"'
    title = str(TITLE[view])  # in the page's language
    codes = ", ".join(dict.fromkeys(m.code for m, _, _ in placed))
    return (
        f'<svg class="bodychart" viewBox="{x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f}" '
        f'height="{height}" role="img" '
        f'aria-labelledby="chart-{view}-t" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-{view}-t">{escape(title)}: {escape(codes)}</title>'
        f'<g class="figure" {figure_scale}>{_figure(view)}</g>'
        f'<g class="points">{"".join(dots)}</g>'
        f'<g class="labels" aria-hidden="true">{"".join(_label_svg(lb) for lb in labels)}</g></svg>'
    )


def plan_charts(kb, result: dict) -> list[tuple[str, str]]:
    """(title, svg) for every view that shows a self-pressable point of a plan."""
    points = [
        kb.points[p["id"]] for p in result["plan"]["points"] if p["mode"] in ("both", "acupressure")
    ]
    return [(str(TITLE[v]), render(points, v)) for v in views_for(points)]
