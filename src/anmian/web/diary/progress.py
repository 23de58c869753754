"""A person's progress in a fixed number of queries, however long the diary: nightly series,
weekly scores against the baseline, adherence, and the signals a practitioner should see.

`signals_for` gives the signals of many patients in the same fixed number of queries, for
the practitioner's patient list (plugged into `records.services` by `DiaryConfig.ready`)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext

from anmian.engine.sleep import Night, SleepDiaryError, measures
from anmian.engine.zh_result import to_simplified
from anmian.knowledge import get_kb
from anmian.web.diary.models import DiaryEntry, ScaleScore
from anmian.web.records.alerts import red_flags_in
from anmian.web.records.models import Assessment, Patient, SessionNote

__all__ = [
    "SCALE",
    "Period",
    "Periods",
    "Progress",
    "periods",
    "progress",
    "red_flags_in",
    "signals_for",
]

SCALE = "anmian-leg-scale"
# Signal thresholds: clinical judgement, documented here so a clinic can review them.


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
    # each night recorded: (night, any self-care, severity 0-10), oldest first
    days: list[tuple[date, bool, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Period:
    """A row of the report's adherence table: a week (from its Monday), a month or a year."""

    start: date
    nights: int  # nights recorded in it
    care: float  # % of those nights with any self-care
    severity: float  # mean nightly severity over those nights


@dataclass(frozen=True)
class Periods:
    """The report's adherence table in three parts, newest detail first: the last `RECENT_WEEKS`
    weeks week by week (from `weeks_from`), the `MONTHS` months before that month by month (from
    `months_from`), and the years before that year by year. Each row's figures are over its own
    nights, not an average of smaller averages; the first month and the first year of a part
    end where the next part starts."""

    weeks_from: date
    months_from: date
    weeks: list[Period]
    months: list[Period]
    years: list[Period]

    @property
    def months_to(self) -> date:
        return self.weeks_from - timedelta(days=1)

    @property
    def years_to(self) -> date:
        return self.months_from - timedelta(days=1)


# Five years of weekly rows (260) are too many to read and most of a long report's render
# time; the charts keep every night.
RECENT_WEEKS = 12
MONTHS = 12


def _period(start: date, nights: list[tuple[bool, int]]) -> Period:
    return Period(
        start,
        len(nights),
        100 * sum(c for c, _ in nights) / len(nights),
        statistics.fmean(s for _, s in nights),
    )


def periods(days: Sequence[tuple[date, bool, int]], today: date) -> Periods:
    """`days` (night, any self-care, severity), grouped as `Periods` says, for a report of `today`."""
    weeks_from = today - timedelta(days=today.weekday()) - timedelta(weeks=RECENT_WEEKS - 1)
    first = weeks_from.replace(day=1)
    back = first.year * 12 + first.month - 1 - MONTHS
    months_from = date(back // 12, back % 12 + 1, 1)
    parts: tuple[dict[date, list[tuple[bool, int]]], ...] = (
        defaultdict(list),
        defaultdict(list),
        defaultdict(list),
    )
    for night, care, sev in days:
        if night >= weeks_from:
            parts[0][night - timedelta(days=night.weekday())].append((care, sev))
        elif night >= months_from:
            parts[1][night.replace(day=1)].append((care, sev))
        else:
            parts[2][date(night.year, 1, 1)].append((care, sev))
    weeks, months, years = ([_period(k, part[k]) for k in sorted(part)] for part in parts)
    return Periods(weeks_from, months_from, weeks, months, years)


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
        if bed and lights and wake and up and sol is not None:  # a quick entry has no times
            try:
                m = measures(Night(night_of, bed, lights, sol, awk, waso, wake, up), tz)
                out.efficiency.append((night_of, m.sleep_efficiency))
            except SleepDiaryError:
                pass  # a saved night was validated; an old bad one is skipped, not fatal
        monday = night_of - timedelta(days=night_of.weekday())
        care = bool(pressed) or bool(herbs) or bool(topical)
        week_nights[monday].append((care, sev))
        out.days.append((night_of, care, sev))
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
    first = patient.assessments.order_by("created").values_list("result", flat=True).first()
    out.baseline, out.latest = _baseline(first, [s.total for s in out.scores])
    out.change, out.change_label = _change(out.baseline, out.latest)
    out.signals = _signals(
        out.severity,
        [h for _, h in out.onset],
        out.sessions[0] if out.sessions else None,
        out.change,
        _recent_texts([(d, n) for d, *_, n in rows], notes, today),
        today,
    )
    return out


def signals_for(patients: Sequence[Patient]) -> dict[int, list[str]]:
    """The signals of each patient (by primary key), today in their clinic, in five queries
    whatever the number of patients or nights; the same signals as `progress`."""
    if not patients:
        return {}
    now = timezone.now()
    today = {p.pk: now.astimezone(p.tz).date() for p in patients}
    since = min(today.values()) - timedelta(days=get_kb().rules.diary_signals.danger_note_days + 1)
    ids = list(today)
    onsets: dict[int, list[float]] = defaultdict(list)
    for pk, onset in (
        DiaryEntry.objects.filter(patient__in=ids, onset__isnull=False)
        .order_by("patient_id", "night_of")
        .values_list("patient_id", "onset")
    ):
        if onset is not None:  # filtered out already; this tells the type checker
            onsets[pk].append(_hours_after_noon(onset))
    recent: dict[int, list[tuple[date, int, str]]] = defaultdict(list)
    for pk, night_of, sev, text in (
        DiaryEntry.objects.filter(patient__in=ids, night_of__gt=since)
        .order_by("patient_id", "night_of")
        .values_list("patient_id", "night_of", "severity", "notes")
    ):
        recent[pk].append((night_of, sev, text))
    totals: dict[int, list[int]] = defaultdict(list)
    for pk, total in (
        ScaleScore.objects.filter(patient__in=ids, scale=SCALE)
        .order_by("patient_id", "taken", "created")
        .values_list("patient_id", "total")
    ):
        totals[pk].append(total)
    notes: dict[int, list[tuple[date, str, str]]] = defaultdict(list)
    for pk, day, text, response in (
        SessionNote.objects.filter(patient__in=ids)
        .order_by("patient_id", "date")
        .values_list("patient_id", "date", "notes", "response")
    ):
        notes[pk].append((day, text, response))
    first_of = Assessment.objects.filter(patient=OuterRef("patient")).order_by("created", "pk")
    firsts = dict(
        Assessment.objects.filter(
            patient__in=ids, pk=Subquery(first_of.values("pk")[:1])
        ).values_list("patient_id", "result")
    )
    out = {}
    for pk, day in today.items():
        baseline, latest = _baseline(firsts.get(pk), totals[pk])
        out[pk] = _signals(
            [(d, s) for d, s, _ in recent[pk]],
            onsets[pk],
            notes[pk][0][0] if notes[pk] else None,
            _change(baseline, latest)[0],
            _recent_texts([(d, t) for d, _, t in recent[pk]], notes[pk], day),
            day,
        )
    return out


def _recent_texts(
    diary: list[tuple[date, str]], notes: list[tuple[date, str, str]], today: date
) -> list[str]:
    """The last month's diary and session notes, where a danger sign is still news."""
    since = today - timedelta(days=get_kb().rules.diary_signals.danger_note_days)
    # Each field apart: a denial in one ("no chest pain") must not reach into the next.
    return [t for d, t in diary if d > since] + [
        t for d, n, r in notes if d > since for t in (n, r)
    ]


def _baseline(first: Mapping[str, Any] | None, totals: list[int]) -> tuple[int | None, int | None]:
    """The baseline is the first assessment's severity on this scale, else the first score;
    the latest is the last score."""
    sev = (first or {}).get("screening", {}).get("severity")
    baseline = sev["total"] if sev and sev.get("scale") == SCALE else None
    if baseline is None and totals:
        baseline = totals[0]
    return baseline, (totals[-1] if totals else None)


def _change(baseline: int | None, latest: int | None) -> tuple[int | None, str]:
    if baseline is None or latest is None:
        return None, ""
    change = latest - baseline
    scale = get_kb().scales[SCALE]
    fall = -change
    if scale.change_important and fall >= scale.change_important:
        return change, gettext("a clinically important improvement")
    if scale.change_noteworthy and fall >= scale.change_noteworthy:
        return change, gettext("a noteworthy improvement")
    if change > 0:
        return change, gettext("worse than at the start")
    return change, gettext("not yet a clear change")


def _in_script(text: str, lang: str) -> str:
    return to_simplified(text) if lang == "zh-hans" else text


def _urgency(urgency: str) -> str:
    return {
        "emergency": pgettext("urgency", "emergency"),
        "urgent": pgettext("urgency", "urgent"),
        "routine": pgettext("urgency", "routine"),
    }.get(urgency, urgency)


def _signals(
    severity: list[tuple[date, float]],
    onsets: list[float],
    first_session: date | None,
    change: int | None,
    texts: list[str],
    today: date,
) -> list[str]:
    """What a practitioner should see: nightly severity (night, 0-10), onsets (hours after
    noon, oldest first), the first session, the change since baseline and the recent notes."""
    found = []
    rule = get_kb().rules.diary_signals
    week = timedelta(days=rule.worsening_days)
    recent = [s for d, s in severity if d > today - week]
    before = [s for d, s in severity if today - 2 * week < d <= today - week]
    if (
        recent
        and before
        and statistics.fmean(recent) - statistics.fmean(before) >= rule.worsening_points
    ):
        found.append(gettext("Worsening over the last two weeks"))
    window = rule.onset_window_nights
    if len(onsets) >= 2 * window:
        early = statistics.median(onsets[:window])
        late = statistics.median(onsets[-window:])
        if (early - late) * 60 >= rule.earlier_onset_minutes:
            found.append(
                gettext(
                    "Symptoms start earlier in the day: possible augmentation, review medicines"
                )
            )
    course = get_kb().rules.course_single
    if (
        first_session is not None
        and first_session <= today - timedelta(weeks=course.weeks)
        and change is not None
    ):
        scale = get_kb().scales[SCALE]
        if -change < (scale.change_noteworthy or 0):
            found.append(
                gettext("No clear improvement after %(weeks)s weeks of care")
                % {"weeks": course.weeks}
            )
    lang = get_language() or ""
    flags = get_kb().red_flags
    for a in red_flags_in(texts):
        zh = flags[a.flag].zh_title if a.flag in flags else None
        title = _in_script(zh, lang) if lang.startswith("zh") and zh else a.title
        found.append(
            gettext("Danger sign in a note: %(title)s (%(urgency)s)")
            % {"title": title, "urgency": _urgency(a.urgency)}
        )
    return found
