"""The reader measured on the labelled phrase set (tests/data/phrases.tsv), collected from
textbooks, case reports and patients' own words, each row citing where its wording comes
from. bench/reading.py prints the full figures; these tests hold the safety properties and
keep the figures from sliding back."""

from __future__ import annotations

from pathlib import Path

import pytest

from anmian.evaluation import by, danger_caught, load_rows, score
from anmian.knowledge import KnowledgeBase

DATA = Path(__file__).parent / "data"
ROWS = load_rows(DATA / "phrases.tsv") + load_rows(DATA / "phrases-holdout4.tsv")
SPLITS = by(ROWS, "split")


def test_the_set_is_large_cited_and_split():
    assert len(ROWS) >= 400
    assert all(r.source.strip() for r in ROWS)
    assert set(SPLITS) == {"dev", "holdout", "holdout2", "holdout3", "holdout4"}
    assert len(SPLITS["holdout"]) >= 100
    # holdout2 and holdout3: written from sources not cited by the earlier splits, labelled
    # before the reader was run on them and never tuned on (issue 8, "Truth from outside
    # the code"). holdout3 is the blind set for when holdout2 has been looked at.
    assert len(SPLITS["holdout2"]) >= 160
    assert len(SPLITS["holdout3"]) >= 200
    # holdout4 (its own file, the same way): the blind set once holdout3 has been looked at.
    assert len(SPLITS["holdout4"]) >= 200


# No split allows a denied finding read as present. The blind split's four first misses (a
# bare "sleep" in a list of functions reported normal, "were all normal" after a list,
# "unlike a cramp", "neither of these apply to me") were fixed as rules in reading.yaml
# (tests/test_reading.py holds them with wordings from other sources).
# The 14 danger rows first missed were fixed as wording families (tests/test_hazards_wording.py
# holds them with wordings from other sources): none is allowed now.
HOLDOUT2_DANGER_NOT_HANDLED: set[str] = set()
# holdout3's 12 danger misses on its first reading (passive wishes for an ending, speech that
# sounds drunk, a hand on one side that will not work, foot drop as tripping, a warm
# throbbing place, a weight on the chest, bleeding after the menopause, weak legs that cannot
# rise, thoughts kept after a denied intent) were fixed as families in the same way: none now.
# holdout3's one denial first read as present ("much different from a leg muscle cramp") is
# read as a denial now ("different from" as a comparison away, reading.yaml): none on any split.
# holdout4's first reading (README, "Reading and safety"): 16 of its 79 danger rows not
# handled (self-harm said without a danger word, a calf bigger by 3 cm, an arm that drifts
# down, speech lost while awake, a hand that cannot lift, bleeding in pregnancy given by its
# weeks or as losing blood, not knowing when the bladder is full, and the dopamine
# medicines' warnings) and one denial read as present ("nobody in my family ..."): fixed as
# wording families (tests/test_hazards_wording.py), none is allowed now.
HOLDOUT4_DANGER_NOT_HANDLED: set[str] = set()
ALLOWED_DENIALS_READ_AS_PRESENT: dict[str, list[str]] = {}
SPLIT_NAMES = ("dev", "holdout", "holdout2", "holdout3", "holdout4")
ALLOWED_DANGER = {
    "dev": set(),
    "holdout": set(),
    "holdout2": HOLDOUT2_DANGER_NOT_HANDLED,
    "holdout3": set(),
    "holdout4": HOLDOUT4_DANGER_NOT_HANDLED,
}


def _ratchet(missed: set[str], allowed: set[str]) -> None:
    assert not missed - allowed, f"new misses: {sorted(missed - allowed)}"
    assert not allowed - missed, (
        f"now read right, take them off the list: {sorted(allowed - missed)}"
    )


@pytest.mark.parametrize("split", SPLIT_NAMES)
def test_no_denied_finding_is_ever_read_as_present(kb: KnowledgeBase, split):
    allowed = ALLOWED_DENIALS_READ_AS_PRESENT.get(split, [])
    assert score(kb, SPLITS[split]).negated_as_present == allowed


@pytest.mark.parametrize("split", sorted(ALLOWED_DANGER))
def test_every_danger_phrase_is_flagged_and_every_denied_one_is_quiet(kb: KnowledgeBase, split):
    danger = [r for r in SPLITS[split] if r.kind == "danger"]
    assert len(danger) >= 14
    missed = {r.phrase for r in danger if not danger_caught(kb, r)}
    _ratchet(missed, ALLOWED_DANGER[split])


def test_the_listed_misses_are_phrases_of_the_blind_split():
    phrases = {r.phrase for r in SPLITS["holdout2"]}
    assert phrases >= HOLDOUT2_DANGER_NOT_HANDLED
    assert {r.phrase for r in SPLITS["holdout4"]} >= HOLDOUT4_DANGER_NOT_HANDLED


# Floors a little under the figures measured when they were set (README, "Reading"): a
# change that loses ground fails here; raise them as the reader improves.
@pytest.mark.parametrize(
    ("split", "recall", "precision"), [("dev", 0.93, 0.95), ("holdout", 0.75, 0.87)]
)
def test_recall_and_precision_do_not_slide_back(kb: KnowledgeBase, split, recall, precision):
    s = score(kb, SPLITS[split])
    assert s.recall >= recall and s.precision >= precision, (s.recall, s.precision)
