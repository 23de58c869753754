"""Danger signs in free notes (a diary night's notes, a practitioner's session notes).

A note is read by the same reader and hazard scan as an assessment, so "no chest pain" is
quiet and "I don't want to wake up any more" is not, however it is worded. A note knows
nothing of the person's tags, so a red flag fires on its findings alone (the cautious
reading), and a flag that needs a tag (bleeding in pregnancy) fires when the notes
themselves say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from anmian.engine.hazards import scan
from anmian.engine.resolve import PRESENT, UNCERTAIN, indexes, resolve
from anmian.engine.safety import URGENCY_ORDER
from anmian.knowledge import KnowledgeBase


@dataclass(frozen=True)
class NoteAlert:
    flag: str
    urgency: str  # emergency | urgent | routine
    title: str
    advice: str  # what to do now, addressed to the person
    text: str  # the note it came from
    words: str  # the words that raised it
    sure: bool  # read as a red-flag finding (True) or only near one (False)


def alerts(kb: KnowledgeBase, texts: Iterable[str]) -> list[NoteAlert]:
    """Every danger sign written in the notes, most urgent first, one per flag."""
    texts = [t for t in texts if t and t.strip()]
    if not texts:
        return []
    findings = resolve(texts, indexes(kb)[0])
    live = {m.id: m for m in findings.matches if m.status in (PRESENT, UNCERTAIN)}
    hazards = scan(kb, texts)
    tags = {h.tag for h in hazards if h.tag and h.status in (PRESENT, UNCERTAIN)}
    out: dict[str, NoteAlert] = {}
    for flag in kb.red_flags.values():
        hit = None
        for clause in flag.when:
            named = [ref.removeprefix("finding:") for ref in clause if ref.startswith("finding:")]
            found = [live[fid] for fid in named if fid in live]
            if found:
                hit = hit or found[0]
            elif named:  # a clause of findings that none of the notes shows
                hit = None
                break
        if hit is not None:
            out[flag.id] = NoteAlert(
                flag.id,
                flag.urgency,
                flag.title,
                " ".join(flag.reason.split()),
                hit.text,
                hit.part,
                True,
            )
    for h in hazards:
        if not h.flag or h.flag in out or h.flag not in kb.red_flags:
            continue
        if h.status not in (PRESENT, UNCERTAIN) or (h.when_tag and h.when_tag not in tags):
            continue
        flag = kb.red_flags[h.flag]
        out[h.flag] = NoteAlert(
            h.flag, flag.urgency, flag.title, " ".join(flag.reason.split()), h.text, h.words, False
        )
    return sorted(out.values(), key=lambda a: (URGENCY_ORDER[a.urgency], a.flag))
