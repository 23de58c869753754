"""The progress report as a PDF (A4 or Letter), rendered by WeasyPrint from a template.

Charts go in as SVG images that carry their own colours (see `charts`). Names in Chinese need
a CJK font: `make system-deps` installs Debian's Noto CJK, which the template names."""

from __future__ import annotations

import base64
import gc
import re
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, pgettext

from anmian.engine.zh_result import to_simplified
from anmian.knowledge import get_kb
from anmian.web.diary.charts import progress_charts
from anmian.web.diary.progress import RECENT_WEEKS, SCALE, periods, progress
from anmian.web.records.models import Patient

PAPERS = {"a4": "A4", "letter": "letter"}
# Noto CJK (fonts-noto-cjk, installed by make) draws the Chinese, in the Traditional or the
# Simplified forms of the page's script (a character such as 骨 or 這 differs between TC and
# SC); DejaVu Sans draws Latin text in an English report.
FONTS = {
    "zh-Hant": '"Noto Sans CJK TC", "DejaVu Sans", sans-serif',
    "zh-Hans": '"Noto Sans CJK SC", "DejaVu Sans", sans-serif',
    "en": '"DejaVu Sans", "Noto Sans CJK TC", "Noto Sans CJK SC", sans-serif',
}


def css_string(text: str) -> str:
    """`text` as a quoted CSS string, every character but letters, digits and spaces escaped:
    the page's running heads are CSS, where HTML escaping means nothing and a quote or a
    "</style>" in a name would end the string or the style sheet."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def css_counters(text: str) -> str:
    """A translated "page %(page)s of %(pages)s" as CSS content: the words quoted, the
    placeholders the page counters, in the order the language puts them."""
    parts = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", text):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def script() -> str:
    """The report's script: zh-Hant, zh-Hans, or en, from the active language."""
    code = (get_language() or "en").lower()
    return {"zh-hant": "zh-Hant", "zh-hans": "zh-Hans"}.get(code, "en")


def report_pdf(patient: Patient, today: date, paper: str) -> bytes:
    """The report as PDF bytes, laid out and drawn with the cyclic collector paused.

    WeasyPrint keeps the whole document alive while it works, so its objects outlive the
    young generations and are promoted; every other 5-year render then paid for a full
    collection that walked all of them and the process's own (170 to 270 ms, more than the
    charts and tables together). Its cycles are freed by the first collection after it, on
    the young generation only (about 18,500 objects for a 5-year report, 10 to 35 ms)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return report_document(patient, today, paper).write_pdf()
    finally:
        if enabled:
            gc.enable()


def report_document(patient: Patient, today: date, paper: str) -> Any:
    """The laid-out report (a WeasyPrint Document): its pages and where each box sits."""
    from weasyprint import HTML  # heavy; only the report pays for it

    kb = get_kb()
    p = progress(patient, today)
    lang = script()
    # the charts' labels in the report's fonts (a bare sans-serif gets fontconfig's choice,
    # Japanese glyph forms for Chinese)
    family = "font-family='" + FONTS[lang] + "'"
    charts = [
        (
            heading,
            base64.b64encode(svg.replace('font-family="sans-serif"', family).encode()).decode(),
        )
        for heading, svg in progress_charts(p, kb.scales[SCALE])
        if svg.startswith("<svg")
    ]
    plans = list(patient.plans.select_related("adopted_by").order_by("created"))
    scale = kb.scales[SCALE]
    disclaimer = {
        "zh-Hant": kb.rules.disclaimer_zh_hant,
        "zh-Hans": kb.rules.disclaimer_zh_hans,
    }.get(lang, kb.rules.disclaimer)
    in_script = to_simplified if lang == "zh-Hans" else (lambda s: s)
    scale_name = in_script(scale.zh_name) if lang != "en" and scale.zh_name else scale.name
    html = render_to_string(
        "diary/report.html",
        {
            "patient": patient,
            "clinic": patient.clinic,
            "head_left": css_string(patient.name),
            "head_right": css_string(
                f"{patient.clinic.name if patient.clinic else 'Anmian'} · "
                + date_format(today, pgettext("report date", "j F Y"))
            ),
            "foot_left": css_string(gettext("Anmian progress report")),
            "foot_right": css_counters(gettext("page %(page)s of %(pages)s")),
            "lang": lang,
            "fonts": FONTS[lang],
            "chinese": lang != "en",
            "scale_name": scale_name,
            "p": p,
            "charts": charts,
            "recent_weeks": RECENT_WEEKS,
            "periods": periods(p.days, today),
            "today": today,
            "paper": PAPERS[paper],
            "scale": scale,
            "plans": plans,
            "disclaimer": disclaimer,
            "first": patient.assessments.order_by("created").first(),
        },
    )
    return HTML(string=html).render()
