"""The PDF progress report as a person sees it: each page rasterised (pdftoppm) and looked at
where the layout put the charts, the running heads read back from the pages, Chinese names in
a CJK font, and no heading left alone at the foot of a page."""

from __future__ import annotations

import gc
import io
import shutil
import subprocess
from datetime import date, time, timedelta
from pathlib import Path

import pytest
import time_machine
from pypdf import PdfReader

from anmian.web.diary.models import DiaryEntry, ScaleScore
from anmian.web.diary.report import report_document, report_pdf
from anmian.web.records.models import SessionNote
from anmian.web.tests import world

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)
DPI = 96  # one raster pixel per CSS px, the unit of WeasyPrint's layout


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-11-20 12:00:00+00:00", tick=False):
        yield


def keep_diary(patient, nights: int, missing: tuple[int, ...] = (9, 10, 11)) -> None:
    """`nights` nights up to yesterday, without the nights `missing` (counted from the first)."""
    start = TODAY - timedelta(days=nights)
    DiaryEntry.objects.bulk_create(
        world.night(
            patient,
            start + timedelta(days=i),
            severity=3 + i % 5,
            onset=time(20 + i % 3, 0),
            sleep_latency_min=10 + 5 * (i % 6),
            awakenings=1,
            awake_min=20,
            points_pressed=["sp6"] if i % 2 else [],
        )
        for i in range(nights)
        if i not in missing
    )
    for week in range(nights // 7):
        ScaleScore.objects.create(
            patient=patient,
            taken=start + timedelta(weeks=week),
            scale="anmian-leg-scale",
            answers=[],
            total=max(24 - 2 * week, 4),
            band="moderate",
        )


@pytest.fixture
def li(alice, bob):
    """A patient whose name is written in Chinese, with six weeks of diary and two sessions."""
    alice.name = "李明 (Li Ming)"
    alice.save()
    keep_diary(alice, 42)
    for day in (TODAY - timedelta(days=30), TODAY - timedelta(days=16)):
        SessionNote.objects.create(patient=alice, practitioner=bob, date=day)
    return alice


def pdf_of(client, patient) -> bytes:
    client.force_login(patient.user)
    response = client.get("/diary/report.pdf?paper=a4")
    assert response.status_code == 200
    return response.content


def gray_pages(pdf: bytes, tmp_path: Path) -> list[tuple[int, int, bytes]]:
    """Each page as (width, height, one byte of grey per pixel), read from pdftoppm's PGM."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: `make system-deps` installs poppler-utils")
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(DPI), str(tmp_path / "report.pdf"), str(tmp_path / "p")],
        check=True,
    )
    return [read_pgm(path.read_bytes()) for path in sorted(tmp_path.glob("p-*.pgm"))]


def read_pgm(data: bytes) -> tuple[int, int, bytes]:
    """A binary PGM (P5): magic, width, height and maxval as text, then the pixels."""
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":  # a comment runs to the end of its line
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P5" and int(fields[3]) < 256
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1 : pos + 1 + width * height]
    assert len(pixels) == width * height
    return width, height, pixels


def chart_boxes(document) -> list[list[tuple[float, float, float, float]]]:
    """Per page, the (x, y, width, height) of each chart image as laid out, in CSS px."""
    out = []
    for page in document.pages:
        boxes = []
        for box in page._page_box.descendants():
            if getattr(box, "element_tag", None) == "img":
                boxes.append((box.content_box_x(), box.content_box_y(), box.width, box.height))
        out.append(boxes)
    return out


def shares(page: tuple[int, int, bytes], box) -> tuple[float, float, float]:
    """The shares of dark (< 100), inked (< 200) and light (> 220) pixels inside `box`."""
    width, _, pixels = page
    x, y, w, h = (round(v) for v in box)
    dark = ink = light = 0
    for row in range(y + 1, y + h - 1):
        line = pixels[row * width + x + 1 : row * width + x + w - 1]
        dark += sum(1 for v in line if v < 100)
        ink += sum(1 for v in line if v < 200)
        light += sum(1 for v in line if v > 220)
    total = (w - 2) * (h - 2)
    return dark / total, ink / total, light / total


def test_every_chart_in_the_pdf_shows_lines_and_labels_not_a_solid_fill(client, li, tmp_path):
    pdf = pdf_of(client, li)
    pages = gray_pages(pdf, tmp_path)
    layout = chart_boxes(report_document(li, TODAY, "a4"))
    assert len(layout) == len(pages)
    charts = [(pages[i], box) for i, boxes in enumerate(layout) for box in boxes]
    assert len(charts) == 5  # severity, onset, efficiency, self-care, weekly score
    for page, box in charts:
        dark, ink, light = shares(page, box)
        # a black box is all dark; a drawn chart is mostly paper (and pale bands), with a
        # line, its dots and its labels in ink
        assert dark < 0.2, f"chart at {box} is {dark:.0%} dark: a solid fill"
        assert light > 0.6, f"chart at {box} is only {light:.0%} light"
        assert ink > 0.01, f"chart at {box} has nothing drawn ({ink:.1%} inked)"


def test_every_page_names_the_person_the_date_and_the_clinic(client, li):
    reader = PdfReader(io.BytesIO(pdf_of(client, li)))
    assert len(reader.pages) >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert "李明 (Li Ming)" in text, f"page {number} does not name the person"
        assert "Quiet Nights Clinic" in text and "20 November 2026" in text
        assert f"page {number} of {len(reader.pages)}" in text


def test_a_chinese_name_is_drawn_with_a_cjk_font(client, li):
    reader = PdfReader(io.BytesIO(pdf_of(client, li)))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("CJK" in name for name in fonts), f"no CJK font ({fonts}): run make system-deps"


def test_a_quote_or_markup_in_a_name_is_printed_as_written(client, alice):
    alice.name = 'Ann "Nan" O\'Neil </style><b>'
    alice.save()
    keep_diary(alice, 10)
    text = PdfReader(io.BytesIO(pdf_of(client, alice))).pages[0].extract_text()
    assert text.count('Ann "Nan" O\'Neil </style><b>') >= 2  # the running head and the title


def last_lines(document) -> list[set[str]]:
    """Per page, the tags enclosing the last line of the body's flow."""
    from weasyprint.formatting_structure import boxes

    out = []
    for page in document.pages:
        html = page._page_box.children[0]
        last: list[str] = []

        def walk(box, tags):
            nonlocal last
            tags = [*tags, getattr(box, "element_tag", "")]
            if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
                last = tags
                return
            for child in getattr(box, "children", []):
                walk(child, tags)

        walk(html, [])
        out.append(set(last))
    return out


@pytest.mark.parametrize("nights", [14, 42, 300, 480])
def test_no_heading_is_left_at_the_foot_of_a_page(alice, nights):
    keep_diary(alice, nights, missing=())
    pages = last_lines(report_document(alice, TODAY, "a4"))
    for number, tags in enumerate(pages[:-1], start=1):
        assert not tags & {"h1", "h2", "h3"}, f"page {number} ends with a heading"


# --- the report in Chinese (issue 16) ------------------------------------------------------

ZH_TW = {"HTTP_ACCEPT_LANGUAGE": "zh-TW,zh;q=0.9"}


def zh_pdf_of(client, patient, tmp_path: Path | None = None) -> bytes:
    client.force_login(patient.user)
    response = client.get("/diary/report.pdf?paper=a4", **ZH_TW)
    assert response.status_code == 200
    if tmp_path is not None:
        (tmp_path / "zh.pdf").write_bytes(response.content)
    return response.content


def embedded_fonts(pdf_path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) of each font pdffonts lists (poppler-utils, as pdftoppm)."""
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts is missing: `make system-deps` installs poppler-utils")
    listing = subprocess.run(
        ["pdffonts", str(pdf_path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    # name type encoding emb sub uni object ID: emb is the fourth field from the end but 3
    return [(line.split()[0], line.split()[-5] == "yes") for line in listing if line.strip()]


def test_the_chinese_report_reads_in_chinese_on_every_page(client, li):
    reader = PdfReader(io.BytesIO(zh_pdf_of(client, li)))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        # the running heads: whose, where, the date as Chinese writes it, and the page
        assert "李明 (Li Ming)" in text and "Quiet Nights Clinic" in text
        assert "2026年11月20日" in text, f"page {number}: no Chinese date"
        assert f"第 {number} 頁，共 {len(pages)} 頁" in text, f"page {number}: no page count"
        assert "Anmian 進展報告" in text
    whole = "".join(pages)
    for heading in ("每晚腿部症狀", "睡眠效率", "計畫變更"):
        assert heading in whole
    # the disclaimer in Chinese (rules.yaml disclaimer_zh_hant), not the English one
    assert "does not diagnose" not in whole
    for english in ("page 1 of", "Progress report", "Adherence by week", "Leg symptoms"):
        assert english not in whole


def test_the_chinese_report_embeds_the_traditional_noto_cjk_font(client, li, tmp_path):
    zh_pdf_of(client, li, tmp_path)
    fonts = embedded_fonts(tmp_path / "zh.pdf")
    cjk = [(name, emb) for name, emb in fonts if "CJK" in name.replace("-", "")]
    assert cjk, f"no Noto CJK font in {fonts}: run make system-deps"
    assert all(emb for _, emb in cjk), f"a Noto CJK font is not embedded: {cjk}"
    # Traditional glyph forms for zh-Hant (TC) everywhere, the charts' labels too: not the
    # Japanese or Simplified forms fontconfig would pick for "sans-serif"
    forms = {name.replace("-", "").split("CJK")[1][:2].upper() for name, _ in cjk}
    assert forms == {"TC"}, cjk


def text_boxes(document, tag: str) -> list[tuple[int, tuple[float, float, float, float]]]:
    """(page index, (x, y, width, height)) of each `tag` element's box as laid out."""
    out = []
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            if getattr(box, "element_tag", None) == tag and box.width and box.height:
                out.append(
                    (number, (box.border_box_x(), box.border_box_y(), box.width, box.height))
                )
    return out


def test_the_chinese_title_is_drawn_as_glyphs_not_blank_or_boxes(client, li, tmp_path):
    from django.utils import translation

    pages = gray_pages(zh_pdf_of(client, li), tmp_path)
    with translation.override("zh-hant"):
        title = text_boxes(report_document(li, TODAY, "a4"), "h1")
    assert title, "no title laid out"
    page, box = title[0]
    _, ink, light = shares(pages[page], box)
    # 進展報告：李明 (Li Ming) drawn: ink where the strokes are, paper around them
    assert ink > 0.03, f"the title is blank ({ink:.1%} inked)"
    assert light > 0.5
    # a missing glyph is drawn as the same hollow box each time: real characters differ.
    # Cut the title's first four character cells (16pt squares) and compare them.
    width, _, pixels = pages[page]
    x, y, _, h = (round(v) for v in box)
    side = round(16 * DPI / 72)  # one 16pt em in px
    cells = [
        b"".join(
            pixels[(y + row) * width + x + k * side : (y + row) * width + x + (k + 1) * side]
            for row in range(min(side, h))
        )
        for k in range(4)
    ]
    assert len(set(cells)) == 4, "the title's characters are drawn alike: tofu boxes"
    assert all(sum(v < 128 for v in cell) > 10 for cell in cells), "an empty character cell"


def test_the_plan_s_formula_is_named_for_people_not_by_its_id(client, li, bob, alice_assessment):
    """Issue 10: no ids for people. The plan keeps the id; the report prints the formula's
    English name with its pinyin, as the knowledge base gives them."""
    from anmian.web.records.models import Plan

    Plan.objects.create(
        patient=li, assessment=alice_assessment, adopted_by=bob, formula="suan-zao-ren-tang"
    )
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_of(client, li))).pages)
    assert "Sour Jujube Decoction (Suan Zao Ren Tang)" in " ".join(text.split())
    assert "suan-zao-ren-tang" not in text


def test_the_simplified_report_uses_the_simplified_glyph_forms(client, li, tmp_path):
    client.force_login(li.user)
    response = client.get("/diary/report.pdf?paper=a4", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 200
    (tmp_path / "hans.pdf").write_bytes(response.content)
    cjk = [name for name, _ in embedded_fonts(tmp_path / "hans.pdf") if "CJK" in name]
    assert {name.replace("-", "").split("CJK")[1][:2].upper() for name in cjk} == {"SC"}, cjk
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "进展报告" in text and "2026年11月20日" in text


def test_the_collector_paused_for_the_render_changes_nothing_and_runs_again_after(li):
    paused = report_pdf(li, TODAY, "a4")
    assert gc.isenabled()
    assert paused == report_document(li, TODAY, "a4").write_pdf()  # the same bytes
    gc.disable()  # a caller that had paused it keeps it paused
    try:
        report_pdf(li, TODAY, "a4")
        assert not gc.isenabled()
    finally:
        gc.enable()
