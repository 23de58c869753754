"""The knowledge base: the content the product promises, and a loader that names what is broken."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from anmian.knowledge import KnowledgeBase, KnowledgeError, load
from anmian.knowledge.loader import data_dir

REQUIRED_PATTERNS = [
    "qi-deficiency",
    "spleen-qi-deficiency",
    "blood-deficiency",
    "qi-blood-deficiency",
    "blood-stasis",
    "heart-blood-deficiency",
    "heart-spleen-deficiency",
    "heart-kidney-disharmony",
    "kidney-yin-deficiency",
    "liver-kidney-yin-deficiency",
    "kidney-yang-deficiency",
    "liver-qi-stagnation",
    "liver-blood-deficiency",
    "liver-wind",
    "damp-phlegm",
    "damp-heat",
    "wei-qi-deficiency",
]
SEED_POINTS = ["sp6", "ki3", "lr3", "st36", "cv4"]
SEED_HERBS = ["dang-gui", "ren-shen", "chen-pi", "suan-zao-ren", "he-shou-wu"]
MINIMUMS = {"findings": 150, "points": 40, "herbs": 35, "formulas": 14}


def test_it_has_every_required_pattern(kb: KnowledgeBase):
    assert set(REQUIRED_PATTERNS) <= set(kb.patterns)


@pytest.mark.parametrize(("kind", "minimum"), MINIMUMS.items())
def test_it_has_enough_entries(kb: KnowledgeBase, kind: str, minimum: int):
    assert len(kb.table(kind)) >= minimum


def test_it_has_every_seed_point_and_herb(kb: KnowledgeBase):
    assert set(SEED_POINTS) <= set(kb.points)
    assert set(SEED_HERBS) <= set(kb.herbs)


def test_finding_categories_cover_the_intake(kb: KnowledgeBase):
    categories = {f.category for f in kb.findings.values()}
    assert {"leg", "sleep", "mood", "tongue-body", "tongue-coat", "pulse", "red-flag"} <= categories


def test_every_finding_has_a_question(kb: KnowledgeBase):
    assert all(f.question.endswith("?") for f in kb.findings.values())


def test_every_herb_of_a_formula_is_known(kb: KnowledgeBase):
    for formula in kb.formulas.values():
        assert {i.herb for i in formula.ingredients} <= set(kb.herbs), formula.id


def test_he_shou_wu_carries_regulator_warnings_and_is_kept_out_of_self_care(kb: KnowledgeBase):
    herb = kb.herbs["he-shou-wu"]
    assert len(herb.regulator_warnings) >= 2
    assert any(r.when == "self-care" and r.action == "exclude" for r in herb.safety)
    assert any(r.when == "liver-disease" and r.action == "exclude" for r in herb.safety)


def test_dang_gui_is_excluded_with_anticoagulants(kb: KnowledgeBase):
    rules = kb.herbs["dang-gui"].safety
    assert any(r.when == "anticoagulant" and r.action == "exclude" for r in rules)


def test_extra_points_are_keyed_by_pinyin_with_codes_as_aliases(kb: KnowledgeBase):
    assert kb.points["yintang"].meridian == "EX"
    assert "EX-HN3" in (kb.points["yintang"].code, *kb.points["yintang"].aliases)


def test_every_pattern_point_has_a_chart_position(kb: KnowledgeBase):
    for point in kb.points.values():
        assert point.chart, point.id


def test_formula_safety_is_the_union_of_its_ingredients(kb: KnowledgeBase):
    formula = kb.formulas["si-wu-tang"]
    rules = kb.formula_safety(formula)
    sources = {source for source, _ in rules}
    assert "dang-gui" in sources
    assert len(rules) >= sum(len(kb.herbs[i.herb].safety) for i in formula.ingredients)


def test_unverified_facts_are_marked(kb: KnowledgeBase):
    assert kb.references["red-flags-teaching"].verified is False
    assert kb.references["irlssg-2014"].verified is True


def test_version_changes_with_content(kb: KnowledgeBase, tmp_path: Path):
    copy = _copy(tmp_path)
    (copy / "meta.yaml").write_text((copy / "meta.yaml").read_text() + "\n# edited\n")
    assert load(copy).version != kb.version


# --- broken files: each names the file, the entry and the field ---


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(data_dir(), target)
    return target


def _break(tmp_path: Path, rel: str, old: str, new: str) -> list[str]:
    root = _copy(tmp_path)
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(KnowledgeError) as info:
        load(root)
    return info.value.problems


def test_it_reports_invalid_yaml(tmp_path: Path):
    problems = _break(tmp_path, "rules.yaml", "combine_ratio: 0.75", "combine_ratio: [0.75")
    assert problems and "rules.yaml: not valid YAML" in problems[0]


def test_it_reports_a_wrong_type_with_file_entry_and_field(tmp_path: Path):
    problems = _break(tmp_path, "references/core.yaml", "year: 2014", "year: twenty")
    assert any("references/core.yaml: entry 'irlssg-2014': field 'year'" in p for p in problems)


def test_it_reports_an_unknown_field(tmp_path: Path):
    problems = _break(
        tmp_path, "references/core.yaml", "kind: guideline", "kind: guideline\n  colour: red"
    )
    assert any("field 'colour'" in p and "Extra inputs" in p for p in problems)


def test_it_reports_a_duplicate_id(tmp_path: Path):
    problems = _break(tmp_path, "references/core.yaml", "id: walters-2003-irls", "id: irlssg-2014")
    assert any("duplicate id" in p for p in problems)


def test_it_reports_an_unknown_reference(tmp_path: Path):
    problems = _break(
        tmp_path, "rules.yaml", "refs: [aasm-2024, irlssg-2018-iron]", "refs: [no-such-ref]"
    )
    assert any("unknown references id 'no-such-ref'" in p and "rules.yaml" in p for p in problems)


def test_it_reports_an_unknown_cross_reference(tmp_path: Path, kb: KnowledgeBase):
    rel = kb.sources[("patterns", "blood-deficiency")]
    problems = _break(tmp_path, rel, "point: sp6", "point: sp99")
    assert any("unknown points id 'sp99'" in p and rel in p for p in problems)


def test_it_reports_an_unknown_safety_tag(tmp_path: Path, kb: KnowledgeBase):
    rel = kb.sources[("herbs", "dang-gui")]
    problems = _break(tmp_path, rel, "when: anticoagulant", "when: warfarinish")
    assert any("unknown tag 'warfarinish'" in p for p in problems)


def test_it_reports_a_claim_without_a_citation(tmp_path: Path):
    problems = _break(tmp_path, "rules.yaml", "base_refs: [seed-sleep-clinic]", "base_refs: []")
    assert any("base_refs" in p for p in problems)


def test_the_validated_cache_is_used_and_keyed_by_content(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("ANMIAN_KB_CACHE", "1")
    root = _copy(tmp_path)
    first = load(root)
    cached = list((tmp_path / "cache" / "anmian").glob("kb-*.pickle"))
    assert len(cached) == 1
    assert load(root).stats() == first.stats()
    # an edit changes the key: the old cache is not read
    (root / "meta.yaml").write_text((root / "meta.yaml").read_text().replace("2026.11", "2099.1"))
    assert load(root).version.startswith("2099.1")


def test_a_corrupt_cache_falls_back_to_a_full_load(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = _copy(tmp_path)
    load(root)
    for path in (tmp_path / "cache" / "anmian").glob("kb-*.pickle"):
        path.write_bytes(b"not a pickle")
    assert load(root).stats()["patterns"] >= 17


# --- the engine's clinical constants are entries too: a wrong value names file and field ---


@pytest.mark.parametrize(
    ("rel", "old", "new", "message"),
    [
        (
            "rules.yaml",
            "child_under: 18",
            "child_under: eighteen",
            "rules.yaml: field 'ages.child_under': Input should be a valid integer",
        ),
        (
            "rules.yaml",
            "older_from: 65",
            "older_from: 12",
            "rules.yaml: field 'ages.older_from': Input should be greater than or equal to 40",
        ),
        (
            "rules.yaml",
            "refs: [picchietti-2013-pediatric, irlssg-2018-iron, ags-2023-beers]",
            "refs: [beers]",
            "rules.yaml: entry 'rules': field 'ages.refs': unknown references id 'beers'",
        ),
        (
            "rules.yaml",
            "({failed})",
            "({fail})",
            "rules.yaml: field 'screening.verdicts.criteria_not_met': Value error, unknown "
            "placeholder {fail}",
        ),
        (
            "rules.yaml",
            "unanswered: {missing}",
            "unanswered: some",
            "rules.yaml: field 'screening.verdicts.insufficient': Value error, must say which "
            "criteria with {missing}",
        ),
        (
            "rules.yaml",
            "    finding: 2\n",
            "    finding: -2\n",
            "rules.yaml: field 'screening.mimic_weights.finding': Input should be greater than "
            "or equal to 0",
        ),
        (
            "rules.yaml",
            "max_patterns: 3",
            "max_patterns: 0",
            "rules.yaml: field 'limits.max_patterns': Input should be greater than or equal to 1",
        ),
        (
            "rules.yaml",
            "formulas_per_pattern: 1",
            "formula_per_pattern: 1",
            "rules.yaml: field 'limits.formulas_per_pattern': Field required",
        ),
        (
            "scales/scales.yaml",
            "high: 30, high_severity: true}",
            "high: 30, high_severity: maybe}",
            "scales/scales.yaml: entry 'anmian-leg-scale': field 'bands.3.high_severity': "
            "Input should be a valid boolean",
        ),
        (
            "intake.yaml",
            "severity_scale: anmian-leg-scale",
            "severity_scale: irls",
            "intake.yaml: field 'severity_scale': scale 'irls' has no items of its own",
        ),
        (
            "intake.yaml",
            "severity_scale: anmian-leg-scale",
            "severity_scale: leg-scale",
            "intake.yaml: field 'severity_scale': unknown scale 'leg-scale'",
        ),
        (
            "intake.yaml",
            "categories: [leg, timing]",
            "categories: [leg, timing, sleep]",
            "intake.yaml: field 'groups.1.categories': 'sleep' is already asked in group 'legs'",
        ),
        (
            "intake.yaml",
            "categories: [leg, timing]",
            "categories: [leg, timeing]",
            "intake.yaml: field 'groups.0.categories.1': Input should be 'leg', 'timing'",
        ),
        (
            "intake.yaml",
            "categories: [leg, timing]",
            "categories: [leg, timing, red-flag]",
            "intake.yaml: field 'groups.0.categories': 'red-flag' findings have their own",
        ),
        (
            "intake.yaml",
            "findings: [pulse-rapid, pulse-slow]",
            "findings: [pulse-rapid, pulse-slowish]",
            "intake.yaml: field 'exclusive.2' ('pulse-rate'): unknown finding 'pulse-slowish'",
        ),
        (
            "intake.yaml",
            "findings: [overweight, thin-build]",
            "findings: [overweight, painful-periods]",
            "intake.yaml: field 'exclusive.9' ('build'): its findings are not all asked of the "
            "same sex",
        ),
        (
            "intake.yaml",
            "findings: [overweight, thin-build]",
            "findings: [overweight, feeling-cold]",
            "intake.yaml: field '(entry)': Value error, exclusive: 'feeling-cold' is in both "
            "'body-temperature' and 'build'",
        ),
        (
            "intake.yaml",
            "findings: [night-urination, cloudy-urine, low-back-pain, low-libido]",
            "findings: [night-urination, cloudy-urine, low-back-pain, chest-pain]",
            "intake.yaml: field 'checklists.16' ('lower-body'): red flags have their own",
        ),
        (
            "intake.yaml",
            "findings: [night-urination, cloudy-urine, low-back-pain, low-libido]",
            "findings: [night-urination, cloudy-urine, low-back-pain, fatigue]",
            "intake.yaml: field '(entry)': Value error, checklists: 'fatigue' is in both "
            "'energy' and 'lower-body'",
        ),
        (
            "findings/menstruation.yaml",
            "sex: female",
            "sex: women",
            "findings/menstruation.yaml: entry 'scanty-pale-periods': field 'sex': Input should "
            "be 'female' or 'male'",
        ),
    ],
)
def test_a_wrong_clinical_constant_is_reported_with_file_and_field(
    tmp_path: Path, rel: str, old: str, new: str, message: str
):
    problems = _break(tmp_path, rel, old, new)
    assert any(p.startswith(message) for p in problems), problems


PULSES = (
    "findings: [pulse-thin, pulse-weak, pulse-wiry, pulse-slippery, pulse-choppy, pulse-soggy, "
    "pulse-empty]"
)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "findings: [loose-stools, constipation-dry-stools, alternating-bowels]",
            "findings: [loose-stools, constipation-dry-stools, pulse-slippery]",
            "intake.yaml: field 'exclusive.4' ('bowels'): some findings need a practitioner",
        ),
        (
            "findings: [night-urination, cloudy-urine, low-back-pain, low-libido]",
            "findings: [night-urination, cloudy-urine, low-back-pain, pulse-slippery]",
            "intake.yaml: field 'checklists.16' ('lower-body'): some findings need a practitioner",
        ),
    ],
)
def test_a_question_mixing_a_practitioner_s_findings_with_others_is_reported(
    tmp_path: Path, old: str, new: str, message: str
):
    # the pulse finding leaves its own checklist, so it is on one question only
    root = _copy(tmp_path)
    path = root / "intake.yaml"
    text = path.read_text()
    assert old in text and PULSES in text
    text = text.replace(PULSES, PULSES.replace("pulse-slippery, ", ""), 1)
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(KnowledgeError) as info:
        load(root)
    assert any(p.startswith(message) for p in info.value.problems), info.value.problems


def test_a_missing_intake_file_is_reported(tmp_path: Path):
    root = _copy(tmp_path)
    (root / "intake.yaml").unlink()
    with pytest.raises(KnowledgeError) as info:
        load(root)
    assert any(p.startswith("intake.yaml") for p in info.value.problems), info.value.problems
