"""One form validates a diary night, whether typed on a phone or read from an imported CSV;
the quick entry is the same form with three questions."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from anmian.engine.sleep import SleepDiaryError, measures
from anmian.knowledge import get_kb
from anmian.web.core.kbtext import chinese_page
from anmian.web.core.kbtext import point_label as kb_point_label
from anmian.web.diary.csvfile import COLUMNS, SLEEP_COLUMNS
from anmian.web.diary.models import AREAS, DiaryEntry
from anmian.web.records.models import Patient

FIELDS = list(COLUMNS)  # the form asks what the CSV layout carries, in its order
TIMES = ("bedtime", "lights_out", "sleep_latency_min", "final_wake", "out_of_bed")
QUICK_FIELDS = ["night_of", "severity", "quality", "points_pressed"]
# A browser's date picker sends YYYY-MM-DD; a date typed by hand (no picker, or an import)
# may come in any of these, read day first as in the UK.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d %b %Y", "%d %B %Y"]
# The body areas of models.AREAS, as the form shows them.
AREA_LABELS = {"legs": _("Legs"), "arms": _("Arms"), "trunk": _("Trunk"), "other": _("Elsewhere")}


def point_label(point_id: str) -> str:
    point = get_kb().points.get(point_id)
    if point is None:
        return point_id
    if chinese_page():
        return kb_point_label(point)  # SP6 三陰交
    return f"{point.code} {point.pinyin} ({point.english})"


class DiaryForm(forms.ModelForm):
    night_of = forms.DateField(
        label=_("Night of"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "invalid": _("Enter the date as YYYY-MM-DD, for example 2026-11-19 (or 19/11/2026).")
        },
        help_text=_("The date the night started; change it to fill in an earlier night."),
    )
    points_pressed = forms.MultipleChoiceField(
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Points you pressed (self-acupressure)"),
    )
    areas = forms.MultipleChoiceField(
        choices=[(key, AREA_LABELS.get(key, text)) for key, text in AREAS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Where were the symptoms?"),
    )

    class Meta:
        model = DiaryEntry
        fields = FIELDS
        labels = {
            "severity": _("How bad were your legs last night? (0 none, 10 worst)"),
            "onset": _("Roughly when did the leg symptoms start?"),
            "sleep_disturbance": _(
                "How much did they disturb your sleep? (0 not at all, 4 very much)"
            ),
            "bedtime": _("What time did you get into bed?"),
            "lights_out": _("What time did you start trying to sleep?"),
            "sleep_latency_min": _("How many minutes did it take to fall asleep?"),
            "awakenings": _("How many times did you wake, not counting the last time?"),
            "awake_min": _("In total, how many minutes were you awake during those times?"),
            "final_wake": _("What time did you wake for the last time?"),
            "out_of_bed": _("What time did you get out of bed?"),
            "quality": _("How would you rate your sleep? (1 very poor, 5 very good)"),
            "caffeine": _("Caffeinated drinks yesterday"),
            "alcohol": _("Alcoholic drinks yesterday"),
            "nicotine": _("Any nicotine yesterday"),
            "exercise": _("Exercise yesterday"),
            "late_screens": _("Screens in the hour before bed"),
            "herbs_taken": _("Took prescribed herbs"),
            "topical_used": _("Used a topical remedy or foot soak"),
            "notes": _("Notes"),
        }
        help_texts = {"onset": _("When the leg symptoms started.")}
        widgets = {
            **{
                f: forms.TimeInput(format="%H:%M", attrs={"type": "time"})
                for f in ("onset", "bedtime", "lights_out", "final_wake", "out_of_bed")
            },
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self,
        *args,
        patient: Patient,
        today: date,
        earliest: date,
        tz: ZoneInfo,
        points: list[str] | None = None,
        times_optional: bool = False,
        **kwargs,
    ):
        """`points`: the point ids offered as pressed (the plan's; None: any point of the
        knowledge base, as for an import). `times_optional`: a night may come without its
        sleep times (a quick entry in an import), but never with only some of them.
        `earliest`: the first night allowed (`services.earliest_night`), typed or imported."""
        super().__init__(*args, **kwargs)
        self.patient, self.today, self.earliest, self.tz = patient, today, earliest, tz
        # the browser's picker offers only the allowed nights; clean_night_of is the rule
        self.fields["night_of"].widget.attrs |= {
            "min": earliest.isoformat(),
            "max": today.isoformat(),
        }
        self.times_optional = times_optional
        offered = list(get_kb().points) if points is None else list(points)
        offered += [p for p in (self.instance.points_pressed or []) if p not in offered]
        pressed = self.fields["points_pressed"]
        assert isinstance(pressed, forms.MultipleChoiceField)
        pressed.choices = [(p, point_label(p)) for p in offered]
        if not offered:  # no plan yet: nothing to tick
            del self.fields["points_pressed"]
        for name in TIMES:
            if name in self.fields:
                self.fields[name].required = not times_optional

    def clean_night_of(self) -> date:
        night = self.cleaned_data["night_of"]
        allowed = {"earliest": self.earliest.isoformat(), "today": self.today.isoformat()}
        if night > self.today:
            raise forms.ValidationError(
                _(
                    "That night has not happened yet: choose a night from %(earliest)s "
                    "to today, %(today)s."
                )
                % allowed
            )
        if night < self.earliest:
            raise forms.ValidationError(
                _(
                    "That night is too long ago: the diary takes nights from %(earliest)s "
                    "to today, %(today)s."
                )
                % allowed
            )
        others = DiaryEntry.objects.filter(patient=self.patient, night_of=night)
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)  # a saved night may move to a free date
        if others.exists():
            raise forms.ValidationError(
                _("You already have an entry for that night; open it to change it.")
            )
        # A missed night can be filled in later, back to `earliest`; only saved entries lock.
        return night

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        given = [f for f in TIMES if data.get(f) is not None]
        if self.times_optional and given and len(given) < len(TIMES) and not self.errors:
            missing = ", ".join(f for f in TIMES if f not in given)
            raise forms.ValidationError(
                _("Give all the sleep times or none of them (missing: %(missing)s).")
                % {"missing": missing}
            )
        if all(data.get(f) is not None for f in SLEEP_COLUMNS):
            probe = DiaryEntry(
                **{f: data.get(f) for f in SLEEP_COLUMNS},
                awakenings=data.get("awakenings") or 0,
                awake_min=data.get("awake_min") or 0,
            )
            try:
                measures(probe.night(), self.tz)
            except SleepDiaryError as exc:
                raise forms.ValidationError(
                    _("These times do not add up: %(problem)s.") % {"problem": exc}
                ) from None
        return data

    def save(self, commit: bool = True) -> DiaryEntry:
        entry = super().save(commit=False)
        entry.patient = self.patient
        if commit:
            entry.save()
        return entry


class QuickDiaryForm(DiaryForm):
    """Three questions for a tired evening: the legs, the sleep, the points pressed. The
    times can be added later in the full form; the rest of a saved night is kept."""

    areas = None  # type: ignore[assignment]  # a declared field, removed from the quick form

    class Meta(DiaryForm.Meta):
        fields = QUICK_FIELDS
        labels = {
            **DiaryForm.Meta.labels,
            "severity": _("How bad were your legs? (0 none, 10 worst)"),
            "quality": _("How did you sleep? (1 very poor, 5 very good)"),
        }
