"""Caches of work done once per knowledge base.

A cache keyed by the whole base would rebuild the reader's indexes for every base the
mutation check makes (each differs only in one safety rule); keyed by the parts a function
reads, those bases share them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from anmian.knowledge import KnowledgeBase

T = TypeVar("T")

# Every cached function, by "module:name", so that a cache of a knowledge base on disk
# (knowledge/plain.py) can keep what they built and hand it back in the next process.
REGISTRY: dict[str, Callable[[KnowledgeBase], Any]] = {}


def per_parts(
    *names: str,
) -> Callable[[Callable[[KnowledgeBase], T]], Callable[[KnowledgeBase], T]]:
    """Cache a function of a knowledge base by the parts it reads, not by the whole base, so
    a base that differs only in its safety rules (the mutation check) reuses the indexes."""

    def wrap(fn: Callable[[KnowledgeBase], T]) -> Callable[[KnowledgeBase], T]:
        store: dict[tuple[int, ...], tuple[T, tuple[Any, ...]]] = {}

        # The last base asked about with its result, as one pair (swapped whole, so threads
        # never see one base with another's result): a base is frozen, so the same object has
        # the same parts, and the usual call (the one base of a process) costs one `is`.
        last: list[tuple[Any, Any]] = [(None, None)]

        @wraps(fn)
        def get(kb: KnowledgeBase) -> T:
            seen, value = last[0]
            if seen is kb:
                return value  # type: ignore[no-any-return]
            key = tuple(id(getattr(kb, n)) for n in names)
            hit = store.get(key)
            if hit is None:
                # the parts are kept with the result so their ids cannot be reused
                hit = store[key] = (fn(kb), tuple(getattr(kb, n) for n in names))
            last[0] = (kb, hit[0])
            return hit[0]

        def built(kb: KnowledgeBase) -> tuple[bool, Any]:
            """(True, what was built for kb) when it has been, else (False, None)."""
            hit = store.get(tuple(id(getattr(kb, n)) for n in names))
            return (False, None) if hit is None else (True, hit[0])

        def prime(kb: KnowledgeBase, value: T) -> None:
            """Take `value` as what fn gives for kb (it was built from the same content)."""
            store[tuple(id(getattr(kb, n)) for n in names)] = (
                value,
                tuple(getattr(kb, n) for n in names),
            )
            last[0] = (None, None)

        get.built = built  # type: ignore[attr-defined]
        get.prime = prime  # type: ignore[attr-defined]
        REGISTRY[f"{fn.__module__}:{fn.__qualname__}"] = get
        return get

    return wrap
