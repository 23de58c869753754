"""Every error of the API is one shape, `{"error": "...", ...}`, whichever layer refuses:
the views, ninja's authentication, its rate limit or its parameter checks."""

from __future__ import annotations

import json

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_request_without_credentials_gets_an_error_body(client: Client):
    response = client.get("/api/v1/me/assessments")
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized"}


def test_a_throttled_caller_is_told_when_to_retry(client: Client, settings):
    settings.ANMIAN_ANON_RATE = "1/min"
    body = json.dumps({"findings": ["leg-crawling"]})
    assert client.post("/api/v1/assess", body, content_type="application/json").status_code == 200
    response = client.post("/api/v1/assess", body, content_type="application/json")
    assert response.status_code == 429
    assert response.json() == {"error": "Too many requests."}
    assert 1 <= int(response["Retry-After"]) <= 60


def test_a_bad_parameter_names_it_and_lists_the_problems(client: Client):
    response = client.post(
        "/api/v1/assess?allow_unknown=maybe",
        json.dumps({"findings": ["leg-crawling"]}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert "allow_unknown" in body["error"]
    assert body["detail"][0]["loc"] == ["query", "allow_unknown"]
