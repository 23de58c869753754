"""The progress report as a PDF (A4 or Letter), rendered by WeasyPrint from a template.

Charts go in as SVG images that carry their own colours (see `charts`). Names in Chinese need
a CJK font: `make system-deps` installs Debian's Noto CJK, which the template names."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from django.template.loader import render_to_string

from anmian.knowledge import get_kb
from anmian.web.diary.charts import progress_charts
from anmian.web.diary.progress import SCALE, progress
from anmian.web.records.models import Patient

PAPERS = {"a4": "A4", "letter": "letter"}


def css_string(text: str) -> str:
    """`text` as a quoted CSS string, every character but letters, digits and spaces escaped:
    the page's running heads are CSS, where HTML escaping means nothing and a quote or a
    "</style>" in a name would end the string or the style sheet."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def report_pdf(patient: Patient, today: date, paper: str) -> bytes:
    return report_document(patient, today, paper).write_pdf()


def report_document(patient: Patient, today: date, paper: str) -> Any:
    """The laid-out report (a WeasyPrint Document): its pages and where each box sits."""
    from weasyprint import HTML  # heavy; only the report pays for it

    kb = get_kb()
    p = progress(patient, today)
    charts = [
        (heading, base64.b64encode(svg.encode()).decode())
        for heading, svg in progress_charts(p, kb.scales[SCALE])
        if svg.startswith("<svg")
    ]
    plans = list(patient.plans.select_related("adopted_by").order_by("created"))
    html = render_to_string(
        "diary/report.html",
        {
            "patient": patient,
            "clinic": patient.clinic,
            "head_left": css_string(patient.name),
            "head_right": css_string(
                f"{patient.clinic.name if patient.clinic else 'Anmian'} · {today.day} {today:%B %Y}"
            ),
            "p": p,
            "charts": charts,
            "today": today,
            "paper": PAPERS[paper],
            "scale": kb.scales[SCALE],
            "plans": plans,
            "disclaimer": kb.rules.disclaimer,
            "first": patient.assessments.order_by("created").first(),
        },
    )
    return HTML(string=html).render()
