"""The clinical safety truth table (cases*.yaml beside this file) and how a case is judged.

A case is a person, written as people and clinicians write, and what the cited sources say
must follow: items that must stay out of the plan (`absent`), items that must be in it
(`present`), the least urgency of care (`care`), red flags that must or must not fire, and
items a practitioner adds by editing the plan that must be refused (`edit` + `refused`: the
workspace re-checks an edited plan with `check_choices`). Shared by the parametrized test and
the mutation check, so both judge a case the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from anmian.engine import assess, parse_input
from anmian.engine.assess import Assessment, person_context
from anmian.engine.plan import check_choices
from anmian.knowledge import KnowledgeBase

HERE = Path(__file__).parent
URGENCY = {"emergency": 0, "urgent": 1, "routine": 2, "none": 3}


@dataclass(frozen=True)
class Case:
    id: str
    person: dict[str, Any]
    expect: dict[str, Any]
    source: tuple[str, ...]


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(HERE.glob("cases*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            src = raw.get("source") or []
            cases.append(
                Case(
                    raw["id"],
                    raw["person"],
                    raw["expect"],
                    tuple(src if isinstance(src, list) else [src]),
                )
            )
    return cases


# Techniques the plan never proposes by name; one is on offer to the practitioner unless
# the person's safety check rules it out.
OTHER_TECHNIQUES = ("electroacupuncture", "moxibustion", "bleeding", "cupping", "gua-sha")


def plan_items(a: Assessment) -> set[str]:
    """Every item the plan offers, as kind:id, plus point:id:needle for a needled point and
    technique:name for a technique not ruled out."""
    plan = a.plan
    items = {f"point:{p.id}" for p in plan.points}
    items |= {f"point:{p.id}:needle" for p in plan.points if p.mode in ("needle", "both")}
    items |= {f"formula:{f.id}" for f in plan.formulas}
    items |= {f"herb:{h.id}" for h in plan.herbs}
    items |= {f"herb:{i}" for f in plan.formulas for i in f.ingredients}
    items |= {f"advice:{x.id}" for x in (*plan.diet, *plan.lifestyle, *plan.topical)}
    ruled_out = {e.item for e in a.safety.excluded if e.kind == "technique"}
    if plan.points:
        items |= {f"technique:{t}" for t in OTHER_TECHNIQUES if t not in ruled_out}
    return items


def run_case(kb: KnowledgeBase, case: Case) -> Assessment:
    return assess(parse_input(case.person), kb, allow_unknown=True)


def problems(kb: KnowledgeBase, case: Case, a: Assessment | None = None) -> list[str]:
    """What the engine got wrong for this case; empty when it meets every expectation."""
    a = a or run_case(kb, case)
    exp = case.expect
    got = plan_items(a)
    out = [f"{item} reached the plan" for item in exp.get("absent", []) if item in got]
    out += [
        f"{item} is missing from the plan" for item in exp.get("present", []) if item not in got
    ]
    fired = {r.id.removeprefix("check:"): r.urgency for r in a.safety.referrals}
    most = min((URGENCY[u] for u in fired.values()), default=URGENCY["none"])
    care = exp.get("care")
    if care is not None:
        if care == "none":
            if most <= URGENCY["urgent"]:
                out.append(f"an emergency or urgent referral fired: {sorted(fired)}")
        elif most > URGENCY[care]:
            out.append(f"care should be at least {care}; got {sorted(fired) or 'no referral'}")
    out += [f"red flag {f} did not fire" for f in exp.get("flags", []) if f not in fired]
    out += [f"red flag {f} fired" for f in exp.get("not_flags", []) if f in fired]
    out += [f"the edit adding {item} was not refused" for item in unrefused(kb, case)]
    return out


def unrefused(kb: KnowledgeBase, case: Case) -> list[str]:
    """Items of the case's plan edit that the workspace's re-check would let through."""
    edit = case.expect.get("edit")
    if not edit:
        return []
    ctx = person_context(parse_input(case.person | {"audience": "practitioner"}), kb)
    review = check_choices(
        kb, ctx, edit.get("points", []), edit.get("formula"), edit.get("herbs", [])
    )
    refused = {f"{e.kind}:{e.item.casefold()}" for e in review.excluded}
    return [item for item in case.expect.get("refused", []) if item not in refused]
