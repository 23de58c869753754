"""The self-assessment wizard as a list of step objects (after pretix's checkout flow).

Each step knows its identifier and label, builds its form from the knowledge base, says
whether it applies to this person, and whether it is done. Which findings are asked together
comes from the knowledge base (intake.yaml); a finding only one sex can have (periods) is not
asked of the other, so a step may come in variants with one identifier, one for each sex whose
questions differ.
Answers live in the session under ANSWERS, one dict per step, so a reload, the back button
or a validation error never loses them; the engine runs only on the results page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from anmian.engine.inputs import CRITERIA
from anmian.engine.zh_result import to_simplified
from anmian.knowledge import KnowledgeBase, get_kb
from anmian.knowledge.models import Finding
from anmian.web.core.kbtext import in_page_language
from anmian.web.selfcheck import services

if TYPE_CHECKING:
    # Labels are lazy translations, rendered in the person's language when the page is drawn.
    from django_stubs_ext import StrOrPromise

ANSWERS = "selfcheck"
# answers[MODE]: "short" (the default: the adaptive questions, one a screen) or "full" (every
# finding of every group, "answer everything"); answers[INTAKE]: the short path's answers.
MODE = "mode"
INTAKE = services.INTAKE
YES_NO = [("yes", _("Yes")), ("no", _("No")), ("unsure", _("Not sure"))]


class AboutForm(forms.Form):
    age = forms.IntegerField(min_value=0, max_value=120, required=False, label=_("Your age"))
    sex = forms.ChoiceField(
        choices=[
            ("", _("Prefer not to say")),
            ("female", _("Female")),
            ("male", _("Male")),
            ("other", _("Other")),
        ],
        required=False,
        label=_("Sex"),
    )


def _yes_no_form(name: str, questions: list[tuple[str, str]], required: bool) -> type[forms.Form]:
    fields = {
        key: forms.ChoiceField(
            choices=YES_NO, label=text, widget=forms.RadioSelect, required=required
        )
        for key, text in questions
    }
    return type(name, (forms.Form,), fields)


def _checkbox_form(name: str, items: list[tuple[str, str, str]]) -> type[forms.Form]:
    fields = {
        fid: forms.BooleanField(required=False, label=question, help_text=label)
        for fid, label, question in items
    }
    return type(name, (forms.Form,), fields)


class NotesForm(forms.Form):
    story = forms.CharField(
        required=False,
        max_length=services.MAX_TEXT,
        label=_("Anything else about your legs, sleep or health?"),
        help_text=_(
            "In your own words, as you would tell a friend. Anmian reads it and shows you "
            "how it understood it. For example: my calves crawl after supper; no chest pain."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean_story(self) -> str:
        story = self.cleaned_data["story"]
        problem = services.story_problem(story)
        if problem:
            raise forms.ValidationError(problem)
        return story


MEDICATION_FIELDS = [f"medication_{n}" for n in range(1, 7)]


def _listed(text: str, what: str) -> list[str]:
    found = services.items(text)
    for item in found:
        if len(item) > services.MAX_ITEM:
            raise forms.ValidationError(
                _("“%(start)s…” is too long for one %(what)s; keep each under %(most)s characters.")
                % {"start": item[:30], "what": what, "most": services.MAX_ITEM}
            )
    return found


class ContextForm(forms.Form):
    pregnant = forms.BooleanField(required=False, label=_("I am pregnant or trying to conceive"))
    breastfeeding = forms.BooleanField(required=False, label=_("I am breastfeeding"))
    conditions = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Conditions you have")
    )
    other_conditions = forms.CharField(
        required=False,
        max_length=300,
        label=_("Other conditions (in your own words)"),
        help_text=_("Separate several with commas."),
        widget=forms.TextInput(attrs={"list": "condition-names", "autocomplete": "off"}),
    )
    allergies = forms.CharField(
        required=False,
        max_length=300,
        label=_("Allergies (in your own words)"),
        help_text=_(
            "To herbs, oils, foods or medicines; separate several with commas. "
            "Anything containing them is left out of your plan."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    ferritin_ng_ml = forms.FloatField(
        required=False, min_value=0, max_value=10000, label=_("Ferritin (ng/mL), if you know it")
    )
    tsat_percent = forms.FloatField(
        required=False,
        min_value=0,
        max_value=100,
        label=_("Transferrin saturation (%), if you know it"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One box per medicine (a phone keyboard and the suggestions work best so); commas
        # inside a box still separate several.
        for n, name in enumerate(MEDICATION_FIELDS, 1):
            self.fields[name] = forms.CharField(
                required=False,
                max_length=200,
                label=_("Medicine %(n)s") % {"n": n},
                widget=forms.TextInput(attrs={"list": "medicine-names", "autocomplete": "off"}),
            )
        order = ["pregnant", "breastfeeding", *MEDICATION_FIELDS]
        self.order_fields(order)

    def medication_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in MEDICATION_FIELDS]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in MEDICATION_FIELDS]

    def clean(self) -> dict[str, Any]:
        # Form.clean returns cleaned_data; the stubs allow None for subclasses that return nothing.
        super().clean()
        data = self.cleaned_data
        for name in MEDICATION_FIELDS:
            try:
                _listed(data.get(name) or "", str(_("medicine")))
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        for name, what in (("other_conditions", _("condition")), ("allergies", _("allergy"))):
            try:
                _listed(data.get(name) or "", str(what))
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        return data


# The sexes whose questions can differ; None stands for anyone who has not said, or said
# "other", and is asked everything.
SEXES: tuple[str | None, ...] = ("female", "male", None)


def is_full(answers: dict[str, Any]) -> bool:
    return answers.get(MODE) == "full"


def person_sex(answers: dict[str, Any]) -> str | None:
    sex = answers.get("about", {}).get("sex")
    return sex if sex in ("female", "male") else None


@dataclass
class Step:
    identifier: str
    label: StrOrPromise
    intro: StrOrPromise
    form_class: type[forms.Form]
    # Asked only of these sexes (see SEXES); None: of everyone.
    sexes: frozenset[str | None] | None = None
    scale: str | None = None  # the severity step: the scale its answers are scored on
    # A step of the long form only: the short path asks its findings one at a time instead.
    full_only: bool = False

    def is_applicable(self, answers: dict[str, Any]) -> bool:
        return self.sexes is None or person_sex(answers) in self.sexes

    def on_path(self, answers: dict[str, Any]) -> bool:
        """Is the step on this person's way through: applicable, and in their mode?"""
        return self.is_applicable(answers) and (not self.full_only or is_full(answers))

    def is_completed(self, answers: dict[str, Any]) -> bool:
        return self.identifier in answers


def _finding_steps(
    ident: str,
    label: StrOrPromise,
    intro: StrOrPromise,
    findings: list[Finding],
    full_only: bool = False,
) -> list[Step]:
    """One step of checkboxes, or one variant for each set of sexes that is asked the same."""
    variants: dict[tuple[str, ...], set[str | None]] = {}
    for sex in SEXES:
        ids = tuple(f.id for f in findings if f.applies_to(sex))
        if ids:
            variants.setdefault(ids, set()).add(sex)
    by_id = {f.id: f for f in findings}
    return [
        Step(
            ident,
            label,
            intro,
            _checkbox_form(
                f"{ident.title()}Form",
                [(by_id[i].id, by_id[i].label, by_id[i].question) for i in ids],
            ),
            sexes=None if len(sexes) == len(SEXES) else frozenset(sexes),
            full_only=full_only,
        )
        for ids, sexes in variants.items()
    ]


# Lazy: the steps are built once (views._steps) and shown in each request's language.
_in_page_language = lazy(in_page_language, str)


def _item_text(item: Any) -> str:
    return _in_page_language(item.text, getattr(item, "zh_text", None))


def _item_answers(item: Any) -> list[str]:
    zh = tuple(getattr(item, "zh_answers", None) or ())
    if len(zh) != len(item.answers):
        return list(item.answers)
    return [_in_page_language(en, cn) for en, cn in zip(item.answers, zh, strict=True)]


def severity_form(kb: KnowledgeBase, scale_id: str | None = None) -> type[forms.Form] | None:
    """A form of our own-wording severity items (also used for the weekly re-score); by
    default of the scale the knowledge base tracks severity with (intake.yaml)."""
    scale = kb.scales.get(scale_id or kb.intake.severity_scale)
    if scale is None or not scale.items:
        return None
    # In Chinese where the base words the item in Chinese too (zh_text, zh_answers: one
    # beside each answer); else as the base words it.
    fields = {
        item.id: forms.TypedChoiceField(
            choices=list(enumerate(_item_answers(item))),
            coerce=int,
            label=_item_text(item),
            widget=forms.RadioSelect,
            required=True,
        )
        for item in scale.items
    }
    return type("SeverityForm", (forms.Form,), fields)


def build_steps(kb: KnowledgeBase) -> list[Step]:
    # our own wording of each criterion, in Chinese on a Chinese page (screening.yaml zh_text)
    screening = [(c, _item_text(kb.screening[c])) for c in CRITERIA if c in kb.screening]
    steps = [
        Step(
            "about", _("About you"), _("A few facts that change what is safe for you."), AboutForm
        ),
        Step(
            "screening",
            _("The five key questions"),
            _("These follow the international criteria for restless legs."),
            _yes_no_form("ScreeningForm", screening, required=True),
        ),
    ]
    steps += _finding_steps(
        "safety",
        _("Safety check"),
        _("Some signs need a doctor before anything else. Tick any that apply to you now."),
        [f for f in kb.findings.values() if f.category == "red-flag"],
    )
    scale_id = kb.intake.severity_scale
    severity = severity_form(kb, scale_id)
    if severity is not None:
        scale = kb.scales[scale_id]
        note = _in_page_language(scale.note, scale.zh_note)
        steps.append(
            Step("severity", _("How strong are your symptoms?"), note, severity, scale=scale_id)
        )
    for group in kb.intake.groups:
        steps += _finding_steps(
            group.id,
            _in_page_language(group.label, group.zh_label),
            _("Tick what is true for you most of the time."),
            [f for f in kb.findings.values() if f.category in group.categories],
            full_only=True,
        )
    steps.append(
        Step(
            "notes",
            _("In your own words"),
            _("Anything the questions missed. You can leave this empty."),
            NotesForm,
        )
    )
    steps.append(
        Step(
            "context",
            _("Medicines, conditions and tests"),
            _("Herbs and points are checked against these."),
            ContextForm,
        )
    )
    return steps


def context_from_record(patient: Any, kb: KnowledgeBase) -> dict[str, Any] | None:
    """The medicines and conditions step filled from what the person confirmed from their GP's
    record (exports/fhir_import.py), so the safety check starts from the record; None when
    there is nothing (or no patient). The person still sees and can change every box."""
    items = list(patient.recorded_items.all()) if patient is not None else []
    if not items:
        return None
    medicines = [i.text for i in items if i.kind == "medication"][: len(MEDICATION_FIELDS)]
    known = [i.kb_id for i in items if i.kind == "condition" and i.kb_id in kb.conditions]
    other = [i.text for i in items if i.kind == "condition" and i.kb_id not in kb.conditions]
    allergies = [i.text for i in items if i.kind == "allergy"]
    return {
        **dict(zip(MEDICATION_FIELDS, medicines, strict=False)),
        "conditions": known,
        "other_conditions": ", ".join(other)[:300],
        "allergies": ", ".join(allergies)[:300],
    }


def form_for(step: Step, kb: KnowledgeBase, data: Any = None, initial: Any = None) -> forms.Form:
    form = step.form_class(data=data, initial=initial)
    if isinstance(form, ContextForm):
        # named in the page's language (the base's zh_name on a Chinese page), in English order
        choices: list[tuple[str, str]] = [
            (c.id, in_page_language(c.name, c.zh_name))
            for c in sorted(kb.conditions.values(), key=lambda c: c.name)
        ]
        cast(forms.MultipleChoiceField, form.fields["conditions"]).choices = choices
    _chinese_findings(form, kb)
    return form


def _chinese_findings(form: forms.Form, kb: KnowledgeBase) -> None:
    """In Chinese, a finding's box shows the knowledge base's zh-Hant question and name
    (zh-Hans made from them); English stays as built."""
    if not (get_language() or "").lower().startswith("zh"):
        return
    for name, field in form.fields.items():
        finding = kb.findings.get(name)
        if finding is None or not finding.zh_question:
            continue
        field.label = question_text(finding)
        if finding.zh:
            field.help_text = _in_script(finding.zh)


def question_text(finding: Finding) -> str:
    """The finding's question in the active language (English where there is no Chinese)."""
    if (get_language() or "").lower().startswith("zh") and finding.zh_question:
        return _in_script(finding.zh_question)
    return finding.question


def _in_script(zh_hant: str) -> str:
    return to_simplified(zh_hant) if (get_language() or "").lower() == "zh-hans" else zh_hant


def to_engine_input(answers: dict[str, Any], steps: list[Step]) -> dict[str, Any]:
    """The session's answers as the engine's input document."""
    about = answers.get("about", {})
    context = answers.get("context", {})
    asked = dict.fromkeys(s.identifier for s in steps)  # a step's variants share its answers
    findings = [
        fid
        for ident in asked
        if ident not in ("about", "screening", "severity", "notes", "context")
        for fid, ticked in answers.get(ident, {}).items()
        if ticked is True
    ]
    findings += services.written_findings(
        answers.get("notes", {}).get("story"), answers.get(services.CONFIRM)
    )
    # the short path's yes answers (the long form's ticks are above)
    findings += answers.get(INTAKE, {}).get("present", [])
    findings = list(dict.fromkeys(findings))
    # "medications" is the single comma-separated box of sessions begun before the six boxes.
    medicines = [context.get("medications") or "", *(context.get(n) for n in MEDICATION_FIELDS)]
    screen = answers.get("screening", {})
    data: dict[str, Any] = {
        "findings": findings,
        "screening": {c: {"yes": True, "no": False}.get(screen.get(c)) for c in CRITERIA},
        "medications": list(dict.fromkeys(m for box in medicines for m in services.items(box))),
        "conditions": list(
            dict.fromkeys(
                [
                    *(context.get("conditions") or []),
                    *services.items(context.get("other_conditions")),
                ]
            )
        ),
        "allergies": list(dict.fromkeys(services.items(context.get("allergies")))),
        "pregnant": bool(context.get("pregnant")),
        "breastfeeding": bool(context.get("breastfeeding")),
    }
    if about.get("age") is not None:
        data["age"] = about["age"]
    if about.get("sex"):
        data["sex"] = about["sex"]
    labs = {k: context[k] for k in ("ferritin_ng_ml", "tsat_percent") if context.get(k) is not None}
    if labs:
        data["labs"] = labs
    scale = next((s.scale for s in steps if s.scale), None)
    if "severity" in answers and scale:
        data["severity"] = {"scale": scale, "answers": list(answers["severity"].values())}
    return data


def confirm_form(pending: list[dict[str, Any]], data: Any = None) -> forms.Form:
    """Yes/no for each reading Anmian was not sure of; the field name is the finding's id,
    the question its name in the page's language (the base's zh on a Chinese page)."""
    findings = get_kb().findings
    fields = {
        p["finding"]: forms.ChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))],
            label=in_page_language(p["label"], getattr(findings.get(p["finding"]), "zh", None)),
            help_text=_("You wrote: %(texts)s")
            % {"texts": "; ".join(f"“{t}”" for t in p["texts"])},
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Choose yes or no."),
                "invalid_choice": _("Choose yes or no."),
            },
        )
        for p in pending
    }
    return type("ConfirmForm", (forms.Form,), fields)(data=data)
