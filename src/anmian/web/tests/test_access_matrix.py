"""The access matrix (issue 11): every route of the site and the API, read from the URL resolver
and ninja's operations, asked by each of seven people, answers as `access_matrix.yaml` says.

The people: nobody logged in; alice, the patient whose records the ids name; erin, another
patient of the same clinic; bob, a practitioner of that clinic; dave, a practitioner of another
clinic; a clinic staff member (`is_staff`, the admin site, no model permission); and a
superuser. The ids in a route are alice's: her patient record, assessment, plan and
appointment, or an object that does not exist where she has none (orders, tokens).

Outcomes, from the status and where a redirect goes:
  ok       2xx, or a redirect that is not to a login page (a form done, a page moved)
  login    401, or a redirect to a login page (nothing shown, sign in first)
  denied   403 or 404 (404 where the site hides that a record exists)
  refused  400, 405, 409 or 422: let in, but the empty request itself was refused
Site routes are asked with the method the table names (GET, or POST with an empty form for
views that only take POST); API operations with their own method and an empty JSON body.

A new route without an entry fails `test_every_route_has_an_entry`, naming the file to add it
to. An entry is a route's key or a glob over keys (the admin's pages, per kind of page); a key
beats a glob, and a longer glob a shorter one.
"""

from __future__ import annotations

import fnmatch
import os
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anmian.knowledge import get_kb
from anmian.web.booking.models import AppointmentType
from anmian.web.records.models import Patient, Plan, SessionNote
from anmian.web.tests.routes import Route, all_routes
from anmian.web.tests.world import appointment_at

pytestmark = pytest.mark.django_db

TABLE = Path(__file__).with_name("access_matrix.yaml")
_DOC = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
ROLES: list[str] = _DOC["roles"]
OUTCOMES = {"ok", "login", "denied", "refused"}
# Outsiders first, so an owner's successful change (a cancel, say) comes after their tries.
ASK_ORDER = ["anonymous", "other_patient", "other_practitioner", "staff", "patient"]
ASK_ORDER += ["practitioner", "admin"]
ROUTES = all_routes()


def _entries() -> dict[str, tuple[str, list[str]]]:
    out = {}
    for key, line in _DOC["routes"].items():
        method, *outcomes = line.split()
        out[key] = (method, outcomes)
    return out


ENTRIES = _entries()


def entry_for(key: str) -> tuple[str, list[str]] | None:
    if key in ENTRIES:
        return ENTRIES[key]
    globs = [g for g in ENTRIES if any(c in g for c in "*?[") and fnmatch.fnmatchcase(key, g)]
    return ENTRIES[max(globs, key=len)] if globs else None


def test_the_table_is_well_formed():
    assert ASK_ORDER and sorted(ASK_ORDER) == sorted(ROLES)
    for key, (method, outcomes) in ENTRIES.items():
        assert method in ("GET", "POST", "PUT", "PATCH", "DELETE"), (key, method)
        assert len(outcomes) == len(ROLES), f"{key}: one outcome for each of {ROLES}"
        assert set(outcomes) <= OUTCOMES, f"{key}: outcomes are {sorted(OUTCOMES)}"


def test_every_route_has_an_entry():
    missing = [r for r in ROUTES if entry_for(r.key) is None]
    assert not missing, (
        "routes with no line in the access matrix: add each to "
        f"{TABLE.relative_to(Path.cwd()) if TABLE.is_relative_to(Path.cwd()) else TABLE} "
        f"(key: METHOD then one outcome per role, {' '.join(ROLES)}):\n"
        + "\n".join(f"  {r.key!r}  ({r.pattern})" for r in missing)
    )


def test_every_entry_names_a_route():
    keys = [r.key for r in ROUTES]
    stale = [k for k in ENTRIES if not any(fnmatch.fnmatchcase(x, k) for x in keys)]
    assert not stale, f"lines of {TABLE.name} that match no route any more: {stale}"


def test_api_entries_use_the_operations_method():
    for r in ROUTES:
        found = entry_for(r.key)
        if r.is_api and found:
            assert found[0] == r.methods[0], f"{r.key}: the table says {found[0]}"


# --- the world ---


def _user(email: str, **extra):
    user = get_user_model().objects.create_user(email, email, "a long test password 1")
    for k, v in extra.items():
        setattr(user, k, v)
    user.save()
    return user


@pytest.fixture
def world(clinic, alice, bob, dave, alice_assessment):
    return make_world(clinic, alice, bob, dave, alice_assessment)


def make_world(clinic, alice, bob, dave, alice_assessment):
    """The seven people, and alice's ids: her record, assessment, plan and appointment."""
    erin = Patient.objects.create(user=_user("erin@example.org"), clinic=clinic, name="Erin Eve")
    plan = Plan.objects.create(
        patient=alice, assessment=alice_assessment, adopted_by=bob, points=["sp6"]
    )
    SessionNote.objects.create(patient=alice, practitioner=bob, date=timezone.localdate())
    kind = AppointmentType.objects.create(clinic=clinic, name="Acupuncture", duration_min=45)
    start = (timezone.now() + timedelta(days=10)).replace(microsecond=0)
    appointment = appointment_at(bob, alice, kind, start)
    users = {
        "anonymous": None,
        "patient": alice.user,
        "other_patient": erin.user,
        "practitioner": bob.user,
        "other_practitioner": dave.user,
        "staff": _user("staff@example.org", is_staff=True),
        "admin": _user("root@example.org", is_staff=True, is_superuser=True),
    }
    ids = {
        "patient": alice.uid,
        "assessment": alice_assessment.uid,
        "plan": plan.uid,
        "appointment": appointment.uid,
    }
    return users, ids


def _value(route: Route, name: str, ids: dict[str, uuid.UUID]) -> str:
    kb = get_kb()
    if name == "uid":
        kinds = route.ids()
        return str(ids.get(kinds[-1], uuid.uuid4()) if kinds else uuid.uuid4())
    if name == "object_id":
        found = re.search(r"admin/(\w+)/(\w+)/", route.pattern)
        model = apps.get_model(found[1], found[2]) if found else None
        obj = model._base_manager.order_by("pk").first() if model else None
        return str(obj.pk) if obj else "0"
    fixed = {
        "point_id": "sp6",
        "herb_id": next(iter(kb.herbs)),
        "pattern_id": next(iter(kb.patterns)),
        "finding": next(iter(kb.findings)),
        "group": kb.intake.exclusive[0].id,
        "checklist": kb.intake.checklists[0].id,
        "identifier": "about-you",
        "night": "2026-01-01",
        "fmt": "csv",
        "status": "arrived",
        "token": "not-a-token",
        "uidb64": "MQ",
        "pk": "0",
        "content_type_id": "1",
        "app_label": "records",
        "kind": "points",
        "entry_id": "sp6",
        "slug": "no-such-product",
        "url": "nothing/",
    }
    return fixed.get(name, "x")


def _url(route: Route, ids: dict[str, uuid.UUID]) -> str:
    if route.is_api:
        return "/api" + re.sub(r"\{(\w+)\}", lambda m: _value(route, m[1], ids), route.pattern)
    names = re.findall(r"<(?:\w+:)?(\w+)>", route.pattern)
    if route.name:
        return reverse(route.name, kwargs={n: _value(route, n, ids) for n in names})
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: _value(route, m[1], ids), route.pattern)
    return "/" + path.replace("(?P<url>.*)$", "nothing/")


def outcome(response) -> str:
    code = response.status_code
    if code == 401 or (300 <= code < 400 and "/login/" in response.get("Location", "")):
        return "login"
    if 200 <= code < 400:
        return "ok"
    if code in (403, 404):
        return "denied"
    if code in (400, 405, 409, 422):
        return "refused"
    return f"status {code}"


@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_each_route_answers_each_person_as_the_matrix_says(route: Route, world):
    users, ids = world
    found = entry_for(route.key)
    if found is None and os.environ.get("ANMIAN_MATRIX_DUMP"):
        found = ("POST" if route.is_api and route.methods[0] == "POST" else "GET", [])
    if found is None:
        pytest.fail(f"{route.key} has no line in {TABLE.name} (see test_every_route_has_an_entry)")
    method, expected = found
    url = _url(route, ids)
    seen = {}
    for role in ASK_ORDER:
        client = Client()
        if users[role] is not None:
            client.force_login(users[role])
        if route.is_api:
            response = client.generic(method, url, b"{}", content_type="application/json")
        elif method == "GET":
            response = client.get(url)
        else:
            response = client.generic(method, url) if method != "POST" else client.post(url)
        seen[role] = outcome(response)
    got = [seen[r] for r in ROLES]
    if os.environ.get("ANMIAN_MATRIX_DUMP"):  # writing a first draft of new lines, by hand
        with open(os.environ["ANMIAN_MATRIX_DUMP"], "a", encoding="utf-8") as out:
            out.write(f"  {route.key!r}: {method} {' '.join(got)}\n")
        return
    assert got == expected, f"{method} {url} ({route.key}):\n" + "\n".join(
        f"  {r:20} expected {e:8} got {g}"
        for r, e, g in zip(ROLES, expected, got, strict=True)
        if e != g
    )
