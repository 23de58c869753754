"""The checked knowledge base as plain data: every pydantic model copied into a `Plain` object
with the same attributes, so that it can be unpickled without importing pydantic.

The engine only reads attributes of the entries (and `Finding.applies_to`), so it runs on a
plain base as on the models; engine/kb_cache.py keeps one in the user cache folder for the
CLI. tests/test_same_result.py holds the plain base's results byte for byte to the models'.
"""

from __future__ import annotations

from typing import Any

from anmian.knowledge.base import FIELDS, KnowledgeBase


class Plain:
    """A model's fields as attributes; equal and hashed by them, as frozen models are."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash((type(self).__name__, *self.__dict__.values()))


class PlainFinding(Plain):
    sex: str | None

    def applies_to(self, sex: str | None) -> bool:
        """As `models.Finding.applies_to` (a test compares them for every finding and sex)."""
        return self.sex is None or sex not in ("female", "male") or sex == self.sex


def _plain(value: Any) -> Any:
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        cls = PlainFinding if type(value).__name__ == "Finding" else Plain
        return cls(**{name: _plain(getattr(value, name)) for name in fields})
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset):
        return frozenset(_plain(v) for v in value)
    return value


def to_plain(kb: KnowledgeBase) -> KnowledgeBase:
    """The same knowledge base with every model copied into plain objects."""
    parts = {name: _plain(getattr(kb, name)) for name in FIELDS}
    return KnowledgeBase(**parts)
