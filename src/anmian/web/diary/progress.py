"""A person's progress in a fixed number of queries, however long the diary: nightly series,
weekly scores against the baseline, adherence, and the signals a practitioner should see."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import lru_cache

from anmian.engine.notes import NoteAlert, alerts
from anmian.engine.sleep import Night, SleepDiaryError, measures
from anmian.knowledge import get_kb
from anmian.web.diary.models import DiaryEntry, ScaleScore
from anmian.web.records.models import Patient, SessionNote

SCALE = "anmian-leg-scale"
# Signal thresholds: clinical judgement, documented here so a clinic can review them.
WORSENING_POINTS = 2.0  # rise in mean nightly severity (0-10), last 7 nights vs the 7 before
EARLIER_ONSET_MIN = 60  # onset moved this much earlier: possible augmentation
ONSET_WINDOW = 14


@dataclass
class Progress:
    severity: list[tuple[date, float]] = field(default_factory=list)
    onset: list[tuple[date, float]] = field(default_factory=list)  # hours after noon
    efficiency: list[tuple[date, float]] = field(default_factory=list)
    weekly: list[tuple[date, float, float]] = field(
        default_factory=list
    )  # week, adherence %, mean severity
    scores: list[ScaleScore] = field(default_factory=list)
    sessions: list[date] = field(default_factory=list)
    baseline: int | None = None
    latest: int | None = None
    change: int | None = None
    change_label: str = ""
    signals: list[str] = field(default_factory=list)
    nights: int = 0


def _hours_after_noon(t: time) -> float:
    h = t.hour + t.minute / 60
    return h - 12 if h >= 12 else h + 12


def progress(patient: Patient, today: date) -> Progress:
    tz = patient.tz
    out = Progress()
    rows = list(
        DiaryEntry.objects.filter(patient=patient)
        .order_by("night_of")
        .values_list(
            "night_of",
            "severity",
            "onset",
            "bedtime",
            "lights_out",
            "sleep_latency_min",
            "awakenings",
            "awake_min",
            "final_wake",
            "out_of_bed",
            "points_pressed",
            "herbs_taken",
            "topical_used",
            "notes",
        )
    )
    out.nights = len(rows)
    week_nights: dict[date, list[tuple[bool, int]]] = defaultdict(list)
    recent_texts = [r[-1] for r in rows if r[0] > today - timedelta(days=30)]
    for (
        night_of,
        sev,
        onset,
        bed,
        lights,
        sol,
        awk,
        waso,
        wake,
        up,
        pressed,
        herbs,
        topical,
        _,
    ) in rows:
        out.severity.append((night_of, sev))
        if onset is not None:
            out.onset.append((night_of, _hours_after_noon(onset)))
        try:
            m = measures(Night(night_of, bed, lights, sol, awk, waso, wake, up), tz)
            out.efficiency.append((night_of, m.sleep_efficiency))
        except SleepDiaryError:
            pass  # a saved night was validated; an old bad one is skipped, not fatal
        monday = night_of - timedelta(days=night_of.weekday())
        week_nights[monday].append((bool(pressed) or herbs or topical, sev))
    for monday in sorted(week_nights):
        nights = week_nights[monday]
        out.weekly.append(
            (
                monday,
                100 * sum(a for a, _ in nights) / len(nights),
                statistics.fmean(s for _, s in nights),
            )
        )
    out.scores = list(ScaleScore.objects.filter(patient=patient, scale=SCALE))
    notes = list(
        SessionNote.objects.filter(patient=patient)
        .values_list("date", "notes", "response")
        .order_by("date")
    )
    out.sessions = [d for d, _, _ in notes]
    # Each field apart: a denial in one ("no chest pain") must not reach into the next.
    recent_texts += [t for d, n, r in notes if d > today - timedelta(days=30) for t in (n, r)]
    _baseline(patient, out)
    out.signals = signals(out, today)
    out.signals += [
        f"Danger sign in a note: {a.title} ({a.urgency})" for a in red_flags_in(recent_texts)
    ]
    return out


def _baseline(patient: Patient, out: Progress) -> None:
    """The baseline is the first assessment's severity on this scale, else the first score."""
    first = patient.assessments.order_by("created").values_list("result", flat=True).first()
    sev = (first or {}).get("screening", {}).get("severity") if first else None
    if sev and sev.get("scale") == SCALE:
        out.baseline = sev["total"]
    elif out.scores:
        out.baseline = out.scores[0].total
    if out.scores:
        out.latest = out.scores[-1].total
    if out.baseline is not None and out.latest is not None:
        out.change = out.latest - out.baseline
        scale = get_kb().scales[SCALE]
        fall = -out.change
        if scale.change_important and fall >= scale.change_important:
            out.change_label = "a clinically important improvement"
        elif scale.change_noteworthy and fall >= scale.change_noteworthy:
            out.change_label = "a noteworthy improvement"
        elif out.change > 0:
            out.change_label = "worse than at the start"
        else:
            out.change_label = "not yet a clear change"


def signals(p: Progress, today: date) -> list[str]:
    found = []
    recent = [s for d, s in p.severity if d > today - timedelta(days=7)]
    before = [
        s for d, s in p.severity if today - timedelta(days=14) < d <= today - timedelta(days=7)
    ]
    if (
        recent
        and before
        and statistics.fmean(recent) - statistics.fmean(before) >= WORSENING_POINTS
    ):
        found.append("Worsening over the last two weeks")
    if len(p.onset) >= 2 * ONSET_WINDOW:
        early = statistics.median(h for _, h in p.onset[:ONSET_WINDOW])
        late = statistics.median(h for _, h in p.onset[-ONSET_WINDOW:])
        if (early - late) * 60 >= EARLIER_ONSET_MIN:
            found.append(
                "Symptoms start earlier in the day: possible augmentation, review medicines"
            )
    course = get_kb().rules.course_single
    if (
        p.sessions
        and p.sessions[0] <= today - timedelta(weeks=course.weeks)
        and p.change is not None
    ):
        scale = get_kb().scales[SCALE]
        if -p.change < (scale.change_noteworthy or 0):
            found.append(f"No clear improvement after {course.weeks} weeks of care")
    return found


def red_flags_in(texts: list[str]) -> list[NoteAlert]:
    """Danger signs written in free text (diary and session notes), most urgent first.

    Read by the engine's note reader, so a denial ("no chest pain") raises nothing."""
    return list(_alerts(tuple(t for t in texts if t and t.strip())))


# The patient list reads every listed patient's last month of notes on each load; the
# reader takes milliseconds a note, so a month's unchanged notes are read once.
@lru_cache(maxsize=1024)
def _alerts(texts: tuple[str, ...]) -> tuple[NoteAlert, ...]:
    return tuple(alerts(get_kb(), texts)) if texts else ()
