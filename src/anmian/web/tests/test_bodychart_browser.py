"""In Chromium, each body chart label's drawn text sits inside its background box and no
dot covers it, on a phone and a desktop (the boxes are what test_bodychart_labels checks)."""

from __future__ import annotations

import pytest

from anmian.web.tests.test_bodychart_labels import RING, boxes_overlap, circle_hits_box

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every label's text box (as drawn), its background rect and every dot, per chart.
MEASURE = """() => [...document.querySelectorAll('svg.bodychart')].map(svg => ({
  dots: [...svg.querySelectorAll('circle.pt')].map(c =>
    [c.cx.baseVal.value, c.cy.baseVal.value, c.r.baseVal.value, c.textContent]),
  labels: [...svg.querySelectorAll('g.label')].map(g => {
    const t = g.querySelector('text').getBBox(), r = g.querySelector('rect').getBBox();
    return [g.textContent, [t.x, t.y, t.x + t.width, t.y + t.height],
            [r.x, r.y, r.x + r.width, r.y + r.height]];
  }),
}))"""


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 900)], ids=["phone", "desktop"])
def test_no_dot_covers_a_drawn_label(browser, live_server, viewport):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/library/points/")  # every point, front and back
        charts = page.evaluate(MEASURE)
    finally:
        context.close()
    assert len(charts) == 2 and all(len(c["labels"]) > 15 for c in charts)
    for chart in charts:
        for code, text, rect in chart["labels"]:
            assert rect[0] <= text[0] and text[2] <= rect[2], (code, text, rect)
            assert rect[1] <= text[1] and text[3] <= rect[3], (code, text, rect)
            for cx, cy, r, dot in chart["dots"]:
                assert not circle_hits_box(cx, cy, r + RING, text), f"{dot}'s dot covers {code}"
        texts = [text for _, text, _ in chart["labels"]]
        for i, a in enumerate(texts):
            assert not any(boxes_overlap(a, b) for b in texts[i + 1 :])
