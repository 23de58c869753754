"""The person's tags (the ages and severity bands that set them come from the knowledge base),
and the reader's ConText statuses, one wording family per test with wordings of their own."""

from __future__ import annotations

import pytest
from tests.conftest import run
from tests.kb_edits import with_entry, with_rules

from anmian.engine.resolve import indexes, resolve
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


# --- the reader's ConText statuses: wording families, each pinned by other wordings ---------


def _read(kb: KnowledgeBase, text: str) -> set[tuple[str, str]]:
    return {(m.id, m.status) for m in resolve([text], indexes(kb)[0]).matches}


_HEADACHES = {"headache-distending", "headache-dull", "headache-stabbing"}


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # a review of systems denies the general word (Bates' Guide lists "headache" so)
        ("denies headache", _HEADACHES),
        ("she has never had headaches", _HEADACHES),
        ("tongue coat not greasy", {"coat-white-greasy", "coat-yellow-greasy"}),
        ("denies weight change", {"unexplained-weight-loss"}),
        ("she is not thirsty", {"thirst-little-drink"}),
    ],
)
def test_a_general_word_denied_denies_every_kind_of_it(
    kb: KnowledgeBase, text: str, absent: set[str]
):
    got = _read(kb, text)
    assert {(fid, "absent") for fid in absent} <= got
    assert not {fid for fid, st in got if st == "present"}


def test_a_general_word_said_does_not_choose_a_kind(kb: KnowledgeBase):
    # which headache is not said: none of its kinds is read, and one kind denied is that one
    assert not {fid for fid, _ in _read(kb, "I get headaches")} & _HEADACHES
    assert _read(kb, "no stabbing headache") == {("headache-stabbing", "absent")}


@pytest.mark.parametrize(
    "text",
    [
        # case reports open with how long a complaint has lasted (e.g. "a 63-year-old woman
        # with a 3-year history of RLS"): it is there now
        "a 3-year history of night sweats",
        "a six month history of night sweats",
        "a long history of night sweats",
    ],
)
def test_a_history_of_so_long_is_a_complaint_now(kb: KnowledgeBase, text: str):
    assert _read(kb, text) == {("night-sweats", "present")}


def test_a_history_without_a_length_is_the_past(kb: KnowledgeBase):
    assert _read(kb, "history of night sweats") == {("night-sweats", "historical")}
    assert _read(kb, "a past history of night sweats") == {("night-sweats", "historical")}


@pytest.mark.parametrize(
    "text",
    [
        # a hedged wish to be dead is still the thought (C-SSRS question 1; Samaritans'
        # and 988's warning signs quote it so)
        "I think everyone would be better off without me",
        "maybe I would be better off dead",
        "sometimes I wonder whether I'd be better off dead",
    ],
)
def test_a_hedged_thought_of_death_is_the_thought(kb: KnowledgeBase, text: str):
    assert ("thoughts-of-self-harm", "present") in _read(kb, text)


def test_a_hedge_still_makes_other_findings_uncertain(kb: KnowledgeBase):
    assert _read(kb, "I think I have night sweats") == {("night-sweats", "uncertain")}


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # a textbook's optional sign ("with or without"), a caution that it may be something
        # else ("not always", "not necessarily"): possible, never denied
        ("pale tongue with or without tooth marks", "tongue-tooth-marked"),
        ("leg pain at night is not always a cramp", "knotted-muscle-cramps"),
        ("it is not necessarily restless legs", "restless-legs"),
    ],
)
def test_with_or_without_and_not_always_are_possible_not_denied(
    kb: KnowledgeBase, text: str, finding: str
):
    got = _read(kb, text)
    assert (finding, "uncertain") in got
    assert (finding, "absent") not in got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("her back does not hurt", {("low-back-pain", "absent")}),
        ("my lower back doesn't hurt any more", {("low-back-pain", "absent")}),
        ("my chest didn't hurt", {("chest-pain", "absent")}),
        ("my head doesn't hurt", {(fid, "absent") for fid in _HEADACHES}),
        ("his back hurts", {("low-back-pain", "present")}),
        # the legs themselves not hurting is still the legs' pain not being the complaint
        ("my calves don't hurt", {("pain-dominant", "absent")}),
    ],
)
def test_a_part_said_to_hurt_or_not_is_that_parts_pain(
    kb: KnowledgeBase, text: str, expected: set[tuple[str, str]]
):
    assert _read(kb, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # "feel the cold" is to be easily affected by cold weather (Cambridge Dictionary):
        # not being able to is not feeling it
        "he can't feel the cold at all",
        "I cannot feel the cold these days",
    ],
)
def test_not_being_able_to_feel_the_cold_is_not_feeling_cold(kb: KnowledgeBase, text: str):
    assert _read(kb, text) == {("feeling-cold", "absent")}


def test_a_cold_thing_not_felt_is_no_denial_of_feeling_cold(kb: KnowledgeBase):
    # a lost sensation is never made a denial: not feeling one's toes is numbness
    assert _read(kb, "I can't feel my toes") == {("leg-numbness", "present")}
    for text in ("I can't feel the cold tiles under my feet", "can't feel the cold on my shins"):
        assert ("feeling-cold", "absent") not in _read(kb, text)


@pytest.mark.parametrize(
    ("text", "denied", "present"),
    [
        # a clause with a subject of its own after a comma is a new statement, as a review
        # of systems writes it; a list after the denial is still all denied
        (
            "I never have night sweats, I do get hot flushes",
            "night-sweats",
            "afternoon-hot-flushes",
        ),
        (
            "she denies palpitations, she gets night sweats most nights",
            "palpitations",
            "night-sweats",
        ),
    ],
)
def test_a_clause_with_its_own_subject_ends_a_denial(
    kb: KnowledgeBase, text: str, denied: str, present: str
):
    got = _read(kb, text)
    assert (denied, "absent") in got
    assert (present, "present") in got


def test_a_denial_still_reaches_through_its_list(kb: KnowledgeBase):
    got = _read(kb, "denies night sweats, palpitations, dizziness")
    assert got == {("night-sweats", "absent"), ("palpitations", "absent"), ("dizziness", "absent")}


def test_a_condition_is_not_a_denial(kb: KnowledgeBase):
    # "if I don't move them, I get ...": what comes unless the legs move is there
    got = _read(kb, "if I don't move them I get a creepy crawly feeling")
    assert ("leg-crawling", "present") in got
    assert not {fid for fid, st in got if st == "absent"}


@pytest.mark.parametrize(
    "text",
    [
        "my grandmother had the same feelings in her legs in the evenings",
        "my dad had the same leg trouble at night",
    ],
)
def test_a_relative_with_the_same_at_a_time_of_day_is_family_history(kb: KnowledgeBase, text: str):
    # the time is when the relative's legs are worse, not a finding of the writer's
    assert _read(kb, text) == {("family-history-rls", "present")}


@pytest.mark.parametrize("text", ["me and my sister both have it", "my mum and I both get it"])
def test_the_writer_joined_to_a_relative_who_has_it_has_it_too(kb: KnowledgeBase, text: str):
    assert _read(kb, text) == {("family-history-rls", "present"), ("restless-legs", "present")}


def test_the_writer_joined_to_a_relative_who_never_had_it_has_neither(kb: KnowledgeBase):
    assert _read(kb, "my mother and I have never had it") == {("family-history-rls", "absent")}


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # a function said to be normal is no complaint of it (a case note's "appetite and
        # stools unremarkable")
        ("appetite and stools were unremarkable", {"poor-appetite", "loose-stools"}),
        ("her appetite is fine", {"poor-appetite"}),
    ],
)
def test_a_function_said_to_be_normal_is_no_complaint_of_it(
    kb: KnowledgeBase, text: str, absent: set[str]
):
    got = _read(kb, text)
    assert {(fid, "absent") for fid in absent} <= got
    assert not {fid for fid, st in got if st == "present"}


def test_a_function_said_to_be_poor_is_the_complaint(kb: KnowledgeBase):
    assert _read(kb, "appetite is not good") == {("poor-appetite", "present")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a day free of it is a daily rhythm (IRLSSG criterion 3: worse, or only, in the
        # evening or night), so "as bad by day as at night" is denied
        ("my legs are fine during the day", {("no-daily-rhythm", "absent")}),
        (
            "the symptoms come on in the evening, not in the daytime",
            {("worse-evening", "present"), ("no-daily-rhythm", "absent")},
        ),
        # sleepiness said not to be there by day is that, not the legs' rhythm
        ("I'm not sleepy during the day", {("daytime-sleepiness", "absent")}),
    ],
)
def test_a_day_free_of_symptoms_is_a_daily_rhythm(
    kb: KnowledgeBase, text: str, expected: set[tuple[str, str]]
):
    assert _read(kb, text) == expected


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("stools were normal", {"loose-stools", "constipation-dry-stools"}),
        # a denial before a word of trouble with the function ("changes", "issues")
        ("denies changes in appetite", {"poor-appetite"}),
        ("no issues with memory, sleep", {"poor-memory", "poor-sleep"}),
    ],
)
def test_a_function_without_trouble_is_no_complaint_of_it(
    kb: KnowledgeBase, text: str, absent: set[str]
):
    assert _read(kb, text) == {(fid, "absent") for fid in absent}


@pytest.mark.parametrize(
    "text", ["I don't have an appetite", "without appetite", "no stools for three days"]
)
def test_a_function_denied_before_it_is_never_no_complaint(kb: KnowledgeBase, text: str):
    # the lack of a function is the complaint (no appetite, no bowel movement), not its absence
    assert not {fid for fid, st in _read(kb, text) if st == "absent"}


@pytest.mark.parametrize(
    "text",
    [
        # an onset given so long ago is when a complaint began (case reports: "symptoms
        # began 2 years ago"), and it is still there
        "the leg cramps started about three years ago",
        "night sweats began 6 months ago",
        "she was diagnosed with restless legs ten years ago",
    ],
)
def test_an_onset_long_ago_is_a_complaint_now(kb: KnowledgeBase, text: str):
    got = _read(kb, text)
    assert got and all(st == "present" for _, st in got)


@pytest.mark.parametrize(
    "text",
    [
        "years ago I had night sweats",
        "I had night sweats years ago",
        "months ago I had night sweats",
    ],
)
def test_a_complaint_years_ago_is_the_past(kb: KnowledgeBase, text: str):
    assert _read(kb, text) == {("night-sweats", "historical")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a case's course sets the state at the first visit against the state now: the
        # first is the past
        (
            "initially worse at night, now all day",
            {("worse-night", "historical")},
        ),
        (
            "at first I only had night sweats, now I have palpitations too",
            {("night-sweats", "historical"), ("palpitations", "present")},
        ),
    ],
)
def test_the_state_at_first_set_against_now_is_the_past(
    kb: KnowledgeBase, text: str, expected: set[tuple[str, str]]
):
    assert _read(kb, text) == expected


def test_the_state_at_first_without_a_now_is_the_case(kb: KnowledgeBase):
    # a case note's findings at intake are the case's findings
    assert _read(kb, "initially the pulse was wiry") == {("pulse-wiry", "present")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a spouse's symptoms are someone else's, never the person's nor a family history
        ("her husband has restless legs", {("restless-legs", "other")}),
        ("his wife has night sweats", {("night-sweats", "other")}),
        ("my spouse has restless legs", {("restless-legs", "other")}),
    ],
)
def test_a_spouses_symptoms_are_someone_elses(
    kb: KnowledgeBase, text: str, expected: set[tuple[str, str]]
):
    assert _read(kb, text) == expected


def test_a_spouse_named_after_a_verb_is_not_the_one_with_it(kb: KnowledgeBase):
    # "I kick my husband in my sleep": the kicking is the writer's
    assert ("limb-jerks-in-sleep", "present") in _read(kb, "she kicks her husband in her sleep")


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # "..., but they have stopped": a past marker led in by "but" looks back past it
        ("palpitations, but they have stopped", "palpitations"),
        ("leg cramps for years, but these have eased off", "knotted-muscle-cramps"),
        ("night sweats for a while but it has settled", "night-sweats"),
    ],
)
def test_a_complaint_said_to_have_stopped_after_a_but_is_the_past(
    kb: KnowledgeBase, text: str, finding: str
):
    assert _read(kb, text) == {(finding, "historical")}


def test_a_but_still_ends_the_past_of_another_complaint(kb: KnowledgeBase):
    got = _read(kb, "restless legs, but the cramps have stopped")
    assert got == {("restless-legs", "present"), ("knotted-muscle-cramps", "historical")}


@pytest.mark.parametrize(
    "text", ["it doesn't let up and my calves cramp", "the pain never lets up and my calves cramp"]
)
def test_a_complaint_that_does_not_let_up_denies_nothing(kb: KnowledgeBase, text: str):
    assert ("knotted-muscle-cramps", "present") in _read(kb, text)
    assert not {fid for fid, st in _read(kb, text) if st == "absent"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the feeling said not to be pain (NINDS: uncomfortable rather than painful)
        (
            "it's not really a pain, more of a crawling feeling",
            {("pain-dominant", "absent"), ("leg-crawling", "present")},
        ),
        (
            "no pain as such, just restless legs",
            {("pain-dominant", "absent"), ("restless-legs", "present")},
        ),
        # a pain placed somewhere is not said of the feeling
        ("it is not a pain in the legs", set()),
    ],
)
def test_a_feeling_said_not_to_be_a_pain(
    kb: KnowledgeBase, text: str, expected: set[tuple[str, str]]
):
    assert _read(kb, text) == expected


def test_not_able_to_get_a_good_nights_sleep_is_poor_sleep(kb: KnowledgeBase):
    assert _read(kb, "I'm not able to get a good night's sleep") == {("poor-sleep", "present")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the weather where one is, not the person's own heat or cold
        ("it's freezing outside but I feel hot", {("feeling-hot", "present")}),
        ("it is not cold here and I still feel cold", {("feeling-cold", "present")}),
        # weather as what makes the legs worse is a finding
        ("worse when it is cold", {("worse-cold", "present")}),
    ],
)
def test_the_weather_is_not_the_persons_heat_or_cold(
    kb: KnowledgeBase, text: str, expected: set[tuple[str, str]]
):
    assert _read(kb, text) == expected


@pytest.mark.parametrize("text", ["he falls asleep fast", "I drop off easily most nights"])
def test_sleep_onset_said_to_be_quick_is_no_trouble_falling_asleep(kb: KnowledgeBase, text: str):
    assert ("difficulty-falling-asleep", "absent") in _read(kb, text)


def test_sleep_onset_denied_to_be_quick_is_trouble_falling_asleep(kb: KnowledgeBase):
    assert ("difficulty-falling-asleep", "present") in _read(kb, "I don't fall asleep quickly")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a fragment whose subject is the sentence before: an answer, or only a word of the past
        ("Cold feet? Yes.", {("cold-hands-feet", "present")}),
        ("Palpitations? Definitely.", {("palpitations", "present")}),
        ("Dizziness. Not any more.", {("dizziness", "historical")}),
        ("I had palpitations. No longer.", {("palpitations", "historical")}),
        # a question not answered stays a question
        ("Palpitations?", {("palpitations", "uncertain")}),
    ],
)
def test_a_fragment_answers_or_dates_the_sentence_before(
    kb: KnowledgeBase, text: str, expected: set[tuple[str, str]]
):
    assert _read(kb, text) == expected


def test_a_danger_sign_said_gone_in_a_fragment_keeps_its_own_status(kb: KnowledgeBase):
    got = _read(kb, "I wanted to die. Not any more.")
    assert ("thoughts-of-self-harm", "historical") not in got
