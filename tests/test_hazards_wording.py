"""Danger is caught however it is worded (issue 8, "Safety that does not depend on reading
well"). The blind phrase split (holdout2) showed danger the scan missed; these tests hold the
fixes with wordings from OTHER sources than those rows, so they prove the families of words
work, not one alias per case. Each wording cites where it comes from."""

from __future__ import annotations

import pytest

from anmian.engine.hazards import scan
from anmian.engine.resolve import indexes, resolve
from anmian.knowledge import KnowledgeBase
from anmian.knowledge.loader import _check_reading
from anmian.knowledge.models import Hazard

LIVE = ("present", "uncertain")


def flags(kb: KnowledgeBase, text: str) -> set[str]:
    """The danger signs raised by a text: a red-flag finding read, or a danger word found,
    as present or uncertain (what puts the plan on hold with a referral)."""
    red = {f.id for f in kb.findings.values() if f.category == "red-flag"}
    hits = scan(kb, [text])
    # a flag that needs a tag (bleeding with pregnancy, or after the menopause) counts only
    # when the text sets that tag too, as in engine/context.py and safety.holds
    tags = {h.tag for h in hits if h.tag and h.status != "absent"}
    got = {
        h.flag
        for h in hits
        if h.flag and h.status in LIVE and (h.when_tag is None or h.when_tag in tags)
    }
    read = resolve([text], indexes(kb)[0])
    return got | {f"finding:{m.id}" for m in read.matches if m.id in red and m.status in LIVE}


def flagged(kb: KnowledgeBase, text: str, flag: str) -> bool:
    return flag in flags(kb, text)


# (wording, source): the person's own thought of death or of not going on, without a word
# such as "suicide" or "kill".
SELF_HARM = [
    ("I have wished I could fall asleep and not wake up", "C-SSRS screener, question 1"),
    ("I keep wishing I was not alive anymore", "C-SSRS screener, question 1 definition"),
    ("I've been searching online for ways to die", "988 Lifeline warning signs"),
    ("dying seems like the only way out", "Samaritans: suicide seen as the only way out"),
    ("living is too difficult", "NHS (Berkshire Healthcare) suicidal thoughts page"),
    ("everyone would be better off if I was gone", "NHS help for suicidal thoughts"),
    ("Things will be better when I'm gone", "crisis-line leaflet, 'what you might hear'"),
    ("I feel like a burden to everyone", "988 Lifeline: talking about being a burden"),
    ("I'm tired of being alive", "NHS help for suicidal thoughts: no point living"),
    # the person's own thought in a sentence about the family (C-SSRS passive ideation)
    ("my wife and kids would be better off without me", "NHS help for suicidal thoughts"),
]


@pytest.mark.parametrize(("text", "source"), SELF_HARM)
def test_it_raises_self_harm_without_a_danger_word(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "suicidal-thoughts"), (text, source)


# Denials and everyday sentences that share words with the families above stay quiet.
QUIET_SELF_HARM = [
    "I do not wish I was dead",  # a denial (C-SSRS question 1 answered no)
    "I have never thought that dying would be a way out",
    "my legs feel dead at night",  # a common RLS description
    "since my father died I sleep badly",
    "a warm bath makes life easier for my legs",
]


@pytest.mark.parametrize("text", QUIET_SELF_HARM)
def test_it_leaves_denials_and_ordinary_sentences_quiet(kb: KnowledgeBase, text):
    assert "suicidal-thoughts" not in flags(kb, text)


# A clot in the leg in the words of NICE CKS (pain, swelling, tenderness, warmth, redness or
# discolouration of the leg) and of the Wells score (entire leg swollen, tenderness along the
# deep veins), not only "one leg".
DVT = [
    ("the skin on my calf is warm to the touch", "NICE CKS DVT: warmth"),
    ("discoloured skin on my lower leg", "NICE CKS DVT: discolouration"),
    ("tender along the vein at the back of my calf", "Wells: tenderness along the deep veins"),
    ("my whole leg is swollen", "Wells: entire leg swollen"),
]


@pytest.mark.parametrize(("text", "source"), DVT)
def test_it_raises_a_leg_clot_in_other_words(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "dvt-suspected"), (text, source)


def test_warmth_that_soothes_the_legs_is_not_a_clot(kb: KnowledgeBase):
    assert "dvt-suspected" not in flags(kb, "a warm bath helps my legs")
    assert "dvt-suspected" not in flags(kb, "my legs are restless and hot at night")


# Stroke (NHS FAST) in clinical words: a facial droop, one-sided weakness.
STROKE = [
    ("facial droop", "NHS FAST: face"),
    ("the right side of my face is slanting", "NHS FAST: face fallen on one side"),
    ("left-sided hemiparesis", "NHS stroke symptoms: weakness on one side (clinical word)"),
]


@pytest.mark.parametrize(("text", "source"), STROKE)
def test_it_raises_stroke_signs_in_clinical_words(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "stroke-suspected"), (text, source)


def test_a_denied_facial_droop_is_quiet(kb: KnowledgeBase):
    assert "stroke-suspected" not in flags(kb, "no facial droop")


# Pulmonary embolism (NHS): pink frothy phlegm, chest pain worse breathing in, sudden
# breathlessness.
PE = [
    ("pink frothy sputum", "NHS pulmonary embolism: coughing up blood"),
    ("I cough up phlegm that is pink", "NHS pulmonary embolism: coughing up blood"),
    ("it hurts to take a deep breath", "NHS: chest pain that may be worse breathing in"),
    ("I was short of breath all of a sudden", "NHS: sudden breathlessness"),
]


@pytest.mark.parametrize(("text", "source"), PE)
def test_it_raises_a_clot_in_the_lung_in_other_words(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "pulmonary-embolism-suspected"), (text, source)


def test_a_pink_tongue_and_a_cough_are_not_bloody_phlegm(kb: KnowledgeBase):
    # a pale pink tongue is a TCM sign, a dry cough a Lung complaint: not in one clause
    assert "pulmonary-embolism-suspected" not in flags(kb, "pale pink tongue, dry cough")


# Cauda equina (NICE CKS sciatica red flags): retention, incontinence, lost control.
CAUDA = [
    ("I can't hold my urine any more", "NICE CKS: urinary incontinence"),
    ("I have trouble starting to pee", "NICE CKS: urinary retention, hesitancy"),
    ("loss of bladder or bowel control", "NHS cauda equina: loss of control"),
    ("saddle anaesthesia", "NICE CKS: saddle anaesthesia"),
]


@pytest.mark.parametrize(("text", "source"), CAUDA)
def test_it_raises_loss_of_bladder_or_bowel_control(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "cauda-equina-or-cord"), (text, source)


# "No change" is a pseudo-trigger for the reader ("no change in the pain" keeps the pain),
# but the danger here IS a change, so its denial keeps the plan on.
DENIED_CAUDA = [
    "bladder and bowels unchanged",
    "bowels are normal",
    "no changes to my bowel habit",
    "my bladder is working normally",
    "I get up to pee twice a night",  # night-time urination is common, not a lost control
]


@pytest.mark.parametrize("text", DENIED_CAUDA)
def test_an_unchanged_bladder_or_bowel_is_quiet(kb: KnowledgeBase, text):
    assert "cauda-equina-or-cord" not in flags(kb, text)


def test_a_denied_change_still_lets_a_real_one_through(kb: KnowledgeBase):
    # the denial reaches its own clause only
    assert flagged(
        kb, "bowels are normal, but I have lost control of my bladder", "cauda-equina-or-cord"
    )


def test_a_relatives_danger_is_still_theirs(kb: KnowledgeBase):
    # the first-person rule flips only words that say "me": a relative's stroke stays theirs
    hits = [h for h in scan(kb, ["my mother had a stroke"]) if h.flag == "stroke-suspected"]
    assert hits and all(h.status == "family" for h in hits)


def test_near_is_refused_on_rows_without_groups(kb: KnowledgeBase):
    bad = Hazard(
        flag="stroke-suspected",
        finding="face-drooping",
        terms=("droop",),
        near=2,
        refs=("nhs-fast",),
    )
    reading = kb.reading.model_copy(update={"hazards": (*kb.reading.hazards, bad)})
    problems = _check_reading_with(kb, reading)
    assert any(".near" in p for p in problems), problems


@pytest.mark.parametrize(
    ("text", "finding", "read"),
    [
        # the reader reads a row's `near` as the scan does: pink frothy phlegm brought up by
        # a cough is a clot in the lung (NHS), a pale pink tongue beside a dry cough is not
        ("coughing up pink frothy phlegm", "coughing-blood", True),
        ("pale pink tongue, dry cough", "coughing-blood", False),
        # a wish to be dead in the words of the C-SSRS screener (question 1), and a trigger
        # inside the danger's own words is part of it
        ("I wish I was dead", "thoughts-of-self-harm", True),
        ("I would not mind if I died in my sleep", "thoughts-of-self-harm", True),
        # urine that cannot be held (NICE CKS cauda equina)
        ("I can't hold my urine any more", "bladder-bowel-change", True),
    ],
)
def test_the_reader_reads_danger_words_near_each_other(kb: KnowledgeBase, text, finding, read):
    got = resolve([text], indexes(kb)[0])
    assert any(m.id == finding and m.status == "present" for m in got.matches) is read


def _check_reading_with(kb: KnowledgeBase, reading) -> list[str]:
    class Shim:
        def __getattr__(self, name):
            return reading if name == "reading" else getattr(kb, name)

    return _check_reading(Shim())  # type: ignore[arg-type]


# --- holdout3's misses (issue 8), fixed as families; wordings from other sources ----------

# A wish for it all to end or never to have been: passive ideation, a wish and not a plan.
PASSIVE_WISH = [
    ("sometimes I pray for it all to be over", "C-SSRS screener, question 1: a wish to be dead"),
    (
        "I wish I had never been born",
        "mentalhealthde.com: passive ideation, wishing one was never born",
    ),
    ("I keep thinking about no longer existing", "blackwallst.media: passive suicidal ideation"),
    ("I just want to close my eyes and disappear", "blackwallst.media: passive suicidal ideation"),
    # "wish to fall asleep and not wake up" (C-SSRS question 1) said as a want
    ("some nights I just want to sleep forever", "C-SSRS screener, question 1: a wish to be dead"),
]


@pytest.mark.parametrize(("text", "source"), PASSIVE_WISH)
def test_it_raises_a_wish_for_it_all_to_end(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "suicidal-thoughts"), (text, source)


QUIET_WISH = [
    "I wish the night would end sooner",
    "I want to stop being so tired all the time",
    "I wish this restlessness would disappear",
    "I do not wish it would all be over",  # a denial
    "I am so tired I could sleep forever",  # tiredness, no wish to be dead
    "I want to sleep through the night",
]


@pytest.mark.parametrize("text", QUIET_WISH)
def test_a_wish_about_the_legs_or_the_night_is_quiet(kb: KnowledgeBase, text):
    assert "suicidal-thoughts" not in flags(kb, text)


# Stroke: speech that sounds drunk or is lost, a hand or arm on one side that will not work.
STROKE_MORE = [
    (
        "his speech sounded drunk but he had not had a drink",
        "BMC Neurol 2019: stroke taken for drink",
    ),
    ("she was unable to speak for a few minutes", "NHS FAST: not able to talk at all"),
    ("sudden loss of speech", "NHS stroke symptoms: speech"),
    ("my left hand suddenly became clumsy", "NHS FAST: weakness or numbness in one arm"),
    ("I couldn't grip my cup with my right hand", "NHS FAST: weakness in one arm"),
    ("when he holds both arms up one arm drifts down on the left", "FAST test: one arm drifts"),
]


@pytest.mark.parametrize(("text", "source"), STROKE_MORE)
def test_it_raises_speech_and_hand_signs_of_a_stroke(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "stroke-suspected"), (text, source)


QUIET_STROKE = [
    "my hands are clumsy when they are cold",  # no side, no suddenness
    "I feel drunk with tiredness in the morning",  # no speech
    "he did not sound drunk and his speech was clear",  # denied
]


@pytest.mark.parametrize("text", QUIET_STROKE)
def test_clumsy_cold_hands_and_tiredness_are_not_a_stroke(kb: KnowledgeBase, text):
    assert "stroke-suspected" not in flags(kb, text)


# Foot drop: tripping, toes that catch or scrape, a high stepping walk (NHS, Patient.info,
# spine-health, NICE MIB56).
FOOT_DROP = [
    ("I keep tripping over kerbs", "NICE MIB56: drop foot raises the risk of trips"),
    ("my toes catch on the stairs", "Patient.info: the forefoot and toes catch on the floor"),
    ("high stepping gait", "Patient.info: lifting the leg high so the foot does not catch"),
    ("my toes scrape along the ground", "spine-health: scraping of the toes across the ground"),
]


@pytest.mark.parametrize(("text", "source"), FOOT_DROP)
def test_it_raises_foot_drop_in_other_words(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "new-neurological-deficit"), (text, source)


QUIET_FOOT = [
    "frequent trips to the toilet at night",  # nocturia, not a trip
    "I often stumble to the bathroom half asleep",
    "I have never tripped over anything",  # denied
]


@pytest.mark.parametrize("text", QUIET_FOOT)
def test_trips_to_the_toilet_are_not_foot_drop(kb: KnowledgeBase, text):
    assert "new-neurological-deficit" not in flags(kb, text)


# New leg weakness: weak legs that make rising from a chair hard (proximal weakness).
LEG_WEAKNESS = [
    (
        "my thighs are so weak I can't get up from a chair without help",
        "Pract Neurol 2019 (proximal weakness): trouble rising from a chair",
    ),
    ("weakness in my legs makes it hard to stand up from the sofa", "Pract Neurol 2019"),
]


@pytest.mark.parametrize(("text", "source"), LEG_WEAKNESS)
def test_it_raises_weak_legs_that_cannot_rise(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "new-neurological-deficit"), (text, source)


def test_getting_up_to_walk_it_off_is_not_weakness(kb: KnowledgeBase):
    # relief by movement (IRLSSG criterion 2), not a struggle to rise
    text = "getting up from the sofa to walk about eases my legs"
    assert "new-neurological-deficit" not in flags(kb, text)


# A clot in the leg: throbbing or tenderness with skin warm to the touch (NHS DVT, NICE CKS),
# whether or not the leg is named.
DVT_WARM = [
    ("it throbs and the skin feels warm around it", "NHS DVT: throbbing pain, warm skin"),
    ("the tender spot is warm to the touch", "NICE CKS DVT: tenderness, warmth"),
]


@pytest.mark.parametrize(("text", "source"), DVT_WARM)
def test_it_raises_a_warm_throbbing_place(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "dvt-suspected"), (text, source)


QUIET_WARM = [
    "a warm bath eases the throbbing in my legs",
    "I feel warm at night and my legs throb",  # a heat sign and an RLS word
]


@pytest.mark.parametrize("text", QUIET_WARM)
def test_a_warm_bath_and_feeling_warm_are_not_a_clot(kb: KnowledgeBase, text):
    assert "dvt-suspected" not in flags(kb, text)


# Chest pain of a heart attack, and a cough that brings up blood (NHS).
CHEST = [
    ("it felt like an elephant was sitting on my chest", "NHS heart attack: pressure, heaviness"),
    ("a squeezing feeling across my chest", "NHS heart attack: squeezing across the chest"),
    ("like a tight band around my chest", "NHS heart attack: tightness"),
    ("a cough that brings up blood", "NHS pulmonary embolism: coughing up blood"),
]


@pytest.mark.parametrize(("text", "source"), CHEST)
def test_it_raises_a_heart_attack_and_blood_brought_up(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "pulmonary-embolism-suspected"), (text, source)


def test_a_stuffy_heavy_chest_is_the_tcm_sign_not_an_emergency(kb: KnowledgeBase):
    # chest oppression (a TCM sign, findings/general.yaml) has no pressing weight or squeeze
    assert "pulmonary-embolism-suspected" not in flags(kb, "my chest feels stuffy and heavy")


# Bleeding after the menopause (NHS; NICE NG12: a suspected cancer referral at 55 and over):
# in one sentence it is read as the finding; across sentences the tag carries the menopause.
PMB = [
    ("light spotting two years after the menopause", "NHS: even spotting, after the menopause"),
    ("some brown discharge since my periods stopped", "NHS: pink or brown discharge"),
    (
        "My periods stopped when I was 51. Last week there was blood on the toilet paper.",
        "East Lancashire NHS: bleeding 12 months or more after the last period",
    ),
    ("I'm postmenopausal and bled a little after sex", "pelviclinic.co.uk: not normal to bleed"),
]


@pytest.mark.parametrize(("text", "source"), PMB)
def test_it_raises_bleeding_after_the_menopause(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "postmenopausal-bleeding"), (text, source)


def test_bleeding_after_the_menopause_refers_within_days(kb: KnowledgeBase):
    # read in one sentence, the red flag itself fires, at "urgent" (NHS: see a GP; NG12)
    from anmian.engine.assess import assess
    from anmian.engine.inputs import AssessmentInput

    person = AssessmentInput.model_validate(
        {"findings": ["spotting after the menopause"], "age": 58, "sex": "female"}
    )
    got = {r.id: r.urgency for r in assess(person, kb).safety.referrals}
    assert got.get("postmenopausal-bleeding") == "urgent", got


QUIET_PMB = [
    "no bleeding since the menopause",  # a denial
    "heavy bleeding before the menopause",  # heavy periods before it, not after
    "my blood pressure has gone up since the menopause",
]


@pytest.mark.parametrize("text", QUIET_PMB)
def test_the_menopause_without_bleeding_after_it_is_quiet(kb: KnowledgeBase, text):
    assert "postmenopausal-bleeding" not in flags(kb, text)


# A denied intent or plan is not a denied thought (C-SSRS asks of thoughts, then of the
# intention of acting on them); "the thoughts" may refer back to an earlier sentence.
THOUGHTS_KEPT = [
    (
        "I would never kill myself. But the thoughts are still there most days.",
        "C-SSRS: intent (question 4) denied, thoughts (question 2) not",
    ),
    (
        "I have no plan to end my life. I still have the thoughts, though.",
        "Business Insider 2023, chronic passive suicidal ideation: no plan, daily thoughts",
    ),
    (
        "Dark thoughts come most nights, but I'd never act on them",
        "The Mighty (quoted by craigontoast.com): thoughts without the intention to act",
    ),
]


@pytest.mark.parametrize(("text", "source"), THOUGHTS_KEPT)
def test_thoughts_kept_after_a_denied_intent_are_raised(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "suicidal-thoughts"), (text, source)


QUIET_THOUGHTS = [
    "I have no thoughts of suicide. I sleep badly and worry a lot.",
    "My racing thoughts keep me awake",
    "The thoughts are still there when I lie down",  # racing thoughts: no suicide before it
    "I have never had thoughts of harming myself and I never will.",
]


@pytest.mark.parametrize("text", QUIET_THOUGHTS)
def test_racing_thoughts_and_full_denials_are_quiet(kb: KnowledgeBase, text):
    assert "suicidal-thoughts" not in flags(kb, text)


# A clot said of a leg, a vein or a lung, or feared, is a clot; menstrual clots are a sign of
# Blood stasis (Maciocia), not a DVT. The bladder or bowels count with a change, a trouble or a
# loss of control (NICE CKS), not as digestion.
CLOT_OR_CAUDA = [
    (
        "I'm scared it's a blood clot",
        "dvt-suspected",
        "NHS DVT: get help if you think you have one",
    ),
    ("a clot behind my knee after the long flight", "dvt-suspected", "NHS DVT: after travel"),
    ("new problems with my bladder", "cauda-equina-or-cord", "NICE CKS: bladder dysfunction"),
    ("a change in bowel control", "cauda-equina-or-cord", "NICE CKS: loss of bowel control"),
]


@pytest.mark.parametrize(("text", "flag", "source"), CLOT_OR_CAUDA)
def test_a_feared_clot_and_a_changed_bladder_are_raised(kb: KnowledgeBase, text, flag, source):
    assert flagged(kb, text, flag), (text, source)


QUIET_DIGESTION = [
    ("painful periods with dark clots", "dvt-suspected"),
    ("menstrual blood with clots", "dvt-suspected"),
    ("sticky, incomplete bowel movements", "cauda-equina-or-cord"),
    ("my bowels swing between constipation and diarrhoea", "cauda-equina-or-cord"),
    ("loose stools, tired, weak limbs", "cauda-equina-or-cord"),
]


@pytest.mark.parametrize(("text", "flag"), QUIET_DIGESTION)
def test_period_clots_and_digestion_are_quiet(kb: KnowledgeBase, text, flag):
    assert flag not in flags(kb, text)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # NHS stroke symptoms: weakness or paralysis on one side of the body, the arm's and
        # the leg's side alike (as hemiplegia is read)
        ("sudden weakness on one side of my body", "present"),
        ("no weakness on one side of the body", "absent"),
    ],
)
def test_one_side_of_the_body_weak_is_a_stroke_sign(kb: KnowledgeBase, text, status):
    got = {(m.id, m.status) for m in resolve([text], indexes(kb)[0]).matches}
    assert {("arm-weakness-one-side", status), ("sudden-leg-weakness", status)} <= got
    hits = [h for h in scan(kb, [text]) if h.flag == "stroke-suspected"]
    assert hits and all(h.status == status for h in hits)


# --- holdout4's misses (the fourth blind split, README "Reading and safety"), fixed as
# families; each held here with wordings from OTHER sources than those rows, and with
# everyday sentences sharing the words that must stay quiet.
SELF_HARM_INDIRECT = [
    ("No one cares if I live or die", "lakesuicideprevention.org, verbal clues (indirect)"),
    ("Who cares if I'm dead", "ronniesawesomelist.com suicide step 1, indirect warning signs"),
    ("nobody would even notice if I disappeared", "988 Lifeline: feeling no one would miss them"),
    (
        "Soon, you won't have me to kick around anymore.",
        "Quebec Suicide Prevention Handbook 2014 (tse2015.ca), direct verbal messages",
    ),
    ("I'll soon be at peace.", "Quebec Suicide Prevention Handbook 2014, indirect messages"),
    (
        "You'll all be better off when I'm not around.",
        "Quebec Suicide Prevention Handbook 2014, indirect messages",
    ),
    ("He has been giving away cherished possessions", "NC State (dasa.ncsu.edu) warning signs"),
    ("Giving away prized possessions", "lakesuicideprevention.org, behavioural clues"),
    (
        "I can't see myself still being here next year",
        "NC State warning signs: cancelling plans as if there is no future",
    ),
    ("I'm tired of fighting. I just want it to be over.", "staynedelta.org, have you heard"),
    ("I don't see any way out of this.", "staynedelta.org, have you heard"),
    ("I just can't go on living like this", "ronniesawesomelist.com: I just can't go on"),
]


@pytest.mark.parametrize(("text", "source"), SELF_HARM_INDIRECT)
def test_it_raises_the_indirect_warning_signs_of_suicide(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "suicidal-thoughts"), (text, source)
    assert "finding:thoughts-of-self-harm" in flags(kb, text), (text, source)


QUIET_INDIRECT = [
    "no one would notice if my legs jiggled under the table",
    "who cares if I'm late for the appointment",
    "the pain will soon be gone once I stretch",
    "we gave away the old cot to my sister",
    "I can't see myself going back to work next month",
    "I can't see myself running a marathon",
    "I wonder what my legs would be like without the cramps",
    "I can't keep my legs still like this",
    "nobody in my family has had restless legs",
    "I have never wanted it all to end, only the restless legs",
]


@pytest.mark.parametrize("text", QUIET_INDIRECT)
def test_everyday_sentences_with_those_words_are_quiet(kb: KnowledgeBase, text):
    assert "suicidal-thoughts" not in flags(kb, text)


LEG_ARM_SPEECH = [
    # Wells 2003: calf swelling over 3 cm against the other leg
    ("calf swelling of more than 3 cm compared with the other leg", "dvt-suspected", "Wells"),
    ("my right calf is 4 cm bigger than the left", "dvt-suspected", "Wells (calf measured)"),
    ("one leg looks fatter than the other", "dvt-suspected", "Wells / NICE CKS asymmetry"),
    # NIHSS item 5 (motor arm): the raised arm drifts down; NHS FAST: keep both arms up
    ("the right arm drifts downward before ten seconds", "stroke-suspected", "NIHSS item 5"),
    ("he could not keep both arms raised", "stroke-suspected", "NHS FAST: keep them there"),
    ("suddenly it was hard to lift my left arm", "stroke-suspected", "NHS: cannot lift both"),
    # American Stroke Association: trouble speaking or difficulty understanding speech
    ("sudden confusion and difficulty understanding speech", "stroke-suspected", "ASA"),
    ("he suddenly could not talk or understand us", "stroke-suspected", "Stroke Association"),
]


@pytest.mark.parametrize(("text", "flag", "source"), LEG_ARM_SPEECH)
def test_it_raises_a_bigger_calf_a_drifting_arm_and_lost_speech(
    kb: KnowledgeBase, text, flag, source
):
    assert flagged(kb, text, flag), (text, source)


QUIET_LEG_ARM_SPEECH = [
    ("my calves are big from years of cycling", "dvt-suspected"),
    ("no difference in calf circumference", "dvt-suspected"),
    ("the nurse measured my calf circumference for stockings", "dvt-suspected"),
    ("lifting my left arm is hard since I hurt my shoulder", "stroke-suspected"),
    ("my hand drifts down to rub my calf when I sit", "stroke-suspected"),
    ("I can't talk about it with my husband", "stroke-suspected"),
    ("she did not talk at all during dinner", "stroke-suspected"),
    ("I could not understand what the doctor meant by ferritin", "stroke-suspected"),
]


@pytest.mark.parametrize(("text", "flag"), QUIET_LEG_ARM_SPEECH)
def test_big_calves_a_sore_shoulder_and_quiet_talk_are_not_danger(kb: KnowledgeBase, text, flag):
    assert flag not in flags(kb, text)


PREGNANCY_BLEEDING = [
    ("I am 16 weeks pregnant and losing blood", "NHS: vaginal bleeding in pregnancy"),
    ("brown discharge at 8 weeks pregnant", "Tommy's: spotting and brown discharge"),
    ("I'm 30 weeks and there is blood on my pad", "NHS: wear a pad to see how much"),
    ("she is 12 weeks and saw blood when she wiped", "NHS: bleeding in pregnancy"),
]


@pytest.mark.parametrize(("text", "source"), PREGNANCY_BLEEDING)
def test_it_raises_bleeding_in_pregnancy_in_other_words(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "bleeding-in-pregnancy"), (text, source)


QUIET_PREGNANCY_BLEEDING = [
    "blood on my pad, my period started today",  # no pregnancy
    "I am pregnant and lie with my legs on my heating pad",
    "I am 20 weeks pregnant, no bleeding at all",
]


@pytest.mark.parametrize("text", QUIET_PREGNANCY_BLEEDING)
def test_a_period_or_a_heating_pad_is_not_bleeding_in_pregnancy(kb: KnowledgeBase, text):
    assert "bleeding-in-pregnancy" not in flags(kb, text)


@pytest.mark.parametrize(
    "text",
    [
        "I can no longer tell when my bladder is full",  # NICE CKS: lost sense of filling
        "unaware that my bladder was full until I leaked",  # NHS cauda equina
        "I no longer feel when my bladder is full",  # "no longer" is the loss, now
    ],
)
def test_a_lost_sense_of_a_full_bladder_is_raised(kb: KnowledgeBase, text):
    assert flagged(kb, text, "cauda-equina-or-cord"), text
    assert "finding:bladder-bowel-change" in flags(kb, text), text


MEDICINE_WARNINGS = [
    # Cornelius 2010; AASM 2024: pathological gambling, compulsive shopping, hypersexuality
    ("since the ropinirole I have been gambling compulsively online", "impulse-control-problems"),
    ("my wife says I am obsessed with shopping since the patch", "impulse-control-problems"),
    ("new sexual urges that are out of character", "impulse-control-problems"),
    # FDA labels of pramipexole and ropinirole: falling asleep without warning during the day
    ("I fell asleep without warning in a meeting", "sudden-sleep-attacks"),
    ("he fell asleep in the middle of a conversation", "sudden-sleep-attacks"),
]


@pytest.mark.parametrize(("text", "finding"), MEDICINE_WARNINGS)
def test_it_reads_the_dopamine_medicines_warnings(kb: KnowledgeBase, text, finding):
    assert f"finding:{finding}" in flags(kb, text), text


QUIET_MEDICINE = [
    "I enjoy shopping at the weekend",
    "sex is painful since the menopause",
    "I can't stop moving my legs at night",
    "I can't fall asleep in the middle of the night",
    "I fall asleep easily but wake at 3 am",
]


@pytest.mark.parametrize("text", QUIET_MEDICINE)
def test_shopping_sex_and_night_waking_are_not_medicine_warnings(kb: KnowledgeBase, text):
    got = flags(kb, text)
    assert not {"finding:impulse-control-problems", "finding:sudden-sleep-attacks"} & got


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # "nobody" denies as "no one" does (NegEx's negation phrases)
        ("Nobody in the family has restless legs", "absent"),
        ("nobody else in my family has it", "absent"),
        ("my mother has restless legs too", "present"),
    ],
)
def test_nobody_in_the_family_denies_the_family_history(kb: KnowledgeBase, text, status):
    got = {(m.id, m.status) for m in resolve([text], indexes(kb)[0]).matches}
    assert ("family-history-rls", status) in got


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # ...but a complaint told as unheard is still the writer's (patients' forums: "no
        # one understands how tired I am")
        ("nobody understands how tired I am", "fatigue"),
        ("no one believes me, my legs crawl every night", "leg-crawling"),
        ("nobody knows why my legs crawl at night", "leg-crawling"),
    ],
)
def test_nobody_understanding_a_complaint_does_not_deny_it(kb: KnowledgeBase, text, finding):
    got = {(m.id, m.status) for m in resolve([text], indexes(kb)[0]).matches}
    assert (finding, "present") in got


def _pregnancy_tag(kb: KnowledgeBase, text: str) -> bool:
    return any(h.tag == "pregnancy" and h.status != "absent" for h in scan(kb, [text]))


@pytest.mark.parametrize(
    ("text", "tagged"),
    [
        # pregnancy by its weeks, as forums and midwives' notes write it (issue 8)
        ("I'm 20 weeks and my legs are restless every night", True),
        ("she is 34 weeks now", True),
        # weeks of something else
        ("I am 2 weeks into physio for my back", False),
        ("I am 3 weeks post op", False),
        ("I am two weeks off work with my legs", False),
    ],
)
def test_pregnancy_given_by_its_weeks_sets_the_tag(kb: KnowledgeBase, text, tagged):
    assert _pregnancy_tag(kb, text) is tagged


@pytest.mark.parametrize(
    ("text", "raised"),
    [
        # NHS cauda equina warning signs: not knowing when you need to go, loss of sensation
        # when you pass urine; NICE CKS: retention (a bladder that still feels full)
        ("I don't know when I need to pee any more", True),
        ("I can't feel myself peeing", True),
        ("my bladder still feels full after I pee", True),
        # the sense kept, and an ordinary full bladder at night
        ("I always know when I need to pee", False),
        ("I can feel when my bladder is full, no problems there", False),
        ("I do know when my bladder is full", False),
        ("I wake up at night with a full bladder", False),
    ],
)
def test_the_bladders_sense_lost_is_raised_and_the_sense_kept_is_quiet(
    kb: KnowledgeBase, text, raised
):
    assert flagged(kb, text, "cauda-equina-or-cord") is raised, text


@pytest.mark.parametrize(
    ("text", "source"),
    [
        # NHS, sciatica and cauda equina syndrome: loss of feeling in one or both legs
        ("I have lost the feeling in both legs", "NHS cauda equina syndrome"),
        ("since yesterday I can't feel my left foot", "NHS sciatica: numbness in a leg"),
        ("there is no sensation in my toes", "patient.info, loss of sensation"),
    ],
)
def test_feeling_lost_in_a_leg_holds_the_plan(kb: KnowledgeBase, text, source):
    assert flagged(kb, text, "new-neurological-deficit"), source


@pytest.mark.parametrize(
    "text",
    [
        "I can't feel the cold anymore",  # a denial of feeling cold, naming no leg
        "I can feel my legs perfectly well",
        "no numbness or tingling in my feet",
    ],
)
def test_feeling_kept_or_the_cold_not_felt_is_quiet(kb: KnowledgeBase, text):
    assert not flagged(kb, text, "new-neurological-deficit")
