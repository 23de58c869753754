"""Body chart labels: no dot covers a label (issue 17's walk read "K●3" and "●●R8" on the back
view). The geometry is read back from the SVG itself: the dots' circles, the labels' boxes
(their background rects, which the browser test checks hold the drawn text) and the leader
lines, not the layout's constants."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from anmian.engine import assess, parse_input
from anmian.knowledge import get_kb
from anmian.web.core import bodychart

NS = {"s": "http://www.w3.org/2000/svg"}
EXAMPLES = Path(__file__).resolve().parents[4] / "examples"
RING = 0.2  # half the dots' white stroke (site.css: stroke-width .4) lies outside the circle


def _num(el: ET.Element, name: str) -> float:
    return float(el.attrib[name])


def geometry(svg: str):
    root = ET.fromstring(svg)
    dots = [
        (_num(c, "cx"), _num(c, "cy"), _num(c, "r"), c.find("s:title", NS).text)
        for c in root.iterfind(".//s:circle[@class='pt']", NS)
    ]
    labels = []
    for g in root.iterfind(".//s:g[@class='label']", NS):
        r = g.find("s:rect", NS)
        box = (_num(r, "x"), _num(r, "y"), _num(r, "x") + _num(r, "width"))
        box += (_num(r, "y") + _num(r, "height"),)
        line = g.find("s:line", NS)
        leader = None if line is None else tuple(_num(line, k) for k in ("x1", "y1", "x2", "y2"))
        text = g.find("s:text", NS)
        labels.append((text.text, box, leader, _num(text, "x")))
    return dots, labels


def circle_hits_box(cx, cy, r, box) -> bool:
    x0, y0, x1, y1 = box
    nx, ny = min(max(cx, x0), x1), min(max(cy, y0), y1)
    return (cx - nx) ** 2 + (cy - ny) ** 2 < r**2


def boxes_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def segment_hits_box(seg, box, samples: int = 200) -> bool:
    """By walking the segment (independent of the layout's clipping)."""
    x0, y0, x1, y1 = seg
    for i in range(samples + 1):
        t = i / samples
        x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        if box[0] < x < box[2] and box[1] < y < box[3]:
            return True
    return False


def problems(svg: str) -> list[str]:
    dots, labels = geometry(svg)
    found = []
    for code, box, _, _ in labels:
        for cx, cy, r, dot in dots:
            if circle_hits_box(cx, cy, r + RING, box):
                found.append(f"{dot}'s dot covers {code}")
    for i, (code, box, leader, _) in enumerate(labels):
        for other, obox, oleader, _ in labels[i + 1 :]:
            if boxes_overlap(box, obox):
                found.append(f"{code} and {other} overlap")
            if leader and segment_hits_box(leader, obox):
                found.append(f"{code}'s line crosses {other}")
            if oleader and segment_hits_box(oleader, box):
                found.append(f"{other}'s line crosses {code}")
    return found


def _walk_plan() -> list:
    """The walk's case: the demo (Heart and Liver Blood patterns) on sertraline, ferritin 30."""
    kb = get_kb()
    data = json.loads((EXAMPLES / "demo.json").read_text())
    data |= {"labs": {"ferritin_ng_ml": 30}, "medications": ["sertraline"]}
    result = assess(parse_input(data), kb).to_dict()
    return [kb.points[p["id"]] for p in result["plan"]["points"] if p["mode"] != "needle"]


def _examples() -> list[tuple[str, list]]:
    kb = get_kb()
    out = [("walk", _walk_plan()), ("every point", list(kb.points.values()))]
    for path in sorted(EXAMPLES.glob("*.json")):
        result = assess(parse_input(json.loads(path.read_text())), kb).to_dict()
        out.append((path.stem, [kb.points[p["id"]] for p in result["plan"]["points"]]))
    out += [(p.id, [p]) for p in kb.points.values()]  # each point's own page
    return out


@pytest.mark.parametrize(
    ("name", "points"), _examples(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_no_dot_covers_a_label_and_no_label_another(name, points):
    for view in bodychart.views_for(points):
        svg = bodychart.render(points, view)
        assert not problems(svg), (view, problems(svg))


@pytest.mark.parametrize(
    ("name", "points"), _examples()[:3], ids=lambda x: x if isinstance(x, str) else ""
)
def test_each_point_is_labelled_once_beside_its_dot_or_joined_to_it(name, points):
    for view in bodychart.views_for(points):
        dots, labels = geometry(bodychart.render(points, view))
        codes = {code for *_, code in dots}
        assert sorted(code for code, *_ in labels) == sorted(codes)
        for code, box, leader, _ in labels:
            mine = [(cx, cy) for cx, cy, _, c in dots if c == code]
            if leader:  # the line starts at one of its dots and ends at its box
                assert any(abs(leader[0] - cx) <= 1.5 and leader[1] == cy for cx, cy in mine)
                assert box[0] - 0.01 <= leader[2] <= box[2] + 0.01
            else:  # within a few units of one of its dots
                near = [max(box[0] - cx, cx - box[2], box[1] - cy, cy - box[3]) for cx, cy in mine]
                assert min(near) < 3, (view, code)


def test_the_dots_stay_where_the_base_puts_them():
    """The layout moves labels only: each dot is the base's percent of its view's box."""
    kb = get_kb()
    points = list(kb.points.values())
    for view, aspect in (("front", 0.45), ("back", 0.45), ("leg-medial", 0.6)):
        dots, _ = geometry(bodychart.render(points, view))
        expected = []
        for p in points:
            for pos in p.chart:
                if pos.view == view:
                    expected.append((p.code, pos.y, pos.x * aspect))
                    if pos.side == "both" and view in ("front", "back"):
                        expected.append((p.code, pos.y, (100 - pos.x) * aspect))
        got = sorted((code, cy, cx) for cx, cy, _, code in dots)
        assert len(got) == len(expected)
        for (code, y, x), want in zip(got, sorted(expected), strict=True):
            assert (code, y) == want[:2] and x == pytest.approx(want[2], abs=0.006)


def test_the_check_finds_a_dot_under_a_label():
    """The walk's "K●3": a label drawn over the mirror dot is caught."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg"><circle class="pt" cx="20" cy="94" r="1.4">'
        '<title>KI3</title></circle><circle class="pt" cx="25" cy="94" r="1.4"><title>KI3'
        '</title></circle><g class="label"><rect x="21.9" y="91.5" width="7.6" height="4.8" />'
        '<text x="22.4" y="95">KI3</text></g></svg>'
    )
    assert problems(svg) == ["KI3's dot covers KI3"]
