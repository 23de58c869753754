"""/api/docs in Chromium with every other origin blocked, as on a clinic's offline network:
Swagger UI renders the list of operations, and the page's policy is never broken."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from anmian.web.tests.test_browser import page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_list_every_operation_with_other_origins_blocked(
    page,  # noqa: F811
    live_server,
    tmp_path,
):
    own = urlsplit(live_server.url).netloc
    blocked: list[str] = []
    refused: list[str] = []

    def only_our_origin(route):
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_our_origin)
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".opblock-summary", timeout=15_000)
    document = json.loads(page.request.get(f"{live_server.url}/api/openapi.json").text())
    operations = sum(
        1 for item in document["paths"].values() for verb in item if verb != "parameters"
    )
    shown = page.locator(".opblock").count()
    assert shown == operations, f"{shown} of {operations} operations shown"
    assert page.locator(".opblock-summary-path", has_text="/api/v1/assess").count() >= 1
    assert blocked == [], f"the page asked other origins for {blocked}"
    assert refused == [], refused
    page.screenshot(path=str(tmp_path / "api-docs-390.png"))  # to look at
