"""The reader reads Chinese as clinical texts and patients write it (docs/reading.md,
"Chinese"). Each phrase's meaning is the one TCM diagnosis gives it (舌淡 is a pale tongue
body, 苔白 a white coat, 脈細 a thin pulse), not what the code happens to return."""

from __future__ import annotations

import pytest

from anmian.engine import InputError, assess, parse_input
from anmian.engine.resolve import indexes, resolve
from anmian.engine.zh import to_traditional
from anmian.knowledge import KnowledgeBase


def read(kb: KnowledgeBase, text: str) -> dict[str, str]:
    return {m.id: m.status for m in resolve([text], indexes(kb)[0]).matches}


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        # tongue body and coat written together, without a comma, as in every case record
        ("舌淡苔白", {"tongue-pale": "present", "coat-thin-white": "present"}),
        ("舌紅少苔", {"tongue-red": "present", "coat-little": "present"}),
        (
            "舌質紫暗，舌下靜脈曲張",
            {"tongue-purple": "present", "tongue-sublingual-veins": "present"},
        ),
        # a pulse named once with several qualities: each quality is a pulse finding
        ("脈弦細", {"pulse-wiry": "present", "pulse-thin": "present"}),
        ("脈沉細無力", {"pulse-deep": "present", "pulse-thin": "present", "pulse-weak": "present"}),
        # the patient's own words
        ("腿裡面像螞蟻在爬", {"leg-crawling": "present"}),
        ("晚上睡不著", {"difficulty-falling-asleep": "present"}),
        ("腰膝痠軟", {"knees-back-weak": "present"}),
        ("口乾、盜汗", {"dry-mouth-night": "present", "night-sweats": "present"}),
        ("手腳冰冷，怕冷", {"cold-hands-feet": "present", "feeling-cold": "present"}),
    ],
)
def test_it_reads_clinical_and_everyday_chinese(kb, text, meaning):
    assert read(kb, text) == meaning


def test_a_time_of_day_beside_a_leg_finding_is_when_the_legs_are_worse(kb):
    assert read(kb, "腿部蟻走感，夜間加重") == {"leg-crawling": "present", "worse-night": "present"}
    assert read(kb, "小腿痠麻，傍晚") == {"leg-aching": "present", "worse-evening": "present"}


def test_a_normal_tongue_is_not_a_pale_one(kb):
    # 淡紅舌 (pale-red) is the normal tongue colour in every diagnosis textbook
    assert read(kb, "舌淡紅，苔薄白") == {"coat-thin-white": "present"}


@pytest.mark.parametrize(
    ("text", "finding", "status"),
    [
        ("沒有盜汗", "night-sweats", "absent"),
        ("無口乾", "dry-mouth-night", "absent"),
        ("否認心悸", "palpitations", "absent"),
        ("不頭暈", "dizziness", "absent"),
        ("可能有點盜汗", "night-sweats", "uncertain"),
        ("好像有耳鳴", "tinnitus", "uncertain"),
        ("以前曾經心悸", "palpitations", "historical"),
        ("胃口好", "poor-appetite", "absent"),  # a wording of the finding's absence
    ],
)
def test_chinese_negation_uncertainty_and_past_set_the_status(kb, text, finding, status):
    assert read(kb, text)[finding] == status


def test_a_negation_runs_through_a_list_and_stops_at_a_comma_or_but(kb):
    # 無盜汗、口乾 denies both (the enumeration comma joins one list) ...
    assert read(kb, "無盜汗、口乾") == {"night-sweats": "absent", "dry-mouth-night": "absent"}
    # ... but a full comma or 但 starts a new scope
    assert read(kb, "沒有盜汗，口乾") == {"night-sweats": "absent", "dry-mouth-night": "present"}
    assert read(kb, "沒有盜汗但心悸") == {"night-sweats": "absent", "palpitations": "present"}


def test_a_negation_inside_a_wording_is_part_of_it(kb):
    # 睡不著 and 不寧腿 contain 不 and mean the finding is there
    assert read(kb, "睡不著") == {"difficulty-falling-asleep": "present"}
    assert read(kb, "無法入睡") == {"difficulty-falling-asleep": "present"}


def test_a_relatives_restless_legs_is_the_persons_family_history(kb):
    assert read(kb, "我媽媽也有不寧腿") == {"family-history-rls": "present"}
    assert read(kb, "我媽媽沒有不寧腿") == {"family-history-rls": "absent"}
    # a relative's other complaint is theirs, not the person's
    assert read(kb, "父親有心悸") == {"palpitations": "family"}


def test_simplified_input_is_read_like_traditional(kb):
    assert read(kb, "腿部蚁走感，夜间加重") == read(kb, "腿部蟻走感，夜間加重")
    assert read(kb, "没有盗汗、口干") == {"night-sweats": "absent", "dry-mouth-night": "absent"}
    assert read(kb, "不安腿综合征") == {"restless-legs": "present"}
    # a whole wording where single characters would go wrong: 头发 is hair (頭髮), not 頭發
    assert to_traditional("掉头发") == "掉頭髮"


def test_mixed_script_text_is_read_not_refused(kb):
    assert read(kb, "腿酸, worse in the evening") == {
        "leg-aching": "present",
        "worse-evening": "present",
    }
    # a Chinese negation before English words reaches them
    assert read(kb, "沒有 night sweats") == {"night-sweats": "absent"}


def test_an_age_in_chinese_is_read(kb):
    assert read(kb, "患者五十四歲")["aged-over-50"] == "present"
    assert "aged-over-50" not in read(kb, "三十歲，腿麻")


def test_chinese_it_cannot_read_is_reported_not_guessed(kb):
    got = resolve(["紫色大象"], indexes(kb)[0])
    assert not got.matches and got.unresolved[0].part == "紫色大象"
    with pytest.raises(InputError, match="not a Chinese wording Anmian knows"):
        assess(parse_input({"findings": ["紫色大象"]}), kb)


def test_a_chinese_assessment_ranks_the_pattern_its_findings_describe(kb):
    # Blood deficiency in a TCM textbook's words: pale face and tongue, thin pulse,
    # dizziness, numb limbs, scanty pale periods
    doc = {
        "findings": ["面色蒼白，頭暈眼花", "手足麻木", "月經量少色淡", "舌淡苔白，脈細"],
        "sex": "female",
        "audience": "practitioner",
    }
    a = assess(parse_input(doc), kb, allow_unknown=True)
    assert not a.input["unresolved"]
    assert "blood-deficiency" in [p.id for p in a.patterns][:3]


def test_words_between_a_wording_are_read_past(kb):
    # 很, 有點, 一直 sit inside everyday wordings: 腿很麻 is 腿麻 (numb legs)
    assert read(kb, "腿很麻") == {"leg-numbness": "present"}
    assert read(kb, "沒有腿很麻") == {"leg-numbness": "absent"}
    assert read(kb, "睡覺時會一直踢腿") == {"limb-jerks-in-sleep": "present"}


def test_a_denied_leg_finding_does_not_make_a_time_of_day_a_leg_time(kb):
    assert read(kb, "沒有腿抽筋，晚上睡不著") == {
        "knotted-muscle-cramps": "absent",
        "difficulty-falling-asleep": "present",
    }


def _tags(kb, *findings: str):
    a = assess(parse_input({"findings": list(findings)}), kb, allow_unknown=True)
    return a, {t for t in ("pregnancy", "breastfeeding") if t in a.context.tags}


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("懷孕28週，腿很不安", {"pregnancy"}),
        ("怀孕了，腿酸", {"pregnancy"}),  # Simplified
        ("正在餵母乳，睡不著", {"breastfeeding"}),
        ("沒有懷孕，腿痠", set()),  # denied
    ],
)
def test_pregnancy_and_breastfeeding_written_in_chinese_set_their_tags(kb, text, tags):
    # safety must not depend on the reading: a pregnant person's plan drops what pregnancy
    # excludes however she writes it
    _, got = _tags(kb, text)
    assert got == tags


def test_bleeding_written_in_chinese_by_a_pregnant_person_holds_the_plan(kb):
    a, _ = _tags(kb, "懷孕20週，今天流血，腿痠")
    d = a.to_dict()
    assert d["plan"]["status"] == "on-hold"
    assert any(r["urgency"] == "emergency" for r in d["safety"]["referrals"])


@pytest.mark.parametrize("text", ["胃痙攣", "臉部浮腫", "腳跟裂紋", "心臟手術史"])
def test_a_wording_of_another_body_part_is_not_read_as_a_leg_or_tongue_finding(kb, text):
    # a stomach cramp is not a leg spasm, cracked heels are not a cracked tongue
    assert not resolve([text], indexes(kb)[0]).matches


def test_a_place_and_a_likeness_beside_a_wording_are_not_reported_as_not_understood(kb):
    """A Chinese reader's walk of the self-check (2026-12-03) wrote 傍晚小腿像有虫在爬: it was
    read (crawling, worse in the evening), and 小腿像 was still listed as not understood, which
    reads as Anmian having missed what was said."""
    got = resolve(["傍晚小腿像有蟲在爬"], indexes(kb)[0])
    assert {m.id for m in got.matches} == {"leg-crawling", "worse-evening"}
    assert got.unresolved == []
    assert resolve(["大腿像有蟲在爬"], indexes(kb)[0]).unresolved == []
    # where it is stays part of what is read: 小腿很癢 is 腿癢, 小腿很麻 腿麻
    assert read(kb, "小腿很癢") == {"leg-itching-deep": "present"}
    assert read(kb, "小腿很麻") == {"leg-numbness": "present"}
    # a place alone says nothing Anmian can read, and is still reported
    alone = resolve(["小腿紫色大象"], indexes(kb)[0])
    assert not alone.matches and alone.unresolved


@pytest.mark.parametrize(
    "text", ["腿要一直動", "晚上要一直動", "一直想動", "忍不住想動", "坐不住", "坐着就想动"]
)
def test_having_to_keep_moving_in_a_patients_words_is_restless_legs(kb, text):
    # the urge to move, as "I have to keep moving my legs" is in English
    assert read(kb, text)["restless-legs"] == "present"


def test_not_having_to_keep_moving_is_denied(kb):
    assert read(kb, "沒有一直想動")["restless-legs"] == "absent"


@pytest.mark.parametrize(
    ("text", "finding"),
    [("晚上睡不着", "difficulty-falling-asleep"), ("腿像蚂蚁爬", "leg-crawling")],
)
def test_simplified_zhe_reads_as_the_traditional_one(kb, text, finding):
    """睡不着 is how Simplified Chinese writes 睡不著; OpenCC keeps 著 as it is, so 着 had no
    way back and the commonest way to say it was not understood."""
    assert read(kb, text)[finding] == "present"
