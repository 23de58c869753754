from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from anmian.knowledge import get_kb
from anmian.web.core.kbtext import in_page_language, point_label
from anmian.web.records.models import SessionNote
from anmian.web.records.services import DateRange, check_note_date


class PlanForm(forms.Form):
    points = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    formula = forms.ChoiceField(required=False)
    herbs = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The formula's herbs as you adjust them (add or remove)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kb = get_kb()
        self.fields["points"].choices = [(p.id, point_label(p)) for p in kb.points.values()]
        self.fields["formula"].choices = [("", _("No formula"))] + [
            (f.id, in_page_language(f"{f.pinyin} ({f.english})", f.chinese))
            for f in kb.formulas.values()
        ]
        self.fields["herbs"].choices = sorted(
            ((h.id, in_page_language(h.pinyin, h.chinese)) for h in kb.herbs.values()),
            key=lambda c: c[1],
        )


SIDES = [("both", _("Both sides")), ("left", _("Left")), ("right", _("Right"))]
# A typed side may be written in Chinese too (the help text of a zh page says 左／右／雙側).
SIDE_WORDS = {"左": "left", "右": "right", "雙側": "both", "兩側": "both", "双侧": "both"}


class NoteForm(forms.ModelForm):
    # The point picker: points ticked from the knowledge base (the patient's plan first), one
    # side and technique for all of them; the typed lines below stay for the exceptions.
    picked = forms.MultipleChoiceField(
        required=False, label=_("Points needled"), widget=forms.CheckboxSelectMultiple
    )
    picked_side = forms.ChoiceField(choices=SIDES, initial="both", required=False, label=_("Side"))
    picked_technique = forms.CharField(
        required=False,
        max_length=60,
        label=_("Technique"),
        help_text=_("For example: even, tonify"),
    )
    points_needled = forms.CharField(
        required=False,
        label=_("Other points, or another side or technique"),
        help_text=_(
            "One per line: code, side (left/right/both), technique. Example: SP6, left, even"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, dates: DateRange, plan_points: list[str] | None = None, **kwargs):
        """`dates`: those the note may carry (`services.note_dates` of the patient)."""
        super().__init__(*args, **kwargs)
        self.dates = dates
        self.fields["date"].initial = dates.latest  # most notes are written the same day
        # the browser's picker offers only the allowed dates; the check below is the rule
        self.fields["date"].widget.attrs |= {
            "min": dates.earliest.isoformat(),
            "max": dates.latest.isoformat(),
        }
        kb = get_kb()
        first = [pid for pid in plan_points or [] if pid in kb.points]
        rest = sorted((p for p in kb.points.values() if p.id not in first), key=lambda p: p.code)

        def label(pid: str) -> str:
            return point_label(kb.points[pid])

        groups = (
            [(_("From the patient's plan"), [(pid, label(pid)) for pid in first])] if first else []
        )
        picker = self.fields["picked"]
        assert isinstance(picker, forms.MultipleChoiceField)
        picker.choices = [
            *groups,
            (_("All points"), [(p.id, label(p.id)) for p in rest]),
        ]

    class Meta:
        model = SessionNote
        fields = ["date", "tongue", "pulse", "herbs_given", "response", "notes"]
        widgets = {
            # a date input takes ISO dates only; the locale's format would leave it blank
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "response": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "date": _("Date"),
            "tongue": _("Tongue"),
            "pulse": _("Pulse"),
            "herbs_given": _("Herbs given"),
            "response": _("Response"),
            "notes": _("Notes"),
        }

    def clean_date(self) -> date:
        day = self.cleaned_data["date"]
        check_note_date(day, self.dates)
        return day

    def clean_points_needled(self) -> list[dict[str, str]]:
        kb = get_kb()
        codes = {p.code.casefold(): p.id for p in kb.points.values()} | {
            p.id: p.id for p in kb.points.values()
        }
        out = []
        for n, line in enumerate(self.cleaned_data["points_needled"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [x.strip() for x in line.split(",")]
            point = codes.get(parts[0].casefold())
            if point is None:
                raise forms.ValidationError(
                    _("Line %(n)s: unknown point '%(code)s' (use a code such as SP6).")
                    % {"n": n, "code": parts[0]}
                )
            side = parts[1].casefold() if len(parts) > 1 and parts[1] else "both"
            side = SIDE_WORDS.get(side, side)
            if side not in ("left", "right", "both"):
                raise forms.ValidationError(
                    _("Line %(n)s: side must be left, right or both, not '%(side)s'.")
                    % {"n": n, "side": parts[1]}
                )
            out.append(
                {"point": point, "side": side, "technique": parts[2] if len(parts) > 2 else ""}
            )
        return out

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # ModelForm.clean returns cleaned_data
        typed = data.get("points_needled") or []
        by_line = {row["point"] for row in typed}  # a typed line is the exception: it wins
        side = data.get("picked_side") or "both"
        technique = data.get("picked_technique", "")
        picked = [
            {"point": pid, "side": side, "technique": technique}
            for pid in data.get("picked", [])
            if pid not in by_line
        ]
        data["points_needled"] = picked + list(typed)
        return data

    def save(self, commit: bool = True) -> SessionNote:
        note = super().save(commit=False)
        note.points = self.cleaned_data["points_needled"]
        if commit:
            note.save()
        return note


class InviteForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Patient's name"))
    email = forms.EmailField(label=_("Their email (the invitation goes there)"))
