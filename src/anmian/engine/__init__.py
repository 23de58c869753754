"""The assessment engine: pure Python, no web imports.

Use `assess(parse_input(data))`; see `anmian.engine.assess` for the output.
"""

from anmian.engine.assess import Assessment, UnresolvedFindings, assess
from anmian.engine.inputs import AssessmentInput, InputError, parse_input, parse_json

__all__ = [
    "Assessment",
    "AssessmentInput",
    "InputError",
    "UnresolvedFindings",
    "assess",
    "parse_input",
    "parse_json",
]
