"""The session note's point picker (issue 10): the practitioner ticks points from the
knowledge base, the patient's adopted plan first, instead of typing a format."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anmian.web.records.models import Plan, SessionNote

pytestmark = pytest.mark.django_db


def _page(client: Client, alice) -> str:
    html = client.get(f"/clinic/patients/{alice.uid}/notes/new/").content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_it_offers_every_point_of_the_knowledge_base_as_a_tick(client: Client, bob, alice):
    from anmian.knowledge import get_kb

    client.force_login(bob.user)
    html = _page(client, alice)
    ticks = re.findall(r'<input type="checkbox" name="picked" value="([^"]+)"', html)
    assert sorted(ticks) == sorted(get_kb().points)
    assert "SP6 Sanyinjiao" in html  # named by code and pinyin (WHO 2008)


def test_the_patient_s_plan_comes_first(client: Client, bob, alice, alice_assessment):
    Plan.objects.create(
        patient=alice, assessment=alice_assessment, adopted_by=bob, points=["ht7", "sp6"]
    )
    client.force_login(bob.user)
    html = _page(client, alice)
    plan = html.index("From the patient&#x27;s plan")
    everything = html.index("All points")
    assert plan < html.index('value="ht7"') < everything
    assert plan < html.index('value="sp6"') < everything
    assert html.count('value="ht7"') == 1  # not offered twice


def test_ticked_points_are_saved_with_the_side_and_technique(client: Client, bob, alice):
    client.force_login(bob.user)
    response = client.post(
        f"/clinic/patients/{alice.uid}/notes/new/",
        {
            "date": "2026-11-20",
            "picked": ["sp6", "st36"],
            "picked_side": "both",
            "picked_technique": "even",
            "points_needled": "LR3, left, reducing\nST36, right, tonify",
        },
    )
    assert response.status_code == 302
    points = {p["point"]: p for p in SessionNote.objects.get().points}
    assert points["sp6"] == {"point": "sp6", "side": "both", "technique": "even"}
    assert points["lr3"] == {"point": "lr3", "side": "left", "technique": "reducing"}
    # a typed line is the exception to the ticks: ST36 was needled on the right only
    assert points["st36"] == {"point": "st36", "side": "right", "technique": "tonify"}
    assert len(SessionNote.objects.get().points) == 3


def test_a_point_not_in_the_knowledge_base_is_refused(client: Client, bob, alice):
    client.force_login(bob.user)
    response = client.post(
        f"/clinic/patients/{alice.uid}/notes/new/",
        {"date": "2026-11-20", "picked": ["not-a-point"], "response": "kept this"},
    )
    assert response.status_code == 400
    assert b"kept this" in response.content
    assert SessionNote.objects.count() == 0


def test_the_note_s_date_starts_as_today(client: Client, bob, alice):
    from django.utils import timezone

    client.force_login(bob.user)
    html = _page(client, alice)
    assert f'name="date" value="{timezone.localdate().isoformat()}"' in html
