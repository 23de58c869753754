"""Load the YAML knowledge base into typed models and check every cross-reference.

Layout: `data/meta.yaml`, `data/rules.yaml`, `data/reading.yaml`, `data/intake.yaml`, and
one folder per kind of entry (`data/patterns/`, `data/points/`, ...). Each YAML file in a folder holds a list of
entries, so content can be split by topic without the loader caring.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from anmian import paths
from anmian.knowledge.base import KIND_NAMES, KnowledgeBase, KnowledgeError
from anmian.knowledge.models import (
    Advice,
    Condition,
    DrugClass,
    EssentialOil,
    EvidenceItem,
    Finding,
    Formula,
    Herb,
    IntakeLayout,
    Medication,
    Meta,
    Mimic,
    Pattern,
    Point,
    Reading,
    RedFlag,
    Reference,
    Rules,
    SafetyRule,
    Scale,
    ScreeningQuestion,
)

try:  # libyaml is several times faster; PyYAML wheels ship it, but not every build does
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

M = TypeVar("M", bound=BaseModel)

# folder name -> model, in the order they are loaded and reported by `kb stats`
KINDS: dict[str, type[BaseModel]] = {
    "patterns": Pattern,
    "findings": Finding,
    "points": Point,
    "herbs": Herb,
    "formulas": Formula,
    "references": Reference,
    "drug-classes": DrugClass,
    "medications": Medication,
    "conditions": Condition,
    "red-flags": RedFlag,
    "mimics": Mimic,
    "advice": Advice,
    "scales": Scale,
    "screening": ScreeningQuestion,
    "evidence": EvidenceItem,
    "oils": EssentialOil,
}
assert tuple(KINDS) == KIND_NAMES  # base.py names them for a knowledge base without pydantic


def data_dir() -> Path:
    return Path(str(files("anmian.knowledge") / "data"))


def _read_yaml(path: Path, rel: str) -> Any:
    try:
        return yaml.load(path.read_bytes(), Loader=_Loader)
    except FileNotFoundError:
        raise KnowledgeError([f"{rel}: file not found in {path.parent}"]) from None
    except yaml.YAMLError as exc:
        raise KnowledgeError([f"{rel}: not valid YAML: {exc}"]) from None


def _describe(error: ErrorDetails) -> str:
    loc = ".".join(str(p) for p in error["loc"]) or "(entry)"
    return f"field '{loc}': {error['msg']}"


def _validate(model: type[M], raw: Any, where: str, problems: list[str]) -> M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(f"{where}: {_describe(e)}" for e in exc.errors())
        return None


def _load_folder(
    root: Path, kind: str, model: type[M], problems: list[str], sources: dict[tuple[str, str], str]
) -> dict[str, M]:
    table: dict[str, M] = {}
    folder = root / kind
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not paths:
        problems.append(f"{kind}/: no YAML files found")
    for path in paths:
        rel = f"{kind}/{path.name}"
        raw = _read_yaml(path, rel)
        if raw is None:
            continue
        if not isinstance(raw, list):
            problems.append(f"{rel}: expected a list of entries at the top level")
            continue
        for n, item in enumerate(raw, 1):
            name = item.get("id") or item.get("criterion") if isinstance(item, dict) else None
            where = f"{rel}: entry '{name}'" if name else f"{rel}: entry #{n}"
            entry = _validate(model, item, where, problems)
            if entry is None:
                continue
            key = getattr(entry, "id", None) or getattr(entry, "criterion")  # noqa: B009
            if key in table:
                problems.append(f"{where}: duplicate id (also in {sources[(kind, key)]})")
                continue
            table[key] = entry
            sources[(kind, key)] = rel
    return table


def _content_hash(root: Path, full: bool = False) -> str:
    """A hash of the data files; with full, of the schema and loader code too."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    if full:
        here = Path(__file__).parent
        for name in ("models.py", "loader.py", "base.py"):
            digest.update((here / name).read_bytes())
    return digest.hexdigest()[: 16 if full else 10]


def load(root: Path | None = None) -> KnowledgeBase:
    """Load and check the knowledge base; raises KnowledgeError listing every problem."""
    root = root or data_dir()
    return _load_cached(root) if os.environ.get("ANMIAN_KB_CACHE", "1") != "0" else _load(root)


def _cache_path(root: Path) -> Path:
    # The platform's user cache folder ($XDG_CACHE_HOME/anmian on Linux), or ANMIAN_CACHE_DIR.
    return paths.cache_dir() / f"kb-{_content_hash(root, full=True)}.pickle"


def _load_cached(root: Path) -> KnowledgeBase:
    """Validation costs ~100 ms a start; a pickle of the checked result, keyed by a hash of
    every data file and of the model code, costs ~15 ms. Any edit changes the key, so a
    stale cache is never read; any cache problem falls back to a full load."""
    try:
        path = _cache_path(root)
        with path.open("rb") as fh:
            kb = pickle.load(fh)
        if isinstance(kb, KnowledgeBase):
            return kb
    except Exception:  # a missing, stale-format or unreadable cache just means a full load
        pass
    kb = _load(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(kb, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)  # atomic: a concurrent reader sees the old file or the new one
    except OSError:
        pass
    return kb


def _load(root: Path) -> KnowledgeBase:
    problems: list[str] = []
    sources: dict[tuple[str, str], str] = {("rules", "rules"): "rules.yaml"}
    meta = _validate(Meta, _read_yaml(root / "meta.yaml", "meta.yaml"), "meta.yaml", problems)
    rules = _validate(Rules, _read_yaml(root / "rules.yaml", "rules.yaml"), "rules.yaml", problems)
    reading = _validate(
        Reading, _read_yaml(root / "reading.yaml", "reading.yaml"), "reading.yaml", problems
    )
    intake = _validate(
        IntakeLayout, _read_yaml(root / "intake.yaml", "intake.yaml"), "intake.yaml", problems
    )
    # Any: the model of each table is known only per kind (KINDS), not to the type checker.
    tables: dict[str, Any] = {
        kind.replace("-", "_"): _load_folder(root, kind, model, problems, sources)
        for kind, model in KINDS.items()
    }
    if problems or meta is None or rules is None or reading is None or intake is None:
        raise KnowledgeError(problems)
    kb = KnowledgeBase(
        meta=meta,
        rules=rules,
        reading=reading,
        intake=intake,
        version=f"{meta.version}+{_content_hash(root)}",
        sources=sources,
        **tables,
    )
    problems = check_references(kb)
    if problems:
        raise KnowledgeError(problems)
    return kb


def _missing(
    kb: KnowledgeBase, kind: str, entry_id: str, field_name: str, table: str, ids: Iterable[str]
) -> list[str]:
    known = kb.table(table)
    where = kb.sources.get((kind, entry_id), kind)
    return [
        f"{where}: entry '{entry_id}': field '{field_name}': unknown {table} id '{i}'"
        for i in ids
        if i not in known
    ]


def _check_rules(
    kb: KnowledgeBase, kind: str, entry_id: str, field_name: str, rules: Iterable[SafetyRule]
) -> list[str]:
    problems: list[str] = []
    tags = kb.tags()
    where = kb.sources.get((kind, entry_id), kind)
    for n, rule in enumerate(rules):
        if rule.when not in tags:
            problems.append(
                f"{where}: entry '{entry_id}': field '{field_name}.{n}.when': unknown tag "
                f"'{rule.when}' (use a built-in tag, a drug effect, a drug-class id or a condition id)"
            )
        problems += _missing(kb, kind, entry_id, f"{field_name}.{n}.refs", "references", rule.refs)
    return problems


def check_references(kb: KnowledgeBase) -> list[str]:
    """Every id an entry names must exist; every claim must cite known references."""
    p: list[str] = []
    # Every entry that carries refs must cite known references.
    for kind in KINDS:
        for entry_id, entry in kb.table(kind).items():
            if hasattr(entry, "refs"):
                p += _missing(kb, kind, entry_id, "refs", "references", entry.refs)
    for pid, pat in kb.patterns.items():
        fids = [f.finding for f in pat.findings] + [f.finding for f in pat.against]
        p += _missing(kb, "patterns", pid, "findings", "findings", fids)
        p += _missing(kb, "patterns", pid, "points", "points", [x.point for x in pat.points])
        p += _missing(kb, "patterns", pid, "formulas", "formulas", pat.formulas)
        p += _missing(kb, "patterns", pid, "herbs", "herbs", pat.herbs)
        p += _missing(kb, "patterns", pid, "related", "patterns", pat.related)
        p += _missing(kb, "patterns", pid, "parts", "patterns", pat.parts)
        for fld in ("diet", "lifestyle", "topical"):
            ids = getattr(pat, fld)
            p += _missing(kb, "patterns", pid, fld, "advice", ids)
            p += [
                f"{kb.sources[('patterns', pid)]}: entry '{pid}': field '{fld}': "
                f"advice '{a}' is of kind '{kb.advice[a].kind}'"
                for a in ids
                if a in kb.advice and kb.advice[a].kind != fld
            ]
        both = {f.finding for f in pat.findings} & {f.finding for f in pat.against}
        p += [
            f"{kb.sources[('patterns', pid)]}: entry '{pid}': finding '{f}' is both for and against"
            for f in sorted(both)
        ]
    for fid, formula in kb.formulas.items():
        ids = [i.herb for i in formula.ingredients]
        p += _missing(kb, "formulas", fid, "ingredients", "herbs", ids)
        p += _check_rules(kb, "formulas", fid, "safety", formula.safety)
    for hid, herb in kb.herbs.items():
        p += _check_rules(kb, "herbs", hid, "safety", herb.safety)
    for oid, oil in kb.oils.items():
        p += _check_rules(kb, "oils", oid, "safety", oil.safety)
        for n, w in enumerate(herb.regulator_warnings):
            p += _missing(kb, "herbs", hid, f"regulator_warnings.{n}.refs", "references", w.refs)
    for pid, point in kb.points.items():
        p += _check_rules(kb, "points", pid, "cautions", point.cautions)
        if point.self_care and not point.acupressure:
            p.append(
                f"{kb.sources[('points', pid)]}: entry '{pid}': field 'acupressure': "
                "required when self_care is true"
            )
    for aid, adv in kb.advice.items():
        p += _check_rules(kb, "advice", aid, "safety", adv.safety)
    for mid, med in kb.medications.items():
        p += _missing(kb, "medications", mid, "classes", "drug_classes", med.classes)
    for sid, scale in kb.scales.items():
        p += _missing(kb, "scales", sid, "change_refs", "references", scale.change_refs)
    for mid, mimic in kb.mimics.items():
        p += _missing(kb, "mimics", mid, "suggested_by", "findings", mimic.suggested_by)
    tables = {"finding": "findings", "condition": "conditions", "drug-class": "drug_classes"}
    for rid, flag in kb.red_flags.items():
        for clause in flag.when:
            for ref in clause:
                prefix, _, target = ref.partition(":")
                ok = target in kb.tags() if prefix == "tag" else target in kb.table(tables[prefix])
                if not ok:
                    p.append(
                        f"{kb.sources[('red-flags', rid)]}: entry '{rid}': field 'when': "
                        f"unknown {prefix} '{target}'"
                    )
    p += _missing(
        kb, "rules", "rules", "base_points", "points", [x.point for x in kb.rules.base_points]
    )
    for name in ("iron", "ages", "screening", "limits", "course_single", "course_combined"):
        p += _missing(
            kb, "rules", "rules", f"{name}.refs", "references", getattr(kb.rules, name).refs
        )
    p += _missing(kb, "rules", "rules", "base_refs", "references", kb.rules.base_refs)
    p += _check_reading(kb)
    p += _check_intake(kb)
    p += _check_rules(kb, "rules", "rules", "technique_rules", kb.rules.technique_rules)
    p += [
        f"rules.yaml: technique_rules.{n}: give the technique it is about"
        for n, r in enumerate(kb.rules.technique_rules)
        if r.technique is None
    ]
    p += _missing(kb, "rules", "rules", "base_advice", "advice", kb.rules.base_advice)
    for n, hold in enumerate(kb.rules.herbal_holds):
        p += _missing(kb, "rules", "rules", f"herbal_holds.{n}.refs", "references", hold.refs)
        p += [
            f"rules.yaml: field 'herbal_holds.{n}.when': unknown tag '{t}'"
            for t in hold.when
            if t not in kb.tags()
        ]
    p += _check_aliases(kb)
    p += _check_chinese(kb)
    return p


def _check_chinese(kb: KnowledgeBase) -> list[str]:
    """Every finding has a Chinese label and question (the model checks that they are
    hanzi), and a Chinese wording names one finding only, as an English one does."""
    problems = []
    seen: dict[str, str] = {}
    for fid, f in kb.findings.items():
        where = f"{kb.sources.get(('findings', fid), 'findings/')}: entry '{fid}'"
        for name in ("zh", "zh_question"):
            if not getattr(f, name):
                problems.append(f"{where}: field '{name}': every finding needs it (zh-Hant)")
        for alias in {a for a in (f.zh, *f.zh_synonyms) if a}:
            other = seen.setdefault(alias, fid)
            if other != fid:
                problems.append(f"{where}: zh synonym '{alias}' also names finding '{other}'")
    # what a person is told to do reads in Chinese too
    for kind, fields in (
        ("red-flags", ("zh_title", "zh_reason")),
        ("advice", ("zh_title", "zh_text")),
    ):
        for entry_id, entry in kb.table(kind).items():
            where = f"{kb.sources.get((kind, entry_id), kind + '/')}: entry '{entry_id}'"
            for name in fields:
                if not getattr(entry, name):
                    problems.append(f"{where}: field '{name}': every entry needs it (zh-Hant)")
    for pid, point in kb.points.items():
        where = f"{kb.sources.get(('points', pid), 'points/')}: entry '{pid}'"
        if not point.zh_location:
            problems.append(f"{where}: field 'zh_location': every point needs it (zh-Hant)")
        if point.acupressure and not point.zh_acupressure:
            problems.append(f"{where}: field 'zh_acupressure': needed beside acupressure")
    problems += _check_chinese_text(kb)
    return problems


def _check_chinese_text(kb: KnowledgeBase) -> list[str]:
    """Everything else a person reads has its zh-Hant beside the English: safety rules,
    herb and formula actions, pattern descriptions, conditions, drug classes, look-alikes,
    scales (names, notes and band labels: scoring only), the course and the engine's
    messages. The models check that each is Chinese; this checks that none is missing."""
    problems: list[str] = []

    def need(where: str, name: str, value: object) -> None:
        if not value:
            problems.append(f"{where}: field '{name}': every entry needs it (zh-Hant)")

    def rules(where: str, field: str, items: tuple[SafetyRule, ...]) -> None:
        for n, rule in enumerate(items):
            need(where, f"{field}.{n}.zh_text", rule.zh_text)

    def at(kind: str, entry_id: str) -> str:
        return f"{kb.sources.get((kind, entry_id), kind + '/')}: entry '{entry_id}'"

    for hid, herb in kb.herbs.items():
        if len(herb.zh_actions) != len(herb.actions):
            problems.append(
                f"{at('herbs', hid)}: field 'zh_actions': one zh-Hant line for each of the "
                f"{len(herb.actions)} actions (has {len(herb.zh_actions)})"
            )
        rules(at("herbs", hid), "safety", herb.safety)
        for n, warning in enumerate(herb.regulator_warnings):
            need(at("herbs", hid), f"regulator_warnings.{n}.zh_regulator", warning.zh_regulator)
            need(at("herbs", hid), f"regulator_warnings.{n}.zh_text", warning.zh_text)
    for fid, formula in kb.formulas.items():
        need(at("formulas", fid), "zh_actions", formula.zh_actions)
        rules(at("formulas", fid), "safety", formula.safety)
    for pid, point in kb.points.items():
        rules(at("points", pid), "cautions", point.cautions)
    for aid, adv in kb.advice.items():
        rules(at("advice", aid), "safety", adv.safety)
    for oid, oil in kb.oils.items():
        need(at("oils", oid), "zh_name", oil.zh_name)
        rules(at("oils", oid), "safety", oil.safety)
    for pid, pattern in kb.patterns.items():
        for name in ("description", "tongue", "pulse", "principle", "self_care"):
            need(at("patterns", pid), f"zh_{name}", getattr(pattern, f"zh_{name}"))
        for n, pp in enumerate(pattern.points):
            need(at("patterns", pid), f"points.{n}.zh_role", pp.zh_role)
    for cid, cond in kb.conditions.items():
        need(at("conditions", cid), "zh_name", cond.zh_name)
        if cond.rls_link:
            need(at("conditions", cid), "zh_rls_link", cond.zh_rls_link)
    for did, dc in kb.drug_classes.items():
        need(at("drug-classes", did), "zh_name", dc.zh_name)
    for mid, mimic in kb.mimics.items():
        need(at("mimics", mid), "zh_name", mimic.zh_name)
        need(at("mimics", mid), "zh_description", mimic.zh_description)
    for sid, scale in kb.scales.items():
        need(at("scales", sid), "zh_name", scale.zh_name)
        need(at("scales", sid), "zh_note", scale.zh_note)
        for n, band in enumerate(scale.bands):
            need(at("scales", sid), f"bands.{n}.zh_label", band.zh_label)
        for n, item in enumerate(scale.items):
            need(at("scales", sid), f"items.{n}.zh_text", item.zh_text)
            if len(item.zh_answers) != len(item.answers):
                problems.append(
                    f"{at('scales', sid)}: field 'items.{n}.zh_answers': one zh-Hant answer "
                    f"for each of the {len(item.answers)} answers (has {len(item.zh_answers)})"
                )
    for cid, question in kb.screening.items():
        need(at("screening", cid), "zh_text", question.zh_text)
    for eid, study in kb.evidence.items():
        for name in ("title", "design", "size", "finding", "limits"):
            need(at("evidence", eid), f"zh_{name}", getattr(study, f"zh_{name}"))
    r = kb.rules
    where = "rules.yaml"
    for n, pp in enumerate(r.base_points):
        need(where, f"base_points.{n}.zh_role", pp.zh_role)
    for name in ("course_single", "course_combined"):
        need(where, f"{name}.zh_note", getattr(r, name).zh_note)
    for n, hold in enumerate(r.herbal_holds):
        need(where, f"herbal_holds.{n}.zh_text", hold.zh_text)
    rules(where, "technique_rules", r.technique_rules)
    for name in ("possible_rls", "criteria_not_met", "insufficient"):
        need(where, f"screening.verdicts.zh_{name}", getattr(r.screening.verdicts, f"zh_{name}"))
    for name in ("medication_warning", "unknown_medication_warning", "unknown_condition_warning"):
        zh = getattr(r, f"zh_{name}")
        need(where, f"zh_{name}", zh)
        if zh and set(re.findall(r"\{(\w+)\}", zh)) != set(
            re.findall(r"\{(\w+)\}", getattr(r, name))
        ):
            problems.append(f"{where}: field 'zh_{name}': needs the English's placeholders")
    return problems


def _check_aliases(kb: KnowledgeBase) -> list[str]:
    """A label or synonym must name one finding only, or resolution would be a coin toss."""
    seen: dict[str, str] = {}
    problems = []
    for fid, f in kb.findings.items():
        for alias in {fid, f.label.casefold(), *(s.casefold() for s in f.synonyms)}:
            other = seen.setdefault(alias, fid)
            if other != fid:
                problems.append(
                    f"{kb.sources[('findings', fid)]}: entry '{fid}': synonym '{alias}' "
                    f"also names finding '{other}'"
                )
    return problems


def _check_reading(kb: KnowledgeBase) -> list[str]:
    reading = kb.reading
    p = _missing(kb, "reading", "reading", "refs", "references", reading.refs)
    for n, h in enumerate(reading.hazards):
        where = f"hazards.{n}"
        if (h.flag is None) == (h.tag is None):
            p.append(f"reading.yaml: {where}: give exactly one of 'flag' or 'tag'")
        if not h.terms and not h.all:
            p.append(f"reading.yaml: {where}: give 'terms' or 'all'")
        if h.near is not None and not h.all:
            p.append(f"reading.yaml: {where}.near: only for 'all' rows")
        if h.denied_by and h.finding:
            p.append(f"reading.yaml: {where}.denied_by: not for rows with a 'finding'")
        if h.flag:
            p += _missing(kb, "reading", "reading", f"{where}.flag", "red-flags", [h.flag])
        if h.after:
            p += _missing(kb, "reading", "reading", f"{where}.after", "red-flags", [h.after])
            if h.finding:
                p.append(f"reading.yaml: {where}.after: not for rows with a 'finding'")
        if h.tag and h.tag not in kb.tags():
            p.append(f"reading.yaml: {where}.tag: unknown tag '{h.tag}'")
        p += _missing(kb, "reading", "reading", f"{where}.refs", "references", h.refs)
    p += _missing(
        kb,
        "reading",
        "reading",
        "family_history.finding",
        "findings",
        [
            reading.family_history.finding,
            *reading.family_history.from_findings,
            reading.age_finding.finding,
            *reading.past_is_present,
            *reading.leg_times.values(),
            *reading.leg_times_not_with,
            *reading.site_bound,
            *(fid for ids in reading.denied_whole.values() for fid in ids),
            *reading.thought_findings,
        ],
    )
    for n, rule in enumerate(reading.context):
        if rule.direction in ("terminate", "pseudo") and rule.category is not None:
            p.append(
                f"reading.yaml: context.{n} ('{rule.literal}'): a {rule.direction} row has no category"
            )
        if rule.direction not in ("terminate", "pseudo") and rule.category is None:
            p.append(f"reading.yaml: context.{n} ('{rule.literal}'): a trigger needs a category")
    return p


def _check_intake(kb: KnowledgeBase) -> list[str]:
    intake = kb.intake
    p = _missing(kb, "intake", "intake", "refs", "references", intake.refs)
    scale = kb.scales.get(intake.severity_scale)
    if scale is None:
        p.append(
            f"intake.yaml: field 'severity_scale': unknown scale '{intake.severity_scale}' "
            f"(known: {', '.join(sorted(kb.scales))})"
        )
    elif not scale.items:
        p.append(
            f"intake.yaml: field 'severity_scale': scale '{scale.id}' has no items of its own "
            "to ask (a licensed scale is entered by a clinician)"
        )
    ids: set[str] = set()
    asked: dict[str, str] = {}
    for n, group in enumerate(intake.groups):
        if group.id in ids:
            p.append(f"intake.yaml: field 'groups.{n}.id': duplicate group '{group.id}'")
        ids.add(group.id)
        for category in group.categories:
            if category == "red-flag":
                p.append(
                    f"intake.yaml: field 'groups.{n}.categories': 'red-flag' findings have "
                    "their own safety step"
                )
            elif category in asked:
                p.append(
                    f"intake.yaml: field 'groups.{n}.categories': '{category}' is already "
                    f"asked in group '{asked[category]}'"
                )
            asked.setdefault(category, group.id)
    return p + _check_exclusive(kb) + _check_checklists(kb) + _check_intake_model(kb)


def _check_exclusive(kb: KnowledgeBase) -> list[str]:
    """An exclusive question's findings exist, none is a red flag, all are asked of the same
    people (the same sex, and a practitioner for all or none), and its references exist."""
    p: list[str] = []
    hidden = set(kb.intake.model.practitioner_only)
    for n, q in enumerate(kb.intake.exclusive):
        where = f"intake.yaml: field 'exclusive.{n}' ('{q.id}')"
        p += _missing(kb, "intake", q.id, f"exclusive.{n}.refs", "references", q.refs)
        found = [kb.findings[f] for f in q.findings if f in kb.findings]
        p += [f"{where}: unknown finding '{f}'" for f in q.findings if f not in kb.findings]
        if any(f.category == "red-flag" for f in found):
            p.append(f"{where}: red flags have their own safety question")
        if len({f.sex for f in found}) > 1:
            p.append(f"{where}: its findings are not all asked of the same sex")
        if len({f.category in hidden for f in found}) > 1:
            p.append(f"{where}: some findings need a practitioner and some do not")
    return p


def _check_checklists(kb: KnowledgeBase) -> list[str]:
    """A checklist's findings exist, none is a red flag (they have their own safety
    question), a practitioner is needed for all or none, and its references exist. Findings
    of one sex may sit among the others: they are left off the list for the other sex."""
    p: list[str] = []
    hidden = set(kb.intake.model.practitioner_only)
    for n, q in enumerate(kb.intake.checklists):
        where = f"intake.yaml: field 'checklists.{n}' ('{q.id}')"
        p += _missing(kb, "intake", q.id, f"checklists.{n}.refs", "references", q.refs)
        found = [kb.findings[f] for f in q.findings if f in kb.findings]
        p += [f"{where}: unknown finding '{f}'" for f in q.findings if f not in kb.findings]
        if any(f.category == "red-flag" for f in found):
            p.append(f"{where}: red flags have their own safety question")
        if len({f.category in hidden for f in found}) > 1:
            p.append(f"{where}: some findings need a practitioner and some do not")
    return p


def _check_intake_model(kb: KnowledgeBase) -> list[str]:
    """Every contrary weight a pattern uses needs its likelihood ratio, or the intake could
    not weigh it."""
    model = kb.intake.model
    p = _missing(kb, "intake", "intake", "model.refs", "references", model.refs)
    used = {f.weight for x in kb.patterns.values() for f in x.against}
    p += [
        f"intake.yaml: field 'model.contrary_ratio': no entry for weight {w:g}, which a "
        "pattern uses against it"
        for w in sorted(used - set(model.contrary_ratio))
    ]
    if model.budget > model.max_budget:
        p.append("intake.yaml: field 'model.budget': larger than 'model.max_budget'")
    return p
