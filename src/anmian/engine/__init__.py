"""The assessment engine: pure Python, no web imports.

Use `assess(parse_input(data))`; see `anmian.engine.assess` for the output. The input's
pydantic model (`AssessmentInput`, `parse_input`, `parse_json`) is imported on first use, so
the engine itself can run without pydantic (the CLI's cached path, engine/plain_input.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from anmian.engine.assess import Assessment, UnresolvedFindings, assess
from anmian.engine.plain_input import InputError

if TYPE_CHECKING:
    from anmian.engine.inputs import AssessmentInput, parse_input, parse_json

__all__ = [
    "Assessment",
    "AssessmentInput",
    "InputError",
    "UnresolvedFindings",
    "assess",
    "parse_input",
    "parse_json",
]


def __getattr__(name: str) -> Any:
    if name in ("AssessmentInput", "parse_input", "parse_json"):
        from anmian.engine import inputs

        return getattr(inputs, name)
    raise AttributeError(f"module 'anmian.engine' has no attribute {name!r}")
