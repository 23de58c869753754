"""Reading findings from free text: exact, compound, fuzzy, and honest about misses."""

from __future__ import annotations

import pytest

from anmian.engine.resolve import indexes, resolve
from anmian.knowledge import KnowledgeBase


def _ids(kb: KnowledgeBase, text: str) -> list[str]:
    return resolve([text], indexes(kb)[0]).ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("leg-crawling", ["leg-crawling"]),
        ("LEG-CRAWLING", ["leg-crawling"]),
        ("ant-crawling sensation in the calves", ["leg-crawling"]),
        ("thin rapid pulse", ["pulse-thin", "pulse-rapid"]),
        ("pulse thin and rapid", ["pulse-thin", "pulse-rapid"]),
        ("pale tongue with thin white coat", ["tongue-pale", "coat-thin-white"]),
        ("wiry pulse", ["pulse-wiry"]),
    ],
)
def test_it_resolves_phrases(kb: KnowledgeBase, text: str, expected: list[str]):
    assert _ids(kb, text) == expected


def test_every_label_and_synonym_resolves_to_its_own_finding(kb: KnowledgeBase):
    index = indexes(kb)[0]
    for finding in kb.findings.values():
        for name in (finding.label, *finding.synonyms):
            got = resolve([name], index)
            assert got.ids == [finding.id], (name, got.ids)
            assert got.matches[0].confidence == 1.0


def test_it_reports_a_typo_as_a_fuzzy_match_with_its_confidence(kb: KnowledgeBase):
    got = resolve(["palpitatons"], indexes(kb)[0])
    assert got.matches and got.matches[0].how == "fuzzy"
    assert 0.8 <= got.matches[0].confidence < 1.0


def test_it_leaves_nonsense_unresolved_with_suggestions(kb: KnowledgeBase):
    got = resolve(["purple elephant dancing"], indexes(kb)[0])
    assert not got.matches
    assert got.unresolved[0].text == "purple elephant dancing"


def test_drug_names_only_match_on_an_obvious_typo(kb: KnowledgeBase):
    meds = indexes(kb)[1]
    assert resolve(["warfarn"], meds).ids == ["warfarin"]
    assert resolve(["Warfarin"], meds).ids == ["warfarin"]
    assert not resolve(["wombatol"], meds).ids
