"""Speed never changes a clinical result (issue 17): the engine's JSON, byte for byte, is what
the engine before the speed work gives (tests/reference_engine, the oracle), on every example,
every published pattern case and every clinical safety case.

The reader is shared by both sides, so legitimate changes of reading do not touch this test;
what it guards are the faster pieces: the direct JSON builder against the generic pydantic walk,
the precomputed tables and indexes against the old scans.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.clinical.cases import load_cases
from tests.reference_engine import assess as reference

from anmian.engine import InputError, assess, parse_input
from anmian.engine.result import AssessmentResult
from anmian.knowledge import get_kb

ROOT = Path(__file__).resolve().parent.parent


def _inputs() -> list[tuple[str, dict[str, Any]]]:
    out = [
        (f"example:{p.stem}", json.loads(p.read_text()))
        for p in sorted(ROOT.glob("examples/*.json"))
    ]
    for raw in yaml.safe_load((ROOT / "tests/data/pattern-cases.yaml").read_text(encoding="utf-8")):
        person = {"findings": raw["findings"]}
        for name in ("age", "sex"):
            if raw.get(name) is not None:
                person[name] = raw[name]
        out.append((f"pattern:{raw['id']}", person))
    out += [(f"clinical:{c.id}", c.person) for c in load_cases()]
    return [(name, person) for name, person in out if _valid(person)]


def _valid(person: dict[str, Any]) -> bool:
    """Only what `parse_input` accepts reaches the engine (an infant's age in months does not)."""
    try:
        parse_input(person)
    except InputError:
        return False
    return True


INPUTS = _inputs()


def _dumps(d: dict[str, Any]) -> str:
    return json.dumps(d, ensure_ascii=False, indent=2)


def _outcome(fn: Any, data: Any, allow_unknown: bool) -> str:
    """The JSON printed for the input, or the error's type and message."""
    kb = get_kb()
    try:
        return _dumps(fn(data, kb, allow_unknown=allow_unknown).to_dict())
    except InputError as exc:
        return f"{type(exc).__name__}: {exc}"


def test_the_inputs_are_all_there() -> None:
    """Every source of cases is read (an empty list would make the comparison vacuous)."""
    kinds = {name.split(":")[0] for name, _ in INPUTS}
    assert kinds == {"example", "pattern", "clinical"}
    assert len(INPUTS) > 300


@pytest.mark.parametrize("allow_unknown", [True, False])
@pytest.mark.parametrize(("name", "person"), INPUTS, ids=[n for n, _ in INPUTS])
def test_same_json_as_the_reference_engine(
    name: str, person: dict[str, Any], allow_unknown: bool
) -> None:
    data = parse_input(person)
    assert _outcome(assess, data, allow_unknown) == _outcome(reference.assess, data, allow_unknown)


@pytest.mark.parametrize(("name", "person"), INPUTS[::7], ids=[n for n, _ in INPUTS[::7]])
def test_direct_json_is_the_contracts_walk(name: str, person: dict[str, Any]) -> None:
    """`to_dict` gives what the typed contract dumps from the same assessment."""
    a = assess(parse_input(person), get_kb(), allow_unknown=True)
    walked = AssessmentResult.model_validate(a, from_attributes=True).to_json_dict()
    assert _dumps(a.to_dict()) == _dumps(walked)
    assert _dumps(a.result().to_json_dict()) == _dumps(walked)


def test_the_comparison_can_fail() -> None:
    """A result that differs in one score's last digit is told apart."""
    data = parse_input(json.loads((ROOT / "examples/demo.json").read_text()))
    a = assess(data, get_kb())
    a.patterns[0].score += 0.001
    assert _dumps(a.to_dict()) != _outcome(reference.assess, data, False)


def test_repeated_assessments_do_not_drift() -> None:
    """Caches filled by one assessment do not change the next (same input, same bytes)."""
    data = parse_input(json.loads((ROOT / "examples/free-text.json").read_text()))
    first = _outcome(assess, data, True)
    for _, person in INPUTS[:40]:
        _outcome(assess, parse_input(person), True)
    assert _outcome(assess, data, True) == first


@pytest.fixture(scope="module")
def plain_kb() -> Any:
    from anmian.knowledge.plain import to_plain

    return to_plain(get_kb())


@pytest.mark.parametrize(("name", "person"), INPUTS, ids=[n for n, _ in INPUTS])
def test_plain_knowledge_base_gives_the_same_json(
    name: str, person: dict[str, Any], plain_kb: Any
) -> None:
    """The CLI's plain copy of the knowledge base (no pydantic) reads and plans alike."""
    data = parse_input(person)
    got = _dumps(assess(data, plain_kb, allow_unknown=True).to_dict())
    assert got == _dumps(assess(data, get_kb(), allow_unknown=True).to_dict())


def test_plain_finding_applies_to_as_the_model(plain_kb: Any) -> None:
    kb = get_kb()
    assert any(f.sex for f in kb.findings.values())  # some finding is for one sex only
    for fid, f in kb.findings.items():
        for sex in ("female", "male", "other", None):
            assert plain_kb.findings[fid].applies_to(sex) == f.applies_to(sex), (fid, sex)
