"""The API docs page works offline: Swagger UI from the site's own static files, under the
site's Content Security Policy, with nothing fetched from a CDN."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders
from django.test import Client


def test_the_docs_page_loads_only_same_origin_scripts_and_styles(client: Client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    sources = [m.group(1) for a in scripts if (m := re.search(r'src="([^"]+)"', a))]
    links = re.findall(r'<link\b[^>]*href="([^"]+)"', html)
    assert any("swagger-ui-bundle" in s for s in sources)
    for url in sources + links:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"{url} is fetched from another origin"
        assert url.startswith("/static/") and finders.find(url.removeprefix("/static/")), url
    # the only script without a file is the viewer's settings, which is data, not code
    inline = [a for a in scripts if "src=" not in a]
    assert all('type="application/json"' in a for a in inline), inline


def test_the_docs_page_is_under_the_sites_strict_policy(client: Client):
    policy = client.get("/api/docs")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "http" not in policy
