"""The knowledge base: reviewed YAML data loaded into typed, immutable models.

Importing this package is light (no pydantic, no YAML): the loader is imported when a base is
loaded, so the engine's modules can be imported by the CLI's cached path without it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from anmian.knowledge.base import KnowledgeBase, KnowledgeError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["KnowledgeBase", "KnowledgeError", "get_kb", "load"]


def load(root: Path | None = None) -> KnowledgeBase:
    """Load and check the knowledge base; raises KnowledgeError listing every problem."""
    from anmian.knowledge.loader import load as _load

    return _load(root)


@lru_cache(maxsize=1)
def get_kb() -> KnowledgeBase:
    """The packaged knowledge base, loaded once per process."""
    return load()
