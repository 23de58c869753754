"""The knowledge base as one object, and its error, with no pydantic or YAML import.

`loader.py` fills a `KnowledgeBase` with the validated pydantic models; `plain.py` fills the
same class with plain copies of them (the CLI's cache), so the engine reads either alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

    from anmian.knowledge.models import (
        Advice,
        Condition,
        DrugClass,
        EssentialOil,
        EvidenceItem,
        Finding,
        Formula,
        Herb,
        IntakeLayout,
        Medication,
        Meta,
        Mimic,
        Pattern,
        Point,
        Reading,
        RedFlag,
        Reference,
        Rules,
        SafetyRule,
        Scale,
        ScreeningQuestion,
    )

# The kinds of entry, one folder each, in the order they are loaded and reported by `kb stats`
# (loader.KINDS gives each its model).
KIND_NAMES = (
    "patterns",
    "findings",
    "points",
    "herbs",
    "formulas",
    "references",
    "drug-classes",
    "medications",
    "conditions",
    "red-flags",
    "mimics",
    "advice",
    "scales",
    "screening",
    "evidence",
    "oils",
)


class KnowledgeError(Exception):
    """The knowledge base is broken; `problems` lists every problem found, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# eq=False: a knowledge base is compared and hashed by identity, so it can key caches.
@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    meta: Meta
    rules: Rules
    reading: Reading
    intake: IntakeLayout
    version: str  # meta.version plus a short hash of the content, so any edit shows
    patterns: dict[str, Pattern]
    findings: dict[str, Finding]
    points: dict[str, Point]
    herbs: dict[str, Herb]
    formulas: dict[str, Formula]
    references: dict[str, Reference]
    drug_classes: dict[str, DrugClass]
    medications: dict[str, Medication]
    conditions: dict[str, Condition]
    red_flags: dict[str, RedFlag]
    mimics: dict[str, Mimic]
    advice: dict[str, Advice]
    scales: dict[str, Scale]
    screening: dict[str, ScreeningQuestion]
    evidence: dict[str, EvidenceItem]
    oils: dict[str, EssentialOil]
    sources: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    def stats(self) -> dict[str, int]:
        return {kind.replace("-", "_"): len(self.table(kind)) for kind in KIND_NAMES}

    def table(self, kind: str) -> dict[str, Any]:
        entries: dict[str, Any] = getattr(self, kind.replace("-", "_"))
        return entries

    def get(self, entry_id: str) -> tuple[str, BaseModel] | None:
        """Find an entry of any kind by id; None when there is none (lookups from user text miss often)."""
        for kind in KIND_NAMES:
            entry = self.table(kind).get(entry_id)
            if entry is not None:
                return kind, entry
        return None

    def tags(self) -> frozenset[str]:
        from anmian.knowledge.models import BUILTIN_TAGS, EFFECT_TAGS

        return BUILTIN_TAGS | EFFECT_TAGS | self.drug_classes.keys() | self.conditions.keys()

    def formula_safety(self, formula: Formula) -> list[tuple[str, SafetyRule]]:
        """A formula's rules are its own plus the union of its ingredients': (source id, rule)."""
        rules = [(formula.id, r) for r in formula.safety]
        for ing in formula.ingredients:
            rules.extend((ing.herb, r) for r in self.herbs[ing.herb].safety)
        return rules
