"""Rank the TCM patterns for a set of findings, and say why.

Score of a pattern = (weights of its findings present - weights of contrary findings
present) / (the sum of its five heaviest weights), clamped to 0..1. The denominator is
what a full, typical presentation gives, so a pattern with a long list of possible signs is
not penalised for the ones a person lacks. A pattern with none of its key findings is
capped, so supporting signs alone cannot put it first.
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

from anmian.engine.memo import per_parts
from anmian.engine.record import Record
from anmian.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from anmian.knowledge.models import Pattern

TYPICAL_PRESENTATION = 5
# A sign the person says they do not have counts against a pattern that expects it, at half
# its weight: a denial in free text is weaker evidence than the sign itself, and most signs of
# a pattern are absent in any one person. Only key findings count this way.
ABSENT_KEY_FACTOR = 0.5


class _Written(Record):
    """A slot that is not a field (the record's methods read the fields from the class's own
    `__slots__`): neither shown, compared nor hashed."""

    __slots__ = ("json",)


class Evidence(_Written):
    """Never changed: `differentiate` hands out the same objects, built once per knowledge base
    (hashed by its fields, as the frozen dataclass it was). `json` is it as the contract writes
    it (result.Evidence), made with it, so each result's JSON copies it (result_json.py)."""

    __slots__ = ("finding", "label", "weight", "key")  # noqa: RUF023

    def __init__(self, finding: str, label: str, weight: float, key: bool = False) -> None:
        self.finding = finding
        self.label = label
        self.weight = weight
        self.key = key
        self.json = {"finding": finding, "label": label, "weight": float(weight), "key": key}


class PatternResult(Record):
    __slots__ = (  # noqa: RUF023
        "id",
        "name",
        "pinyin",
        "chinese",
        "icd11",
        "score",
        "role",
        "for_",
        "against",
        "key_found",
        "refs",
    )
    __hash__ = None  # type: ignore[assignment]  # filled in after it is made

    def __init__(
        self,
        id: str,
        name: str,
        pinyin: str,
        chinese: str,
        icd11: list[dict[str, str]],
        score: float,
        role: str,  # primary | combined | considered
        for_: list[Evidence] | None = None,
        against: list[Evidence] | None = None,
        key_found: bool = False,
        refs: list[str] | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.pinyin = pinyin
        self.chinese = chinese
        self.icd11 = icd11
        self.score = score
        self.role = role
        self.for_: list[Evidence] = [] if for_ is None else for_
        self.against: list[Evidence] = [] if against is None else against
        self.key_found = key_found
        self.refs: list[str] = [] if refs is None else refs


class _Table(NamedTuple):
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


class WeightIndex(NamedTuple):
    """The patterns' weights inverted, built once per knowledge base: finding id -> the
    patterns that weigh it, so a person's findings are visited once, not every pattern."""

    pro: dict[str, tuple[tuple[str, float, bool], ...]]  # finding -> (pattern, weight, key)
    con: dict[str, tuple[tuple[str, float], ...]]  # finding -> (pattern, weight)
    denominators: dict[str, float]
    labels: dict[str, str]  # finding -> label
    denied: dict[str, str]  # finding -> "No ..." label, for a denied key finding
    # pattern -> name, pinyin, chinese, ICD-11 (code, title) pairs, refs
    about: dict[str, tuple[str, str, str, tuple[tuple[str, str], ...], tuple[str, ...]]]


@per_parts("patterns", "findings")
def weight_index(kb: KnowledgeBase) -> WeightIndex:
    pro: dict[str, list[tuple[str, float, bool]]] = {}
    con: dict[str, list[tuple[str, float]]] = {}
    for p in kb.patterns.values():
        # a finding named twice counts once, at its first weight (as _table does)
        for fid, (w, key) in _table(p).pro.items():
            pro.setdefault(fid, []).append((p.id, w, key))
        for fid, cw in _table(p).con.items():
            con.setdefault(fid, []).append((p.id, cw))
    labels = {fid: f.label for fid, f in kb.findings.items()}
    return WeightIndex(
        pro={k: tuple(v) for k, v in pro.items()},
        con={k: tuple(v) for k, v in con.items()},
        denominators={pid: _table(p).denominator for pid, p in kb.patterns.items()},
        labels=labels,
        denied={fid: f"No {label[0].lower()}{label[1:]}" for fid, label in labels.items()},
        about={
            pid: (
                p.name,
                p.pinyin,
                p.chinese,
                tuple((c.code, c.title) for c in p.icd11),
                tuple(p.refs),
            )
            for pid, p in kb.patterns.items()
        },
    )


# One piece of evidence as differentiate sorts it: (-weight, finding, key, Evidence); the
# key is the Evidence's, kept beside it so that no attribute is read per row.
_Row = tuple[float, str, bool, Evidence]
_WEIGHT, _KEY, _EVIDENCE = itemgetter(0), itemgetter(2), itemgetter(3)


class _Scoring(NamedTuple):
    """`weight_index` as `differentiate` walks it: finding -> (pattern, row) for each pattern
    that weighs it, each row and its Evidence built once, so a person's evidence is gathered,
    not built. Rows sort by (-weight, finding), as they are written."""

    pro: dict[str, tuple[tuple[str, _Row], ...]]
    con: dict[str, tuple[tuple[str, _Row], ...]]
    denied: dict[str, tuple[tuple[str, _Row], ...]]  # a denied key finding
    denominators: dict[str, float]
    # pattern -> name, pinyin, chinese, ICD-11 codes as {code, title} (copied per result), refs
    about: dict[str, tuple[str, str, str, tuple[dict[str, str], ...], tuple[str, ...]]]
    sex_of: dict[str, str]  # finding -> the only sex that can have it, for those with one


@per_parts("patterns", "findings")
def _scoring(kb: KnowledgeBase) -> _Scoring:
    idx = weight_index(kb)
    labels = idx.labels
    denied: dict[str, tuple[tuple[str, _Row], ...]] = {}
    for fid, hits in idx.pro.items():
        rows = tuple(
            (
                pid,
                (
                    -(w * ABSENT_KEY_FACTOR),
                    fid,
                    False,
                    Evidence(fid, idx.denied[fid], w * ABSENT_KEY_FACTOR),
                ),
            )
            for pid, w, key in hits
            if key
        )
        if rows:
            denied[fid] = rows
    return _Scoring(
        pro={
            fid: tuple(
                (pid, (-w, fid, key, Evidence(fid, labels[fid], w, key))) for pid, w, key in hits
            )
            for fid, hits in idx.pro.items()
        },
        con={
            fid: tuple((pid, (-w, fid, False, Evidence(fid, labels[fid], w))) for pid, w in hits)
            for fid, hits in idx.con.items()
        },
        denied=denied,
        denominators=idx.denominators,
        about={
            pid: (name, pinyin, chinese, tuple({"code": c, "title": t} for c, t in icd11), refs)
            for pid, (name, pinyin, chinese, icd11, refs) in idx.about.items()
        },
        sex_of={fid: f.sex for fid, f in kb.findings.items() if f.sex is not None},
    )


def differentiate(
    kb: KnowledgeBase,
    present: set[str],
    absent: set[str] | None = None,
    sex: str | None = None,
) -> list[PatternResult]:
    """All patterns with any evidence, best first; roles mark the leading and combined ones.
    `absent`: findings the person denies; a denied key finding counts against its pattern.
    `sex`: a finding only the other sex can have (periods) counts neither way. Red flags do
    not pass through here, so a danger sign is never dropped over a sex field.

    Each pattern scores as `score_pattern` scores it (tests/test_same_result.py compares
    with the scan of every pattern), from the inverted index: evidence is gathered as
    (-weight, finding, key, Evidence) rows, whose natural order is the (-weight, finding) order
    (a finding weighs once per pattern, so the Evidence itself is never compared)."""
    absent = absent or set()
    idx = _scoring(kb)
    if sex in ("female", "male") and idx.sex_of:  # Finding.applies_to, from the index
        sex_of = idx.sex_of
        # filtered only when one of them is of one sex (seldom): the filter would keep all
        if not sex_of.keys().isdisjoint(present):
            present = {f for f in present if sex_of.get(f, sex) == sex}
        if absent and not sex_of.keys().isdisjoint(absent):
            absent = {f for f in absent if sex_of.get(f, sex) == sex}
    pros: dict[str, list[_Row]] = {}
    cons: dict[str, list[_Row]] = {}
    for fid in present:
        hits = idx.pro.get(fid)
        if hits:
            for pid, row in hits:
                if pid in pros:
                    pros[pid].append(row)
                else:
                    pros[pid] = [row]
        hits = idx.con.get(fid)
        if hits:
            for pid, row in hits:
                if pid in cons:
                    cons[pid].append(row)
                else:
                    cons[pid] = [row]
    for fid in absent:
        if fid in present:
            continue
        hits = idx.denied.get(fid)
        if hits:
            for pid, row in hits:
                if pid in cons:
                    cons[pid].append(row)
                else:
                    cons[pid] = [row]
    cap = kb.rules.no_key_finding_cap
    about = idx.about
    denominators = idx.denominators
    scored: list[tuple[float, float, str, PatternResult]] = []
    for pid in {**pros, **cons} if cons else pros:
        # sorted before summing: a set's order must not change the last digit of a score
        # (map and itemgetter, not comprehensions: a comprehension is a call of its own on
        # Python 3.11, and a pattern has one to six rows)
        pro = pros.get(pid)
        if pro is None:
            total, evidence, key_found = 0.0, [], False
        elif len(pro) == 1:
            _, _, key_found, one = row = pro[0]
            total = -row[0]  # -sum([x]) is -(0 + x), which is -x for a weight
            evidence = [one]
        else:
            pro.sort()
            total = -sum(map(_WEIGHT, pro))
            evidence = list(map(_EVIDENCE, pro))
            key_found = any(map(_KEY, pro))
        con = cons.get(pid)
        if con is None:
            raw = total / denominators[pid]
            contrary = []
        elif len(con) == 1:
            row = con[0]
            raw = (total - -row[0]) / denominators[pid]  # as with -sum([x]) above
            contrary = [row[3]]
        else:
            con.sort()
            raw = (total - -sum(map(_WEIGHT, con))) / denominators[pid]
            contrary = list(map(_EVIDENCE, con))
        # max(0.0, min(1.0, raw)), then the cap, then round(score, 3): as comparisons, each
        # builtin call costing more than the rest of the arithmetic
        if raw <= 0.0:
            score = 0.0
        else:
            if raw > 1.0:
                raw = 1.0
            if not key_found and raw > cap:
                raw = cap
            score = round(raw, 3)
        name, pinyin, chinese, icd11, refs = about[pid]
        scored.append(
            (
                -score,
                -total,
                pid,
                PatternResult(
                    pid,
                    name,
                    pinyin,
                    chinese,
                    list(map(dict, icd11)) if icd11 else [],
                    score,
                    "considered",
                    evidence,
                    contrary,
                    key_found,
                    list(refs),
                ),
            )
        )
    scored.sort()  # by (-score, -total, pattern): patterns differ, so results are not compared
    results = [row[3] for row in scored]
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
