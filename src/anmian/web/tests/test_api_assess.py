"""POST /api/v1/assess: the same contract as `anmian assess --format json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from typer.testing import CliRunner

from anmian.cli import app

EXAMPLES = Path(__file__).resolve().parents[4] / "examples"
URL = "/api/v1/assess"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def post(client: Client, body: object, query: str = ""):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL + query, data=data, content_type="application/json")


@pytest.mark.parametrize("name", ["demo.json", "kidney-yin.json"])
def test_it_gives_the_same_result_as_the_cli(client: Client, name: str):
    path = EXAMPLES / name
    cli = CliRunner().invoke(app, ["assess", str(path), "--format", "json"])
    api = post(client, path.read_text(), "?detail=full")
    assert api.status_code == 200, api.content
    from_cli, from_api = json.loads(cli.stdout), api.json()
    assert [p["id"] for p in from_api["patterns"]] == [p["id"] for p in from_cli["patterns"]]
    assert from_api == from_cli


def test_it_refuses_malformed_json_with_400(client: Client):
    response = post(client, "{nope")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"findings": []}, "field 'findings' is empty"),
        ({"findings": ["leg-crawling"], "age": -2}, "field 'age'"),
        ({"findings": ["leg-crawling"], "what": 1}, "unknown field 'what'"),
    ],
)
def test_it_refuses_bad_input_with_400_naming_the_field(client: Client, body, message):
    response = post(client, body)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_unresolved_findings_are_422_with_suggestions(client: Client):
    response = post(client, {"findings": ["leg-crawling", "zzzz qqqq"]})
    assert response.status_code == 422
    assert response.json()["unresolved"][0]["text"] == "zzzz qqqq"


def test_allow_unknown_goes_on(client: Client):
    response = post(client, {"findings": ["leg-crawling", "zzzz qqqq"]}, "?allow_unknown=true")
    assert response.status_code == 200
    assert response.json()["input"]["unresolved"][0]["text"] == "zzzz qqqq"


def test_it_rejects_the_wrong_method(client: Client):
    assert client.get(URL).status_code == 405


def test_anonymous_callers_are_rate_limited_with_a_json_429(client: Client, settings):
    settings.ANMIAN_ANON_RATE = "3/min"
    codes = [post(client, {"findings": ["leg-crawling"]}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    last = post(client, {"findings": ["leg-crawling"]})
    assert last.status_code == 429
    assert last.json()


def test_openapi_describes_the_endpoint(client: Client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/assess" in schema["paths"]
