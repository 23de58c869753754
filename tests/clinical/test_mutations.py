"""Every safety rule and red flag is guarded by a clinical case (see mutations.py): weakening
it makes a case fail, or changes the reason a person is given for an item left out."""

from __future__ import annotations

from pathlib import Path

import yaml
from tests.clinical.cases import load_cases
from tests.clinical.mutations import check

from anmian.knowledge import KnowledgeBase

ALLOWED = {
    row["name"]: row["why"]
    for row in yaml.safe_load((Path(__file__).parent / "unguarded.yaml").read_text())
}


def test_every_rule_and_red_flag_is_guarded_by_a_case(kb: KnowledgeBase):
    by_plan, by_reason, unguarded = check(kb, load_cases())
    total = len(by_plan) + len(by_reason) + len(unguarded)
    print(
        f"\nmutation check: {len(by_plan)} caught by the plan, {len(by_reason)} by the reason, "
        f"{len(unguarded)} unguarded, of {total}"
    )
    assert {m.name for m in unguarded} == set(ALLOWED)
    assert all(m.kind == "rule" for m in unguarded), "every red flag and hold must be guarded"
