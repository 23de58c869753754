"""The person's tags: the ages and severity bands that set them come from the knowledge base."""

from __future__ import annotations

import pytest
from tests.conftest import run
from tests.kb_edits import with_entry, with_rules

from anmian.knowledge import KnowledgeBase


def _tags(kb: KnowledgeBase, **fields) -> set[str]:
    return set(run(kb, **fields)["input"]["context"])


@pytest.mark.parametrize(
    ("age", "tags"),
    [(17, {"child"}), (18, set()), (64, set()), (65, {"older-adult"}), (90, {"older-adult"})],
)
def test_the_age_tags_follow_the_published_limits(kb: KnowledgeBase, age: int, tags: set[str]):
    # Under 18 is a child (IRLSSG paediatric criteria); 65 and over an older adult (AGS Beers).
    assert _tags(kb, age=age) & {"child", "older-adult"} == tags


def test_the_child_tag_starts_where_the_knowledge_base_says(kb: KnowledgeBase):
    edited = with_rules(kb, "ages", child_under=12)
    assert "child" in _tags(kb, age=15)
    assert "child" not in _tags(edited, age=15)
    assert "child" in _tags(edited, age=11)


def test_the_older_adult_tag_starts_where_the_knowledge_base_says(kb: KnowledgeBase):
    edited = with_rules(kb, "ages", older_from=75)
    assert "older-adult" not in _tags(edited, age=70)
    assert "older-adult" in _tags(edited, age=75)


def test_a_child_is_judged_by_the_child_iron_threshold_of_the_knowledge_base(kb: KnowledgeBase):
    # ferritin 60: low for an adult (<= 75), not for a child (< 50)
    labs = {"ferritin_ng_ml": 60, "tsat_percent": 30}
    assert "low-iron" not in _tags(kb, age=15, labs=labs)
    assert "low-iron" in _tags(with_rules(kb, "ages", child_under=12), age=15, labs=labs)


@pytest.mark.parametrize(
    ("total", "high"), [(20, False), (21, True), (30, True), (31, True), (40, True)]
)
def test_irls_21_and_over_is_high_severity(kb: KnowledgeBase, total: int, high: bool):
    # IRLS bands (Walters 2003): severe 21-30, very severe 31-40.
    tags = _tags(kb, severity={"scale": "irls", "total": total})
    assert ("high-severity" in tags) is high


def test_high_severity_follows_the_band_marked_in_the_scale(kb: KnowledgeBase):
    irls = kb.scales["irls"]
    bands = tuple(b.model_copy(update={"high_severity": b.label == "moderate"}) for b in irls.bands)
    edited = with_entry(kb, "scales", "irls", bands=bands)
    assert "high-severity" in _tags(edited, severity={"scale": "irls", "total": 15})
    assert "high-severity" not in _tags(edited, severity={"scale": "irls", "total": 25})


def test_a_severe_band_of_another_scale_is_not_rls_severity(kb: KnowledgeBase):
    # ISI 22-28 is "severe insomnia": a sleep problem, not severe restless legs.
    assert "high-severity" not in _tags(kb, severity={"scale": "isi", "total": 25})
