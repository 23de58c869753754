"""Screening on the five IRLSSG essential criteria, severity bands and mimics."""

from __future__ import annotations

import pytest
from tests.conftest import run

from anmian.engine import InputError
from anmian.engine.inputs import CRITERIA
from anmian.knowledge import KnowledgeBase

ALL_YES = dict.fromkeys(CRITERIA, True)


@pytest.mark.parametrize(
    ("screening", "verdict"),
    [
        (ALL_YES, "possible-rls"),
        ({**ALL_YES, "relieved_by_movement": False}, "criteria-not-met"),
        ({**ALL_YES, "evening_or_night": None}, "insufficient"),
        ({"urge_to_move": True}, "insufficient"),
        (None, "insufficient"),
    ],
)
def test_verdicts(kb: KnowledgeBase, screening, verdict):
    fields = {"screening": screening} if screening is not None else {}
    assert run(kb, **fields)["screening"]["verdict"] == verdict


def test_it_never_calls_a_screen_a_diagnosis(kb: KnowledgeBase):
    text = run(kb, screening=ALL_YES)["screening"]["explanation"]
    assert "clinician" in text


def test_it_suggests_mimics_when_criteria_are_not_met(kb: KnowledgeBase):
    out = run(
        kb,
        findings=["knotted-muscle-cramps"],
        screening={**ALL_YES, "relieved_by_movement": False},
    )
    assert out["screening"]["mimics"]
    assert any("cramp" in m["id"] for m in out["screening"]["mimics"])


def test_no_mimics_when_criteria_are_met(kb: KnowledgeBase):
    assert run(kb, screening=ALL_YES)["screening"]["mimics"] == []


@pytest.mark.parametrize(
    ("answers", "band"),
    [
        ([0] * 10, "none"),
        ([1] * 10, "mild"),
        ([2] * 10, "moderate"),
        ([3] * 10, "severe"),
        ([4] * 10, "very severe"),
    ],
)
def test_own_scale_is_scored_and_banded(kb: KnowledgeBase, answers, band):
    sev = run(kb, severity={"scale": "anmian-leg-scale", "answers": answers})["screening"][
        "severity"
    ]
    assert sev["total"] == sum(answers)
    assert sev["band"].casefold() == band


@pytest.mark.parametrize(
    ("total", "band"), [(5, "mild"), (11, "moderate"), (25, "severe"), (35, "very severe")]
)
def test_licensed_irls_total_is_banded(kb: KnowledgeBase, total, band):
    assert (
        run(kb, severity={"scale": "irls", "total": total})["screening"]["severity"][
            "band"
        ].casefold()
        == band
    )


@pytest.mark.parametrize(
    ("severity", "message"),
    [
        ({"scale": "nope", "total": 3}, "unknown scale 'nope'"),
        ({"scale": "anmian-leg-scale", "answers": [1, 2]}, "has 10 items, got 2"),
        ({"scale": "anmian-leg-scale", "total": 12}, "give 'answers'"),
        ({"scale": "irls", "answers": [1] * 10}, "clinician-entered 'total'"),
        ({"scale": "irls", "total": 41}, "above the scale's maximum"),
    ],
)
def test_bad_severity_input_is_refused(kb: KnowledgeBase, severity, message):
    with pytest.raises(InputError, match=message):
        run(kb, severity=severity)
