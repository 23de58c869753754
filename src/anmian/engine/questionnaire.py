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
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.present: set[str] = set()
        self.asked: set[str] = set()
        # finding -> pattern -> stake
        self.stakes: dict[str, dict[str, float]] = {}
        for p in kb.patterns.values():
            for f in p.findings:
                self.stakes.setdefault(f.finding, {})[p.id] = f.weight
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

    def leaders(self) -> list[str]:
        ranked = differentiate(self.kb, self.present)
        if ranked:
            return [r.id for r in ranked[:CONTENDERS]]
        return list(self.kb.patterns)  # nothing known yet: every pattern is in play

    def decided(self) -> bool:
        """True when the leader would stay first whatever the unasked questions answer."""
        ranked = differentiate(self.kb, self.present)
        if not ranked or ranked[0].score == 0:
            return False
        lead = ranked[0]
        lead_pattern = self.kb.patterns[lead.id]
        worst = lead.score - sum(
            f.weight for f in lead_pattern.against if f.finding not in self.asked
        ) / _denominator(lead_pattern)
        for other in self.kb.patterns.values():
            if other.id == lead.id:
                continue
            current = next((r.score for r in ranked if r.id == other.id), 0.0)
            gain = sum(f.weight for f in other.findings if f.finding not in self.asked)
            if min(1.0, current + gain / _denominator(other)) >= worst:
                return False
        return True

    def next_question(self) -> Finding | None:
        if self.decided():
            return None
        leaders = self.leaders()
        best, best_value = None, 0.0
        for fid, stakes in self.stakes.items():
            if fid in self.asked:
                continue
            values = [stakes.get(p, 0.0) for p in leaders]
            spread = max(values) - min(values) if len(values) > 1 else abs(values[0])
            # Prefer findings a person can answer without a practitioner (not tongue or pulse).
            category = self.kb.findings[fid].category
            if category in ("tongue-body", "tongue-coat", "pulse"):
                spread *= 0.8
            if spread > best_value or (spread == best_value and best and fid < best.id):
                best, best_value = self.kb.findings[fid], spread
        return best
