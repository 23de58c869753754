"""A person who reads Traditional Chinese does the self-check on a phone (issue 16): the short
path (safety steps, then one question a screen) in zh-Hant from the browser's own language,
the results in Chinese, then the handout printed to PDF, drawn in a Noto CJK font.

Expected words come from the standards, not from Anmian's data: SP6 is 三陰交 and ST36 足三里
(WHO Standard Acupuncture Point Locations, 2008); 證型 (pattern) and 穴位 (acupoint) are the
glossary's and WHO IST 2007's terms. Set ANMIAN_SCREENSHOTS to a folder to keep the screens
and the handout's pages to look at."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from anmian.web.tests.test_browser import _pass_the_first_steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TRUTH = {"palpitations", "pale-face", "poor-memory", "dizziness", "pale-lips-nails"}
CJK = re.compile(r"[\u3400-\u9fff]")
# Latin words a Chinese page may keep: the name, point codes, units, drug names, the scales
ALLOWED = {"anmian", "rls", "irls", "isi", "psqi", "pdf", "who", "icd", "tcm", "inr", "cun"}


def _english_words(text: str) -> list[str]:
    """Latin words outside the names' English, which follows each Chinese name in brackets
    ("心血虛 (Heart Blood deficiency)") for a reader who checks with a practitioner."""
    while re.search(r"\([^()]*\)", text):  # innermost brackets first: "(Great Surge (also ...))"
        text = re.sub(r"\([^()]*\)", "", text)
    text = re.sub(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b", "", text)  # reference ids: who-2008-locations
    words = re.findall(r"[A-Za-z]{4,}", text)
    return [w for w in words if w.lower() not in ALLOWED]


def _platform_fonts(context, page, selector: str) -> dict[str, int]:
    """{font family: glyphs drawn} for the element, as Chromium's DevTools report it."""
    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {f["familyName"]: f["glyphCount"] for f in fonts}


def _walk_the_short_path(page, base: str, shots: Path) -> int:
    page.goto(f"{base}/self-check/")
    _pass_the_first_steps(page)
    # the five criteria in Chinese: the first is the urge to move (glossary: 想動腿的衝動)
    assert "想動腿的衝動" in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "zh-390-screening.png"))
    asked = 0
    for _ in range(60):
        if "/results/" in page.url:
            return asked
        before = page.url
        if "/questions/" in page.url:
            asked += 1
            question = page.locator("main").inner_text()
            assert CJK.search(question), f"question {asked} is not in Chinese: {question[:80]}"
            finding = page.url.rstrip("/").rsplit("/", 1)[-1]
            if "/questions/list/" in page.url:  # a checklist: tick the ones this person has
                for f in page.locator("input[name=ticked]").evaluate_all(
                    "es => es.map(e => e.value)"
                ):
                    if f in TRUTH:
                        page.check(f"input[name=ticked][value={f}]")
            elif "/questions/choice/" in page.url:  # one of findings that exclude each other
                values = page.locator("input[name=answer]").evaluate_all(
                    "es => es.map(e => e.value)"
                )
                page.check(
                    f"input[name=answer][value={next((v for v in values if v in TRUTH), 'none')}]"
                )
            elif "/questions/again/" not in page.url:  # the second look: all still true
                page.check(f"input[name=answer][value={'yes' if finding in TRUTH else 'no'}]")
        else:
            if page.locator("textarea[name=story]").count():
                page.fill("textarea[name=story]", "每天晚上小腿像螞蟻在爬，一直想動")
            radios = page.locator("input[type=radio][value='2']")
            for i in range(radios.count()):
                radios.nth(i).check()
        page.click("#wizard form button[type=submit]")
        page.wait_for_function("u => location.href !== u", arg=before)
    raise AssertionError(f"the short path did not reach the results: {page.url}")


def test_a_chinese_reader_on_a_phone_does_the_self_check_and_prints_the_handout(
    browser,
    live_server,
    tmp_path: Path,
):
    shots = Path(os.environ.get("ANMIAN_SCREENSHOTS") or tmp_path)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-TW")
    page = context.new_page()
    try:
        asked = _walk_the_short_path(page, live_server.url, shots)
        assert 0 < asked <= 31
        assert page.evaluate("document.documentElement.lang") == "zh-Hant"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways
        page.screenshot(path=str(shots / "zh-390-results.png"), full_page=False)
        page.click("#plan-h")  # on a phone the plan is folded under its heading: open it
        page.screenshot(path=str(shots / "zh-390-results-full.png"), full_page=True)
        main = page.locator("main").inner_text()
        assert "證型" in main and "穴位" in main
        points = page.locator("ul.points").inner_text()
        assert "三陰交" in points  # SP6 (WHO 2008)
        # what a person reads is Chinese: few Latin words, none of the English prose
        english = _english_words(main)
        assert len(english) <= 5, english
        assert "does not diagnose" not in main and "Your results" not in main

        # --- the handout: the print view, then the PDF the browser makes of it ---
        page.emulate_media(media="print")
        assert not page.locator("header.site").is_visible()
        # the font Chromium really draws the Chinese with (Chromium embeds CJK fonts in the
        # PDF as unnamed Type 3 fonts, so pdffonts cannot tell): Noto Sans CJK TC, from
        # fonts-noto-cjk that make installs, not a fallback's empty boxes
        for selector in ("main h1", "ul.points li", "section.summary p"):
            fonts = _platform_fonts(context, page, selector)
            assert fonts.get("Noto Sans CJK TC", 0) > 0, (selector, fonts)
        pdf = page.pdf(format="A4")
        (shots / "zh-handout.pdf").write_bytes(pdf)
    finally:
        context.close()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "三陰交" in text and "證型" in text  # the glyphs carry their characters
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: `make system-deps` installs poppler-utils")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(shots / "zh-handout.pdf"), str(shots / "handout")],
        check=True,
    )
    assert list(shots.glob("handout-*.png"))
