"""Copies of the knowledge base with one value changed, to show that behaviour follows the
data and not a constant left in code. The packaged base is never touched."""

from __future__ import annotations

import dataclasses
from typing import Any

from anmian.knowledge import KnowledgeBase


def with_rules(kb: KnowledgeBase, block: str, **values: Any) -> KnowledgeBase:
    """The base with `rules.<block>` changed (`with_rules(kb, "ages", child_under=12)`)."""
    changed = getattr(kb.rules, block).model_copy(update=values)
    return dataclasses.replace(kb, rules=kb.rules.model_copy(update={block: changed}))


def with_entry(kb: KnowledgeBase, table: str, entry_id: str, **values: Any) -> KnowledgeBase:
    """The base with one entry of a table changed (`with_entry(kb, "scales", "irls", ...)`)."""
    entries = dict(kb.table(table))
    entries[entry_id] = entries[entry_id].model_copy(update=values)
    return dataclasses.replace(kb, **{table.replace("-", "_"): entries})


def with_intake(kb: KnowledgeBase, **values: Any) -> KnowledgeBase:
    return dataclasses.replace(kb, intake=kb.intake.model_copy(update=values))
