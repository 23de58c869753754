"""engine/plain_input.py: the input read without pydantic gives what the model gives, and
whatever it is not sure of is left to the model (which accepts it or says what is wrong)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.test_same_result import INPUTS

from anmian.engine import InputError, parse_input
from anmian.engine.plain_input import quick_input


def _values(x: Any) -> Any:
    """Field values, nested, of a named tuple or a pydantic model alike."""
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # the quick reader's named tuples
        return {name: _values(getattr(x, name)) for name in x._fields}
    fields = getattr(type(x), "model_fields", None)
    if fields is not None:
        return {name: _values(getattr(x, name)) for name in fields}
    if isinstance(x, list):
        return [_values(v) for v in x]
    return (type(x).__name__, x)


def _same(doc: Any) -> None:
    quick = quick_input(doc)
    try:
        model = parse_input(doc)
    except InputError:
        assert quick is None, f"accepted what the model refuses: {doc!r}"
        return
    if quick is not None:
        assert _values(quick) == _values(model)


@pytest.mark.parametrize(("name", "person"), INPUTS, ids=[n for n, _ in INPUTS])
def test_every_case_is_read_alike(name: str, person: dict[str, Any]) -> None:
    assert quick_input(person) is not None  # the cases are plain documents: no pydantic
    _same(person)


# Each is wrong, or at the edge: the quick reader must leave every one to the model.
DOUBTFUL = [
    [],
    "findings",
    {},
    {"findings": []},
    {"findings": ["  "]},
    {"findings": ["x" * 201]},
    {"findings": ["ok"] * 201},
    {"findings": [""]},
    {"findings": [1]},
    {"findings": ("a tuple",)},
    {"findings": ["ok"], "age": True},
    {"findings": ["ok"], "age": 30.0},
    {"findings": ["ok"], "age": -1},
    {"findings": ["ok"], "age": 121},
    {"findings": ["ok"], "sex": "f"},
    {"findings": ["ok"], "pregnant": 1},
    {"findings": ["ok"], "medications": None},
    {"findings": ["ok"], "medications": ["x" * 101]},
    {"findings": ["ok"], "allergies": ["a"] * 51},
    {"findings": ["ok"], "labs": {"ferritin_ng_ml": True}},
    {"findings": ["ok"], "labs": {"ferritin_ng_ml": float("nan")}},
    {"findings": ["ok"], "labs": {"ferritin_ng_ml": -0.5}},
    {"findings": ["ok"], "labs": {"tsat_percent": 100.5}},
    {"findings": ["ok"], "labs": {"iron": 3}},
    {"findings": ["ok"], "screening": {"urge_to_move": "yes"}},
    {"findings": ["ok"], "screening": {"urge": True}},
    {"findings": ["ok"], "severity": {"scale": ""}},
    {"findings": ["ok"], "severity": {"scale": "irls", "answers": [5]}},
    {"findings": ["ok"], "severity": {"scale": "irls", "answers": [True]}},
    {"findings": ["ok"], "severity": {"scale": "irls", "total": 101}},
    {"findings": ["ok"], "severity": {"scale": "irls", "extra": 1}},
    {"findings": ["ok"], "audience": "doctor"},
    {"findings": ["ok"], "unknown": 1},
]


@pytest.mark.parametrize("doc", DOUBTFUL, ids=[str(i) for i in range(len(DOUBTFUL))])
def test_doubtful_documents_go_to_the_model(doc: Any) -> None:
    assert quick_input(doc) is None
    _same(doc)


def test_a_whole_number_lab_is_a_float() -> None:
    """As the model's validator has it: 48 ng/ml is read as 48.0."""
    got = quick_input({"findings": ["ok"], "labs": {"ferritin_ng_ml": 48}})
    assert got is not None and got.labs is not None
    assert type(got.labs.ferritin_ng_ml) is float and got.labs.ferritin_ng_ml == 48.0


_text = st.text(min_size=0, max_size=6)
_scalar = st.none() | st.booleans() | st.integers(-3, 130) | st.floats(allow_nan=True) | _text
_value = st.recursive(_scalar, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
_doc = st.fixed_dictionaries(
    {"findings": st.lists(_text, max_size=3) | _value},
    optional={
        "age": _value,
        "sex": st.sampled_from(["female", "male", "other", "x"]) | _value,
        "pregnant": _value,
        "medications": st.lists(_text, max_size=2) | _value,
        "allergies": st.lists(_text, max_size=2) | _value,
        "labs": st.fixed_dictionaries(
            {}, optional={"ferritin_ng_ml": _value, "tsat_percent": _value}
        )
        | _value,
        "screening": st.fixed_dictionaries({}, optional={"urge_to_move": _value}) | _value,
        "severity": st.fixed_dictionaries(
            {"scale": _text | _value},
            optional={
                "answers": st.lists(st.integers(-1, 5), max_size=3) | _value,
                "total": _value,
            },
        )
        | _value,
        "audience": st.sampled_from(["self-care", "practitioner", "x"]),
    },
)


@settings(max_examples=400, deadline=None)
@given(_doc)
def test_random_documents_are_read_alike_or_left_to_the_model(doc: dict[str, Any]) -> None:
    _same(doc)


@pytest.mark.parametrize(("name", "person"), INPUTS[::3], ids=[n for n, _ in INPUTS[::3]])
def test_the_engine_gives_the_same_json_from_either_reading(
    name: str, person: dict[str, Any]
) -> None:
    """The engine reads the quick reader's tuples as it reads the model (the CLI's path)."""
    import json

    from anmian.engine import assess
    from anmian.knowledge import get_kb

    quick = quick_input(person)
    assert quick is not None
    got, want = (
        json.dumps(assess(d, get_kb(), allow_unknown=True).to_dict(), ensure_ascii=False)  # type: ignore[arg-type]
        for d in (quick, parse_input(person))
    )
    assert got == want
