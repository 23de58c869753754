"""The knowledge base: reviewed YAML data loaded into typed, immutable models."""

from __future__ import annotations

from functools import lru_cache

from anmian.knowledge.loader import KnowledgeBase, KnowledgeError, load

__all__ = ["KnowledgeBase", "KnowledgeError", "get_kb", "load"]


@lru_cache(maxsize=1)
def get_kb() -> KnowledgeBase:
    """The packaged knowledge base, loaded once per process."""
    return load()
