"""The planner's replay (issue 17): a plan is worked out once per (chosen patterns, tags) and
replayed with each person's own causes. It must give what the full work gives, and never
carry one person's words into another's plan."""

from __future__ import annotations

import functools
import json
import sys
from typing import Any

import pytest
from tests.test_same_result import INPUTS

from anmian.engine import InputError, assess, parse_input
from anmian.engine.plan import _recipes, build_plan
from anmian.engine.safety import Safety
from anmian.knowledge import get_kb

ASSESS = sys.modules["anmian.engine.assess"]
LEGS = ["crawling feeling in the calves in the evening", "pale tongue", "thin pulse"]


def _json(person: dict[str, Any]) -> str:
    try:
        return json.dumps(assess(parse_input(person), get_kb(), allow_unknown=True).to_dict())
    except InputError as exc:
        return f"InputError: {exc}"


@pytest.mark.parametrize(("name", "person"), INPUTS, ids=[n for n, _ in INPUTS])
def test_the_replay_is_the_full_work(
    name: str, person: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    replayed = _json(person)
    again = _json(person)  # now surely from the recipe
    monkeypatch.setattr(ASSESS, "build_plan", functools.partial(build_plan, replay=False))
    assert replayed == again == _json(person)


def _triggers(drug: str) -> list[list[str]]:
    a = assess(parse_input({"findings": LEGS, "medications": [drug]}), get_kb())
    return [e.triggered_by for e in a.safety.excluded] + [
        w.triggered_by for w in a.safety.warnings if "bleeding" in w.id
    ]


def test_each_person_is_told_of_their_own_medicine() -> None:
    """Warfarin and apixaban are both anticoagulants (BNF): the same tags, so one recipe, and
    each person's exclusions and bleeding cautions name the medicine they wrote."""
    first = _triggers("warfarin")
    keys = set(_recipes(get_kb()))
    second = _triggers("apixaban")
    assert set(_recipes(get_kb())) == keys  # the second plan was replayed, not worked out
    assert first and len(first) == len(second)
    assert all(t == ["medications: warfarin"] for t in first)
    assert all(t == ["medications: apixaban"] for t in second)


def test_an_allergy_is_quoted_in_the_persons_own_words() -> None:
    """An allergy's reason quotes what the person wrote, so it is never replayed from
    someone else's plan."""
    said = []
    for words in ("dong quai", "dang gui"):
        a = assess(
            parse_input({"findings": LEGS, "allergies": [words], "medications": ["warfarin"]}),
            get_kb(),
        )
        said.append(" ".join(e.reason for e in a.safety.excluded if "allergic" in e.reason))
    assert '"dong quai"' in said[0] and '"dang gui"' not in said[0]
    assert '"dang gui"' in said[1] and '"dong quai"' not in said[1]


def test_a_safety_that_holds_some_of_the_plans_items_already() -> None:
    """Exclusions and warnings made before the plan (an earlier stage's) are not made
    twice, and keep their first causes, whether the plan is replayed or worked out (the
    replay then makes the calls rather than adding what they would add alone)."""
    kb = get_kb()
    a = assess(parse_input({"findings": LEGS, "medications": ["warfarin"]}), kb)
    first, warning = a.safety.excluded[0], a.safety.warnings[0]

    def earlier() -> Safety:
        s = Safety()
        s.exclude(first.item, first.kind, first.reason, ["earlier"], [])
        s.warn(warning.id, "said earlier", ["earlier"])
        return s

    replayed, worked = earlier(), earlier()
    plans = [
        build_plan(kb, a.patterns, a.context, replayed),
        build_plan(kb, a.patterns, a.context, worked, replay=False),
    ]
    assert plans[0] == plans[1]
    assert replayed == worked
    assert next(e.triggered_by for e in replayed.excluded if e.item == first.item) == ["earlier"]
    assert [w.triggered_by for w in replayed.warnings if w.id == warning.id] == [["earlier"]]
    assert len(replayed.excluded) == len(a.safety.excluded)
