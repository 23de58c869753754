"""Bad input: one clear line that names the field, never a traceback."""

from __future__ import annotations

import pytest

from anmian.engine import InputError, parse_input, parse_json

BAD = [
    ("{", "not valid JSON"),
    ("[]", "must be a JSON object"),
    ('{"findings": []}', "field 'findings' is empty"),
    ('{"age": 40}', "missing field 'findings'"),
    ('{"findings": "leg-crawling"}', "field 'findings'"),
    ('{"findings": ["leg-crawling"], "age": -3}', "field 'age'"),
    ('{"findings": ["leg-crawling"], "age": "forty"}', "field 'age'"),
    (
        '{"findings": ["leg-crawling"], "labs": {"ferritin_ng_ml": -5}}',
        "field 'labs.ferritin_ng_ml'",
    ),
    ('{"findings": ["leg-crawling"], "labs": {"tsat_percent": 140}}', "field 'labs.tsat_percent'"),
    ('{"findings": ["leg-crawling"], "labs": {"ferritin": 40}}', "unknown field 'labs.ferritin'"),
    ('{"findings": ["leg-crawling"], "colour": "red"}', "unknown field 'colour'"),
    ('{"findings": ["leg-crawling"], "pregnant": "yes"}', "field 'pregnant'"),
    (
        '{"findings": ["leg-crawling"], "screening": {"urge_to_move": 1}}',
        "field 'screening.urge_to_move'",
    ),
    ('{"findings": ["  "]}', "field 'findings'"),
    ('{"findings": [3]}', "field 'findings[0]'"),
    ('{"findings": ["leg-crawling"], "sex": "x"}', "field 'sex'"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_it_refuses_bad_input_with_one_line_naming_the_problem(text: str, expected: str):
    with pytest.raises(InputError) as info:
        parse_json(text)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_it_accepts_whole_numbers_for_lab_values():
    data = parse_input({"findings": ["x"], "labs": {"ferritin_ng_ml": 40, "tsat_percent": 15}})
    assert data.labs is not None and data.labs.ferritin_ng_ml == 40.0


def test_it_accepts_a_minimal_document():
    assert parse_input({"findings": ["leg-crawling"]}).audience == "self-care"
