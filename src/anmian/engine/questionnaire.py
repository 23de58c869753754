"""Adaptive intake: ask next the finding that best separates the leading patterns.

Each pattern's stake in a finding is its weight for it (positive) or against it
(negative). The next question is the unasked finding whose stakes differ most across the
leading patterns. Intake stops when no answer to the remaining questions could change
which pattern leads.
"""

from __future__ import annotations

from anmian.engine.differentiate import _denominator, differentiate
from anmian.engine.resolve import indexes, resolve
from anmian.knowledge import KnowledgeBase
from anmian.knowledge.models import Finding

CONTENDERS = 3


class Intake:
    def __init__(self, kb: KnowledgeBase, sex: str | None = None):
        self.kb = kb
        self.sex = sex  # a finding only the other sex can have is never asked
        self.present: set[str] = set()
        self.asked: set[str] = set()
        # finding -> pattern -> stake
        self.stakes: dict[str, dict[str, float]] = {}
        self.keys: dict[str, set[str]] = {}  # finding -> patterns it is key to
        for p in kb.patterns.values():
            for f in p.findings:
                self.stakes.setdefault(f.finding, {})[p.id] = f.weight
                if f.key:
                    self.keys.setdefault(f.finding, set()).add(p.id)
            for f in p.against:
                self.stakes.setdefault(f.finding, {})[p.id] = -f.weight

    def add_text(self, text: str) -> list[str]:
        found = resolve([text], indexes(self.kb)[0]).ids
        self.present.update(found)
        self.asked.update(found)
        return found

    def answer(self, finding_id: str, yes: bool | None) -> None:
        self.asked.add(finding_id)
        if yes:
            self.present.add(finding_id)

    def _open(self, finding_id: str) -> bool:
        """Can the finding still be asked: not yet asked, and possible for this person?"""
        return finding_id not in self.asked and self.kb.findings[finding_id].applies_to(self.sex)

    def contenders(self) -> list[str]:
        """The leader first, then every pattern that could still overtake it.

        The leader's worst case counts all its unasked contrary findings as present; a
        rival's best case counts all its unasked findings as present. Only rivals whose
        best case reaches the leader's worst case are still in play.
        """
        ranked = differentiate(self.kb, self.present, sex=self.sex)
        if not ranked or ranked[0].score == 0:
            return list(self.kb.patterns)  # nothing known yet: every pattern is in play
        lead = ranked[0]
        lead_pattern = self.kb.patterns[lead.id]
        unasked_against = sum(f.weight for f in lead_pattern.against if self._open(f.finding))
        worst = lead.score - unasked_against / _denominator(lead_pattern)
        scores = {r.id: r.score for r in ranked}
        rivals = []
        for other in self.kb.patterns.values():
            if other.id == lead.id:
                continue
            gain = sum(f.weight for f in other.findings if self._open(f.finding))
            best = min(1.0, scores.get(other.id, 0.0) + gain / _denominator(other))
            keys = [f.finding for f in other.findings if f.key]
            if not any(k in self.present for k in keys) and not any(self._open(k) for k in keys):
                # every key finding was answered "no" (or cannot be the person's): the
                # pattern cannot pass the cap
                best = min(best, self.kb.rules.no_key_finding_cap)
            if best >= worst:
                rivals.append(other.id)
        return [lead.id, *rivals] if rivals else []

    def next_question(self) -> Finding | None:
        """The unasked finding whose stakes differ most across the contenders; None when done."""
        contenders = self.contenders()
        if not contenders:
            return None
        best, best_value = None, 0.0
        for fid, stakes in self.stakes.items():
            if not self._open(fid):
                continue
            values = [stakes.get(p, 0.0) for p in contenders]
            spread = max(values) - min(values)
            # A "no" to a key finding caps that pattern, which settles the intake sooner.
            if self.keys.get(fid, set()) & set(contenders):
                spread *= 1.5
            # Prefer what a person can answer alone over tongue and pulse readings.
            if self.kb.findings[fid].category in ("tongue-body", "tongue-coat", "pulse"):
                spread *= 0.8
            if spread > best_value or (spread == best_value and best and fid < best.id):
                best, best_value = self.kb.findings[fid], spread
        return best
