"""Screening on the five IRLSSG essential criteria, severity bands and mimics."""

from __future__ import annotations

import pytest
from tests.conftest import run
from tests.kb_edits import with_rules

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


# --- the wording and the weights are data (rules.yaml `screening`) ---


def test_the_verdict_is_worded_by_the_knowledge_base(kb: KnowledgeBase):
    verdicts = kb.rules.screening.verdicts.model_copy(
        update={
            "possible_rls": "Fits RLS; a clinician confirms.",
            "criteria_not_met": "Not met: {failed}.",
            "insufficient": "Still to answer: {missing}.",
        }
    )
    edited = with_rules(kb, "screening", verdicts=verdicts)
    screen = lambda answers: run(edited, screening=answers)["screening"]["explanation"]  # noqa: E731
    assert screen(ALL_YES) == "Fits RLS; a clinician confirms."
    assert screen({**ALL_YES, "worse_at_rest": False}) == "Not met: worse_at_rest."
    assert screen({**ALL_YES, "evening_or_night": None}) == "Still to answer: evening_or_night."


def test_a_screen_cites_the_references_of_the_knowledge_base(kb: KnowledgeBase):
    assert run(kb, screening=ALL_YES)["screening"]["refs"] == ["irlssg-2014", "mimics-teaching"]
    edited = with_rules(kb, "screening", refs=("walters-2003-irls",))
    assert run(edited, screening=ALL_YES)["screening"]["refs"] == ["walters-2003-irls"]


def _mimics(kb: KnowledgeBase, findings: list[str], failed: str) -> list[str]:
    out = run(kb, findings=findings, screening={**ALL_YES, failed: False})
    return [m["id"] for m in out["screening"]["mimics"]]


def test_a_finding_outweighs_a_criterion_answered_no(kb: KnowledgeBase):
    # Knotted cramps suggest cramps; "not relieved by movement" points at other mimics too.
    assert _mimics(kb, ["knotted-muscle-cramps"], "relieved_by_movement")[0] == "leg-cramps"


def test_mimic_weights_come_from_the_knowledge_base(kb: KnowledgeBase):
    findings, failed = ["knotted-muscle-cramps"], "relieved_by_movement"
    # A finding that counts for nothing leaves only the criteria to rank by: cramps, which
    # only the finding suggests, drop out.
    weights = kb.rules.screening.mimic_weights.model_copy(update={"finding": 0})
    by_criteria = _mimics(with_rules(kb, "screening", mimic_weights=weights), findings, failed)
    assert "leg-cramps" not in by_criteria
    assert by_criteria and all(failed in kb.mimics[m].criteria_failed for m in by_criteria)


def test_the_number_of_look_alikes_shown_comes_from_the_knowledge_base(kb: KnowledgeBase):
    findings, failed = ["knotted-muscle-cramps"], "relieved_by_movement"
    assert len(_mimics(kb, findings, failed)) > 1
    assert len(_mimics(with_rules(kb, "screening", max_mimics=1), findings, failed)) == 1
