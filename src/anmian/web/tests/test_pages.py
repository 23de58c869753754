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


import pytest  # noqa: E402

from anmian.knowledge import get_kb  # noqa: E402

KB = get_kb()


@pytest.mark.parametrize(
    "url",
    [
        "/library/",
        "/library/points/",
        "/library/herbs/",
        "/library/patterns/",
        "/library/evidence/",
        *[f"/library/points/{p}/" for p in KB.points],
        *[f"/library/herbs/{h}/" for h in KB.herbs],
        *[f"/library/patterns/{p}/" for p in KB.patterns],
    ],
)
def test_every_library_page_renders(client: Client, url: str):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url", ["/library/points/zz9/", "/library/herbs/nope/", "/library/patterns/nope/"]
)
def test_an_unknown_library_entry_is_404(client: Client, url: str):
    assert client.get(url).status_code == 404


def test_library_pages_refuse_post(client: Client):
    assert client.post("/library/points/").status_code == 405


def test_a_point_page_shows_its_chart_and_cautions(client: Client):
    html = client.get("/library/points/sp6/").content.decode()
    assert "<svg" in html and "pregnan" in html


def test_he_shou_wu_page_shows_the_regulator_warnings(client: Client):
    html = client.get("/library/herbs/he-shou-wu/").content.decode()
    assert "Regulator warnings" in html and "TGA" in html.upper()


def test_the_evidence_page_is_honest_and_cited(client: Client):
    html = client.get("/library/evidence/").content.decode()
    assert "small and mixed" in html
    assert "PMID 18843716" in html  # the Cochrane review
    assert html.count("<section") >= 5


def test_healthz_is_plain_ok(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_every_reference_has_an_anchor_that_results_link_to(client: Client):
    html = client.get("/library/references/").content.decode()
    for ref in KB.references:
        assert f'id="ref-{ref}"' in html
    point_page = client.get("/library/points/sp6/").content.decode()
    assert "/library/references/#ref-who-2008-locations" in point_page
