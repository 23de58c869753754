from __future__ import annotations

from django import forms
from django.utils import timezone

from anmian.knowledge import get_kb
from anmian.web.records.models import SessionNote


class PlanForm(forms.Form):
    points = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    formula = forms.ChoiceField(required=False)
    herbs = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The formula's herbs as you adjust them (add or remove).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kb = get_kb()
        self.fields["points"].choices = [(p.id, f"{p.code} {p.pinyin}") for p in kb.points.values()]
        self.fields["formula"].choices = [("", "No formula")] + [
            (f.id, f"{f.pinyin} ({f.english})") for f in kb.formulas.values()
        ]
        self.fields["herbs"].choices = sorted(
            ((h.id, h.pinyin) for h in kb.herbs.values()), key=lambda c: c[1]
        )


SIDES = [("both", "Both sides"), ("left", "Left"), ("right", "Right")]


class NoteForm(forms.ModelForm):
    # The point picker: points ticked from the knowledge base (the patient's plan first), one
    # side and technique for all of them; the typed lines below stay for the exceptions.
    picked = forms.MultipleChoiceField(
        required=False, label="Points needled", widget=forms.CheckboxSelectMultiple
    )
    picked_side = forms.ChoiceField(choices=SIDES, initial="both", required=False, label="Side")
    picked_technique = forms.CharField(
        required=False, max_length=60, label="Technique", help_text="For example: even, tonify"
    )
    points_needled = forms.CharField(
        required=False,
        label="Other points, or another side or technique",
        help_text="One per line: code, side (left/right/both), technique. Example: SP6, left, even",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, plan_points: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()  # most notes are written the same day
        kb = get_kb()
        first = [pid for pid in plan_points or [] if pid in kb.points]
        rest = sorted((p for p in kb.points.values() if p.id not in first), key=lambda p: p.code)

        def label(pid: str) -> str:
            point = kb.points[pid]
            return f"{point.code} {point.pinyin}"

        groups = (
            [("From the patient's plan", [(pid, label(pid)) for pid in first])] if first else []
        )
        picker = self.fields["picked"]
        assert isinstance(picker, forms.MultipleChoiceField)
        picker.choices = [
            *groups,
            ("All points", [(p.id, label(p.id)) for p in rest]),
        ]

    class Meta:
        model = SessionNote
        fields = ["date", "tongue", "pulse", "herbs_given", "response", "notes"]
        widgets = {
            # a date input takes ISO dates only; the locale's format would leave it blank
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "response": forms.Textarea(attrs={"rows": 2}),
        }

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
                    f"Line {n}: unknown point '{parts[0]}' (use a code such as SP6)."
                )
            side = parts[1].casefold() if len(parts) > 1 and parts[1] else "both"
            if side not in ("left", "right", "both"):
                raise forms.ValidationError(
                    f"Line {n}: side must be left, right or both, not '{parts[1]}'."
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
    name = forms.CharField(max_length=200, label="Patient's name")
    email = forms.EmailField(label="Their email (the invitation goes there)")
