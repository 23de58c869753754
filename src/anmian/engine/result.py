"""The result of one assessment as typed models: the JSON contract of the engine.

`anmian assess --format json`, `POST /api/v1/assess` and the stored assessments of the web site
all print these models, and the API's OpenAPI document is generated from them, so a change to
the contract shows as a change here and as a diff of `docs/openapi.json`.

The engine computes with its own dataclasses (screening, patterns, plan, safety);
`Assessment.result()` reads them into these models. The models forbid unknown keys, so JSON
read back (a stored result, the CLI's output) with a key the contract does not name is refused,
and tests/test_result_models.py fails when an engine dataclass has a field with no place here:
nothing slips into, or out of, the contract unseen.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["present", "absent", "uncertain", "historical", "family", "other"]
Level = Literal["exact", "high", "low"]
How = Literal["exact", "cover", "fuzzy"]
Urgency = Literal["emergency", "urgent", "routine"]
Verdict = Literal["possible-rls", "criteria-not-met", "insufficient"]
Role = Literal["primary", "combined", "considered"]
PlanStatus = Literal["ready", "see-physician-first", "on-hold"]
Mode = Literal["needle", "acupressure", "both"]
ItemKind = Literal["point", "herb", "formula", "technique", "advice"]

Refs = list[str]
_REFS = "Reference ids of the knowledge base (`anmian kb show ID`) that support it."

# Fields every reading of a phrase carries (findings, medicines, conditions, ...).
Phrase = Annotated[str, Field(description="The phrase as written.")]
ReadWords = Annotated[str, Field(description="The words of the phrase read as this entry.")]
Confidence = Annotated[float, Field(ge=0, le=1)]
ReadLevel = Annotated[Level, Field(description="exact, high, or low (check it) confidence.")]
ReadHow = Annotated[
    How, Field(description="Exact wording, words covered in any order, or a typo fixed.")
]


def _is_none(value: object) -> bool:
    return value is None


def _zh(what: str) -> Any:
    """An optional Chinese field: only with `lang` zh-Hant or zh-Hans (`anmian assess --lang`,
    `?lang=` on the API; anmian.engine.zh_result), and left out of the JSON otherwise, so the
    English contract is unchanged."""
    return Field(
        default=None,
        exclude_if=_is_none,
        description=f"{what} in Chinese, in the script asked for; only when `lang` is Chinese.",
    )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --- how the input was read ------------------------------------------------------------


class ReadFinding(_Model):
    text: Phrase
    finding: str = Field(description="Finding id.")
    status: Status
    read: ReadWords
    confidence: Confidence
    level: ReadLevel
    how: ReadHow
    zh: str | None = _zh("The finding's name")


class ReadMedication(_Model):
    text: Phrase
    medication: str = Field(description="Medication or drug-class id.")
    status: Status
    read: ReadWords
    confidence: Confidence
    level: ReadLevel
    how: ReadHow


class ReadCondition(_Model):
    text: Phrase
    condition: str = Field(description="Condition id.")
    status: Status
    read: ReadWords
    confidence: Confidence
    level: ReadLevel
    how: ReadHow


class ReadAllergy(_Model):
    text: Phrase
    allergen: str = Field(
        description=(
            "What the allergy names: herb:ID, formula:ID, oil:ID, allergen:WORD (a word that "
            "rules out several items, such as aspirin for the salicylate oils), medication:ID, "
            "class:ID or known:WORD (known, and in no plan item: penicillin, latex), or "
            "condition:ID (a nickel allergy is metal-allergy)."
        )
    )
    status: Status
    read: ReadWords
    confidence: Confidence
    level: ReadLevel
    how: ReadHow


class Reading(_Model):
    """One finding read from the person's words, listed under its status."""

    text: Phrase
    finding: str = Field(description="Finding id.")
    label: str = Field(description="The finding's label, as a person reads it.")
    read: str = Field(description="The words read as this finding.")
    zh: str | None = _zh("The finding's name")


class Readings(_Model):
    """Every reading grouped by status: only `present` findings count towards the result;
    `uncertain` ones are for the person to confirm; `historical` and `family` are reported,
    not counted."""

    present: list[Reading]
    absent: list[Reading]
    uncertain: list[Reading]
    historical: list[Reading]
    family: list[Reading]
    other: list[Reading]


class Unread(_Model):
    """A part of a phrase that was not understood, with the closest known wordings."""

    text: Phrase
    part: str = Field(description="The words not understood (the whole phrase if all).")
    suggestions: list[str] = Field(
        description="Closest finding labels; none beside a danger sign, where they would distract."
    )


class Hazard(_Model):
    """Danger words found in what was written, whether or not they were read as a finding."""

    text: Phrase
    words: str = Field(description="The words that raised it.")
    status: Status
    flag: str | None = Field(description="The red flag it comes near, if any.")
    tag: str | None = Field(description="The safety tag it sets, if any.")


class InputReport(_Model):
    """How Anmian read the input: every reading with its status, what was not understood,
    the danger words found and the safety tags of the person, each with its causes."""

    findings: list[ReadFinding]
    readings: Readings
    unresolved: list[Unread]
    medications: list[ReadMedication]
    unknown_medications: list[str]
    conditions: list[ReadCondition]
    unknown_conditions: list[str]
    allergies: list[ReadAllergy] = Field(
        default=[],
        description="Each allergy read; every herb, formula, oil or skin product containing "
        "what it names is left out of the plan.",
    )
    unknown_allergies: list[str] = Field(
        default=[],
        description="Allergies that name nothing Anmian knows: herbs and skin products are "
        "held back until someone has checked them.",
    )
    hazards: list[Hazard]
    context: dict[str, list[str]] = Field(
        description="Safety tag (pregnancy, anticoagulant, liver-disease, ...) -> what set it."
    )


# --- screening ------------------------------------------------------------------------


class SeverityScore(_Model):
    scale: str = Field(description="Scale id.")
    name: str
    total: int
    max: int | None
    band: str = Field(description="Severity band of the total (mild, moderate, ...).")
    note: str
    refs: Refs = Field(description=_REFS)
    zh: str | None = _zh("The scale's name")
    zh_band: str | None = _zh("The band")
    zh_note: str | None = _zh("The note")


class Mimic(_Model):
    """A condition that can look like RLS, worth ruling out."""

    id: str
    name: str
    description: str
    because: list[str] = Field(description="The person's findings that point to it.")
    refs: Refs = Field(description=_REFS)
    zh: str | None = _zh("The name")
    zh_description: str | None = _zh("The description")


class ScreeningResult(_Model):
    """The five IRLSSG essential criteria, the verdict, severity and mimics."""

    criteria: dict[str, bool | None] = Field(
        description="Each essential criterion: true, false, or null when not answered."
    )
    verdict: Verdict
    explanation: str
    severity: SeverityScore | None
    mimics: list[Mimic]
    refs: Refs = Field(description=_REFS)
    zh_explanation: str | None = _zh("The explanation")


# --- patterns ---------------------------------------------------------------------------


class IcdCode(_Model):
    code: str
    title: str


class Evidence(_Model):
    finding: str = Field(description="Finding id.")
    label: str
    weight: float
    key: bool = Field(description="A key finding of the pattern.")
    zh: str | None = _zh("The finding's name")


class PatternScore(_Model):
    """A TCM pattern, with the findings for and against it: why it ranks where it does."""

    id: str
    name: str
    pinyin: str
    chinese: str
    icd11: list[IcdCode]
    score: float
    role: Role = Field(description="primary (leading), combined with it, or only considered.")
    for_: list[Evidence] = Field(alias="for", description="Findings that support it.")
    against: list[Evidence] = Field(description="Findings that speak against it.")
    key_found: bool
    refs: Refs = Field(description=_REFS)
    zh: str | None = _zh("The pattern's name")


# --- plan -------------------------------------------------------------------------------


class PlanPoint(_Model):
    code: str = Field(description="WHO standard point code (SP6).")
    id: str
    name: str
    for_patterns: list[str]
    mode: Mode = Field(description="Needling by a practitioner, self-acupressure, or both.")
    roles: list[str]
    location: str
    acupressure: str | None = Field(description="How to press it yourself, where allowed.")
    refs: Refs = Field(description=_REFS)
    zh: str | None = _zh("The point's name")
    zh_location: str | None = _zh("Where it is")
    zh_acupressure: str | None = _zh("How to press it")


class PlanFormula(_Model):
    id: str
    name: str
    chinese: str
    for_patterns: list[str]
    ingredients: list[str] = Field(description="Herb ids.")
    actions: str
    refs: Refs = Field(description=_REFS)
    note: str
    zh: str | None = _zh("The formula's name")
    zh_actions: str | None = _zh("What it does")
    zh_note: str | None = _zh("The note")


class PlanHerb(_Model):
    id: str
    name: str
    latin: str
    in_formulas: list[str]
    for_patterns: list[str]
    refs: Refs = Field(description=_REFS)
    zh: str | None = _zh("The herb's name")


class PlanAdvice(_Model):
    id: str
    title: str
    text: str
    for_patterns: list[str]
    refs: Refs = Field(description=_REFS)
    zh: str | None = _zh("The title")
    zh_text: str | None = _zh("The advice")


class PlanCourse(_Model):
    weeks: int
    sessions_per_week: list[int] = Field(description="[fewest, most] sessions a week.")
    combined: bool = Field(description="The course is for combined patterns.")
    note: str
    refs: Refs = Field(description=_REFS)
    zh_note: str | None = _zh("The note")


class Plan(_Model):
    """Points, formulas, herbs, advice and a course, every item safety-checked and cited.
    On hold (`status: on-hold`) it holds no items until a person has checked what was written."""

    status: PlanStatus
    patterns: list[str] = Field(description="The pattern ids the plan treats.")
    points: list[PlanPoint]
    formulas: list[PlanFormula]
    herbs: list[PlanHerb]
    diet: list[PlanAdvice]
    lifestyle: list[PlanAdvice]
    topical: list[PlanAdvice]
    course: PlanCourse | None
    note: str
    zh_note: str | None = _zh("The note")


# --- safety -----------------------------------------------------------------------------


class Referral(_Model):
    """A red flag: see a clinician, with how soon."""

    id: str
    urgency: Urgency
    title: str
    reason: str
    triggered_by: list[str]
    refs: Refs = Field(description=_REFS)
    zh: str | None = _zh("The title")
    zh_text: str | None = _zh("The reason")


class Exclusion(_Model):
    """A plan item left out for the person's safety, and why."""

    item: str
    kind: ItemKind
    reason: str
    triggered_by: list[str]
    refs: Refs = Field(description=_REFS)
    zh_reason: str | None = _zh("The reason")


class Caution(_Model):
    id: str
    text: str
    triggered_by: list[str]
    refs: Refs = Field(description=_REFS)
    items: list[str] = Field(description="The plan items it concerns, if any.")
    zh_text: str | None = _zh("The caution")


class Hold(_Model):
    """Something written comes near a danger sign but could not be placed with confidence."""

    flag: str = Field(description="The red flag it comes near.")
    urgency: Urgency
    text: str = Field(description="What the person wrote.")
    words: str = Field(description="The words that raised it.")
    why: Literal["uncertain", "unplaced"]


class Safety(_Model):
    referrals: list[Referral]
    excluded: list[Exclusion]
    warnings: list[Caution]
    holds: list[Hold]


class AssessmentResult(_Model):
    """One assessment: how the input was read, the screening, the ranked patterns, the plan
    and the safety checks, with the knowledge-base version that produced them."""

    kb_version: str
    input: InputReport
    screening: ScreeningResult
    patterns: list[PatternScore] = Field(description="Every pattern with evidence, best first.")
    combined: list[str] = Field(description="The pattern ids the plan treats together.")
    plan: Plan
    safety: Safety
    disclaimer: str
    zh_disclaimer: str | None = _zh("The disclaimer")
    lang: Literal["zh-Hant", "zh-Hans"] | None = Field(
        default=None,
        exclude_if=_is_none,
        description="The language of the `zh` fields; absent in English (the default).",
    )

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON contract as plain data (`for`, not `for_`)."""
        return self.model_dump(mode="json", by_alias=True)
