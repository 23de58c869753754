"""The knowledge base as one object, and its error, with no pydantic or YAML import.

`loader.py` fills a `KnowledgeBase` with the validated pydantic models; `plain.py` fills the
same class with plain copies of them (the CLI's cache), so the engine reads either alike.
"""

from __future__ import annotations

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


# Its parts, in order: what `dataclasses.fields` gives for it, and `KnowledgeBase(*parts)`.
FIELDS = (
    "meta",
    "rules",
    "reading",
    "intake",
    "version",
    "patterns",
    "findings",
    "points",
    "herbs",
    "formulas",
    "references",
    "drug_classes",
    "medications",
    "conditions",
    "red_flags",
    "mimics",
    "advice",
    "scales",
    "screening",
    "evidence",
    "oils",
    "sources",
)


class _DataclassFields:
    """`KnowledgeBase.__dataclass_fields__`, made on first use: what lets `dataclasses.fields`
    and `dataclasses.replace` (with which tests copy a base with one part changed) treat a
    base as the frozen dataclass it was, without importing dataclasses, and inspect with it
    (some 8 ms), on the CLI's start, which never asks."""

    fields: dict[str, Any] | None = None

    def __get__(self, obj: object, cls: type | None = None) -> dict[str, Any]:
        if self.fields is None:
            import dataclasses

            twin = dataclasses.make_dataclass(
                "KnowledgeBase",
                [
                    *[(name, Any) for name in FIELDS[:-1]],
                    ("sources", Any, dataclasses.field(default_factory=dict, repr=False)),
                ],
                frozen=True,
                eq=False,
            )
            self.fields = vars(twin)["__dataclass_fields__"]
        return self.fields


class KnowledgeBase:
    """Frozen: a base never changes once made, so caches keyed by it or by its parts
    (engine/memo.py) stay true. Compared and hashed by identity, so it can key caches."""

    __dataclass_fields__ = _DataclassFields()

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
    sources: dict[tuple[str, str], str]  # (kind, id) -> the file it came from

    def __init__(
        self,
        meta: Meta,
        rules: Rules,
        reading: Reading,
        intake: IntakeLayout,
        version: str,
        patterns: dict[str, Pattern],
        findings: dict[str, Finding],
        points: dict[str, Point],
        herbs: dict[str, Herb],
        formulas: dict[str, Formula],
        references: dict[str, Reference],
        drug_classes: dict[str, DrugClass],
        medications: dict[str, Medication],
        conditions: dict[str, Condition],
        red_flags: dict[str, RedFlag],
        mimics: dict[str, Mimic],
        advice: dict[str, Advice],
        scales: dict[str, Scale],
        screening: dict[str, ScreeningQuestion],
        evidence: dict[str, EvidenceItem],
        oils: dict[str, EssentialOil],
        sources: dict[tuple[str, str], str] | None = None,
    ) -> None:
        # set in the instance's dict, past __setattr__, as a frozen dataclass's __init__ does
        vars(self).update(
            meta=meta,
            rules=rules,
            reading=reading,
            intake=intake,
            version=version,
            patterns=patterns,
            findings=findings,
            points=points,
            herbs=herbs,
            formulas=formulas,
            references=references,
            drug_classes=drug_classes,
            medications=medications,
            conditions=conditions,
            red_flags=red_flags,
            mimics=mimics,
            advice=advice,
            scales=scales,
            screening=screening,
            evidence=evidence,
            oils=oils,
            sources={} if sources is None else sources,
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a knowledge base is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a knowledge base is frozen")

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in FIELDS[:-1])
        return f"KnowledgeBase({inner})"

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
