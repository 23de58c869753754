"""The OpenAPI document is the API's contract: it matches the committed copy, and every
operation documents its request body and a response body for each status it answers, which
the bodies it really sends match."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from anmian.web.records.models import ApiToken

ROOT = Path(__file__).resolve().parents[4]
COMMITTED = ROOT / "docs" / "openapi.json"
EXAMPLE = json.loads((ROOT / "examples" / "demo.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return Client().get("/api/openapi.json").json()


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in doc["paths"].items() for m, op in ops.items()]


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]] | rest
    return schema


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def problems(value: Any, schema: dict[str, Any], doc: dict[str, Any], at: str = "$") -> list[str]:
    """Where `value` breaks `schema`: the part of JSON Schema that pydantic and ninja write
    (types, required, properties, additionalProperties, items, anyOf, allOf, enum, bounds)."""
    schema = _resolve(doc, schema)
    if "anyOf" in schema and all(problems(value, s, doc, at) for s in schema["anyOf"]):
        return [f"{at}: matches none of its {len(schema['anyOf'])} allowed shapes"]
    found = [p for s in schema.get("allOf", []) for p in problems(value, s, doc, at)]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{at}: {value!r} is not one of {schema['enum']}"]
    kind = schema.get("type")
    if kind and not any(_TYPES[k](value) for k in ([kind] if isinstance(kind, str) else kind)):
        return [f"{at}: expected {kind}, got {type(value).__name__}"]
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(f"{at}: {value} is below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            found.append(f"{at}: {value} is above {schema['maximum']}")
    if isinstance(value, dict):
        found += [f"{at}.{k}: missing" for k in schema.get("required", []) if k not in value]
        props, extra = schema.get("properties", {}), schema.get("additionalProperties", True)
        for k, v in value.items():
            if k in props:
                found += problems(v, props[k], doc, f"{at}.{k}")
            elif extra is False:
                found.append(f"{at}.{k}: not in the schema")
            elif isinstance(extra, dict):
                found += problems(v, extra, doc, f"{at}.{k}")
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            found += problems(v, schema["items"], doc, f"{at}[{i}]")
    return found


def test_the_served_document_matches_the_committed_copy(doc):
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    if doc != committed:
        diff = difflib.unified_diff(
            json.dumps(committed, indent=2, ensure_ascii=False).splitlines(),
            json.dumps(doc, indent=2, ensure_ascii=False).splitlines(),
            "docs/openapi.json",
            "/api/openapi.json",
            lineterm="",
        )
        shown = "\n".join(list(diff)[:80])
        pytest.fail(
            "The API contract changed. If that is intended, run `make openapi` and commit "
            f"docs/openapi.json with the change.\n{shown}"
        )


def test_the_checker_finds_a_body_that_breaks_the_contract(doc):
    # Without this, a checker that accepts everything would pass every test below.
    result = {"$ref": "#/components/schemas/AssessmentResult"}
    assert problems({"kb_version": "x"}, result, doc)
    assert problems({"error": 3}, {"$ref": "#/components/schemas/Error"}, doc) == [
        "$.error: expected string, got int"
    ]


def _params(doc: dict[str, Any]) -> list[Any]:
    return [pytest.param(m, p, op, id=f"{m.upper()} {p}") for m, p, op in _operations(doc)]


def _content_schema(part: dict[str, Any]) -> dict[str, Any] | None:
    return part.get("content", {}).get("application/json", {}).get("schema")


def _is_described(schema: dict[str, Any] | None, doc: dict[str, Any]) -> bool:
    """A schema that says what the body holds: not absent, not a bare `object`."""
    if not schema:
        return False
    if "items" in schema:
        return _is_described(schema["items"], doc)
    if "anyOf" in schema:
        return all(_is_described(s, doc) for s in schema["anyOf"])
    return bool(_resolve(doc, schema).get("properties"))


def pytest_generate_tests(metafunc):
    if "documented_op" in metafunc.fixturenames:
        from anmian.web.api import api  # the same document, built before any test runs

        doc = json.loads(json.dumps(api.get_openapi_schema()))
        metafunc.parametrize(("method", "path", "documented_op"), _params(doc))


def test_every_operation_documents_its_request_and_response_bodies(
    method, path, documented_op, doc
):
    if "requestBody" in documented_op or method in ("put", "patch"):
        assert _is_described(_content_schema(documented_op.get("requestBody", {})), doc)
    responses = documented_op["responses"]
    assert any(s.startswith("2") for s in responses)
    for status, part in responses.items():
        assert _is_described(_content_schema(part), doc), f"{status} has no body schema"
    if documented_op.get("security"):
        assert "401" in responses, "an authenticated operation answers 401"


def test_the_assessment_example_is_one_the_engine_accepts(doc, client: Client):
    body = doc["paths"]["/api/v1/assess"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/AssessmentInput"}
    response = client.post("/api/v1/assess", body["example"], content_type="application/json")
    assert response.status_code == 200, response.content


def test_every_example_of_the_document_fits_its_schema(doc):
    checked = 0
    for _, _, op in _operations(doc):
        for part in [op.get("requestBody", {}), *op["responses"].values()]:
            media = part.get("content", {}).get("application/json", {})
            if "example" in media:
                assert problems(media["example"], media["schema"], doc) == []
                checked += 1
    for name, schema in doc["components"]["schemas"].items():
        for example in schema.get("examples", []):
            assert problems(example, {"$ref": f"#/components/schemas/{name}"}, doc) == [], name
            checked += 1
    assert checked >= 6  # the assessment's request and four responses, and the errors


# --- what each operation of web/api.py really answers -----------------------------------

UID = "00000000-0000-4000-8000-000000000000"
ASSESS = "post /api/v1/assess"
TOKENS = "post /api/v1/tokens"
MINE = "get /api/v1/me/assessments"
ONE = "get /api/v1/assessments/{uid}"
PATIENTS = "get /api/v1/patients"
THEIRS = "get /api/v1/patients/{uid}/assessments"

# (operation, who calls, url, body, the status the issue and README say it answers)
CASES = [
    (ASSESS, None, "/api/v1/assess", EXAMPLE, 200),
    (ASSESS, None, "/api/v1/assess", "{nope", 400),
    (ASSESS, None, "/api/v1/assess", {"findings": []}, 400),
    (ASSESS, None, "/api/v1/assess", {"findings": ["zzzz qqqq"]}, 422),
    (ASSESS, None, "/api/v1/assess?allow_unknown=maybe", EXAMPLE, 422),
    (ASSESS, "rate", "/api/v1/assess", EXAMPLE, 429),
    (TOKENS, None, "/api/v1/tokens", {"username": "alice@example.org", "password": "*"}, 201),
    (TOKENS, None, "/api/v1/tokens", {"username": "alice@example.org", "password": "no"}, 401),
    (TOKENS, None, "/api/v1/tokens", {"username": "alice@example.org"}, 422),
    (TOKENS, None, "/api/v1/tokens", "{nope", 400),
    (TOKENS, "rate", "/api/v1/tokens", {"username": "x", "password": "y"}, 429),
    (MINE, "alice", "/api/v1/me/assessments", None, 200),
    (MINE, None, "/api/v1/me/assessments", None, 401),
    (ONE, "alice", "/api/v1/assessments/{alice}", None, 200),
    (ONE, None, "/api/v1/assessments/{alice}", None, 401),
    (ONE, "dave", "/api/v1/assessments/{alice}", None, 404),
    (ONE, "alice", "/api/v1/assessments/not-a-uuid", None, 422),
    (PATIENTS, "bob", "/api/v1/patients", None, 200),
    (PATIENTS, "bob", "/api/v1/patients?page=0", None, 400),
    (PATIENTS, None, "/api/v1/patients", None, 401),
    (PATIENTS, "alice", "/api/v1/patients", None, 403),
    (PATIENTS, "bob", "/api/v1/patients?page=x", None, 422),
    (THEIRS, "bob", "/api/v1/patients/{alice_patient}/assessments", None, 200),
    (THEIRS, None, f"/api/v1/patients/{UID}/assessments", None, 401),
    (THEIRS, "dave", "/api/v1/patients/{alice_patient}/assessments", None, 404),
    (THEIRS, "bob", "/api/v1/patients/not-a-uuid/assessments", None, 422),
]


def _call(client: Client, request, who, url, body):
    from anmian.web.tests.conftest import PASSWORD

    alice_assessment = request.getfixturevalue("alice_assessment")
    url = url.format(alice=alice_assessment.uid, alice_patient=alice_assessment.patient.uid)
    if isinstance(body, dict) and body.get("password") == "*":
        body = body | {"password": PASSWORD}
    headers = {}
    if who == "rate":
        request.getfixturevalue("settings").ANMIAN_ANON_RATE = "1/min"
        client.post(url, json.dumps(body), content_type="application/json")
    elif who:
        user = request.getfixturevalue(who).user
        headers["Authorization"] = f"Bearer {ApiToken.issue(user)}"
    if body is None:
        return client.get(url, headers=headers)
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data, content_type="application/json", headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("operation", "who", "url", "body", "status"),
    CASES,
    ids=[f"{c[0]} {c[-1]} {c[1] or 'anonymous'}" for c in CASES],
)
def test_each_answer_is_documented_and_fits_its_schema(
    client: Client, doc, request, operation, who, url, body, status
):
    method, path = operation.split(" ")
    response = _call(client, request, who, url, body)
    assert response.status_code == status, response.content
    documented = doc["paths"][path][method]["responses"]
    assert str(status) in documented, f"{status} is answered but not documented"
    schema = _content_schema(documented[str(status)])
    assert problems(response.json(), schema, doc) == []


def test_no_status_is_documented_that_the_cases_do_not_show(doc):
    ours = {op for op, *_ in CASES}
    documented = {
        (f"{m} {p}", s)
        for m, p, op in _operations(doc)
        if f"{m} {p}" in ours
        for s in op["responses"]
    }
    assert documented == {(op, str(status)) for op, *_, status in CASES}
