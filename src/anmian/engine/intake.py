"""Adaptive intake: a short conversation that reaches the answer a long form would.

One pure, stateless step: given what is known so far (an `IntakeRequest`), `step` returns the
next question, or "done" with the ranking and the full assessment. Nothing is remembered
between steps, so any process can answer any step and the client keeps the answers.

The model (docs/intake.md; its numbers are data, `intake.yaml` `model:`): every pattern is a
yes/no of its own with a prior, so combined patterns can all be likely. A finding a pattern
weighs has P(yes | pattern) from its weight (`sensitivity`, or `contrary_ratio` times the base
rate for a finding against it) and P(yes | not the pattern) = `base_rate`; an answer adds the
log of their ratio to the pattern's log-odds (naive Bayes). An answer may be wrong with
chance `answer_error`, which bounds every ratio. "Not sure" adds nothing.

Order: the safety questions first, whatever the budget (the five screening criteria, red
flags, pregnancy and breastfeeding, medicines, conditions), then one free-text opening, then
the finding that moves the likely patterns' scores most in expectation (its chance of a yes
times how far a yes moves each pattern, as differentiate scores, weighed by the pattern's
chance), among the findings a person can answer alone (tongue and pulse only with a
practitioner). Done when the chance that any one open answer would change the leading pattern
(or pair) the assessment shows is at most 1 - `confidence`: the model's ranking is the
assessment's own (differentiate's weights, caps and combined patterns, mirrored by `_Ranker`),
so what settles is what the person reads. Otherwise done when no question is worth `min_gain`
or when the budget is spent.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from anmian.engine.assess import assess
from anmian.engine.differentiate import TYPICAL_PRESENTATION, differentiate, weight_index
from anmian.engine.inputs import CRITERIA, AssessmentInput, InputError, Labs, Screening, Severity
from anmian.engine.memo import per_parts
from anmian.engine.resolve import indexes, resolve
from anmian.engine.result import AssessmentResult
from anmian.knowledge import KnowledgeBase, get_kb
from anmian.knowledge.models import (
    ChecklistQuestion,
    ExclusiveQuestion,
    IntakeModel,
    IntakeQuestion,
)

Kind = Literal[
    "screening", "red-flags", "pregnancy", "breastfeeding", "medications", "conditions", "text",
    "finding", "choice", "checklist", "confirmation", "recheck",
]  # fmt: skip
SAFETY_KINDS = ("screening", "red-flags", "pregnancy", "breastfeeding", "medications", "conditions")
Phrase = Annotated[str, Field(min_length=1, max_length=200)]
FindingId = Annotated[str, Field(min_length=1, max_length=100)]


class IntakeRequest(BaseModel):
    """What is known so far. A safety field left out has not been asked yet; given (even as
    null, "not sure", or an empty list, "none") it has been answered."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    present: list[FindingId] = Field(default=[], description="Finding ids answered yes.")
    absent: list[FindingId] = Field(default=[], description="Finding ids answered no.")
    unsure: list[FindingId] = Field(default=[], description='Finding ids answered "not sure".')
    confirmed: list[FindingId] = Field(
        default=[],
        description="Finding ids already asked a second time (a `confirmation` question); "
        "present, absent or unsure holds the second answer.",
    )
    text: list[Phrase] | None = Field(
        default=None,
        max_length=30,
        description="The opening answer in the person's own words; [] if they skipped it.",
    )
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    sex: Literal["female", "male", "other"] | None = None
    audience: Literal["self-care", "practitioner"] = "self-care"
    screening: Screening | None = Field(
        default=None, description="The five IRLSSG criteria: true, false or null (not sure)."
    )
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    medications: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = None
    conditions: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = None
    labs: Labs | None = None
    severity: Severity | None = None
    budget: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Most finding questions to ask (safety questions aside)."
    )


class Option(BaseModel):
    """One finding to tick, of a `red-flags` or a `checklist` question."""

    model_config = ConfigDict(frozen=True)
    finding: str
    label: str
    zh_label: str | None = None


class Choice(BaseModel):
    """One answer of a `choice` question: a finding (chosen: into present, and the question's
    other findings into absent), or `none` (all into absent) or `unsure` (all into unsure)."""

    model_config = ConfigDict(frozen=True)
    finding: str | None = Field(
        description="The finding this answer says yes to; null for none/unsure."
    )
    answer: Literal["finding", "none", "unsure"]
    label: str
    zh_label: str | None = None


class Question(BaseModel):
    """One question. `kind` says where its answer goes in the next request: a finding's id
    into present, absent or unsure; `choice` (one question settling several findings that
    exclude each other): see `choices`; `checklist` (one question, "which of these do you
    notice?", tick any): each option's finding into present if ticked, else into absent, or
    into unsure when the person is not sure about the rest; `recheck` (yes answers looked at
    again, as a list ticked already): every option's finding into confirmed, and the ones
    the person unticks moved to absent; `confirmation` (a yes asked again, in other words): the
    id into confirmed, and moved to absent or unsure if the answer changed; `screening` into
    screening[id]; `red-flags`: each option's finding into present or absent; pregnancy,
    breastfeeding, medications, conditions and text into the field of that name."""

    model_config = ConfigDict(frozen=True)
    kind: Kind
    id: str = Field(description="The finding id, criterion or field the answer fills.")
    finding: str | None = Field(
        description="The finding asked about, for kinds `finding` and `confirmation`."
    )
    question: str
    why: str = Field(description="Why this question now, in a sentence a person can read.")
    zh_question: str | None = Field(
        default=None, description="The question in Chinese (zh-Hant), where the base has it."
    )
    zh_why: str | None = Field(default=None, description="Why, in Chinese (zh-Hant).")
    options: list[Option] = Field(
        default=[],
        description="For `red-flags` and `checklist`: tick any. A ticked finding goes into "
        "present, the others into absent (for a checklist, into unsure when the person is "
        "not sure about the ones not ticked).",
    )
    unsure_label: str | None = Field(
        default=None,
        description='For `checklist`: the words of its "not sure about the rest" answer.',
    )
    zh_unsure_label: str | None = None
    choices: list[Choice] = Field(
        default=[],
        description="For `choice`: pick one. A finding chosen goes into present and the other "
        "findings of the question into absent; `none`: all into absent; `unsure`: all into "
        "unsure.",
    )


class PatternChance(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    name: str
    probability: float = Field(ge=0, le=1)


class IntakeResult(BaseModel):
    """One step's answer: the next question, or null with the full assessment."""

    model_config = ConfigDict(frozen=True)
    next: Question | None
    patterns: list[PatternChance] = Field(description="Every pattern, most likely first.")
    asked: int = Field(
        description="Finding questions answered so far (safety and confirmations aside)."
    )
    remaining: int = Field(description='About how many more questions ("about N more").')
    budget: int
    done: str | None = Field(description="Why the intake stopped: settled, budget, no-question.")
    assessment: AssessmentResult | None = Field(
        description="When done: the same JSON as POST /api/v1/assess for these answers."
    )

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(self.model_dump_json(by_alias=True))
        return out


# --- the model, built once per knowledge base ---------------------------------------------


@dataclass(frozen=True)
class _Link:
    pattern: int  # index into _Model.patterns
    yes: float  # log-likelihood ratio added by a yes
    no: float  # ... by a no
    sens: float  # P(yes | pattern)


@dataclass(frozen=True)
class _Model:
    patterns: tuple[str, ...]
    links: dict[str, tuple[_Link, ...]]  # finding -> the patterns that weigh it
    base_rate: float
    prior: float  # log-odds


def _llr(p_yes: float, base: float, clip: float) -> tuple[float, float]:
    """The log-likelihood ratios of a yes and of a no, each at most `clip` either way."""

    def bounded(x: float) -> float:
        return max(-clip, min(clip, x))

    return bounded(math.log(p_yes / base)), bounded(math.log((1 - p_yes) / (1 - base)))


@per_parts("patterns", "intake")
def _model(kb: KnowledgeBase) -> _Model:
    m = kb.intake.model
    ids = tuple(kb.patterns)
    links: dict[str, list[_Link]] = {}
    err = m.answer_error

    def heard(p_yes: float) -> float:
        # P(the answer is yes) when a true yes has chance p_yes and answers are wrong with
        # chance answer_error: bounds every likelihood ratio, so one wrong answer is survivable
        return (1 - err) * p_yes + err * (1 - p_yes)

    base = heard(m.base_rate)
    for n, pid in enumerate(ids):
        p = kb.patterns[pid]
        typical = sum(sorted((f.weight for f in p.findings), reverse=True)[:TYPICAL_PRESENTATION])
        seen: set[str] = set()
        for pf in p.findings:
            if pf.finding in seen:
                continue
            seen.add(pf.finding)
            # A full typical presentation (the five heaviest findings, as differentiate
            # scores it) adds evidence_scale to the log-odds, so patterns with long or short
            # lists of signs are weighed alike; no answer is certain (max_sensitivity).
            llr = m.evidence_scale * pf.weight / typical
            s = heard(min(m.max_sensitivity, m.base_rate * math.exp(llr)))
            links.setdefault(pf.finding, []).append(_Link(n, *_llr(s, base, m.max_llr), s))
        for pf in p.against:
            if pf.finding in seen:
                continue
            seen.add(pf.finding)
            s = heard(m.base_rate * m.contrary_ratio[pf.weight])
            links.setdefault(pf.finding, []).append(_Link(n, *_llr(s, base, m.max_llr), s))
    prior = math.log(m.prior / (1 - m.prior))
    return _Model(ids, {f: tuple(v) for f, v in links.items()}, base, prior)


# --- the full form's ranking, mirrored ------------------------------------------------------


@dataclass(frozen=True)
class _Ranker:
    """differentiate's score and roles for findings said yes to, as arrays built once, so
    that "would this one more yes change what the person is shown?" costs the patterns the
    finding weighs, not a whole assessment. Must give what differentiate gives (a test
    compares them on many sets of findings)."""

    ids: tuple[str, ...]
    denominator: tuple[float, ...]
    parts: tuple[frozenset[int], ...]
    # finding -> (pattern, weight for (negative: against), key) for each pattern weighing it
    links: dict[str, tuple[tuple[int, float, bool], ...]]
    min_score: float
    cap: float
    combine_min: float
    combine_ratio: float
    max_patterns: int


@per_parts("patterns", "findings", "rules")
def _ranker(kb: KnowledgeBase) -> _Ranker:
    # differentiate's own inverted weights, by pattern position: each pattern's weight for a
    # finding before its weight against it, patterns in the base's order
    w = weight_index(kb)
    ids = tuple(kb.patterns)
    index = {pid: n for n, pid in enumerate(ids)}
    links: dict[str, list[tuple[int, float, bool]]] = {}
    for fid, pro in w.pro.items():
        links.setdefault(fid, []).extend((index[pid], wt, key) for pid, wt, key in pro)
    for fid, con in w.con.items():
        links.setdefault(fid, []).extend((index[pid], -wt, False) for pid, wt in con)
    r = kb.rules
    return _Ranker(
        ids,
        tuple(w.denominators[i] for i in ids),
        tuple(frozenset(index[x] for x in kb.patterns[i].parts if x in index) for i in ids),
        {f: tuple(sorted(v, key=lambda link: link[0])) for f, v in links.items()},
        r.min_pattern_score,
        r.no_key_finding_cap,
        r.combine_min_score,
        r.combine_ratio,
        r.limits.max_patterns,
    )


# a pattern's tally: weights for, weights against, a key finding among them, any evidence
_Tally = tuple[float, float, bool, bool]
_NONE: _Tally = (0.0, 0.0, False, False)


def _tallies(rk: _Ranker, present: set[str]) -> dict[int, _Tally]:
    out: dict[int, _Tally] = {}
    for fid in present:
        for n, w, key in rk.links.get(fid, ()):
            out[n] = _add(out.get(n, _NONE), w, key)
    return out


def _add(t: _Tally, w: float, key: bool) -> _Tally:
    if w >= 0:
        return (t[0] + w, t[1], t[2] or key, True)
    return (t[0], t[1] - w, t[2], True)


def _score(rk: _Ranker, n: int, t: _Tally) -> float:
    score = max(0.0, min(1.0, (t[0] - t[1]) / rk.denominator[n]))
    if not t[2]:
        score = min(score, rk.cap)
    return round(score, 3)


_Entry = tuple[float, float, str, int]  # differentiate's sort key, and the pattern


def _entry(rk: _Ranker, n: int, t: _Tally) -> _Entry:
    return -_score(rk, n, t), -t[0], rk.ids[n], n


def _roles(
    rk: _Ranker, tallies: dict[int, _Tally], entries: dict[int, _Entry] | None = None
) -> tuple[int | None, int | None]:
    """The primary pattern and the first combined one, as differentiate assigns them;
    `entries`: each tallied pattern's sort key, when already known."""
    if entries is None:
        entries = {n: _entry(rk, n, t) for n, t in tallies.items()}
    ranked = sorted(entries.values())
    if not ranked or -ranked[0][0] < rk.min_score:
        return None, None
    lead = ranked[0]
    covered = set(rk.parts[lead[3]]) | {lead[3]}
    threshold = max(rk.combine_min, -lead[0] * rk.combine_ratio)
    chosen = {lead[3]}
    for neg, _, _, n in ranked[1:]:
        if len(chosen) >= rk.max_patterns or -neg < threshold:
            break
        parts = rk.parts[n]
        if n in covered or (parts and parts <= chosen):
            continue
        if not tallies[n][2]:
            continue
        return lead[3], n
    return lead[3], None


def _same_answer(a: tuple[int | None, int | None], b: tuple[int | None, int | None]) -> bool:
    """What bench/intake.py counts as agreeing: the same leader, or the same pair."""
    return a[0] == b[0] or (None not in a and None not in b and set(a) == set(b))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x > -700 else 0.0


# --- the request, checked against the knowledge base --------------------------------------


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(document)"


def parse_request(data: Any, kb: KnowledgeBase | None = None) -> IntakeRequest:
    """Validate a decoded JSON request; InputError with the reason, in one line."""
    kb = kb or get_kb()
    if not isinstance(data, dict):
        raise InputError("the request must be a JSON object (give {} to start)")
    try:
        req = IntakeRequest.model_validate(data)
    except ValidationError as exc:
        parts = []
        for e in exc.errors():
            if e["type"] == "extra_forbidden":
                allowed = ", ".join(IntakeRequest.model_fields)
                parts.append(f"unknown field '{_where(e['loc'])}' (allowed: {allowed})")
            else:
                shown = json.dumps(e.get("input"))[:60]
                parts.append(f"field '{_where(e['loc'])}': {e['msg'].rstrip('.')} (got {shown})")
        raise InputError("; ".join(parts)) from None
    m = kb.intake.model
    lists = {"present": req.present, "absent": req.absent, "unsure": req.unsure}
    count = sum(len(v) for v in lists.values()) + len(req.confirmed)
    if count > m.max_ids:
        raise InputError(
            f"too many finding ids: {count} in present, absent, unsure and confirmed together "
            f"(at most {m.max_ids})"
        )
    unknown = sorted(
        {i for v in (*lists.values(), req.confirmed) for i in v if i not in kb.findings}
    )
    if unknown:
        shown = ", ".join(f"'{i}'" for i in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise InputError(
            f"unknown finding ids: {shown}{more} (ids are listed by `anmian kb search`)"
        )
    names = list(lists)
    for n, a in enumerate(names):
        for b in names[n + 1 :]:
            both = sorted(set(lists[a]) & set(lists[b]))
            if both:
                raise InputError(
                    f"'{both[0]}' is in both {a} and {b}: give each finding one answer"
                )
    present = set(req.present)
    for q in kb.intake.exclusive:
        both = [f for f in q.findings if f in present]
        if len(both) > 1:
            raise InputError(
                f"'{both[0]}' and '{both[1]}' are both in present, but they are answers to one "
                f"question ('{q.id}') that exclude each other: give one of them"
            )
    answered = {i for v in lists.values() for i in v}
    unasked = sorted(set(req.confirmed) - answered)
    if unasked:
        raise InputError(
            f"'{unasked[0]}' is in confirmed but not answered: a confirmed id is also in "
            "present, absent or unsure (its second answer)"
        )
    if req.budget is not None and req.budget > m.max_budget:
        raise InputError(f"field 'budget': at most {m.max_budget} questions (got {req.budget})")
    return req


# --- one step -------------------------------------------------------------------------------


@dataclass
class _Known:
    present: set[str]
    absent: set[str]
    unsure: set[str]
    from_text: set[str] = field(default_factory=set)


def _known(req: IntakeRequest, kb: KnowledgeBase) -> _Known:
    """The answers given, and what the opening words said (an explicit answer wins)."""
    k = _Known(set(req.present), set(req.absent), set(req.unsure))
    if req.text:
        read = resolve(req.text, indexes(kb)[0])
        answered = k.present | k.absent | k.unsure
        for ids, into in (
            (read.with_status("present"), k.present),
            (read.with_status("absent"), k.absent),
            (read.with_status("uncertain"), k.unsure),
        ):
            new = {i for i in ids if i not in answered}
            into |= new
            k.from_text |= new
            answered |= new
    return k


def _asks_pregnancy(req: IntakeRequest, kb: KnowledgeBase) -> bool:
    young = req.age is not None and req.age < kb.rules.ages.child_under - 6
    return req.sex != "male" and not young


def _asked(kind: Kind, entry: IntakeQuestion, **extra: Any) -> Question:
    """A question in the intake's own words (intake.yaml `questions:`), for the field `kind`
    fills (a red-flags question fills the lists through its options)."""
    field_of = {"red-flags": "red-flags", "pregnancy": "pregnant", "text": "text"}
    return Question(
        kind=kind,
        id=field_of.get(kind, kind),
        finding=None,
        question=" ".join(entry.question.split()),
        why=entry.why,
        zh_question=entry.zh_question,
        zh_why=entry.zh_why,
        **extra,
    )


def _safety_question(req: IntakeRequest, kb: KnowledgeBase, known: _Known) -> Question | None:
    said = kb.intake.questions
    asked = req.screening.model_fields_set if req.screening else set()
    for c in CRITERIA:
        if c not in asked and c in kb.screening:
            return Question(
                kind="screening",
                id=c,
                finding=None,
                question=" ".join(kb.screening[c].text.split()),
                why=said.screening.why,
                zh_why=said.screening.zh_why,
            )
    answered = known.present | known.absent | known.unsure
    flags = [f for f in kb.findings.values() if f.category == "red-flag" and f.applies_to(req.sex)]
    if any(f.id not in answered for f in flags):
        options = [Option(finding=f.id, label=f.label) for f in flags]
        return _asked("red-flags", said.red_flags, options=options)
    fields = req.model_fields_set
    if _asks_pregnancy(req, kb):
        if "pregnant" not in fields:
            return _asked("pregnancy", said.pregnancy)
        if "breastfeeding" not in fields:
            return _asked("breastfeeding", said.breastfeeding)
    if "medications" not in fields:
        return _asked("medications", said.medications)
    if "conditions" not in fields:
        return _asked("conditions", said.conditions)
    return None


def _safety_left(req: IntakeRequest, kb: KnowledgeBase, known: _Known) -> int:
    """Safety questions not yet answered, the opening words included."""
    asked = req.screening.model_fields_set if req.screening else set()
    answered = known.present | known.absent | known.unsure
    fields = req.model_fields_set
    flags = [f for f in kb.findings.values() if f.category == "red-flag" and f.applies_to(req.sex)]
    n = sum(c not in asked for c in CRITERIA if c in kb.screening)
    n += any(f.id not in answered for f in flags)
    if _asks_pregnancy(req, kb):
        n += ("pregnant" not in fields) + ("breastfeeding" not in fields)
    n += ("medications" not in fields) + ("conditions" not in fields) + ("text" not in fields)
    return n


def _askable(kb: KnowledgeBase, req: IntakeRequest, m: IntakeModel) -> list[str]:
    hidden = set() if req.audience == "practitioner" else set(m.practitioner_only)
    return [
        fid
        for fid in _model(kb).links
        if (f := kb.findings[fid]).category != "red-flag"
        and f.category not in hidden
        and f.applies_to(req.sex)
    ]


def _log_odds(kb: KnowledgeBase, req: IntakeRequest, known: _Known) -> list[float]:
    model = _model(kb)
    listed = _on_checklists(kb)
    unticked = kb.intake.model.unticked_no
    lo = [model.prior] * len(model.patterns)
    for answers, yes in ((known.present, True), (known.absent, False)):
        for fid in answers:
            if not kb.findings[fid].applies_to(req.sex):
                continue  # counts neither way for them, as in differentiate
            # a no to a finding of a checklist was (nearly always) a box left unticked,
            # which a person skimming a list does more lightly than saying no to a question
            scale = unticked if not yes and fid in listed else 1.0
            for link in model.links.get(fid, ()):
                lo[link.pattern] += link.yes if yes else scale * link.no
    return lo


def _shown_for(
    kb: KnowledgeBase, present: set[str], sex: str | None
) -> tuple[str | None, str | None]:
    ranked = differentiate(kb, present, sex=sex)
    lead = next((r.id for r in ranked if r.role == "primary"), None)
    return lead, next((r.id for r in ranked if r.role == "combined"), None)


def _confirmation(req: IntakeRequest, kb: KnowledgeBase, known: _Known) -> Question | None:
    """The yes answers the result rests on, asked once more: not yet asked twice, while fewer
    than `max_confirmations` have been. Most wrong answers are a false yes (most questions
    are answered no), and the assessment takes every yes as given.

    With `recheck` 1, the one yes without which the assessment would show another leading
    pattern or pair (the heaviest for the leader), in other words (`confirmation`). With
    `recheck` above 1, a list of up to that many (`recheck`): every yes that the patterns
    shown count for, those the result rests on first, as two false yeses for one pattern
    each leave it leading without the other."""
    m = kb.intake.model
    room = m.max_confirmations - len(req.confirmed)
    if room <= 0:
        return None
    shown = _shown_for(kb, known.present, req.sex)
    if shown[0] is None:
        return None
    weight = {f.finding: f.weight for f in kb.patterns[shown[0]].findings}
    twice = set(req.confirmed)
    open_ = [
        f
        for f in known.present
        if f not in twice and f not in known.from_text and kb.findings[f].category != "red-flag"
    ]
    ordered = sorted(open_, key=lambda f: (-weight.get(f, 0.0), f))
    rests = [f for f in ordered if _shown_for(kb, known.present - {f}, req.sex) != shown]
    if m.recheck > 1:
        counted = {f.finding for pid in shown if pid is not None for f in kb.patterns[pid].findings}
        listed = rests + [f for f in ordered if f in counted and f not in rests]
        listed = listed[: min(m.recheck, room)]
        if len(listed) > 1:
            said = kb.intake.questions.recheck
            return Question(
                kind="recheck",
                id=listed[0],
                finding=None,
                question=said.question,
                why=said.why,
                zh_question=said.zh_question,
                zh_why=said.zh_why,
                options=[
                    Option(finding=f, label=kb.findings[f].label, zh_label=kb.findings[f].zh)
                    for f in listed
                ],
            )
        rests = listed
    for fid in rests[:1]:
        f = kb.findings[fid]
        said1 = kb.intake.questions.confirmation
        label = f.label[0].lower() + f.label[1:]
        return Question(
            kind="confirmation",
            id=fid,
            finding=fid,
            question=said1.question.format(label=label),
            why=said1.why,
            zh_question=said1.zh_question.format(label=f.zh) if f.zh else None,
            zh_why=said1.zh_why,
        )
    return None


def answer_recheck(req: dict[str, Any], q: Question, kept: list[str]) -> dict[str, Any]:
    """The request with the answer to a `recheck` question put in: every finding of the list
    into confirmed; those not `kept` (unticked: not true after all) moved from present to
    absent. ValueError for a finding the list does not offer."""
    ids = [o.finding for o in q.options]
    wrong = [f for f in kept if f not in ids]
    if wrong:
        raise ValueError(f"'{wrong[0]}' is not on this list (its findings: {', '.join(ids)})")
    out = {k: list(v) if isinstance(v, list) else v for k, v in req.items()}
    out["confirmed"] = [
        *out.get("confirmed", []),
        *(f for f in ids if f not in out.get("confirmed", [])),
    ]
    dropped = [f for f in ids if f not in kept]
    out["present"] = [f for f in out.get("present", []) if f not in dropped]
    out["absent"] = [
        *out.get("absent", []),
        *(f for f in dropped if f not in out.get("absent", [])),
    ]
    return out


def _why(kb: KnowledgeBase, ids: list[str]) -> tuple[str, str]:
    """Why a finding is asked, in English and in Chinese: the patterns it tells apart."""
    said = kb.intake.questions
    names = [kb.patterns[i].name for i in ids]
    zh = [kb.patterns[i].chinese for i in ids]
    if not ids:
        return said.why_none, said.zh_why_none
    if len(ids) == 1:
        return said.why_one.format(first=names[0]), said.zh_why_one.format(first=zh[0])
    return (
        said.why_two.format(first=names[0], second=names[1]),
        said.zh_why_two.format(first=zh[0], second=zh[1]),
    )


def step(req: IntakeRequest, kb: KnowledgeBase | None = None) -> IntakeResult:
    """The next question for these answers, or done with the ranking and the assessment."""
    kb = kb or get_kb()
    m = kb.intake.model
    model = _model(kb)
    known = _known(req, kb)
    budget = req.budget or m.budget
    lo = _log_odds(kb, req, known)
    order = sorted(range(len(lo)), key=lambda i: (-lo[i], model.patterns[i]))
    chances = [
        PatternChance(
            id=model.patterns[i],
            name=kb.patterns[model.patterns[i]].name,
            probability=round(_sigmoid(lo[i]), 4),
        )
        for i in order
    ]
    answered = known.present | known.absent | known.unsure
    askable = _askable(kb, req, m)
    asked = _count_asked(kb, askable, answered - known.from_text)

    def result(nxt: Question | None, done: str | None, remaining: int) -> IntakeResult:
        return IntakeResult(
            next=nxt,
            patterns=chances,
            asked=asked,
            remaining=remaining,
            budget=budget,
            done=done,
            assessment=_assessment(req, kb, known) if nxt is None else None,
        )

    safety = _safety_question(req, kb, known)
    left = max(0, budget - asked)
    singles, groups, lists = _open(kb, askable, known)
    open_ = singles + [f for _, members in (*groups, *lists) for f in members]
    risks = _risks(kb, req, known, _shares([x * m.sharpness for x in lo]), open_)
    about = _remaining(m, req, asked)
    if safety is not None:
        return result(safety, None, about + _safety_left(req, kb, known))
    if req.text is None:
        return result(_asked("text", kb.intake.questions.text), None, about)

    def finish(reason: str) -> IntakeResult:
        # Before "done": the yes answers the result rests on, asked once more.
        again = _confirmation(req, kb, known)
        return result(again, None, 1) if again is not None else result(None, reason, 0)

    if sum(r.chance for r in risks) <= 1 - m.confidence:
        return finish("settled")
    if left == 0:
        return finish("budget")
    best = _best_question(kb, _shares(lo), singles, [*groups, *lists])
    if best is None:
        return finish("no-question")
    fid, moved = best
    why, zh_why = _why(kb, [model.patterns[i] for i in moved[:2]])
    group = next(((g, ms) for g, ms in groups if g.id == fid), None)
    if group is not None:
        return result(_choice(kb, group[0], group[1], why, zh_why), None, about)
    listed = next(((c, ms) for c, ms in lists if c.id == fid), None)
    if listed is not None:
        return result(_checklist(kb, listed[0], listed[1], why, zh_why), None, about)
    f = kb.findings[fid]
    return result(
        Question(
            kind="finding",
            id=fid,
            finding=fid,
            question=f.question,
            why=why,
            zh_question=f.zh_question,
            zh_why=zh_why,
        ),
        None,
        about,
    )


def _count_asked(kb: KnowledgeBase, askable: list[str], answered: set[str]) -> int:
    """Finding questions answered: an exclusive question counts once, however many of its
    findings its answer settled."""
    grouped = _grouped(kb)
    singles = sum(1 for f in askable if f in answered and f not in grouped)
    groups = {grouped[f] for f in askable if f in answered and f in grouped}
    return singles + len(groups)


@per_parts("intake")
def _grouped(kb: KnowledgeBase) -> dict[str, str]:
    """Each finding of an exclusive question or a checklist, with the question's id (one
    question for each finding, and distinct ids: checked when the base loads)."""
    out = {f: q.id for q in kb.intake.exclusive for f in q.findings}
    return out | {f: c.id for c in kb.intake.checklists for f in c.findings}


@per_parts("intake")
def _on_checklists(kb: KnowledgeBase) -> frozenset[str]:
    return frozenset(f for q in kb.intake.checklists for f in q.findings)


def _open(
    kb: KnowledgeBase, askable: list[str], known: _Known
) -> tuple[
    list[str],
    list[tuple[ExclusiveQuestion, list[str]]],
    list[tuple[ChecklistQuestion, list[str]]],
]:
    """The questions still open: findings asked one at a time; exclusive questions with
    their findings still open (two or more, none answered yes: one yes settles them all);
    checklists with their findings still open (two or more: a list of one is a yes/no). A
    lone open finding of either is asked as yes/no."""
    answered = known.present | known.absent | known.unsure
    can = set(askable)
    grouped = _grouped(kb)
    singles = [f for f in askable if f not in answered and f not in grouped]
    groups = []
    for q in kb.intake.exclusive:
        if any(f in known.present for f in q.findings):
            continue
        members = [f for f in q.findings if f in can and f not in answered]
        if len(members) == 1:
            singles.append(members[0])
        elif members:
            groups.append((q, members))
    lists = []
    for c in kb.intake.checklists:
        members = [f for f in c.findings if f in can and f not in answered]
        if len(members) == 1:
            singles.append(members[0])
        elif members:
            lists.append((c, members))
    return singles, groups, lists


def _choice(
    kb: KnowledgeBase, q: ExclusiveQuestion, members: list[str], why: str, zh_why: str
) -> Question:
    said = kb.intake.questions
    choices = [
        Choice(finding=f, answer="finding", label=kb.findings[f].label, zh_label=kb.findings[f].zh)
        for f in members
    ]
    choices += [
        Choice(finding=None, answer="none", label=said.choice_none, zh_label=said.zh_choice_none),
        Choice(
            finding=None, answer="unsure", label=said.choice_unsure, zh_label=said.zh_choice_unsure
        ),
    ]
    return Question(
        kind="choice",
        id=q.id,
        finding=None,
        question=q.question,
        why=why,
        zh_question=q.zh_question,
        zh_why=zh_why,
        choices=choices,
    )


def _checklist(
    kb: KnowledgeBase, c: ChecklistQuestion, members: list[str], why: str, zh_why: str
) -> Question:
    said = kb.intake.questions
    return Question(
        kind="checklist",
        id=c.id,
        finding=None,
        question=c.question,
        why=why,
        zh_question=c.zh_question,
        zh_why=zh_why,
        options=[
            Option(finding=f, label=kb.findings[f].label, zh_label=kb.findings[f].zh)
            for f in members
        ],
        unsure_label=said.checklist_unsure,
        zh_unsure_label=said.zh_checklist_unsure,
    )


def answer_checklist(
    req: dict[str, Any], q: Question, ticked: list[str], unsure_rest: bool = False
) -> dict[str, Any]:
    """The request with the answer to a `checklist` question put in: the findings `ticked`
    into present, the others of the list into absent, or into unsure when `unsure_rest` (the
    person is not sure about the ones not ticked). A client's helper (the CLI, the web and
    the bench use it); ValueError for a finding the list does not offer or one ticked twice."""
    ids = [o.finding for o in q.options]
    wrong = [f for f in ticked if f not in ids]
    if wrong:
        raise ValueError(
            f"'{wrong[0]}' is not on the list of '{q.id}' (its findings: {', '.join(ids)})"
        )
    twice = sorted({f for f in ticked if ticked.count(f) > 1})
    if twice:
        raise ValueError(f"'{twice[0]}' is ticked twice: tick each finding once")
    out = {k: list(v) if isinstance(v, list) else v for k, v in req.items()}
    for name in ("present", "absent", "unsure"):
        out[name] = [f for f in out.get(name, []) if f not in ids]
    out["present"] += [f for f in ids if f in ticked]
    out["unsure" if unsure_rest else "absent"] += [f for f in ids if f not in ticked]
    return out


def answer_choice(req: dict[str, Any], q: Question, chosen: str) -> dict[str, Any]:
    """The request with the answer to a `choice` question put in: `chosen` is one of its
    findings, "none" or "unsure". A client's helper (the CLI, the web and the bench use it);
    ValueError for an answer the question does not offer."""
    ids = [c.finding for c in q.choices if c.finding is not None]
    if chosen not in (*ids, "none", "unsure"):
        raise ValueError(
            f"'{chosen}' is not an answer to '{q.id}' (answers: {', '.join(ids)}, none, unsure)"
        )
    out = {k: list(v) if isinstance(v, list) else v for k, v in req.items()}
    for name in ("present", "absent", "unsure"):
        out[name] = [f for f in out.get(name, []) if f not in ids]
    if chosen == "unsure":
        out["unsure"] += ids
    else:
        out["present"] += [f for f in ids if f == chosen]
        out["absent"] += [f for f in ids if f != chosen]
    return out


def _shares(lo: list[float]) -> list[float]:
    """Each pattern's chance of being the person's (the odds, normalised: a softmax)."""
    top = max(lo)
    odds = [math.exp(x - top) for x in lo]
    total = sum(odds)
    return [o / total for o in odds]


def _yes_chance(model: _Model, leak: float, share: list[float], fid: str) -> float:
    """P(yes) to an open finding: each pattern's chance times its P(yes | pattern) for a
    finding it counts for, `leak` for the rest."""
    return leak + sum(
        share[link.pattern] * (link.sens - leak)
        for link in model.links.get(fid, ())
        if link.sens > model.base_rate
    )


@dataclass(frozen=True)
class _Risk:
    """An open question whose yes alone would change what the person is shown."""

    finding: str
    chance: float  # of a yes, from the answers so far


def _risks(
    kb: KnowledgeBase, req: IntakeRequest, known: _Known, share: list[float], open_: list[str]
) -> list[_Risk]:
    """The open findings whose yes would change the leading pattern (or pair) that the
    assessment of these answers shows, as differentiate ranks them (caps, key findings and
    combined patterns included), each with its chance of a yes."""
    rk = _ranker(kb)
    model, leak = _model(kb), kb.intake.model.leak
    present = {f for f in known.present if kb.findings[f].applies_to(req.sex)}
    tallies = _tallies(rk, present)
    now = {n: _entry(rk, n, t) for n, t in tallies.items()}
    shown = _roles(rk, tallies, now)
    out = []
    for fid in open_:
        after, entries = dict(tallies), dict(now)
        for n, w, key in rk.links.get(fid, ()):
            after[n] = t = _add(after.get(n, _NONE), w, key)
            entries[n] = _entry(rk, n, t)
        if not _same_answer(_roles(rk, after, entries), shown):
            out.append(_Risk(fid, _yes_chance(model, leak, share, fid)))
    return out


def _best_question(
    kb: KnowledgeBase,
    share: list[float],
    singles: list[str],
    groups: list[tuple[ExclusiveQuestion | ChecklistQuestion, list[str]]],
) -> tuple[str, list[int]] | None:
    """The open question that moves the likely patterns' scores most, in expectation: for a
    finding, its chance of a yes times the share-weighted change a yes makes to the patterns'
    scores (weight over the typical presentation, as differentiate scores); for an exclusive
    question or a checklist, one question settling several findings, the same summed over
    its findings (a "none" or an unticked box moves nothing, as a no; the moves of a list's
    yeses add up, as differentiate's scores do). With the patterns it moves most, for `why`.
    The id is a finding's or a question's; None when nothing is worth `min_gain`."""
    rk = _ranker(kb)
    model, leak = _model(kb), kb.intake.model.leak

    def worth(fid: str) -> tuple[float, dict[int, float]]:
        moves = {n: share[n] * abs(w) / rk.denominator[n] for n, w, _ in rk.links.get(fid, ())}
        chance = _yes_chance(model, leak, share, fid)
        return chance * sum(moves.values()), {n: chance * x for n, x in moves.items()}

    candidates = [(fid, [fid]) for fid in singles]
    candidates += [(q.id, members) for q, members in groups]
    best: tuple[str, list[int]] | None = None
    best_value = kb.intake.model.min_gain
    for qid, members in sorted(candidates):
        value, moved = 0.0, dict[int, float]()
        for fid in members:
            v, ms = worth(fid)
            value += v
            for n, x in ms.items():
                moved[n] = moved.get(n, 0.0) + x
        # rounded: two questions that move the patterns alike must tie exactly, so the tie
        # goes by id whatever the order of the sums
        value = round(value, 12)
        if value > best_value:
            best_value = value
            best = qid, [n for n, _ in sorted(moved.items(), key=lambda nx: (-nx[1], nx[0]))]
    return best


def _remaining(m: IntakeModel, req: IntakeRequest, asked: int) -> int:
    """About how many more questions, this one included: the knowledge base's table (the
    median still to come after as many questions, in the bench's simulated intakes), at
    least one while questions are asked, at most what the budget and the confirmations
    still allow."""
    table = m.remaining[req.audience]
    # confirmations come `recheck` to a question (a list of yes answers looked at again)
    done = asked + math.ceil(len(req.confirmed) / m.recheck)
    budget = req.budget or m.budget
    left = max(0, m.max_confirmations - len(req.confirmed))
    most = max(0, budget - asked) + math.ceil(left / m.recheck)
    return max(1, min(most, table[min(done, len(table) - 1)]))


def assessment_input(req: IntakeRequest, kb: KnowledgeBase | None = None) -> AssessmentInput:
    """The answers as the assessment's input: what the person has, their words, the rest."""
    kb = kb or get_kb()
    return _input(req, _known(req, kb))


def _input(req: IntakeRequest, known: _Known) -> AssessmentInput:
    # A "no" is not passed on: the full form counts only what is ticked, and so does this,
    # so the two paths give the same ranking for the same findings. The words are passed
    # as written, so the reading, its danger words and its doubts are reported as usual.
    said = [i for i in sorted(known.present) if i not in known.from_text]
    findings = list(dict.fromkeys([*said, *(req.text or [])]))
    data: dict[str, Any] = {
        "findings": findings,
        "audience": req.audience,
        "medications": req.medications or [],
        "conditions": req.conditions or [],
    }
    for name in ("age", "sex", "pregnant", "breastfeeding", "screening", "labs", "severity"):
        value = getattr(req, name)
        if value is not None:
            data[name] = value
    return AssessmentInput.model_validate(data, strict=False)


def _assessment(req: IntakeRequest, kb: KnowledgeBase, known: _Known) -> AssessmentResult | None:
    try:
        data = _input(req, known)
    except ValidationError:
        return None  # nothing was said yes to (findings cannot be empty): nothing to assess
    try:
        return assess(data, kb, allow_unknown=True).result()
    except InputError:
        return None  # none of it could be read


def next_step(data: Any, kb: KnowledgeBase | None = None) -> IntakeResult:
    """Parse a decoded JSON request and answer it: the CLI's and the API's one call."""
    kb = kb or get_kb()
    return step(parse_request(data, kb), kb)
