"""Public pages and the security headers every response carries."""

from __future__ import annotations

from django.test import Client


def test_home_explains_rls_and_the_limits_of_the_evidence(client: Client):
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Restless legs" in text
    assert "small and mixed" in text
    assert "does not diagnose" in text


def test_pages_carry_security_headers_and_are_not_cached(client: Client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_home_refuses_post(client: Client):
    assert client.post("/").status_code in (403, 405)
