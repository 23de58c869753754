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

from anmian.knowledge import KnowledgeBase

MAX_TEXT = 2000  # characters in the free-text answer
MAX_PHRASES = 30  # phrases passed to the engine from it
MAX_PHRASE = 200  # the engine's limit for one finding
MAX_ITEM = 100  # the engine's limit for one medicine or condition

CONFIRM = "confirm"  # answers[CONFIRM] = {"phrases": {written: kept}, "answers": [...]}
SHOW_PLAN = "show_plan"  # the person chose to see the plan before confirming

# A sentence ends at a full stop (or ! ?) followed by a space, or at a line break; a stop
# inside "0.5 mg" does not end one.
_SENTENCE = re.compile(r"(?<=[.!?])\s+|[\r\n]+")

STATUS_WORDS = [
    ("uncertain", "Not sure"),
    ("present", "Present"),
    ("absent", "Not present"),
    ("historical", "In the past"),
    ("family", "About someone else"),
    ("other", "About someone else"),
]


def phrases(text: str | None) -> list[str]:
    """Free text as phrases: split on line breaks and full stops, blanks dropped."""
    return [p.strip() for p in _SENTENCE.split(text or "") if p.strip(" \t.!?")]


def items(text: str | None) -> list[str]:
    """A single-line answer that may list several things, separated by commas."""
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def story_problem(text: str) -> str | None:
    """Why the free text cannot be read as it is, in words for the person; None if it can."""
    found = phrases(text)
    if len(found) > MAX_PHRASES:
        return (
            f"That is {len(found)} sentences; Anmian reads up to {MAX_PHRASES}. "
            "Keep to what matters most, or tell your practitioner the rest."
        )
    for p in found:
        if len(p) > MAX_PHRASE:
            return (
                f'The sentence beginning "{p[:40]}…" is longer than {MAX_PHRASE} characters. '
                "Break it up with full stops or new lines."
            )
    return None


def record(answers: dict[str, Any], identifier: str, data: dict[str, Any]) -> None:
    """Keep a step's answers. New words forget the confirmations given for the old ones."""
    if identifier == "notes" and answers.get("notes", {}).get("story") != data.get("story"):
        answers.pop(CONFIRM, None)
        answers.pop(SHOW_PLAN, None)
    answers[identifier] = data


def written_findings(story: str | None, confirm: dict[str, Any] | None) -> list[str]:
    """The free text's phrases as findings, with the person's confirmations applied."""
    confirm = confirm or {}
    kept: dict[str, str] = confirm.get("phrases", {})
    out: list[str] = []
    for p in phrases(story):
        seen = set()
        while p in kept and p not in seen:  # a kept remnant may itself have been confirmed
            seen.add(p)
            p = kept[p]
        if p:
            out.append(p)
    for a in confirm.get("answers", []):
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


def confirm(answers: dict[str, Any], result: dict[str, Any], choices: dict[str, str]) -> None:
    """Record yes/no answers (finding id -> "yes" | "no") to the uncertain readings.

    Each phrase that held an answered reading is replaced: dropped when nothing else was
    read in it, else kept without the answered words, so its other findings and any danger
    words elsewhere in it still count. When the words cannot be cut out the phrase is kept
    whole (the cautious reading)."""
    store = answers.setdefault(CONFIRM, {"phrases": {}, "answers": []})
    readings = result["input"]["readings"]
    touched: dict[str, list[str]] = {}  # phrase -> the answered words in it
    for r in readings.get("uncertain", []):
        if r["finding"] not in choices:
            continue
        store["answers"].append(
            {"text": r["text"], "finding": r["finding"], "answer": choices[r["finding"]]}
        )
        touched.setdefault(r["text"], []).append(r["read"])
    for text, cut in touched.items():
        others = [
            r
            for status, rows in readings.items()
            for r in rows
            if r["text"] == text and not (status == "uncertain" and r["finding"] in choices)
        ]
        danger = [
            h
            for h in result["input"]["hazards"]
            if h["text"] == text
            and not any(
                h["words"].casefold() in w.casefold() or w.casefold() in h["words"].casefold()
                for w in cut
            )
        ]
        if not others and not danger:
            store["phrases"][text] = ""
            continue
        kept: str | None = text
        for words in cut:
            kept = _cut(kept, words) if kept is not None else None
        store["phrases"][text] = kept if kept else text


def reading_report(result: dict[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """What the person wrote and how it was read, in plain words (labels, never ids).

    Ticked boxes and confirmed answers (the text is the finding's id) are left out: only
    the person's own words are reported."""
    # .get: assessments saved by an older engine have no readings.
    readings = result["input"].get("readings", {})
    groups: dict[str, list[dict[str, str]]] = {}
    for status, heading in STATUS_WORDS:
        rows = [
            r
            for r in readings.get(status, [])
            if r["text"] not in (r["finding"], f"no {r['finding']}")  # a box or a confirmation
        ]
        if rows:
            groups.setdefault(heading, []).extend(rows)
    unresolved = [
        {
            "text": u["part"],
            "closest": [kb.findings[s].label for s in u["suggestions"] if s in kb.findings],
        }
        for u in result["input"].get("unresolved", [])
    ]
    return {
        "groups": list(groups.items()),
        "unresolved": unresolved,
        "medicines": result["input"].get("unknown_medications", []),
        "conditions": result["input"].get("unknown_conditions", []),
        "any": bool(groups or unresolved),
    }


def result_extras(result: dict[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """What a results page shows beyond the engine's result: the reading and the hold.

    On hold, the `check:` referrals (what to do now about the words that raised it) are
    shown apart, at the very top, so they are not lost among the routine ones."""
    held = result["plan"].get("status") == "on-hold"
    refs = result["safety"].get("referrals", [])
    return {
        "read": reading_report(result, kb),
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
            out.append({"text": h["text"], "title": flag.title, "urgency": h["urgency"]})
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
