"""Typed, immutable models of the knowledge base.

Every YAML entry is validated into one of these at load time, so a typo in a data
file fails when the file is read, with the file, entry and field named, rather
than in front of a patient. Unknown keys are refused for the same reason.
"""

from __future__ import annotations

import re
from string import Formatter
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Refs = Annotated[tuple[Id, ...], Field(min_length=1)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _is_hanzi(value: str) -> str:
    """Chinese text: CJK characters with Chinese punctuation, digits allowed, and no Latin
    letters (a pinyin or English word pasted into a hanzi field is a mistake)."""
    if not re.search(r"[\u3400-\u9fff\uf900-\ufaff]", value) or re.search(r"[A-Za-z]", value):
        raise ValueError(f"must be written in Chinese characters, got {value!r}")
    return value


Hanzi = Annotated[Text, AfterValidator(_is_hanzi)]


def _is_chinese_text(value: str) -> str:
    """Chinese prose: mostly CJK, though a drug name or "維生素C" may sit inside it."""
    cjk = len(re.findall(r"[\u3400-\u9fff\uf900-\ufaff]", value))
    if cjk == 0 or cjk < len(re.findall(r"[A-Za-z]", value)):
        raise ValueError(f"must be written in Chinese, got {value[:40]!r}")
    return value


ZhText = Annotated[Text, AfterValidator(_is_chinese_text)]

# A "context tag" names something about the person that a safety rule can react to:
# a built-in tag below, a drug-class id (medications.yaml) or a condition id
# (conditions.yaml). The loader checks that every tag used resolves to one of them.
BUILTIN_TAGS = frozenset(
    {
        "pregnancy",  # pregnant, or trying to conceive
        "breastfeeding",
        "child",  # under rules.yaml ages.child_under
        "older-adult",  # at or over rules.yaml ages.older_from
        "self-care",  # the plan is for unsupervised self-care (the default audience)
        "long-term-use",  # every plan for RLS is long-term: a course lasts months
        "unknown-medication",  # a medication the knowledge base does not know
        "unknown-condition",  # a condition the knowledge base cannot read
        "unknown-allergy",  # an allergy that names nothing the knowledge base knows
        "low-iron",  # ferritin or TSAT at or below the guideline threshold for age
        "iron-borderline",  # adult ferritin in the band where only IV iron is suggested
        "iron-unknown",  # no ferritin or TSAT given
        "high-severity",  # severity in a band marked high_severity (scales/)
        "augmentation-suspected",  # set by the red flag of that name when it fires
    }
)

# Effects of drug classes; each is also a tag, so a rule can say `when: bleeding-risk`
# and fire for any anticoagulant, antiplatelet or NSAID.
DrugEffect = Literal[
    "worsens-rls",
    "bleeding-risk",
    "sedating",
    "lowers-glucose",
    "dopaminergic",
    "hepatotoxic",
    "lowers-blood-pressure",
    "serotonergic",
    "rls-treatment",
]
EFFECT_TAGS: frozenset[str] = frozenset(DrugEffect.__args__)  # type: ignore[attr-defined]

Technique = Literal[
    "needle", "electroacupuncture", "moxibustion", "acupressure", "bleeding", "cupping", "gua-sha"
]
Urgency = Literal["emergency", "urgent", "routine"]
Meridian = Literal[
    "LU", "LI", "ST", "SP", "HT", "SI", "BL", "KI", "PC", "TE", "GB", "LR", "GV", "CV", "EX"
]
ChartView = Literal[
    "front", "back", "leg-medial", "leg-lateral", "foot-top", "foot-sole", "head-side", "hand"
]
FindingCategory = Literal[
    "leg",
    "timing",
    "sleep",
    "mood",
    "general",
    "head",
    "digestion",
    "temperature",
    "sweating",
    "urinary",
    "menstruation",
    "skin",
    "tongue-body",
    "tongue-coat",
    "pulse",
    "red-flag",
]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Meta(Model):
    version: Text
    title: Text
    reviewed: Text  # ISO date of the last clinical review of the whole base
    licence_note: Text


class Reference(Model):
    id: Id
    citation: Text
    kind: Literal[
        "guideline",
        "systematic-review",
        "trial",
        "cohort",
        "case-report",
        "standard",
        "regulator",
        "textbook",
        "review",
        "source-page",
        "other",
    ]
    year: int | None = None
    pmid: Annotated[str, StringConstraints(pattern=r"^\d{5,9}$")] | None = None
    doi: Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    url: str | None = None
    # False where the research notes mark a fact "(unverified: confirm before relying on it)".
    verified: bool = True
    note: str | None = None


class SafetyRule(Model):
    """If the person has the tag `when`, the item is excluded or carries a caution."""

    when: Id
    action: Literal["exclude", "caution"]
    # Limits the rule to one way of using a point (e.g. no electroacupuncture with a pacemaker).
    technique: Technique | None = None
    text: Text
    zh_text: ZhText | None = None  # zh-Hant; the loader requires it
    refs: Refs


class Finding(Model):
    id: Id
    label: Text
    category: FindingCategory
    synonyms: tuple[Text, ...] = ()
    # wordings that say the finding is absent ("appetite is good" of poor appetite)
    absent_synonyms: tuple[Text, ...] = ()
    question: Text
    # zh-Hant (Traditional, Taiwan usage; docs/glossary.md): the label, the question, and
    # how Chinese speakers and clinical texts write it. The loader requires `zh`.
    zh: Hanzi | None = None
    # Where `zh` is a textbook term a patient may not know (五心煩熱), the same in everyday
    # words (手心、腳心和胸口發熱): what a person ticks reads in these, the term after them.
    zh_plain: Hanzi | None = None
    zh_question: Hanzi | None = None
    zh_synonyms: tuple[Hanzi, ...] = ()
    zh_absent_synonyms: tuple[Hanzi, ...] = ()
    # Only a person of this sex can have the finding (periods): it is not asked of the other
    # sex, and the engine does not count it towards a pattern for them.
    sex: Literal["female", "male"] | None = None

    def applies_to(self, sex: str | None) -> bool:
        """Can a person of this sex have the finding? Anyone who has not said, or said
        "other", is asked everything: a question too many costs less than one missed."""
        return self.sex is None or sex not in ("female", "male") or sex == self.sex


class PatternFinding(Model):
    finding: Id
    weight: Annotated[float, Field(gt=0, le=3)]
    key: bool = False


class PatternPoint(Model):
    point: Id
    role: Text
    zh_role: ZhText | None = None  # zh-Hant; the loader requires it


class IcdCode(Model):
    code: Annotated[str, StringConstraints(pattern=r"^S[EFGH][0-9A-Z]{2}$")]
    title: Text  # the WHO English title, verbatim (CC BY-ND 3.0 IGO)


class Pattern(Model):
    id: Id
    name: Text
    pinyin: Text
    pinyin_tones: Text | None = None  # with tone marks (scripts/zh_pinyin.py, reviewed)
    chinese: Hanzi
    icd11: tuple[IcdCode, ...] = ()
    description: Text
    zh_description: ZhText | None = None  # zh-Hant; the loader requires it
    findings: Annotated[tuple[PatternFinding, ...], Field(min_length=3)]
    against: tuple[PatternFinding, ...] = ()
    tongue: Text
    pulse: Text
    principle: Text
    # zh-Hant of the tongue, pulse, principle and self-care (the loader requires them)
    zh_tongue: ZhText | None = None
    zh_pulse: ZhText | None = None
    zh_principle: ZhText | None = None
    zh_self_care: ZhText | None = None
    points: Annotated[tuple[PatternPoint, ...], Field(min_length=2)]
    formulas: Annotated[tuple[Id, ...], Field(min_length=1)]
    herbs: tuple[Id, ...] = ()
    diet: tuple[Id, ...] = ()
    lifestyle: tuple[Id, ...] = ()
    topical: tuple[Id, ...] = ()
    self_care: Text
    related: tuple[Id, ...] = ()
    # A combined pattern (qi-blood-deficiency) names the patterns it is made of, so that
    # when it leads, its parts are not reported again as separate combined patterns.
    parts: tuple[Id, ...] = ()
    refs: Refs

    @field_validator("findings")
    @classmethod
    def _needs_a_key_finding(cls, v: tuple[PatternFinding, ...]) -> tuple[PatternFinding, ...]:
        if not any(f.key for f in v):
            raise ValueError("at least one finding must be marked key: true")
        return v


class ChartPosition(Model):
    view: ChartView
    x: Annotated[float, Field(ge=0, le=100)]  # percent of the view's width, from the left
    y: Annotated[float, Field(ge=0, le=100)]  # percent of the view's height, from the top
    side: Literal["left", "right", "midline", "both"] = "both"


class Point(Model):
    id: Id  # lower-case WHO code ("sp6"), or the pinyin for an extra point ("yintang")
    code: Text  # the code as printed ("SP6", "EX-HN3")
    aliases: tuple[Text, ...] = ()
    pinyin: Text
    pinyin_tones: Text | None = None  # with tone marks (scripts/zh_pinyin.py, reviewed)
    chinese: Hanzi
    english: Text
    meridian: Meridian
    location: Text
    self_care: bool  # can a person find and press it safely on their own?
    acupressure: str | None = None  # how to press it; required when self_care is true
    zh_location: ZhText | None = None  # zh-Hant; the loader requires it
    zh_acupressure: ZhText | None = None  # zh-Hant; required where acupressure is given
    cautions: tuple[SafetyRule, ...] = ()
    chart: Annotated[tuple[ChartPosition, ...], Field(min_length=1)]
    refs: Refs


class Ingredient(Model):
    herb: Id
    role: Literal["chief", "deputy", "assistant", "envoy"] | None = None
    grams: Annotated[float, Field(gt=0, le=100)] | None = None


class RegulatorWarning(Model):
    regulator: Text
    year: int
    text: Text
    zh_regulator: Hanzi | None = None  # zh-Hant; the loader requires both
    zh_text: ZhText | None = None
    refs: Refs


class Herb(Model):
    id: Id  # pinyin, hyphenated ("dang-gui")
    pinyin: Text
    pinyin_tones: Text | None = None  # with tone marks (scripts/zh_pinyin.py, reviewed)
    chinese: Hanzi
    latin: Text  # pharmaceutical name
    english: Text
    nature: Literal["cold", "cool", "neutral", "slightly warm", "warm", "hot", "slightly cold"]
    flavours: Annotated[tuple[Text, ...], Field(min_length=1)]
    channels: Annotated[tuple[Text, ...], Field(min_length=1)]
    actions: Annotated[tuple[Text, ...], Field(min_length=1)]
    zh_actions: tuple[ZhText, ...] = ()  # zh-Hant, one beside each action; the loader checks
    dose: str | None = None
    safety: tuple[SafetyRule, ...] = ()
    regulator_warnings: tuple[RegulatorWarning, ...] = ()
    # Everyday words for an allergy that rules the herb out, besides its own names
    # ("ginseng" for Ren Shen); a word shared by several items rules out each of them.
    allergens: tuple[Text, ...] = ()
    refs: Refs


class EssentialOil(Model):
    """An essential oil, an ingredient of shop products; its rules work like a herb's."""

    id: Id  # English name, hyphenated, ending in "-oil" ("wintergreen-oil")
    name: Text
    zh_name: ZhText | None = None  # zh-Hant, as Taiwan's shops name the oil; the loader requires it
    latin: Text
    part: Text  # the part of the plant and how the oil is obtained
    constituents: tuple[Text, ...] = ()  # the main ones, which most rules are about
    safety: tuple[SafetyRule, ...] = ()
    # Words for an allergy that rules the oil out besides its names and constituents
    # ("aspirin" for the methyl salicylate oils), each sourced in the oil's refs.
    allergens: tuple[Text, ...] = ()
    refs: Refs


class Formula(Model):
    id: Id
    pinyin: Text
    pinyin_tones: Text | None = None  # with tone marks (scripts/zh_pinyin.py, reviewed)
    chinese: Hanzi
    english: Text
    source_text: Text  # the classical text it comes from
    actions: Text
    zh_actions: ZhText | None = None  # zh-Hant; the loader requires it
    ingredients: Annotated[tuple[Ingredient, ...], Field(min_length=1)]
    # Formula-level rules, on top of the union of its ingredients' rules.
    safety: tuple[SafetyRule, ...] = ()
    refs: Refs


class DrugClass(Model):
    id: Id
    name: Text
    zh_name: ZhText | None = None  # zh-Hant; the loader requires it
    # Words a person uses for the class as a whole ("blood thinner", "water pill"); the engine
    # reads them as this class and applies every rule of the class.
    synonyms: tuple[Text, ...] = ()
    effects: tuple[DrugEffect, ...] = ()
    note: Text
    refs: Refs


class Medication(Model):
    id: Id  # generic name, hyphenated
    name: Text
    synonyms: tuple[Text, ...] = ()
    classes: Annotated[tuple[Id, ...], Field(min_length=1)]


class Condition(Model):
    id: Id
    name: Text
    zh_name: Hanzi | None = None  # zh-Hant; the loader requires it
    synonyms: tuple[Text, ...] = ()
    rls_link: str | None = None  # how it relates to RLS, in our words
    zh_rls_link: ZhText | None = None  # zh-Hant; required beside rls_link
    refs: Refs


Ref = Annotated[
    str,
    StringConstraints(pattern=r"^(finding|condition|drug-class|tag):[a-z0-9]+(-[a-z0-9]+)*$"),
]


class RedFlag(Model):
    """A referral rule: it fires when every clause holds; a clause holds when any of its refs does."""

    id: Id
    urgency: Urgency
    title: Text
    reason: Text  # what to do, addressed to the person
    zh_title: Hanzi | None = None  # zh-Hant; the loader requires both
    zh_reason: Hanzi | None = None
    when: Annotated[
        tuple[Annotated[tuple[Ref, ...], Field(min_length=1)], ...], Field(min_length=1)
    ]
    # A tag the person gets when this flag fires, so rules can react to it (herbal holds).
    sets_tag: Id | None = None
    refs: Refs


class Mimic(Model):
    id: Id
    name: Text
    zh_name: ZhText | None = None  # zh-Hant; the loader requires both
    description: Text
    zh_description: ZhText | None = None
    suggested_by: tuple[Id, ...] = ()  # finding ids
    # Screening criteria whose "no" points towards this mimic.
    criteria_failed: tuple[
        Literal[
            "urge_to_move",
            "worse_at_rest",
            "relieved_by_movement",
            "evening_or_night",
            "not_explained_by_other_condition",
        ],
        ...,
    ] = ()
    refs: Refs


class Advice(Model):
    id: Id
    kind: Literal["diet", "lifestyle", "topical"]
    title: Text
    text: Text
    zh_title: ZhText | None = None  # zh-Hant; the loader requires both
    zh_text: ZhText | None = None
    safety: tuple[SafetyRule, ...] = ()
    # Herbs and oils (ids) the item puts on the skin: an allergy to one rules the item out.
    contains: tuple[Id, ...] = ()
    refs: Refs


class SeverityItem(Model):
    id: Id
    text: Text  # our own wording; never a licensed scale's items
    answers: Annotated[tuple[Text, ...], Field(min_length=5, max_length=5)]  # scored 0..4
    # zh-Hant of our own wording (the loader requires both, one answer for each answer)
    zh_text: ZhText | None = None
    zh_answers: tuple[ZhText, ...] = ()


class Band(Model):
    label: Text
    zh_label: Hanzi | None = None  # zh-Hant; the loader requires it
    low: int
    high: int
    # A band in which self-care alone is not enough: it gives the person the high-severity tag.
    high_severity: bool = False


class Scale(Model):
    id: Id
    name: Text
    zh_name: ZhText | None = None  # zh-Hant; the loader requires both (scoring only: the
    note: Text  # licensed scales' items are never stored, in any language)
    zh_note: ZhText | None = None
    items: tuple[SeverityItem, ...] = ()
    bands: Annotated[tuple[Band, ...], Field(min_length=1)]
    # Falls in the total that count as a noteworthy and as a clinically important change.
    change_noteworthy: int | None = None
    change_important: int | None = None
    change_refs: tuple[Id, ...] = ()
    refs: Refs


class ScreeningQuestion(Model):
    criterion: Literal[
        "urge_to_move",
        "worse_at_rest",
        "relieved_by_movement",
        "evening_or_night",
        "not_explained_by_other_condition",
    ]
    text: Text
    zh_text: ZhText | None = None  # zh-Hant, our own wording too; the loader requires it
    refs: Refs


class IronThresholds(Model):
    adult_ferritin_max: float  # at or below: iron studies and treatment discussion
    adult_ferritin_iv_only_max: float  # between the two: only IV iron is suggested
    adult_tsat_below: float
    child_ferritin_below: float
    refs: Refs


class Course(Model):
    weeks: int
    sessions_per_week: Annotated[tuple[int, int], Field()]
    note: Text
    zh_note: ZhText | None = None  # zh-Hant; the loader requires it
    refs: Refs


class EvidenceItem(Model):
    """One study or review on acupuncture (or related care) for RLS, summarised honestly."""

    id: Id
    title: Text
    design: Text  # e.g. "randomised trial, single-blind, no sham"
    size: Text  # participants or studies
    finding: Text  # what it found, in our words
    limits: Text  # why it cannot settle the question
    # zh-Hant of each (the loader requires them)
    zh_title: ZhText | None = None
    zh_design: ZhText | None = None
    zh_size: ZhText | None = None
    zh_finding: ZhText | None = None
    zh_limits: ZhText | None = None
    refs: Refs


class HerbalHold(Model):
    """When the person has every tag in `when`, no herb or formula enters the plan."""

    id: Id
    when: Annotated[tuple[Id, ...], Field(min_length=1)]
    text: Text
    zh_text: ZhText | None = None  # zh-Hant; the loader requires it
    refs: Refs


class AgeLimits(Model):
    """The ages at which the built-in tags `child` and `older-adult` begin and end."""

    child_under: Annotated[int, Field(gt=0, le=25)]  # below this age: the child tag
    older_from: Annotated[int, Field(ge=40, le=120)]  # from this age on: the older-adult tag
    refs: Refs

    @model_validator(mode="after")
    def _child_before_older(self) -> AgeLimits:
        if self.child_under > self.older_from:
            raise ValueError("child_under must not be above older_from")
        return self


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


class Verdicts(Model):
    """What a screening verdict says to the person. {failed} and {missing} are replaced by
    the criteria answered no and the criteria not answered."""

    possible_rls: Text
    criteria_not_met: Text
    insufficient: Text
    # zh-Hant, with the same placeholders (the loader requires them)
    zh_possible_rls: ZhText | None = None
    zh_criteria_not_met: ZhText | None = None
    zh_insufficient: ZhText | None = None

    @field_validator(
        "possible_rls",
        "criteria_not_met",
        "insufficient",
        "zh_possible_rls",
        "zh_criteria_not_met",
        "zh_insufficient",
    )
    @classmethod
    def _known_placeholders(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        allowed = {"criteria_not_met": {"failed"}, "insufficient": {"missing"}}.get(
            (info.field_name or "").removeprefix("zh_"), set()
        )
        try:
            found = _placeholders(value)
        except ValueError as err:
            raise ValueError(f"not a valid template ({err})") from err
        unknown = found - allowed
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{sorted(unknown)[0]}}} (allowed here: "
                + (", ".join(f"{{{a}}}" for a in sorted(allowed)) or "none")
                + ")"
            )
        missing = allowed - found
        if missing:
            raise ValueError(f"must say which criteria with {{{sorted(missing)[0]}}}")
        return value


class MimicWeights(Model):
    """How strongly each kind of evidence points to a mimic of RLS."""

    finding: Annotated[float, Field(ge=0, le=10)]  # a finding the mimic is suggested by
    criterion: Annotated[float, Field(ge=0, le=10)]  # an essential criterion answered no


class ScreeningRules(Model):
    verdicts: Verdicts
    mimic_weights: MimicWeights
    max_mimics: Annotated[int, Field(ge=1, le=20)]  # look-alikes shown at most
    refs: Refs


class PlanLimits(Model):
    """How much one plan holds."""

    max_patterns: Annotated[int, Field(ge=1, le=5)]  # the primary pattern and combined ones
    formulas_per_pattern: Annotated[int, Field(ge=1, le=3)]
    refs: Refs


class DiarySignals(Model):
    """When a diary raises a signal for the practitioner (web/diary/progress.py)."""

    worsening_points: Annotated[float, Field(gt=0, le=10)]  # rise in mean nightly severity
    worsening_days: Annotated[int, Field(ge=3, le=28)]  # each of the two windows compared
    earlier_onset_minutes: Annotated[int, Field(ge=15, le=720)]
    onset_window_nights: Annotated[int, Field(ge=3, le=60)]
    danger_note_days: Annotated[int, Field(ge=1, le=365)]  # a danger sign older than this is past
    note: Text
    refs: Refs


class Rules(Model):
    iron: IronThresholds
    ages: AgeLimits
    screening: ScreeningRules
    limits: PlanLimits
    diary_signals: DiarySignals
    course_single: Course
    course_combined: Course
    combine_ratio: Annotated[
        float, Field(gt=0, le=1)
    ]  # a second pattern within this share of the first
    combine_min_score: Annotated[float, Field(gt=0, le=1)]
    min_pattern_score: Annotated[float, Field(ge=0, le=1)]  # below this, no pattern leads a plan
    no_key_finding_cap: Annotated[float, Field(gt=0, le=1)]  # score cap without any key finding
    base_points: tuple[PatternPoint, ...]  # the general RLS points that every plan starts from
    base_advice: tuple[Id, ...]  # advice every plan carries
    herbal_holds: tuple[HerbalHold, ...] = ()
    # Rules for a technique at every point (each must name its technique).
    technique_rules: tuple[SafetyRule, ...] = ()
    base_refs: Refs
    # Messages the engine fills in; {name}, {classes}, {note} are replaced.
    medication_warning: Text
    unknown_medication_warning: Text
    unknown_condition_warning: Text
    # the same in zh-Hant, with the same placeholders (the loader requires them)
    zh_medication_warning: ZhText | None = None
    zh_unknown_medication_warning: ZhText | None = None
    zh_unknown_condition_warning: ZhText | None = None
    disclaimer: Text
    # The disclaimer in Chinese, where a person reads results in Chinese (zh-Hans generated
    # from zh-Hant with OpenCC and reviewed: the glossary's 不安腿综合征).
    disclaimer_zh_hant: Text
    disclaimer_zh_hans: Text


class IntakeGroup(Model):
    """Finding categories asked together, as one step of the self-check."""

    id: Id
    label: Text
    zh_label: ZhText  # the step's heading on a Chinese page (zh-Hans made from it)
    categories: Annotated[tuple[FindingCategory, ...], Field(min_length=1)]


class ExclusiveQuestion(Model):
    """One question of the adaptive intake that settles several findings at once (intake.yaml
    `exclusive:`): its findings exclude each other, so the answer is one of them, "none of
    these" or "not sure", and choosing one answers the others no."""

    id: Id
    question: Text
    zh_question: ZhText
    findings: Annotated[tuple[Id, ...], Field(min_length=2, max_length=8)]
    refs: Refs

    @model_validator(mode="after")
    def _distinct(self) -> ExclusiveQuestion:
        if len(set(self.findings)) != len(self.findings):
            raise ValueError(f"exclusive question '{self.id}': a finding is listed twice")
        return self


class ChecklistQuestion(Model):
    """One "which of these do you notice?" question of the adaptive intake (intake.yaml
    `checklists:`): findings of one theme, any of which a person may have, put as one list to
    tick. Ticked: present; not ticked: absent, or not sure when the person says they are not
    sure about the rest. Counted as one question however many findings it settles."""

    id: Id
    question: Text
    zh_question: ZhText
    findings: Annotated[tuple[Id, ...], Field(min_length=2, max_length=8)]
    refs: Refs

    @model_validator(mode="after")
    def _distinct(self) -> ChecklistQuestion:
        if len(set(self.findings)) != len(self.findings):
            raise ValueError(f"checklist '{self.id}': a finding is listed twice")
        return self


class IntakeModel(Model):
    """The adaptive intake's probability model and stopping rule (intake.yaml `model:`);
    docs/intake.md gives the reasoning for each number."""

    # P(a pattern) before any answer; each pattern is its own yes/no, so several can be high.
    prior: Annotated[float, Field(gt=0, lt=1)]
    # P(yes) to a finding from a person without the pattern (and for a pattern that does not
    # weigh the finding at all, so its answer says nothing about that pattern).
    base_rate: Annotated[float, Field(gt=0, lt=1)]
    # The log-likelihood ratio of a "yes" to a finding the pattern weighs is
    # evidence_scale * weight / (the pattern's five heaviest weights); P(yes | pattern) is
    # base_rate times its exponential, at most max_sensitivity.
    evidence_scale: Annotated[float, Field(gt=0)]
    max_sensitivity: Annotated[float, Field(gt=0, lt=1)]
    # P(yes | pattern) / base_rate for a finding that counts against the pattern, by weight.
    contrary_ratio: dict[float, Annotated[float, Field(gt=0, lt=1)]]
    # The chance that one answer is wrong (people misremember): every P(yes) above becomes
    # (1 - answer_error) * p + answer_error * (1 - p), so no single answer is decisive.
    answer_error: Annotated[float, Field(ge=0, lt=0.5)]
    # Done when the chance that one open answer would change the leading pattern (or pair)
    # the assessment shows is at most 1 - confidence.
    confidence: Annotated[float, Field(gt=0.5, lt=1)]
    # A question whose expected move of the likely patterns' scores is below this is not asked.
    min_gain: Annotated[float, Field(ge=0)]
    budget: Annotated[int, Field(ge=1)]  # finding questions, when the request gives none
    max_budget: Annotated[int, Field(ge=1)]
    max_ids: Annotated[int, Field(ge=1)]  # ids in one request, all lists together
    # Categories asked only when a practitioner is present (a person cannot read them alone).
    practitioner_only: tuple[FindingCategory, ...]
    # No one answer moves a pattern's log-odds by more than this either way (a softer
    # likelihood: a wrong answer can be outweighed, never make a pattern all but impossible).
    max_llr: Annotated[float, Field(gt=0)]
    # Before "done", the yes answers the leading pattern (or pair) rests on are asked once
    # more, in other words; at most this many in one intake (0: never).
    max_confirmations: Annotated[int, Field(ge=0, le=30)]
    # 1: a confirmation asks one yes again; above 1: a list of up to this many yes answers
    # looked at again as one question (docs/intake.md, "Confirmation").
    recheck: Annotated[int, Field(ge=1, le=10)] = 1
    # A finding left unticked on a checklist is a "no" whose log-likelihood ratio is this
    # share of a "no" to the finding asked alone (people skim a list: a weaker no).
    unticked_no: Annotated[float, Field(ge=0, le=1)] = 1.0
    # P(yes) to an open finding: `leak` for a finding none of the person's likely patterns
    # weighs; the patterns' chances are their odds normalised, and for the stopping rule each
    # log-odds is first multiplied by `sharpness` (above 1: the leader counts for more).
    leak: Annotated[float, Field(gt=0, lt=1)]
    sharpness: Annotated[float, Field(gt=0)]
    # "About N more questions": for each audience, the median number of questions still to
    # come by the number already asked (finding questions and confirmations), from the
    # simulated patients of bench/intake.py (`--about` prints it, `--about --write` puts it
    # here); past its end, its last number.
    remaining: dict[
        Literal["self-care", "practitioner"],
        Annotated[tuple[Annotated[int, Field(ge=0)], ...], Field(min_length=1)],
    ]
    refs: Refs

    @model_validator(mode="after")
    def _every_audience(self) -> IntakeModel:
        missing = {"self-care", "practitioner"} - set(self.remaining)
        if missing:
            raise ValueError(f"remaining: no table for {', '.join(sorted(missing))}")
        return self


class IntakeQuestion(Model):
    """One question the intake puts in its own words (not a finding's), English and zh-Hant."""

    question: Text
    zh_question: ZhText
    why: Text
    zh_why: ZhText


class IntakeWhy(Model):
    """Why a question is asked (the screening criteria's own words are screening/)."""

    why: Text
    zh_why: ZhText


class IntakeTexts(Model):
    """What the adaptive intake says besides the findings' questions (intake.yaml
    `questions:`). {label} is a finding's label; {first} and {second} are pattern names."""

    screening: IntakeWhy
    red_flags: IntakeQuestion
    pregnancy: IntakeQuestion
    breastfeeding: IntakeQuestion
    medications: IntakeQuestion
    conditions: IntakeQuestion
    text: IntakeQuestion
    confirmation: IntakeQuestion
    recheck: IntakeQuestion  # the yes answers the result rests on, as one list looked at again
    choice_none: Text  # the answers every exclusive question offers after its findings
    zh_choice_none: ZhText
    choice_unsure: Text
    zh_choice_unsure: ZhText
    # what a checklist (checklists:) offers besides its findings: "not sure about the rest"
    checklist_unsure: Text
    zh_checklist_unsure: ZhText
    why_none: Text
    zh_why_none: ZhText
    why_one: Text
    zh_why_one: ZhText
    why_two: Text
    zh_why_two: ZhText

    @model_validator(mode="after")
    def _placeholders(self) -> IntakeTexts:
        wanted = {
            "confirmation": ({"label"}, self.confirmation.question, self.confirmation.zh_question),
            "why_none": (set(), self.why_none, self.zh_why_none),
            "why_one": ({"first"}, self.why_one, self.zh_why_one),
            "why_two": ({"first", "second"}, self.why_two, self.zh_why_two),
        }
        for name, (names, *texts) in wanted.items():
            for text in texts:
                found = set(re.findall(r"\{(\w+)\}", text))
                if found != names:
                    raise ValueError(f"{name}: needs exactly {sorted(names)}, has {sorted(found)}")
        return self


class IntakeLayout(Model):
    """How findings are put to a person (data/intake.yaml): the groups, in the order a person
    thinks about them, the scale that tracks their severity, the adaptive intake's model and
    what it says."""

    severity_scale: Id
    groups: Annotated[tuple[IntakeGroup, ...], Field(min_length=1)]
    model: IntakeModel
    questions: IntakeTexts
    refs: Refs
    # questions that settle several mutually exclusive findings at once (docs/intake.md)
    exclusive: tuple[ExclusiveQuestion, ...] = ()
    # "which of these do you notice?" questions, tick any (docs/intake.md, "Checklists")
    checklists: tuple[ChecklistQuestion, ...] = ()

    @model_validator(mode="after")
    def _exclusive_once(self) -> IntakeLayout:
        # one question for each finding, and one id for each question, across both kinds:
        # the intake counts a question once by the findings its answer settles
        seen: dict[str, str] = {}
        ids: set[str] = set()
        for kind, qs in (("exclusive", self.exclusive), ("checklists", self.checklists)):
            for q in qs:
                if q.id in ids:
                    raise ValueError(f"{kind}: duplicate question '{q.id}'")
                ids.add(q.id)
                for f in q.findings:
                    if f in seen:
                        raise ValueError(
                            f"{kind}: '{f}' is in both '{seen[f]}' and '{q.id}' (one question each)"
                        )
                    seen[f] = q.id
        return self


class ContextRule(Model):
    """One ConText trigger (Harkema 2009): a word or phrase that changes what a finding near
    it means. `pseudo` rows look like triggers but are not ("no change"); `terminate` rows
    end every scope ("but")."""

    literal: Text
    category: Literal["negated", "possible", "historical", "family", "other"] | None = None
    direction: Literal["forward", "backward", "bidirectional", "terminate", "pseudo"]
    # list: a backward trigger after a list ("sleep, bowels and urination were all normal")
    # reaches back over the list's commas when its own clause joins the last item with "and"
    scope: Literal["segment", "sentence", "list"] = "segment"
    only_after: tuple[Text, ...] = ()  # the trigger counts only right after one of these words
    pseudo_before: tuple[Text, ...] = ()  # ...and not right after one of these
    # ...and only when one of these words follows it in the sentence ("at intake ..., now")
    only_with: tuple[Text, ...] = ()


class Hazard(Model):
    """Words near a danger sign (`flag`, a red-flag id) or a state that changes what is safe
    (`tag`). `terms` match in order; `all` needs one word of each group in the sentence."""

    flag: Id | None = None
    tag: Id | None = None
    when_tag: Id | None = None  # the flag needs this tag of the person too ("pregnancy")
    # the red-flag finding these words mean: the reader reads it wherever they are written
    finding: Id | None = None
    terms: tuple[Text, ...] = ()
    all: tuple[tuple[Text, ...], ...] = ()
    # `all` only: the hits of the groups lie within this many words of each other (a
    # sentence may name urine and stopping about different things). The reader reads a
    # row with a `finding` the same way (engine/resolve.py, _flagged).
    near: Annotated[int, Field(ge=0, le=12)] | None = None
    # words that deny this row's danger wherever they stand in its clause, for a danger
    # that is a change ("no change in my bladder", "bowels were normal")
    denied_by: tuple[Text, ...] = ()
    # the row counts only after an earlier sentence of the same text has named this flag's
    # words, denied or not: "the thoughts are there" after "I have no desire to take my own
    # life" refers back to them (C-SSRS: a denied intent is not a denied thought)
    after: Id | None = None
    refs: Refs


class FamilyHistory(Model):
    """A finding said of a relative that is a finding about the person (RLS in the family)."""

    finding: Id
    from_categories: tuple[Text, ...] = ()
    from_findings: tuple[Id, ...] = ()
    # words that stand for the person's complaint in a sentence about a relative ("my sister
    # has it too", "my dad had the same problem"): read as the family history
    same_words: tuple[Text, ...] = ()


class AgeFinding(Model):
    finding: Id
    from_age: Annotated[int, Field(ge=0, le=120)]


class Rewrite(Model):
    """A wording turned into words the reader knows before reading ("2 am" -> "small
    hours"): a regular expression over the cleaned, case-folded text."""

    pattern: Annotated[str, StringConstraints(min_length=1)]
    to: Text

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        import re

        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(
                f"not a regular expression ({err}); quote it in single quotes"
            ) from err
        return value


class Reading(Model):
    """The language side of the base (data/reading.yaml): what the reader skips, what
    changes a finding's status, and which words are never dropped."""

    refs: Refs
    stop_words: tuple[Text, ...]
    qualifiers: tuple[Text, ...]
    body_sites: tuple[Text, ...]
    context_nouns: dict[str, str]
    contractions: dict[str, str]
    context: tuple[ContextRule, ...]
    medication_noise: tuple[Text, ...]
    condition_noise: tuple[Text, ...]
    hazards: tuple[Hazard, ...]
    family_history: FamilyHistory
    past_is_present: tuple[Id, ...] = ()
    leg_times: dict[str, Id] = {}
    leg_times_not_with: tuple[Id, ...] = ()
    # leg findings whose body-site words are part of what they are ("burning feet"): their
    # aliases are not read without them, so a burning in the calves is not the feet's
    site_bound: tuple[Id, ...] = ()
    age_finding: AgeFinding
    rewrites: tuple[Rewrite, ...] = ()
    # words that join a leftover run to a reading it shares a head with ("dry hair and skin")
    joining_words: tuple[Text, ...] = ()
    # a time after these words says how often, not when ("three times a night")
    leg_times_not_after: tuple[Text, ...] = ()
    # word forms the stemmer does not join ("swollen" and "swelling", "anemia" and
    # "anaemia"): each word is stemmed as its canonical form
    word_forms: dict[str, str] = {}
    # words that name a body function or system ("sleep", "bowels"): a weak one-word key
    # that is one of them is read only when a trigger denies it ("sleep was fine")
    function_words: tuple[Text, ...] = ()
    # ...or when its clause says something is wrong with it ("I sleep badly", "less sleep")
    function_complaints: tuple[Text, ...] = ()
    # ...and words of a complaint about one ("changes in appetite"): a denial before them
    # denies the function's complaints ("denies changes in appetite")
    function_troubles: tuple[Text, ...] = ()
    # words that alone answer a question yes ("night sweats? yes")
    affirmations: tuple[Text, ...] = ()
    # words that only say how a sensation feels ("odd"): before a named one they describe it
    describing_words: tuple[Text, ...] = ()
    # words that stand for the complaint described ("symptoms"): a time in a sentence that
    # reads nothing else but one of them is when the legs are worse
    leg_time_subjects: tuple[Text, ...] = ()
    # parts of the body that are not the legs: a leg finding said of one is not the legs'
    other_body_parts: tuple[Text, ...] = ()
    # a finding that includes others by what it is (read together, they are part of it)
    includes: dict[Id, tuple[Id, ...]] = {}
    # a general word the base holds only in its kinds ("headache"): denied, it denies each
    # kind ("no headaches"); not denied, which kind is not said, so it is not understood
    denied_whole: dict[Text, tuple[Id, ...]] = {}
    # findings that are themselves thoughts: a hedge is part of the thought, not doubt about it
    thought_findings: tuple[Id, ...] = ()
