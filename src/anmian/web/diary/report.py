"""The progress report as a PDF (A4 or Letter), rendered by WeasyPrint from a template."""

from __future__ import annotations

import base64
from datetime import date

from django.template.loader import render_to_string

from anmian.knowledge import get_kb
from anmian.web.diary.charts import progress_charts
from anmian.web.diary.progress import SCALE, progress
from anmian.web.records.models import Patient

PAPERS = {"a4": "A4", "letter": "letter"}


def report_pdf(patient: Patient, today: date, paper: str) -> bytes:
    from weasyprint import HTML  # heavy; only the report pays for it

    kb = get_kb()
    p = progress(patient, today)
    charts = [
        (heading, base64.b64encode(svg.encode()).decode())
        for heading, svg in progress_charts(p, kb.scales[SCALE], standalone=True)
        if svg.startswith("<svg")
    ]
    plans = list(patient.plans.select_related("adopted_by").order_by("created"))
    html = render_to_string(
        "diary/report.html",
        {
            "patient": patient,
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
    return HTML(string=html).write_pdf()
