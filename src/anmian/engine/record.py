"""Records: small classes of named fields, compared, hashed and shown as a dataclass is, made
without generating code when their module is imported.

A dataclass writes and compiles its `__init__`, `__repr__`, `__eq__` (and, frozen, its
`__hash__`, `__setattr__` and `__delattr__`) at import: 0.3 to 0.5 ms a class on Python 3.11,
and the CLI's cached path imports some thirty-five of them, a fifth of its start. A record
shares one set of those methods, read from the class's `__slots__` (its fields, in order),
and writes its own plain `__init__`, so it costs no more to make than a dataclass with slots
does. A record is not frozen (the engine makes one and never changes it, as it did with the
frozen dataclasses these were), and it is hashed by its fields as a frozen dataclass is; a
record whose fields do change sets `__hash__ = None`, as a dataclass that is not frozen has it.
Pickled as any class with slots is; `replace` copies one with some fields changed, as
`dataclasses.replace` does (a record's `__init__` takes its fields in slot order).
"""

from __future__ import annotations

from typing import Any, TypeVar

R = TypeVar("R", bound="Record")


class Record:
    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined, no-any-return]

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__qualname__}({inner})"


def replace(record: R, /, **changes: Any) -> R:
    """A copy of `record` with the fields named changed."""
    values = [changes.pop(n) if n in changes else getattr(record, n) for n in record.__slots__]
    if changes:
        raise TypeError(f"{type(record).__name__} has no field {next(iter(changes))!r}")
    return type(record)(*values)
