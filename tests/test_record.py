"""The engine's light records (engine/record.py) behave as the dataclasses they replaced: the
same repr, equality and hash as a Python dataclass with the same fields, the same defaults as
those dataclasses had, and they pickle (the CLI's plain cache holds some of them)."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest

from anmian.engine.allergies import Allergy, AllergyReading, _Allergens
from anmian.engine.assess import Assessment, _Read
from anmian.engine.context import Context
from anmian.engine.differentiate import Evidence, PatternResult
from anmian.engine.hazards import _Rule
from anmian.engine.modifiers import Trigger
from anmian.engine.plan import Plan, PlanAdvice, PlanCourse, PlanFormula, PlanHerb, PlanPoint
from anmian.engine.record import Record, replace
from anmian.engine.resolve import HazardHit, Match, Resolution, Unresolved, _Hit
from anmian.engine.safety import Exclusion, Hold, Referral, Safety, Warning
from anmian.engine.screening import MimicResult, ScreeningResult, SeverityResult
from anmian.engine.text import Word
from anmian.engine.zh import ZhHazard, ZhReading, ZhResult, ZhRules

# (record class, the values of its fields, whether its dataclass was frozen)
CASES: list[tuple[type[Record], tuple[Any, ...], bool]] = [
    (Word, ("legs", "leg", 0), True),
    (HazardHit, ("I want to die", "want to die", "present", "suicidal-ideation", None, None), True),
    (Resolution, ([], [], []), False),
    (Match, ("can't sleep", "insomnia", 0.9, "cover", "present", "sleep", "finding"), True),
    (Unresolved, ("legs feel odd", ("leg-crawling",), "odd"), True),
    (_Hit, ("leg-crawling", 0, 2, 0.9, "cover", (0, 1), False), False),
    (ZhHazard, ("suicidal-ideation", None, None, ("想死",)), True),
    (ZhReading, ("insomnia", "present", "失眠", False, True), True),
    (ZhResult, ((), ("腳",), (("rls", "present"),), 58), True),
    (Allergy, ("ginseng", "herb:ren-shen", "present", "ginseng", 1.0, "exact", "exact"), True),
    (AllergyReading, ([], ["cats"], {}, {}), False),
    (_Rule, ("stroke", None, None, (("slur",),), (), None, (), None), True),
    (
        PatternResult,
        (
            "xue-xu",
            "Blood deficiency",
            "xue xu",
            "血虛",
            [],
            0.5,
            "primary",
            [],
            [],
            True,
            ["maciocia-2015"],
        ),
        False,
    ),
    (
        PlanPoint,
        (
            "SP6",
            "sp-6",
            "Sanyinjiao",
            ["xue-xu"],
            "both",
            ["main"],
            "above the ankle",
            "press",
            ["deadman-2007"],
        ),
        False,
    ),
    (
        PlanFormula,
        ("gui-pi-tang", "Restore the Spleen", "歸脾湯", [], [], "tonify", [], "ask"),
        False,
    ),
    (PlanHerb, ("dang-gui", "Dang Gui", "Angelica sinensis", [], [], []), False),
    (PlanAdvice, ("walk", "Walk daily", "A short walk", [], []), False),
    (PlanCourse, (8, [2, 1], False, "weekly", []), False),
    (Plan, ("ready", ["xue-xu"], [], [], [], [], [], [], None, ""), False),
    (Referral, ("dvt", "same-day", "Clot", "one swollen calf", ["findings: calf"], []), False),
    (Exclusion, ("herb:dang-gui", "herb", "warfarin", ["medications: warfarin"], []), False),
    (Warning, ("w1", "check", ["x"], [], []), False),
    (Hold, ("dvt", "same-day", "my calf", "calf", "uncertain"), False),
    (
        Trigger,
        (("no", "longer"), "negated", "forward", "segment", frozenset(), frozenset(), frozenset()),
        True,
    ),
    (Evidence, ("leg-crawling", "Crawling in the legs", 2.0, True), True),
    (Context, ({"pregnancy": ["pregnant: true"]}, {"insomnia": ["can't sleep"]}), False),
    (SeverityResult, ("irls", "IRLS", 24, 40, "severe", "a note", ["walters-2003"]), False),
    (MimicResult, ("cramps", "Leg cramps", "painful", ["finding: cramp"], []), False),
    (
        ScreeningResult,
        ({"urge": True}, "insufficient", "missing: onset", None, [], ["allen-2014"]),
        False,
    ),
    (_Read, (Resolution(), Resolution(), Resolution(), [], "mild", None), False),
]


def _twin(cls: type[Record], frozen: bool) -> Any:
    return dataclasses.make_dataclass(cls.__name__, list(cls.__slots__), frozen=frozen)


@pytest.mark.parametrize(
    ("cls", "values", "frozen"), CASES, ids=lambda c: getattr(c, "__name__", "")
)
def test_a_record_is_what_its_dataclass_was(
    cls: type[Record], values: tuple[Any, ...], frozen: bool
) -> None:
    twin = _twin(cls, frozen)
    record, same, as_dataclass = cls(*values), cls(*values), twin(*values)
    assert repr(record) == repr(as_dataclass)
    assert record == same
    assert record != as_dataclass  # another class, as two dataclasses of one shape are
    changed = (*values[:-1], "something else")
    assert record != cls(*changed)
    assert (twin(*values) == twin(*changed)) == (record == cls(*changed))
    if frozen:
        assert hash(record) == hash(as_dataclass) == hash(same)
    else:
        with pytest.raises(TypeError):
            hash(record)
        with pytest.raises(TypeError):
            hash(as_dataclass)
    assert pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)) == record
    assert {n: getattr(record, n) for n in cls.__slots__} == dataclasses.asdict(as_dataclass)


def test_the_defaults_are_the_dataclasses_ones() -> None:
    assert HazardHit("t", "w", "present") == HazardHit("t", "w", "present", None, None, None)
    assert Match("t", "x", 1.0, "exact") == Match("t", "x", 1.0, "exact", "present", "", "finding")
    assert Unresolved("t", ()) == Unresolved("t", (), "")
    assert Resolution() == Resolution([], [], [])
    assert Resolution().matches is not Resolution().matches  # a new list each, not one shared
    assert _Hit("x", 0, 1, 0.9, "cover") == _Hit("x", 0, 1, 0.9, "cover", (), False)
    assert ZhReading("x", "present", "失眠") == ZhReading("x", "present", "失眠", False, False)
    assert ZhResult((), (), ()).age is None
    rules = ZhRules({}, frozenset(), frozenset(), (), {}, (), {}, {})
    assert rules.hazards == ()
    assert AllergyReading() == AllergyReading([], [], {}, {})
    assert AllergyReading().items is not AllergyReading().items
    assert _Allergens.__slots__ == ("index", "groups", "names")
    assert Plan("ready", []).course is None and Plan("ready", []).note == ""
    assert Plan("ready", []).points is not Plan("ready", []).points
    assert Exclusion("x", "herb", "r", []).refs == []
    assert Warning("w", "t", []).items == []
    assert PatternResult("p", "n", "py", "zh", [], 0.0, "considered").key_found is False
    assert Evidence("x", "X", 1.0) == Evidence("x", "X", 1.0, False)
    assert Context() == Context({}, {}) and Context().tags is not Context().tags
    screened = ScreeningResult({}, "insufficient", "why")
    assert screened == ScreeningResult({}, "insufficient", "why", None, [], [])
    assert screened.mimics is not ScreeningResult({}, "insufficient", "why").mimics
    note = PlanFormula("f", "n", "c", [], [], "a", []).note
    assert note == "To discuss with your practitioner: herbs are prescribed, not self-selected."


def test_replace_is_dataclasses_replace() -> None:
    """`record.replace` copies as `dataclasses.replace` copies a dataclass (the reader copies
    a reading with the phrase's text or another status)."""
    values = ("my legs", "leg-crawling", 0.9, "cover", "present", "legs crawl", "finding")
    twin = _twin(Match, frozen=True)
    got = replace(Match(*values), text="legs at night", status="absent")
    want = dataclasses.replace(twin(*values), text="legs at night", status="absent")
    assert repr(got) == repr(want)
    assert replace(Match(*values)) == Match(*values)
    with pytest.raises(TypeError, match="no field 'colour'"):
        replace(Match(*values), colour="red")
    assert Match("t", "x", 0.95, "cover").level == "high"  # a property, not a field


def test_keywords_name_the_fields() -> None:
    assert Word(raw="legs", stem="leg", segment=1) == Word("legs", "leg", 1)
    assert HazardHit("t", "w", "absent", tag="pregnant").tag == "pregnant"


def test_what_a_dataclass_field_hid_is_hidden_still() -> None:
    # Safety's _seen was field(repr=False, compare=False); Assessment's context repr=False
    seen = dataclasses.field(default_factory=set, repr=False, compare=False)
    safety_twin = dataclasses.make_dataclass(
        "Safety", [*Safety.__slots__[:-1], ("_seen", set, seen)]
    )
    values = ([], [Exclusion("herb:x", "herb", "r", [])], [Warning("w", "t", [])], [])
    safety = Safety(*values, {("a", "b", "c")})
    assert repr(safety) == repr(safety_twin(*values, {("a", "b", "c")}))
    assert safety == Safety(*values) and Safety(*values)._seen == set()
    assert safety != Safety([], [], [], [])
    with pytest.raises(TypeError):
        hash(safety)
    shown = dataclasses.field(default=None, repr=False)
    assessment_twin = dataclasses.make_dataclass(
        "Assessment", [*Assessment.__slots__[:-1], ("context", object, shown)]
    )
    fields = ("v1", {}, None, [], [], None, safety, "not a diagnosis")
    a = Assessment(*fields, Context({"x": ["y"]}))
    assert repr(a) == repr(assessment_twin(*fields, Context({"x": ["y"]})))
    assert a == Assessment(*fields, Context({"x": ["y"]}))
    assert a != Assessment(*fields, Context())  # compared, though not shown
    assert Assessment(*fields).context == Context()
    back = pickle.loads(pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == a and back.safety._seen == {("a", "b", "c")}


def test_the_knowledge_base_copies_as_the_frozen_dataclass_it_was() -> None:
    """Tests and the mutation check copy a base with one part changed by
    `dataclasses.replace`; a base stays frozen and is compared by identity (caches key on it)."""
    from anmian.knowledge import get_kb
    from anmian.knowledge.base import FIELDS, KnowledgeBase

    kb = get_kb()
    assert dataclasses.is_dataclass(kb)
    assert tuple(f.name for f in dataclasses.fields(kb)) == FIELDS
    changed = dataclasses.replace(kb, red_flags={})
    assert type(changed) is KnowledgeBase and changed.red_flags == {}
    assert all(getattr(changed, n) is getattr(kb, n) for n in FIELDS if n != "red_flags")
    assert changed != kb and hash(kb) == object.__hash__(kb)
    with pytest.raises(AttributeError, match="frozen"):
        kb.version = "edited"
    with pytest.raises(AttributeError, match="frozen"):
        del kb.rules
    assert "sources=" not in repr(KnowledgeBase(*(None,) * 21))  # as field(repr=False) had it
    back = pickle.loads(pickle.dumps(changed, protocol=pickle.HIGHEST_PROTOCOL))
    assert back.version == kb.version and back.red_flags == {}
