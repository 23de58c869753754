"""The reader measured on the labelled phrase set (tests/data/phrases.tsv), collected from
textbooks, case reports and patients' own words, each row citing where its wording comes
from. bench/reading.py prints the full figures; these tests hold the safety properties and
keep the figures from sliding back."""

from __future__ import annotations

from pathlib import Path

import pytest

from anmian.evaluation import by, danger_caught, load_rows, score
from anmian.knowledge import KnowledgeBase

ROWS = load_rows(Path(__file__).parent / "data" / "phrases.tsv")
SPLITS = by(ROWS, "split")


def test_the_set_is_large_cited_and_split():
    assert len(ROWS) >= 400
    assert all(r.source.strip() for r in ROWS)
    assert set(SPLITS) == {"dev", "holdout", "holdout2"} and len(SPLITS["holdout"]) >= 100
    # holdout2: written from sources not cited by the other splits, labelled before the
    # reader was run on it and never tuned on (issue 8, "Truth from outside the code").
    assert len(SPLITS["holdout2"]) >= 160


def test_no_denied_finding_is_ever_read_as_present(kb: KnowledgeBase):
    assert score(kb, ROWS).negated_as_present == []


def test_every_danger_phrase_is_flagged_and_every_denied_one_is_quiet(kb: KnowledgeBase):
    danger = [r for r in ROWS if r.kind == "danger"]
    assert len(danger) >= 30
    assert [r.phrase for r in danger if not danger_caught(kb, r)] == []


# Floors a little under the figures measured when they were set (README, "Reading"): a
# change that loses ground fails here; raise them as the reader improves.
@pytest.mark.parametrize(
    ("split", "recall", "precision"), [("dev", 0.93, 0.95), ("holdout", 0.75, 0.87)]
)
def test_recall_and_precision_do_not_slide_back(kb: KnowledgeBase, split, recall, precision):
    s = score(kb, SPLITS[split])
    assert s.recall >= recall and s.precision >= precision, (s.recall, s.precision)
