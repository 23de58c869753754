"""The self-check's rules for what people write in their own words.

Free text becomes the engine's findings (one phrase per line or sentence); the engine reads
it, and what it was not sure of is put back to the person as yes/no questions. A confirmed
answer replaces the words it was about, so "maybe some chest pain" answered "no" is read
as a denial, not as a doubt that keeps the plan on hold.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from anmian.engine import InputError
from anmian.engine.intake import IntakeResult, next_step
from anmian.engine.zh_result import add_chinese, chinese_first, language, to_simplified
from anmian.knowledge import KnowledgeBase
from anmian.knowledge.models import ExclusiveQuestion

MAX_TEXT = 2000  # characters in the free-text answer
MAX_PHRASES = 30  # phrases passed to the engine from it
MAX_PHRASE = 200  # the engine's limit for one finding
MAX_ITEM = 100  # the engine's limit for one medicine or condition

CONFIRM = "confirm"  # answers[CONFIRM] = {"phrases": {written: kept}, "answers": [...]}
SHOW_PLAN = "show_plan"  # the person chose to see the plan before confirming

# A sentence ends at a full stop (or ! ?) followed by a space, or at a line break; a stop
# inside "0.5 mg" does not end one.
# Chinese ends a sentence with 。！？ and no space after it, so those split without one.
_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*|[\r\n]+")
# the commas a list is written with: Chinese separates with ，or the enumeration comma 、
_ITEM = re.compile(r"[,，、;；]")


def gettext_noop(text: str) -> str:
    """Marks a heading for makemessages (its keyword); it is translated where shown."""
    return text


STATUS_WORDS = [
    ("uncertain", gettext_noop("Not sure")),
    ("present", gettext_noop("Present")),
    ("absent", gettext_noop("Not present")),
    ("historical", gettext_noop("In the past")),
    ("family", gettext_noop("About someone else")),
    ("other", gettext_noop("About someone else")),
]


def phrases(text: str | None) -> list[str]:
    """Free text as phrases: split on line breaks and full stops, blanks dropped."""
    # A closing full stop is dropped (it adds nothing and reads oddly when quoted back);
    # "?" and "!" stay, as the reader may take a question as a doubt.
    return [
        p.strip().rstrip(".。").rstrip()
        for p in _SENTENCE.split(text or "")
        if p.strip(" \t.!?。！？")
    ]


def items(text: str | None) -> list[str]:
    """A single-line answer that may list several things, separated by commas (，、 in
    Chinese) or semicolons."""
    return [p.strip() for p in _ITEM.split(text or "") if p.strip()]


def story_problem(text: str) -> str | None:
    """Why the free text cannot be read as it is, in words for the person; None if it can."""
    from django.utils.translation import gettext

    found = phrases(text)
    if len(found) > MAX_PHRASES:
        return gettext(
            "That is %(n)s sentences; Anmian reads up to %(most)s. "
            "Keep to what matters most, or tell your practitioner the rest."
        ) % {"n": len(found), "most": MAX_PHRASES}
    for p in found:
        if len(p) > MAX_PHRASE:
            return gettext(
                "The sentence beginning “%(start)s…” is longer than %(most)s characters. "
                "Break it up with full stops or new lines."
            ) % {"start": p[:40], "most": MAX_PHRASE}
    return None


def record(answers: dict[str, Any], identifier: str, data: dict[str, Any]) -> None:
    """Keep a step's answers. New words forget the confirmations given for the old ones."""
    if identifier == "notes" and answers.get("notes", {}).get("story") != data.get("story"):
        answers.pop(CONFIRM, None)
        answers.pop(SHOW_PLAN, None)
    answers[identifier] = data


def own_words(story: str | None, confirm: dict[str, Any] | None) -> list[str]:
    """The free text's phrases as the engine gets them, after the confirmations' changes."""
    kept: dict[str, str] = (confirm or {}).get("phrases", {})
    out: list[str] = []
    for p in phrases(story):
        seen = set()
        while p in kept and p not in seen:  # a kept remnant may itself have been confirmed
            seen.add(p)
            p = kept[p]
        if p:
            out.append(p)
    return out


def written_findings(story: str | None, confirm: dict[str, Any] | None) -> list[str]:
    """The free text's phrases as findings, with the person's confirmations applied."""
    out = own_words(story, confirm)
    for a in (confirm or {}).get("answers", []):
        out.append(a["finding"] if a["answer"] == "yes" else f"no {a['finding']}")
    return list(dict.fromkeys(out))


def pending(result: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Uncertain readings not yet answered, one per finding, with the words they came from."""
    answered = {(a["text"], a["finding"]) for a in answers.get(CONFIRM, {}).get("answers", [])}
    out: dict[str, dict[str, Any]] = {}
    for r in result["input"].get("readings", {}).get("uncertain", []):
        if (r["text"], r["finding"]) in answered:
            continue
        entry = out.setdefault(
            r["finding"], {"finding": r["finding"], "label": r["label"], "texts": []}
        )
        if r["text"] not in entry["texts"]:
            entry["texts"].append(r["text"])
    return list(out.values())


def _cut(text: str, words: str) -> str | None:
    """The text without the first occurrence of words (any case), or None if absent."""
    at = text.casefold().find(words.casefold()) if words else -1
    if at < 0:
        return None
    return " ".join(f"{text[:at]} {text[at + len(words) :]}".split())


def _flags_of(kb: KnowledgeBase, finding: str) -> set[str]:
    return {
        flag.id
        for flag in kb.red_flags.values()
        if any(f"finding:{finding}" in clause for clause in flag.when)
    }


def confirm(
    answers: dict[str, Any], result: dict[str, Any], choices: dict[str, str], kb: KnowledgeBase
) -> None:
    """Record yes/no answers (finding id -> "yes" | "no") to the uncertain readings.

    Each phrase that held an answered reading is replaced by the answer: dropped when
    nothing else was read in it, else kept without the answered words so its other findings
    still count. Danger words in it that the answer is not about keep the phrase whole
    ("I might not want to wake up" answered "no" to waking often must still be seen as a
    danger sign), and so does any phrase whose words cannot be cut out cleanly."""
    store = answers.setdefault(CONFIRM, {"phrases": {}, "answers": []})
    readings = result["input"].get("readings", {})
    touched: dict[str, list[dict[str, Any]]] = {}  # phrase -> its answered readings
    for r in readings.get("uncertain", []):
        if r["finding"] not in choices:
            continue
        store["answers"].append(
            {"text": r["text"], "finding": r["finding"], "answer": choices[r["finding"]]}
        )
        touched.setdefault(r["text"], []).append(r)
    for text, done in touched.items():
        answered = {r["finding"] for r in done}
        others = [
            r
            for status, rows in readings.items()
            for r in rows
            if r["text"] == text and not (status == "uncertain" and r["finding"] in answered)
        ]
        flags = {f for r in done for f in _flags_of(kb, r["finding"])}
        reads = [r["read"].casefold() for r in done]
        danger = [
            h
            for h in result["input"].get("hazards", [])
            if h["text"] == text
            and h["status"] != "absent"
            and not (
                h["flag"] in flags
                and any(h["words"].casefold() in w or w in h["words"].casefold() for w in reads)
            )
        ]
        if danger:
            store["phrases"][text] = text
        elif not others:
            store["phrases"][text] = ""
        else:
            kept: str | None = text
            for r in done:
                kept = _cut(kept, r["read"]) if kept else None
            intact = kept and all(o["read"].casefold() in kept.casefold() for o in others)
            store["phrases"][text] = kept if intact and kept else text


def reading_report(
    result: dict[str, Any],
    kb: KnowledgeBase,
    words: list[str] | None = None,
    asked: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """What the person wrote and how it was read, in plain words (labels, never ids).

    Only readings of `words` (the person's own phrases) are reported; without them (a saved
    assessment), every reading except a ticked box (its text is the finding's id). Readings
    `asked` about (see `pending`) are left to the questions."""
    from django.utils.translation import gettext

    waiting = {(t, a["finding"]) for a in asked or [] for t in a["texts"]}
    code = _page_language()
    # .get: assessments saved by an older engine have no readings; in Chinese each label
    # reads "中文 (English)", as on the rest of the page
    readings = in_language(result, kb, code)["input"].get("readings", {})
    groups: dict[str, list[dict[str, str]]] = {}

    def label(fid: str) -> str:
        f = kb.findings[fid]
        if code == "en" or not f.zh:
            return f.label
        return f"{to_simplified(f.zh) if code == 'zh-Hans' else f.zh} ({f.label})"

    for status, english in STATUS_WORDS:
        heading = gettext(english)
        rows = [
            r
            for r in readings.get(status, [])
            if (r["text"] in words if words is not None else r["text"] != r["finding"])
            and (r["text"], r["finding"]) not in waiting
        ]
        if rows:
            groups.setdefault(heading, []).extend(rows)
    unresolved = [
        {
            "text": u["part"],
            "closest": [label(s) for s in u["suggestions"] if s in kb.findings],
        }
        for u in result["input"].get("unresolved", [])
    ]
    return {
        "groups": list(groups.items()),
        "unresolved": unresolved,
        "medicines": result["input"].get("unknown_medications", []),
        "conditions": result["input"].get("unknown_conditions", []),
        "any": bool(
            groups
            or unresolved
            or result["input"].get("unknown_medications")
            or result["input"].get("unknown_conditions")
        ),
    }


def in_language(result: dict[str, Any], kb: KnowledgeBase, lang: str | None) -> dict[str, Any]:
    """The result as shown in the page's language: in Chinese, names read "中文 (English)" and
    the prose the base has in Chinese reads in Chinese, as in the CLI's reports; the rules
    still use the result itself."""
    code = language(lang)
    return result if code == "en" else chinese_first(add_chinese(result, kb, code))


def _page_language() -> str:
    from django.utils.translation import get_language

    return language(get_language())


def result_extras(
    result: dict[str, Any],
    kb: KnowledgeBase,
    words: list[str] | None = None,
    asked: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """What a results page shows beyond the engine's result: the reading and the hold.

    On hold, the `check:` referrals (what to do now about the words that raised it) are
    shown apart, at the very top, so they are not lost among the routine ones."""
    held = result["plan"].get("status") == "on-hold"
    # in the page's language: a Chinese page reads "請安排抽血檢查鐵質 (Ask for an iron ...)"
    refs = in_language(result, kb, _page_language())["safety"].get("referrals", [])
    return {
        "read": reading_report(result, kb, words, asked),
        "holds": hold_reasons(result, kb),
        "hold_referrals": [r for r in refs if held and r["id"].startswith("check:")],
        "referrals": [r for r in refs if not (held and r["id"].startswith("check:"))],
    }


def hold_reasons(result: dict[str, Any], kb: KnowledgeBase) -> list[dict[str, str]]:
    """Why the plan is on hold: the words written and the danger sign they may be."""
    out = []
    for h in result["safety"].get("holds", []):
        flag = kb.red_flags.get(h["flag"])
        if flag is not None:
            title = flag.title
            code = _page_language()
            if code != "en" and flag.zh_title:
                zh = to_simplified(flag.zh_title) if code == "zh-Hans" else flag.zh_title
                title = f"{zh} ({flag.title})"
            out.append({"text": h["text"], "title": title, "urgency": h["urgency"]})
    return out


@lru_cache(maxsize=4)
def datalists(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Suggestions for the free-text medicine and condition fields, from the knowledge base."""

    def unique(names: list[str]) -> list[str]:
        seen: dict[str, str] = {}
        for n in names:
            seen.setdefault(n.casefold(), n)
        return sorted(seen.values(), key=str.casefold)

    medicines = [n for m in kb.medications.values() for n in (m.name, *m.synonyms)]
    medicines += [n for d in kb.drug_classes.values() for n in (d.name, *d.synonyms)]
    conditions = [n for c in kb.conditions.values() for n in (c.name, *c.synonyms)]
    return {"medicine-names": unique(medicines), "condition-names": unique(conditions)}


# --- the short path: the adaptive intake, one question a screen ---------------------------

INTAKE = "intake"  # answers[INTAKE] = {"present": [...], "absent": [...], "unsure": [...],
#                   "order": [finding ids in the order they were answered],
#                   "confirmed": [finding ids asked a second time (a confirmation)]}
ANSWER_LISTS = {"yes": "present", "no": "absent", "unsure": "unsure"}


def intake_request(
    answers: dict[str, Any], data: dict[str, Any], kb: KnowledgeBase
) -> dict[str, Any]:
    """The engine's intake request for the session: what the wizard's steps answered (`data`,
    their assessment input) and the short path's own answers. A step not yet answered is left
    out, so the intake asks it (and the view sends the person to that step)."""
    mine = answers.get(INTAKE, {})
    # two answers of one grouped question both ticked (on the long form) cannot be given to
    # the intake: they are left unanswered, and the view asks the question again (clashes)
    clashing = {f for _, both in clashes(answers, data, kb) for f in both}
    present = [f for f in _said_yes(answers, data, kb) if f not in clashing]
    said = set(present)
    req: dict[str, Any] = {
        "present": present,
        "absent": [f for f in mine.get("absent", []) if f not in said],
        "unsure": [f for f in mine.get("unsure", []) if f not in said],
    }
    if "safety" in answers:  # a red flag not ticked on the safety step is a "no"
        req["absent"] += [
            f.id
            for f in kb.findings.values()
            if f.category == "red-flag" and f.id not in said and f.id not in req["absent"]
        ]
    req["unsure"] = [f for f in req["unsure"] if f not in req["absent"]]
    answered = {*req["present"], *req["absent"], *req["unsure"]}
    req["confirmed"] = [f for f in mine.get("confirmed", []) if f in answered]
    if "screening" in answers:
        req["screening"] = data["screening"]
    if "context" in answers:
        for key in ("pregnant", "breastfeeding", "medications", "conditions", "labs"):
            if key in data:
                req[key] = data[key]
    if "notes" in answers:
        req["text"] = [f for f in data["findings"] if f not in kb.findings]
    for key in ("age", "sex", "severity"):
        if key in data:
            req[key] = data[key]
    return req


def _said_yes(answers: dict[str, Any], data: dict[str, Any], kb: KnowledgeBase) -> list[str]:
    """The findings the session says yes to: ticked on the long form or answered yes."""
    mine = answers.get(INTAKE, {})
    # a finding ticked on the long form and taken back when asked again is no longer a yes
    taken_back = set(mine.get("absent", [])) | set(mine.get("unsure", []))
    ticked = [f for f in data["findings"] if f in kb.findings and f not in taken_back]
    return list(dict.fromkeys([*ticked, *mine.get("present", [])]))


def clashes(
    answers: dict[str, Any], data: dict[str, Any], kb: KnowledgeBase
) -> list[tuple[ExclusiveQuestion, list[str]]]:
    """The grouped questions (findings that exclude each other) with two or more of their
    findings said yes to, as when both were ticked on the long form, each with those findings.
    The intake refuses such answers; the short path asks each of these questions again."""
    said = set(_said_yes(answers, data, kb))
    out = []
    for q in kb.intake.exclusive:
        both = [f for f in q.findings if f in said]
        if len(both) > 1:
            out.append((q, both))
    return out


def untick(answers: dict[str, Any], steps: list[str], findings: list[str]) -> None:
    """Clear the long form's ticks of `findings` on the steps `steps`: a later answer on the
    short path (no, not sure, or another answer of a grouped question) replaces them, so the
    long form and the results show what the person says now."""
    for ident in steps:
        ticks = answers.get(ident)
        if isinstance(ticks, dict):
            for f in findings:
                if ticks.get(f) is True:
                    ticks[f] = False


def record_answer(
    answers: dict[str, Any], finding: str, answer: str, confirming: bool = False
) -> None:
    """Keep one answer of the short path; answering again (after going back) replaces it, and
    the answers given after it are kept: they are still true of the person. `confirming`: the
    answer to a confirmation (the finding asked a second time), kept as its answer too."""
    mine = answers.setdefault(INTAKE, {"present": [], "absent": [], "unsure": [], "order": []})
    for name in ANSWER_LISTS.values():
        mine[name] = [f for f in mine.get(name, []) if f != finding]
    mine[ANSWER_LISTS[answer]].append(finding)
    if finding not in mine["order"]:
        mine["order"].append(finding)
    if confirming and finding not in mine.setdefault("confirmed", []):
        mine["confirmed"].append(finding)


CHOICE = "choice:"  # answers[INTAKE]["order"] holds a grouped question as CHOICE + its id


def record_choice(answers: dict[str, Any], group: str, findings: list[str], chosen: str) -> None:
    """Keep the answer to a grouped question (findings that exclude each other): `chosen` is
    one of `findings` (a yes; the others no), "none" (all no) or "unsure" (all not sure)."""
    mine = answers.setdefault(INTAKE, {"present": [], "absent": [], "unsure": [], "order": []})
    for name in ANSWER_LISTS.values():
        mine[name] = [f for f in mine.get(name, []) if f not in findings]
    if chosen == "unsure":
        mine["unsure"] += findings
    else:
        mine["present"] += [f for f in findings if f == chosen]
        mine["absent"] += [f for f in findings if f != chosen]
    if CHOICE + group not in mine["order"]:
        mine["order"].append(CHOICE + group)


def given_choice(answers: dict[str, Any], findings: list[str]) -> str | None:
    """The answer given to a grouped question: the finding said yes to, none or unsure."""
    mine = answers.get(INTAKE, {})
    chosen = next((f for f in findings if f in mine.get("present", [])), None)
    if chosen is not None:
        return chosen
    for answer in ("absent", "unsure"):
        if findings and all(f in mine.get(answer, []) for f in findings):
            return "none" if answer == "absent" else "unsure"
    return None


def given_answer(answers: dict[str, Any], finding: str) -> str | None:
    mine = answers.get(INTAKE, {})
    return next((a for a, name in ANSWER_LISTS.items() if finding in mine.get(name, [])), None)


def previous_question(answers: dict[str, Any], finding: str | None) -> str | None:
    """The question answered before this one (or the last one answered, for a new one): a
    finding's id, or CHOICE + a grouped question's id."""
    order: list[str] = answers.get(INTAKE, {}).get("order", [])
    if finding in order:
        at = order.index(finding)
        return order[at - 1] if at else None
    return order[-1] if order else None


def next_question(req: dict[str, Any], kb: KnowledgeBase) -> IntakeResult | None:
    """The intake's step for the session; None when the session cannot make a request (a
    finding the knowledge base no longer has): the results page then assesses what it can."""
    try:
        return next_step(req, kb)
    except InputError:
        return None


CHECKLIST = "list:"  # answers[INTAKE]["order"] holds a checklist as CHECKLIST + its id


def record_checklist(
    answers: dict[str, Any], group: str, findings: list[str], ticked: list[str], unsure: bool
) -> None:
    """Keep the answer to a checklist ("which of these do you notice?"): the findings
    `ticked` are a yes; the others of `findings` a no, or not sure when `unsure` (the person
    is not sure about the ones left unticked). Answering again replaces the answer."""
    mine = answers.setdefault(INTAKE, {"present": [], "absent": [], "unsure": [], "order": []})
    for name in ANSWER_LISTS.values():
        mine[name] = [f for f in mine.get(name, []) if f not in findings]
    mine["present"] += [f for f in findings if f in ticked]
    mine["unsure" if unsure else "absent"] += [f for f in findings if f not in ticked]
    if CHECKLIST + group not in mine["order"]:
        mine["order"].append(CHECKLIST + group)


def given_checklist(answers: dict[str, Any], findings: list[str]) -> tuple[list[str], bool]:
    """The answer given to a checklist: the findings ticked, and whether the person was not
    sure about the rest."""
    mine = answers.get(INTAKE, {})
    ticked = [f for f in findings if f in mine.get("present", [])]
    unsure = any(f in mine.get("unsure", []) for f in findings)
    return ticked, unsure


def record_recheck(answers: dict[str, Any], findings: list[str], kept: list[str]) -> None:
    """Keep the answer to a second look at yes answers: every one of `findings` has been
    asked twice (confirmed); those not `kept` (unticked) are a no now."""
    mine = answers.setdefault(INTAKE, {"present": [], "absent": [], "unsure": [], "order": []})
    twice = mine.setdefault("confirmed", [])
    twice += [f for f in findings if f not in twice]
    dropped = [f for f in findings if f not in kept]
    for name in ANSWER_LISTS.values():
        mine[name] = [f for f in mine.get(name, []) if f not in dropped]
    mine["absent"] += dropped
    # a finding ticked on the long form (not in the short path's lists) and kept stays a yes
    # through the long form; one answered on the short path is already in present
