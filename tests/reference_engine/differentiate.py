"""Rank the TCM patterns for a set of findings, and say why.

Score of a pattern = (weights of its findings present - weights of contrary findings
present) / (the sum of its five heaviest weights), clamped to 0..1. The denominator is
what a full, typical presentation gives, so a pattern with a long list of possible signs is
not penalised for the ones a person lacks. A pattern with none of its key findings is
capped, so supporting signs alone cannot put it first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from anmian.engine.memo import per_parts
from anmian.knowledge import KnowledgeBase
from anmian.knowledge.models import Pattern

TYPICAL_PRESENTATION = 5
# A sign the person says they do not have counts against a pattern that expects it, at half
# its weight: a denial in free text is weaker evidence than the sign itself, and most signs of
# a pattern are absent in any one person. Only key findings count this way.
ABSENT_KEY_FACTOR = 0.5


@dataclass
class Evidence:
    finding: str
    label: str
    weight: float
    key: bool = False


@dataclass
class PatternResult:
    id: str
    name: str
    pinyin: str
    chinese: str
    icd11: list[dict[str, str]]
    score: float
    role: str  # primary | combined | considered
    for_: list[Evidence] = field(default_factory=list)
    against: list[Evidence] = field(default_factory=list)
    key_found: bool = False
    refs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Table:
    """A pattern's weights as lookups, built once: scoring visits the person's findings,
    not every finding the pattern names."""

    pro: dict[str, tuple[float, bool]]  # finding -> (weight, key)
    con: dict[str, float]
    denominator: float


_TABLES: dict[int, tuple[Pattern, _Table]] = {}


def _table(p: Pattern) -> _Table:
    hit = _TABLES.get(id(p))
    if hit is None or hit[0] is not p:
        pro: dict[str, tuple[float, bool]] = {}
        for f in p.findings:
            pro.setdefault(f.finding, (f.weight, f.key))
        con: dict[str, float] = {}
        for f in p.against:
            con.setdefault(f.finding, f.weight)
        hit = _TABLES[id(p)] = (p, _Table(pro, con, _denominator(p)))
    return hit[1]


def _denominator(p: Pattern) -> float:
    weights = sorted((f.weight for f in p.findings), reverse=True)
    return sum(weights[:TYPICAL_PRESENTATION])


def score_pattern(
    kb: KnowledgeBase,
    p: Pattern,
    present: set[str],
    absent: frozenset[str] | set[str] = frozenset(),
) -> PatternResult:
    table = _table(p)

    def label(fid: str) -> str:
        return kb.findings[fid].label

    pro = [
        Evidence(fid, label(fid), w, key)
        for fid in present
        if (hit := table.pro.get(fid)) is not None
        for w, key in (hit,)
    ]
    con = [Evidence(fid, label(fid), table.con[fid]) for fid in present if fid in table.con]
    con += [
        Evidence(fid, f"No {label(fid)[0].lower()}{label(fid)[1:]}", w * ABSENT_KEY_FACTOR)
        for fid in absent
        if fid not in present and (hit := table.pro.get(fid)) is not None and hit[1]
        for w in (hit[0],)
    ]
    # sorted before summing: a set's order must not change the last digit of a score
    pro.sort(key=lambda e: (-e.weight, e.finding))
    con.sort(key=lambda e: (-e.weight, e.finding))
    raw = (sum(e.weight for e in pro) - sum(e.weight for e in con)) / table.denominator
    key_found = any(e.key for e in pro)
    score = max(0.0, min(1.0, raw))
    if not key_found:
        score = min(score, kb.rules.no_key_finding_cap)
    return PatternResult(
        id=p.id,
        name=p.name,
        pinyin=p.pinyin,
        chinese=p.chinese,
        icd11=[{"code": c.code, "title": c.title} for c in p.icd11],
        score=round(score, 3),
        role="considered",
        for_=pro,
        against=con,
        key_found=key_found,
        refs=list(p.refs),
    )


@per_parts("patterns")
def _patterns_of(kb: KnowledgeBase) -> dict[str, set[str]]:
    """finding id -> ids of the patterns that weigh it, for or against."""
    out: dict[str, set[str]] = {}
    for p in kb.patterns.values():
        for f in (*p.findings, *p.against):
            out.setdefault(f.finding, set()).add(p.id)
    return out


def differentiate(
    kb: KnowledgeBase,
    present: set[str],
    absent: set[str] | None = None,
    sex: str | None = None,
) -> list[PatternResult]:
    """All patterns with any evidence, best first; roles mark the leading and combined ones.
    `absent`: findings the person denies; a denied key finding counts against its pattern.
    `sex`: a finding only the other sex can have (periods) counts neither way. Red flags do
    not pass through here, so a danger sign is never dropped over a sex field."""
    absent = absent or set()
    if sex is not None:
        present = {f for f in present if kb.findings[f].applies_to(sex)}
        absent = {f for f in absent if kb.findings[f].applies_to(sex)}
    # Only patterns that name one of the findings can have evidence; the rest are skipped.
    touched = _patterns_of(kb)
    ids = {pid for fid in present | absent for pid in touched.get(fid, ())}
    results = [score_pattern(kb, p, present, absent) for p in kb.patterns.values() if p.id in ids]
    results = [r for r in results if r.for_ or r.against]
    results.sort(key=lambda r: (-r.score, -sum(e.weight for e in r.for_), r.id))
    _assign_roles(kb, results)
    return results


def _assign_roles(kb: KnowledgeBase, ranked: list[PatternResult]) -> None:
    if not ranked or ranked[0].score < kb.rules.min_pattern_score:
        return
    lead = ranked[0]
    lead.role = "primary"
    covered = set(kb.patterns[lead.id].parts) | {lead.id}
    threshold = max(kb.rules.combine_min_score, lead.score * kb.rules.combine_ratio)
    chosen = [lead]
    for r in ranked[1:]:
        if len(chosen) >= kb.rules.limits.max_patterns or r.score < threshold:
            break
        parts = set(kb.patterns[r.id].parts)
        # Skip what the chosen patterns already contain, and a combined pattern whose
        # parts are already chosen on their own (it would only restate them).
        if r.id in covered or (parts and parts <= {c.id for c in chosen}):
            continue
        if not r.key_found:
            continue
        r.role = "combined"
        chosen.append(r)
        covered |= parts | {r.id}
