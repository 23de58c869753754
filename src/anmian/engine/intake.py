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
the finding with the greatest expected information gain about which of the leading
`candidates` patterns leads (their odds normalised into one distribution), among the findings a
person can answer alone (tongue and pulse only with a practitioner). Done when the leader is at
least `confidence` likely to be the leading pattern (or the leading pair together is, each of
the two being itself that likely: a combined pattern) and the assessment of the answers shows
that leader (or pair) too; when no question is worth `min_gain` bits; or when the budget is
spent.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from anmian.engine.assess import assess
from anmian.engine.differentiate import TYPICAL_PRESENTATION, differentiate
from anmian.engine.inputs import CRITERIA, AssessmentInput, InputError, Labs, Screening, Severity
from anmian.engine.memo import per_parts
from anmian.engine.resolve import indexes, resolve
from anmian.engine.result import AssessmentResult
from anmian.knowledge import KnowledgeBase, get_kb
from anmian.knowledge.models import IntakeModel, IntakeQuestion

Kind = Literal[
    "screening", "red-flags", "pregnancy", "breastfeeding", "medications", "conditions", "text",
    "finding", "confirmation",
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
    model_config = ConfigDict(frozen=True)
    finding: str
    label: str


class Question(BaseModel):
    """One question. `kind` says where its answer goes in the next request: a finding's id
    into present, absent or unsure; `confirmation` (a yes asked again, in other words): the
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
    options: list[Option] = Field(default=[], description="For `red-flags`: tick any.")


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
    lo = [model.prior] * len(model.patterns)
    for answers, yes in ((known.present, True), (known.absent, False)):
        for fid in answers:
            if not kb.findings[fid].applies_to(req.sex):
                continue  # counts neither way for them, as in differentiate
            for link in model.links.get(fid, ()):
                lo[link.pattern] += link.yes if yes else link.no
    return lo


def _shares(lo: list[float]) -> list[float]:
    """Each pattern's chance of being the leading one, among the patterns given (softmax of
    the log-odds: the odds, normalised)."""
    top = max(lo)
    odds = [math.exp(x - top) for x in lo]
    total = sum(odds)
    return [o / total for o in odds]


def _plogp(p: float) -> float:
    return p * math.log2(p) if p > 0 else 0.0


@dataclass(frozen=True)
class _Beliefs:
    """The chances that each candidate leads, with the sums that make a question's expected
    gain cost only the patterns the finding weighs (the others share one base rate)."""

    shares: list[float]
    plogp: list[float]  # p * log2 p of each share
    entropy: float  # bits
    base: float
    log_base: float  # log2(base)
    log_not_base: float  # log2(1 - base)

    @classmethod
    def of(cls, shares: list[float], base: float) -> _Beliefs:
        plogp = [_plogp(p) for p in shares]
        return cls(shares, plogp, -sum(plogp), base, math.log2(base), math.log2(1 - base))

    def gain(self, sens: dict[int, float]) -> float:
        """Expected information (bits) a yes/no gives about which candidate leads; `sens`
        gives P(yes | candidate) for the candidates the finding weighs (by slot), and every
        other candidate answers yes at the base rate. H(now) - P(yes) H(after a yes) -
        P(no) H(after a no), each P·H(after) written as P log2 P - sum p_i s_i log2(p_i s_i),
        so that the candidates the finding does not weigh are one sum."""
        rest = 1.0 - sum(self.shares[n] for n in sens)
        rest_plogp = -self.entropy - sum(self.plogp[n] for n in sens)
        b = self.base
        yes = b * rest
        t_yes = b * (rest_plogp + rest * self.log_base)
        t_no = (1 - b) * (rest_plogp + rest * self.log_not_base)
        for n, s in sens.items():
            p = self.shares[n]
            yes += p * s
            t_yes += s * self.plogp[n] + p * s * math.log2(s)
            t_no += (1 - s) * self.plogp[n] + p * (1 - s) * math.log2(1 - s)
        if yes <= 0 or yes >= 1:
            return 0.0
        return self.entropy + t_yes - _plogp(yes) + t_no - _plogp(1 - yes)


def _settled(
    kb: KnowledgeBase, order: list[int], lo: list[float], shown: tuple[str | None, str | None]
) -> bool:
    """The leader is `confidence` likely to be the leading pattern (or the leading pair
    together is, and the second is itself that likely: a combined pattern), and the
    assessment of these answers shows that leader (or that pair) too: what the person reads
    is what settled, not a near-tie the model calls differently."""
    m = kb.intake.model
    model = _model(kb)
    ordered = [lo[i] for i in order]
    shares = _shares(ordered)
    first, second = (model.patterns[i] for i in order[:2])
    if shares[0] >= m.confidence:
        return shown[0] == first or set(shown) == {first, second}
    if shares[0] + shares[1] >= m.confidence and _sigmoid(ordered[1]) >= m.confidence:
        return shown[0] in (first, second) and (shown[1] is None or set(shown) == {first, second})
    return False


def _shown(kb: KnowledgeBase, req: IntakeRequest, known: _Known) -> tuple[str | None, str | None]:
    """The leading pattern and the first combined one, as the assessment of these answers
    would show them (its ranking of the findings said yes to)."""
    return _shown_for(kb, known.present, req.sex)


def _shown_for(
    kb: KnowledgeBase, present: set[str], sex: str | None
) -> tuple[str | None, str | None]:
    ranked = differentiate(kb, present, sex=sex)
    lead = next((r.id for r in ranked if r.role == "primary"), None)
    return lead, next((r.id for r in ranked if r.role == "combined"), None)


def _confirmation(req: IntakeRequest, kb: KnowledgeBase, known: _Known) -> Question | None:
    """The yes answer the result rests on most, asked once more in other words: one without
    which the assessment would show another leading pattern or pair, not yet asked twice,
    while fewer than `max_confirmations` have been. Most wrong answers are a false yes (most
    questions are answered no), and the assessment takes every yes as given."""
    m = kb.intake.model
    if len(req.confirmed) >= m.max_confirmations:
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
    for fid in sorted(open_, key=lambda f: (-weight.get(f, 0.0), f)):
        if _shown_for(kb, known.present - {fid}, req.sex) != shown:
            f = kb.findings[fid]
            said = kb.intake.questions.confirmation
            label = f.label[0].lower() + f.label[1:]
            return Question(
                kind="confirmation",
                id=fid,
                finding=fid,
                question=said.question.format(label=label),
                why=said.why,
                zh_question=said.zh_question.format(label=f.zh) if f.zh else None,
                zh_why=said.zh_why,
            )
    return None


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
    asked = sum(1 for f in askable if f in answered and f not in known.from_text)

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
    ordered = [lo[i] for i in order]
    sure = math.log(m.confidence / (1 - m.confidence))
    # The log-odds the leader still needs to be `confidence` likely to lead, at about
    # log_odds_per_answer a question.
    lead_log_odds = -math.log(sum(math.exp(x - ordered[0]) for x in ordered[1:]))
    need = max(0.0, sure - lead_log_odds)
    about = min(left, max(1, math.ceil(need / m.log_odds_per_answer)))
    if safety is not None:
        return result(safety, None, about + _safety_left(req, kb, known))
    if req.text is None:
        return result(_asked("text", kb.intake.questions.text), None, about)

    def finish(reason: str) -> IntakeResult:
        # Before "done": the yes answers the result rests on, asked once more.
        again = _confirmation(req, kb, known)
        return result(again, None, 1) if again is not None else result(None, reason, 0)

    if _settled(kb, order, lo, _shown(kb, req, known)):
        return finish("settled")
    if left == 0:
        return finish("budget")
    # The leading `candidates`, and every pattern tied with the last of them: at the start
    # all are tied, and cutting by name would leave half the patterns out of every question.
    cut = lo[order[min(m.candidates, len(order)) - 1]]
    leading = [i for i in order if lo[i] >= cut]
    beliefs = _Beliefs.of(_shares([lo[i] for i in leading]), model.base_rate)
    shares = beliefs.shares
    slot = {i: n for n, i in enumerate(leading)}
    best, best_gain, best_parts = None, m.min_gain, []
    for fid in askable:
        if fid in answered:
            continue
        sens = {slot[link.pattern]: link.sens for link in model.links[fid] if link.pattern in slot}
        # rounded: two findings that tell the candidates apart alike must tie exactly, so
        # the tie goes by id whatever the order of the sums
        gain = round(beliefs.gain(sens), 12)
        if gain > best_gain or (best is not None and gain == best_gain and fid < best):
            best, best_gain = fid, gain
            best_parts = [
                (abs(s - model.base_rate) * shares[n], leading[n])
                for n, s in sens.items()
                if s != model.base_rate
            ]
    if best is None:
        return finish("no-question")
    best_parts.sort(key=lambda gp: -gp[0])
    why, zh_why = _why(kb, [model.patterns[i] for _, i in best_parts[:2]])
    f = kb.findings[best]
    return result(
        Question(
            kind="finding",
            id=best,
            finding=best,
            question=f.question,
            why=why,
            zh_question=f.zh_question,
            zh_why=zh_why,
        ),
        None,
        about,
    )


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
