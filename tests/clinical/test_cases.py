"""Each reviewed clinical case, judged by what its sources say (see cases.py)."""

from __future__ import annotations

import pytest
from tests.clinical.cases import load_cases, problems

from anmian.knowledge import KnowledgeBase

CASES = load_cases()


def test_the_table_is_large_and_every_case_cites_a_source():
    assert len(CASES) >= 150
    assert len({c.id for c in CASES}) == len(CASES)
    assert all(c.source for c in CASES)
    assert all(c.expect for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(kb: KnowledgeBase, case):
    assert problems(kb, case) == []
