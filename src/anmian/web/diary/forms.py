"""One form validates a diary night, whether typed on a phone or read from an imported CSV."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django import forms

from anmian.engine.sleep import SleepDiaryError, measures
from anmian.web.diary.csvfile import COLUMNS, SLEEP_COLUMNS
from anmian.web.diary.models import AREAS, DiaryEntry
from anmian.web.records.models import Patient

FIELDS = list(COLUMNS)  # the form asks what the CSV layout carries, in its order


class DiaryForm(forms.ModelForm):
    areas = forms.MultipleChoiceField(
        choices=AREAS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Where were the symptoms?",
    )

    class Meta:
        model = DiaryEntry
        fields = FIELDS
        labels = {
            "night_of": "Night of",
            "severity": "How bad were your legs last night? (0 none, 10 worst)",
            "onset": "Roughly when did the leg symptoms start?",
            "sleep_disturbance": "How much did they disturb your sleep? (0 not at all, 4 very much)",
            "bedtime": "What time did you get into bed?",
            "lights_out": "What time did you start trying to sleep?",
            "sleep_latency_min": "How many minutes did it take to fall asleep?",
            "awakenings": "How many times did you wake, not counting the last time?",
            "awake_min": "In total, how many minutes were you awake during those times?",
            "final_wake": "What time did you wake for the last time?",
            "out_of_bed": "What time did you get out of bed?",
            "quality": "How would you rate your sleep? (1 very poor, 5 very good)",
            "caffeine": "Caffeinated drinks yesterday",
            "alcohol": "Alcoholic drinks yesterday",
            "nicotine": "Any nicotine yesterday",
            "exercise": "Exercise yesterday",
            "late_screens": "Screens in the hour before bed",
            "herbs_taken": "Took prescribed herbs",
            "topical_used": "Used a topical remedy or foot soak",
        }
        widgets = {
            "night_of": forms.DateInput(attrs={"type": "date"}),
            **{
                f: forms.TimeInput(attrs={"type": "time"})
                for f in ("onset", "bedtime", "lights_out", "final_wake", "out_of_bed")
            },
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, patient: Patient, today: date, tz: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient, self.today, self.tz = patient, today, tz

    def clean_night_of(self) -> date:
        night = self.cleaned_data["night_of"]
        if night > self.today:
            raise forms.ValidationError(
                "That night has not happened yet; choose today or an earlier date."
            )
        if (
            self.instance.pk is None
            and DiaryEntry.objects.filter(patient=self.patient, night_of=night).exists()
        ):
            raise forms.ValidationError(
                "You already have an entry for that night; open it to change it."
            )
        if self.instance.pk is not None and night != self.instance.night_of:
            raise forms.ValidationError("The date of a saved night cannot change.")
        # A missed night can be filled in later, however late; only saved entries lock.
        return night

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if all(data.get(f) is not None for f in SLEEP_COLUMNS):
            probe = DiaryEntry(
                **{f: data.get(f) for f in SLEEP_COLUMNS},
                awakenings=data.get("awakenings") or 0,
                awake_min=data.get("awake_min") or 0,
            )
            try:
                measures(probe.night(), self.tz)
            except SleepDiaryError as exc:
                raise forms.ValidationError(f"These times do not add up: {exc}.") from None
        return data

    def save(self, commit: bool = True) -> DiaryEntry:
        entry = super().save(commit=False)
        entry.patient = self.patient
        if commit:
            entry.save()
        return entry
