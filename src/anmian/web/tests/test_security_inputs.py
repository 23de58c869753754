"""Bad input is a 4xx with a message, never a 500 (issue 11): the edges an attack run found.

Dates at the ends of the calendar (year 1, year 9999) in slots, bookings, courses and the
calendar; a page number of 2**62 on every paginated list; JSON nested 100,000 deep; a CSV cell
over the csv module's 131,072-character limit; a NUL byte in a search or in a token of a URL
(PostgreSQL refuses a NUL in a string, so none may reach a query: checked here on the SQL the
test database is sent); words where the booking forms want numbers; ids that are not UUIDs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from anmian.web.records.models import ApiToken
from anmian.web.tests.world import bookable, pinned_clock

pytestmark = pytest.mark.django_db

_clock = pinned_clock(datetime(2026, 3, 2, 8, tzinfo=UTC))

FIRST, LAST = "0001-01-01", "9999-12-31"
# The first and last instants Python can hold, written with the offsets that push them past
# the ends when turned to UTC, and plainly.
EDGE_TIMES = [
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:59:59-12:00",
]
HUGE_PAGE = str(2**62)


@pytest.fixture
def kind(clinic, bob):
    return bookable(bob)


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {ApiToken.issue(user, scope=ApiToken.READ_WRITE)}"}


def refused(response, *statuses: int) -> bool:
    """A 4xx (one of `statuses` if given) with a body that says something."""
    ok = 400 <= response.status_code < 500 and (not statuses or response.status_code in statuses)
    return ok and len(response.content.strip()) > 0


def api_post(client: Client, url: str, body, headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json", headers=headers)


# --- dates at the ends of the calendar -------------------------------------------------------


@pytest.mark.parametrize("day", [FIRST, LAST])
def test_slots_from_the_first_or_last_day_of_the_calendar(client: Client, alice, kind, day):
    url = f"/api/v1/booking/slots?appointment_type={kind.pk}&first_day={day}&days=14"
    response = client.get(url, headers=bearer(alice.user))
    assert response.status_code == 400, response.content
    assert response.json() == {
        "error": "Give a day between 2000-01-01 and 2999-12-31.",
        "code": "bad-day",
    }


def test_slots_further_ahead_than_bookings_open_are_refused(client: Client, alice, kind):
    url = f"/api/v1/booking/slots?appointment_type={kind.pk}&first_day=2028-06-01"
    response = client.get(url, headers=bearer(alice.user))
    assert response.status_code == 400 and response.json()["code"] == "too-far"


@pytest.mark.parametrize("start", EDGE_TIMES)
def test_booking_at_the_ends_of_time_is_refused(client: Client, alice, bob, kind, start):
    body = {"practitioner": bob.pk, "appointment_type": kind.pk, "start": start}
    response = api_post(client, "/api/v1/booking/appointments", body, bearer(alice.user))
    assert refused(response, 400, 422), response.content
    assert response.json()["error"]


@pytest.mark.parametrize("start", EDGE_TIMES)
def test_moving_to_the_ends_of_time_is_refused(client: Client, alice, bob, kind, start):
    from anmian.web.booking import services

    a, _ = services.book(
        alice.user, bob, kind, datetime(2026, 3, 3, 10, tzinfo=UTC), now=datetime.now(UTC)
    )
    url = f"/api/v1/booking/appointments/{a.uid}/move"
    response = api_post(client, url, {"start": start}, bearer(alice.user))
    assert refused(response, 400, 422), response.content


@pytest.mark.parametrize("day", [FIRST, LAST])
def test_a_course_starting_at_the_ends_of_the_calendar_is_refused(
    client: Client, alice, bob, kind, day
):
    body = {
        "practitioner": bob.pk,
        "appointment_type": kind.pk,
        "first_day": day,
        "time": "10:00",
        "weeks": 6,
    }
    response = api_post(client, "/api/v1/booking/courses", body, bearer(alice.user))
    assert refused(response, 400, 422), response.content


@pytest.mark.parametrize("day", [FIRST, LAST])
@pytest.mark.parametrize("view", ["day", "week"])
def test_the_calendar_at_the_ends_of_the_calendar(client: Client, bob, day, view):
    client.force_login(bob.user)
    response = client.get(f"/booking/calendar/?day={day}&view={view}")
    # Either the page of a day with nothing booked, or a refusal naming the day: never a 500.
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert b"day" in response.content


@pytest.mark.parametrize("day", [FIRST, LAST])
def test_the_booking_page_for_a_day_at_the_ends(client: Client, alice, kind, day):
    client.force_login(alice.user)
    assert client.get(f"/booking/book/?type={kind.pk}&day={day}").status_code == 200


@pytest.mark.parametrize("start", EDGE_TIMES)
def test_the_booking_forms_refuse_the_ends_of_time(client: Client, alice, bob, kind, start):
    client.force_login(alice.user)
    fields = {"type": kind.pk, "practitioner": bob.pk, "start": start}
    assert refused(client.post("/booking/book/", fields), 400)
    assert refused(client.get("/booking/book/confirm/", fields), 400)


@pytest.mark.parametrize("day", [FIRST, LAST])
def test_the_course_form_refuses_the_ends_of_the_calendar(client: Client, alice, bob, kind, day):
    client.force_login(alice.user)
    fields = {"type": kind.pk, "practitioner": bob.pk, "first_day": day, "time": "10:00"}
    response = client.post("/booking/course/", fields | {"weeks": "6"})
    assert refused(response, 400), response.status_code


@pytest.mark.parametrize("day", [FIRST, LAST])
def test_a_diary_night_at_the_ends_of_the_calendar(client: Client, alice, day):
    client.force_login(alice.user)
    assert refused(client.get(f"/diary/night/{day}/"), 400, 404)


# --- page numbers ------------------------------------------------------------------------------


def test_the_api_patient_list_far_past_its_last_page_is_empty(client: Client, bob, alice):
    response = client.get(f"/api/v1/patients?page={HUGE_PAGE}", headers=bearer(bob.user))
    assert response.status_code == 200, response.content
    assert response.json() == {"page": 2**62, "count": 1, "results": []}


def test_a_page_number_past_a_64_bit_integer_is_an_empty_page_too(client: Client, bob, alice):
    response = client.get(f"/api/v1/patients?page={2**64}", headers=bearer(bob.user))
    assert response.status_code == 200 and response.json()["results"] == []


@pytest.fixture
def admin(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root@example.org", "root@example.org", "x")


@pytest.mark.parametrize("url", ["/clinic/patients/", "/clinic/audit/"])
def test_the_web_lists_far_past_their_last_page_show_the_last(
    client: Client, bob, alice, admin, url
):
    client.force_login(bob.user if "patients" in url else admin)
    for page in (HUGE_PAGE, str(2**64), "-1", "x"):
        response = client.get(f"{url}?page={page}")
        assert response.status_code == 200, (page, response.status_code)


# --- JSON nested deeply ------------------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "url", ["/api/v1/assess", "/api/v1/intake/next", "/api/v1/tokens"], ids=lambda u: u
)
def test_json_nested_100000_deep_is_a_400_with_a_message(client: Client, url):
    response = api_post(client, url, DEEP, {})
    assert response.status_code == 400, response.content
    assert response.json()["error"]


def test_deep_json_to_the_authenticated_bodies_is_a_400(client: Client, alice):
    for url in ["/api/v1/booking/appointments", "/api/v1/me/fhir/import", "/api/v1/shop/orders"]:
        response = api_post(client, url, DEEP, bearer(alice.user))
        assert response.status_code == 400, (url, response.content)
        assert response.json()["error"]


# --- a CSV cell beyond the csv module's limit --------------------------------------------------

HEADER = "night_of,bedtime,lights_out,sleep_latency_min,final_wake,out_of_bed,severity,onset"
BIG = "x" * 131_073


@pytest.mark.parametrize(
    "text",
    [
        f"{HEADER}\n2026-02-01,22:30,23:00,20,06:30,07:00,5,{BIG}\n",
        f"{HEADER},{BIG}\n2026-02-01,22:30,23:00,20,06:30,07:00,5,21:00,\n",
        f'{HEADER}\n2026-02-01,"{BIG}\n',
    ],
    ids=["in a row", "in the header", "an unclosed quote"],
)
def test_a_csv_cell_over_131072_characters_is_reported_not_a_500(client: Client, alice, text):
    client.force_login(alice.user)
    upload = SimpleUploadedFile("diary.csv", text.encode(), content_type="text/csv")
    response = client.post("/diary/import/", {"file": upload})
    assert response.status_code == 400
    assert b"row" in response.content


# --- NUL bytes -----------------------------------------------------------------------------------


def no_nul_reaches_the_database(client: Client, method: str, url: str, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code < 500, (url, response.status_code)
    assert not [q["sql"] for q in queries if "\x00" in q["sql"]], url
    return response


@pytest.mark.parametrize(
    "url",
    ["/clinic/patients/?q=al%00ice", "/clinic/audit/?user=a%00b", "/api/v1/patients?q=al%00ice"],
)
def test_a_nul_byte_in_a_search_reaches_no_query(client: Client, bob, alice, admin, url):
    client.force_login(admin if "audit" in url else bob.user)
    response = no_nul_reaches_the_database(client, "get", url)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/accounts/activate/MQ/a%00b/"),
        ("get", "/accounts/invite/a%00b/"),
        ("get", "/accounts/mine/data/delete/a%00b/"),
        ("get", "/booking/feed/a%00b.ics"),
        ("get", "/booking/waitlist/a%00b/"),
        ("post", "/accounts/tokens/1%00/revoke/"),
        ("get", "/diary/night/2026-02-01%00/"),
        ("get", "/diary/export.c%00sv"),
        ("get", "/library/herbs/dang%00gui/"),
        ("get", "/shop/p/a%00b/"),
    ],
)
def test_a_nul_byte_in_a_token_or_id_of_a_url_is_a_4xx_before_any_query(
    client: Client, alice, method, url
):
    client.force_login(alice.user)
    response = no_nul_reaches_the_database(client, method, url)
    assert 400 <= response.status_code < 500, (url, response.status_code)


def test_a_nul_byte_in_a_reset_link_shows_the_invalid_link_page(client: Client, alice):
    response = no_nul_reaches_the_database(client, "get", "/accounts/reset/MQ/a%00b/")
    assert response.status_code == 200 and b"set-password" not in response.content


def test_a_nul_byte_in_a_bearer_token_is_a_401(client: Client):
    response = no_nul_reaches_the_database(client, "get", "/api/v1/me/assessments")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/me/assessments", headers={"Authorization": "Bearer a\x00b"})
    assert response.status_code == 401
    assert not [q for q in queries if "\x00" in q["sql"]]


def test_a_nul_byte_in_a_login_is_refused_before_any_query(client: Client, alice):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/accounts/login/", {"username": "alice@example.org\x00", "password": "x"}
        )
        api = api_post(client, "/api/v1/tokens", {"username": "a\x00b", "password": "x"}, {})
    assert response.status_code in (200, 400) and refused(api, 401, 422)
    assert not [q["sql"] for q in queries if "\x00" in q["sql"]]


# --- words where the booking forms want numbers --------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "abc", "practitioner": "xyz"},
        {"type": "1e9", "practitioner": "-1"},
        {"type": "99999999999999999999999", "practitioner": "99999999999999999999999"},
        {"type": "１", "practitioner": "²"},  # digits Python's isdigit knows, int() may not
    ],
)
def test_words_for_type_and_practitioner_in_the_booking_forms(client: Client, alice, kind, fields):
    client.force_login(alice.user)
    start = {"start": "2026-03-03T10:00:00+00:00"}
    # The page: a refusal naming the practitioner, or the page with the clinic's first type.
    response = client.get("/booking/book/", fields)
    assert response.status_code == 200 or refused(response, 400, 404)
    assert refused(client.post("/booking/book/", fields | start), 400, 404)
    assert refused(client.get("/booking/book/confirm/", fields | start), 400, 404)
    course = fields | {"first_day": "2026-03-03", "time": "10:00", "weeks": "6"}
    assert refused(client.post("/booking/course/", course), 400, 404)
    assert refused(client.post("/booking/waitlist/join/", fields), 400, 404)


@pytest.mark.parametrize("value", ["abc", "1.5", str(2**64), "-1"])
def test_words_for_numbers_in_the_booking_api(client: Client, alice, kind, value):
    url = f"/api/v1/booking/slots?appointment_type={value}"
    assert refused(client.get(url, headers=bearer(alice.user)), 400, 404, 422)
    url = f"/api/v1/booking/slots?appointment_type={kind.pk}&days={value}"
    assert refused(client.get(url, headers=bearer(alice.user)), 400, 422)


# --- ids that are not UUIDs ----------------------------------------------------------------------


@pytest.mark.parametrize("uid", ["not-a-uuid", "1", "%00", "x" * 300])
@pytest.mark.parametrize("action", ["cancel", "move", "arrived", "no-show"])
def test_an_id_that_is_not_a_uuid_in_the_booking_api(client: Client, bob, alice, uid, action):
    url = f"/api/v1/booking/appointments/{uid}/{action}"
    body = {"start": "2026-03-03T10:00:00+00:00"} if action == "move" else {}
    for who in (alice, bob):
        response = api_post(client, url, body, bearer(who.user))
        assert refused(response, 404, 422), (who, response.content)
        assert response.json()["error"]


def test_a_patient_that_is_not_a_uuid_in_a_staff_booking(client: Client, bob, kind):
    body = {
        "practitioner": bob.pk,
        "appointment_type": kind.pk,
        "start": "2026-03-03T10:00:00+00:00",
        "patient": "not-a-uuid",
    }
    response = api_post(client, "/api/v1/booking/appointments", body, bearer(bob.user))
    assert refused(response, 400, 404, 422), response.content
