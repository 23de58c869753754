"""Shared fixtures: the packaged knowledge base, and a way to build inputs that give a person
a chosen safety tag (so every rule in the data can be exercised without hand-written cases)."""

from __future__ import annotations

from typing import Any

import pytest

from anmian.engine import assess, parse_input
from anmian.knowledge import KnowledgeBase, get_kb


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return get_kb()


def run(kb: KnowledgeBase, allow_unknown: bool = False, **fields: Any) -> dict[str, Any]:
    fields.setdefault("findings", ["leg-crawling"])
    return assess(parse_input(fields), kb, allow_unknown=allow_unknown).to_dict()


def input_for_tag(kb: KnowledgeBase, tag: str) -> dict[str, Any]:
    """Input fields that give a person `tag` (see docs/knowledge-base.md for the tag kinds)."""
    builtin = {
        "pregnancy": {"pregnant": True},
        "breastfeeding": {"breastfeeding": True},
        "child": {"age": 10},
        "older-adult": {"age": 70},
        "self-care": {"audience": "self-care"},
        "long-term-use": {},
        "unknown-medication": {"medications": ["zzqx-not-a-drug"]},
        "unknown-condition": {"conditions": ["zzqx-syndrome"]},
        "unknown-allergy": {"allergies": ["zzqx-allergen"]},
        "augmentation-suspected": {
            "medications": ["pramipexole"],
            "findings": ["symptoms-start-earlier"],
        },
        "low-iron": {"labs": {"ferritin_ng_ml": 20}},
        "iron-borderline": {"labs": {"ferritin_ng_ml": 90}},
        "iron-unknown": {},
        "high-severity": {"severity": {"scale": "irls", "total": 25}},
    }
    if tag in builtin:
        return dict(builtin[tag])
    if tag in kb.conditions:
        return {"conditions": [kb.conditions[tag].name]}
    for med in kb.medications.values():
        if tag in med.classes or any(tag in kb.drug_classes[c].effects for c in med.classes):
            return {"medications": [med.name]}
    raise LookupError(f"no input gives tag {tag!r}")


def without_tag_defaults() -> dict[str, Any]:
    """Input fields under which none of the optional tags are set."""
    return {
        "audience": "practitioner",
        "age": 40,
        "labs": {"ferritin_ng_ml": 150, "tsat_percent": 30},
    }
