"""Write the API's OpenAPI document to docs/openapi.json (`make openapi`).

The copy is committed so that a change to the contract is a visible diff;
src/anmian/web/tests/test_openapi.py fails while the copy and the served document differ.
The document is fetched from /api/openapi.json as a client would, not built apart.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


def document() -> dict[str, object]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anmian.web.test_settings")
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's host in, as under pytest
    response = Client().get("/api/openapi.json")
    if response.status_code != 200:
        sys.exit(f"GET /api/openapi.json answered {response.status_code}")
    return response.json()


def render(doc: dict[str, object]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(document()), encoding="utf-8")
    print(f"wrote {OUT}")
