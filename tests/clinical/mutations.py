"""The mutation check: weaken each safety rule in turn and show that a clinical case fails.

For every `exclude` rule (of a point, herb, formula or advice item), every herbal hold and
every red flag, build a knowledge base with just that rule weakened (exclude -> caution, the
hold or the red flag removed) and run the cases that could notice it (the person has the
rule's tag; the red flag fired for them). A rule no case notices is unguarded: the suite
would stay green if it were wrong. Run by `make test` through test_mutations.py; run this
file directly for the full list.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from tests.clinical.cases import Case, load_cases, problems, run_case

from anmian.engine.assess import Assessment
from anmian.knowledge import KnowledgeBase, get_kb

SAFETY_FIELD = {"points": "cautions", "herbs": "safety", "formulas": "safety", "advice": "safety"}


@dataclass(frozen=True)
class Mutant:
    name: str  # "herbs/dan-shen exclude when anticoagulant", "red flag dvt-suspected"
    kind: str  # rule | hold | red-flag
    tag: str  # the tag a case must have to notice it ("" for red flags)
    flag: str = ""
    item: str = ""  # the plan item the rule is about ("herb:dan-shen"), for rules


KIND_OF = {"points": "point", "herbs": "herb", "formulas": "formula", "advice": "advice"}


def mutants(kb: KnowledgeBase) -> Iterator[tuple[Mutant, KnowledgeBase]]:
    for table, fname in SAFETY_FIELD.items():
        entries = kb.table(table)
        for entry_id, entry in entries.items():
            rules = getattr(entry, fname)
            for i, rule in enumerate(rules):
                if rule.action != "exclude":
                    continue
                weak = list(rules)
                weak[i] = rule.model_copy(update={"action": "caution"})
                changed = dict(entries)
                changed[entry_id] = entry.model_copy(update={fname: tuple(weak)})
                tech = f" ({rule.technique})" if rule.technique else ""
                yield (
                    Mutant(
                        f"{table}/{entry_id}{tech} exclude when {rule.when}",
                        "rule",
                        rule.when,
                        item=f"{KIND_OF[table]}:{entry_id}",
                    ),
                    dataclasses.replace(kb, **{table: changed}),
                )
    for i, hold in enumerate(kb.rules.herbal_holds):
        holds = kb.rules.herbal_holds[:i] + kb.rules.herbal_holds[i + 1 :]
        yield (
            Mutant(f"herbal hold {hold.id}", "hold", hold.when[0]),
            dataclasses.replace(kb, rules=kb.rules.model_copy(update={"herbal_holds": holds})),
        )
    for flag_id in kb.red_flags:
        flags = {k: v for k, v in kb.red_flags.items() if k != flag_id}
        yield (
            Mutant(f"red flag {flag_id}", "red-flag", "", flag_id),
            dataclasses.replace(kb, red_flags=flags),
        )


def _fired(a: Assessment) -> set[str]:
    return {r.id.removeprefix("check:") for r in a.safety.referrals}


def _reasons(a: Assessment, item: str) -> set[tuple[str, str]]:
    """Why the item was left out for this person: (kind, reason) of each exclusion of it."""
    ident = item.partition(":")[2]
    # points are reported by code ("SP6"), the rest by id
    return {(e.kind, e.reason) for e in a.safety.excluded if e.item.casefold() == ident}


def check(kb: KnowledgeBase, cases: list[Case]) -> tuple[list[Mutant], list[Mutant], list[Mutant]]:
    """(caught by the plan, caught by the reason only, unguarded) mutants.

    A mutant is caught by the plan when a case that names the item (or the red flag)
    fails. Where two rules leave the same item out (Dan Shen with an anticoagulant and with
    any bleeding risk), weakening one leaves the plan as it was; it is then caught by the
    reason when a case lists the item as absent and the person would no longer be told
    this reason for leaving it out. Cases that fail on the real base are left out."""
    baseline = {c.id: run_case(kb, c) for c in cases}
    good = [c for c in cases if not problems(kb, c, baseline[c.id])]
    by_plan, by_reason, unguarded = [], [], []
    for mutant, weak_kb in mutants(kb):
        if mutant.kind == "red-flag":
            relevant = [c for c in good if mutant.flag in _fired(baseline[c.id])]
        else:
            relevant = [c for c in good if baseline[c.id].context.has(mutant.tag)]
        weak = {c.id: run_case(weak_kb, c) for c in relevant}
        if any(problems(weak_kb, c, weak[c.id]) for c in relevant):
            by_plan.append(mutant)
        elif mutant.item and any(
            mutant.item in c.expect.get("absent", [])
            and _reasons(weak[c.id], mutant.item) != _reasons(baseline[c.id], mutant.item)
            for c in relevant
        ):
            by_reason.append(mutant)
        else:
            unguarded.append(mutant)
    return by_plan, by_reason, unguarded


def main() -> None:
    by_plan, by_reason, unguarded = check(get_kb(), load_cases())
    every = by_plan + by_reason + unguarded
    print(f"{'':9} {'plan':>5} {'reason':>7} {'none':>5} {'all':>5}")
    for kind in ("rule", "hold", "red-flag"):
        row = [sum(m.kind == kind for m in group) for group in (by_plan, by_reason, unguarded)]
        print(f"{kind:9} {row[0]:5} {row[1]:7} {row[2]:5} {sum(row):5}")
    guarded = len(by_plan) + len(by_reason)
    print(f"guarded: {guarded}/{len(every)} ({guarded / max(len(every), 1):.0%})")
    if "-v" in sys.argv:
        for m in unguarded:
            print("  unguarded:", m.name)


if __name__ == "__main__":
    main()
