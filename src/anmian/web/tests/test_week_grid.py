"""The staff week as a time grid (issue 10): where `services.place_week` puts each
appointment, break, day off and closed stretch, worked out by hand on paper for a London
clinic, a row being a quarter hour of the wall clock; then the page itself, its filter by
practitioner, who may see it and its refusals.

The clock changes are the UK's (the last Sundays of March and October, at 01:00 UTC):
29 March 2026 goes from 00:59 GMT to 02:00 BST, 25 October 2026 from 01:59 BST back to
01:00 GMT."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from anmian.web.booking import services
from anmian.web.booking.models import AppointmentType, Break, TimeOff, WorkingHours
from anmian.web.booking.services import GridRules, place_week
from anmian.web.records.audit import AuditEntry
from anmian.web.records.models import Patient, Practitioner
from anmian.web.tests.world import appointment_at

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = dict.fromkeys(range(5))
ANN = "ann"  # the practitioner, as the pure function takes any key
RULES = GridRules(
    hours={**{d: [(time(9), time(17))] for d in WEEKDAYS}, 5: [(time(9), time(13))]},
    breaks={d: [(time(12, 30), time(13, 30))] for d in WEEKDAYS},
    off=[(date(2026, 3, 4), date(2026, 3, 4), "Training")],
)


def _at(day: date, h: int, m: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, h, m, tzinfo=LONDON)


def _column(grid, day: date, who=ANN, lane: int = 0) -> list[tuple[int, str, int]]:
    """One column as (row, kind, span), top to bottom."""
    return [
        (n, cell.kind, cell.span)
        for n, row in enumerate(grid.rows)
        for column, cell in row.cells
        if (column.day, column.who, column.lane) == (day, who, lane)
    ]


def _cell(grid, item):
    return next(
        (n, column, cell)
        for n, row in enumerate(grid.rows)
        for column, cell in row.cells
        if cell.item == item
    )


MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 3, 2) + timedelta(days=n) for n in range(7))


@pytest.fixture
def march_week():
    booked = [
        (ANN, _at(MON, 10), _at(MON, 10, 45), "A"),  # 10:00-10:45
        (ANN, _at(TUE, 16, 30), _at(TUE, 17, 30), "B"),  # past the end of the day's hours
        (ANN, _at(THU, 9, 10), _at(THU, 9, 40), "C"),  # off the quarter hours
    ]
    return place_week(MON, LONDON, {ANN: RULES}, booked, today=TUE)


def test_the_rows_run_from_the_first_working_hour_to_the_last_appointment(march_week):
    # Hours 09:00-17:00 (Saturday 09:00-13:00); B ends 17:30, so the grid runs to 18:00:
    # 9 hours of 4 quarter hours.
    rows = march_week.rows
    assert len(rows) == 36
    assert (rows[0].label, rows[-1].label) == ("09:00", "17:45")
    assert [r.label for r in rows if r.on_the_hour][:3] == ["09:00", "10:00", "11:00"]


def test_days_are_columns_monday_first_and_today_is_marked(march_week):
    assert [d.day for d in march_week.days] == [MON, TUE, WED, THU, FRI, SAT, SUN]
    assert [d.today for d in march_week.days] == [False, True, False, False, False, False, False]
    assert all(d.people == [(ANN, 1)] for d in march_week.days)
    assert len(march_week.rows[0].cells) == 7  # every day's column starts on the first row


def test_monday_free_time_an_appointment_the_lunch_break_and_the_evening(march_week):
    # 09:00-10:00 free (rows 0-3), A 10:00-10:45 (rows 4-6), free until the break at 12:30
    # (rows 7-13), the break 12:30-13:30 (rows 14-17, one cell), free until 17:00 (18-31),
    # then outside the working hours until 18:00 (rows 32-35, one cell).
    expected = [(n, "open", 1) for n in range(4)] + [(4, "appointment", 3)]
    expected += [(n, "open", 1) for n in range(7, 14)] + [(14, "break", 4)]
    expected += [(n, "open", 1) for n in range(18, 32)] + [(32, "closed", 4)]
    assert _column(march_week, MON) == expected
    _row, column, cell = _cell(march_week, "A")
    assert (cell.start.strftime("%H:%M"), cell.end.strftime("%H:%M")) == ("10:00", "10:45")
    assert not column.today and not (cell.continued or cell.continues)


def test_an_appointment_past_the_hours_and_one_off_the_quarter_hours(march_week):
    assert _column(march_week, TUE)[-2:] == [(30, "appointment", 4), (34, "closed", 2)]
    assert _cell(march_week, "B")[1].today  # Tuesday is today
    # 09:10-09:40 takes the rows it touches: 09:00, 09:15 and 09:30; its times stay exact.
    assert _column(march_week, THU)[0] == (0, "appointment", 3)
    assert _cell(march_week, "C")[2].start.strftime("%H:%M") == "09:10"


def test_a_day_off_a_short_saturday_and_a_sunday_without_hours(march_week):
    assert _column(march_week, WED) == [(0, "off", 36)]
    off = _cell_at(march_week, WED, 0)
    assert (off.kind, off.span, off.reason, off.whole_day) == ("off", 36, "Training", True)
    saturday = _column(march_week, SAT)
    assert saturday == [(n, "open", 1) for n in range(16)] + [(16, "closed", 20)]
    sunday = _cell_at(march_week, SUN, 0)
    assert (sunday.kind, sunday.span, sunday.whole_day) == ("closed", 36, True)


def _cell_at(grid, day: date, row: int):
    return next(cell for column, cell in grid.rows[row].cells if column.day == day)


def test_an_appointment_across_the_spring_clock_change_covers_the_skipped_hour():
    # 00:30 GMT to 02:30 BST is an hour long (00:30 to 01:30 UTC); on the wall it runs from
    # 00:30 to 02:30, the rows 00:30 to 02:15 (8 rows).
    sunday = date(2026, 3, 29)
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    grid = place_week(
        sunday - timedelta(days=6),
        LONDON,
        {ANN: RULES},
        [(ANN, start, start + timedelta(hours=1), "X")],
        today=sunday,
    )
    assert grid.rows[0].label == "00:00"  # the grid widens to the appointment
    row, column, cell = _cell(grid, "X")
    assert (grid.rows[row].label, cell.span, column.day) == ("00:30", 8, sunday)
    assert (cell.start.strftime("%H:%M %Z"), cell.end.strftime("%H:%M %Z")) == (
        "00:30 GMT",
        "02:30 BST",
    )


def test_an_appointment_across_the_autumn_clock_change_is_drawn_as_long_as_it_lasts():
    # 01:30 BST to 01:30 GMT (00:30 to 01:30 UTC): the wall clock reads the same time at both
    # ends, so it is drawn for its real hour, rows 01:30 to 02:15 (4 rows).
    sunday = date(2026, 10, 25)
    start = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    grid = place_week(
        sunday - timedelta(days=6),
        LONDON,
        {ANN: RULES},
        [(ANN, start, start + timedelta(hours=1), "Y")],
        today=sunday,
    )
    row, column, cell = _cell(grid, "Y")
    assert (grid.rows[row].label, cell.span, column.day) == ("01:30", 4, sunday)
    assert (cell.start.strftime("%H:%M %Z"), cell.end.strftime("%H:%M %Z")) == (
        "01:30 BST",
        "01:30 GMT",
    )


def test_appointments_at_the_edges_of_days_and_of_the_week():
    booked = [
        (ANN, _at(TUE, 23, 30), _at(WED, 0, 30), "late"),  # across midnight
        (ANN, _at(MON - timedelta(days=1), 23, 45), _at(MON, 0, 15), "from last week"),
        (ANN, _at(FRI, 23), _at(SAT, 0), "to midnight"),  # ends at midnight exactly
        (ANN, _at(SUN, 23, 45), _at(SUN + timedelta(days=1), 0, 15), "into next week"),
    ]
    grid = place_week(MON, LONDON, {ANN: RULES}, booked, today=TUE)
    assert (grid.rows[0].label, grid.rows[-1].label, len(grid.rows)) == ("00:00", "23:45", 96)
    pieces = [
        (column.day, grid.rows[n].label, cell.span, cell.continued, cell.continues, cell.item)
        for n, row in enumerate(grid.rows)
        for column, cell in row.cells
        if cell.kind == "appointment"
    ]
    assert sorted(pieces) == sorted(
        [
            (MON, "00:00", 1, True, False, "from last week"),
            (TUE, "23:30", 2, False, True, "late"),
            (WED, "00:00", 2, True, False, "late"),
            (FRI, "23:00", 4, False, False, "to midnight"),  # nothing of it on Saturday
            (SUN, "23:45", 1, False, True, "into next week"),
        ]
    )
    # Wednesday is a day off: the rest of its column is still the day off, in two cells.
    assert _column(grid, WED) == [(0, "appointment", 2), (2, "off", 94)]


def test_overlapping_appointments_sit_side_by_side_and_colleagues_have_their_own_columns():
    booked = [
        (ANN, _at(MON, 10), _at(MON, 11), "one"),
        (ANN, _at(MON, 10, 30), _at(MON, 11), "overlaps it"),
        (ANN, _at(MON, 11), _at(MON, 11, 30), "after the first"),  # back in the first lane
        ("li", _at(MON, 10), _at(MON, 10, 30), "li's"),
    ]
    grid = place_week(MON, LONDON, {ANN: RULES, "li": RULES}, booked, today=SUN)
    assert grid.days[0].people == [(ANN, 2), ("li", 1)] and grid.days[0].span == 3
    assert grid.days[1].people == [(ANN, 1), ("li", 1)]
    lanes = {
        cell.item: column.lane
        for _, column, cell in map(
            lambda i: _cell(grid, i), ["one", "overlaps it", "after the first", "li's"]
        )
    }
    assert lanes == {"one": 0, "overlaps it": 1, "after the first": 0, "li's": 0}
    assert _cell(grid, "li's")[1].who == "li"
    # the second lane holds the free time and the break around its one appointment
    assert _column(grid, MON, ANN, 1)[6] == (6, "appointment", 2)
    assert (14, "break", 4) in _column(grid, MON, ANN, 1)
    assert len(grid.rows[0].cells) == 3 + 6 * 2  # 3 columns on Monday, 2 each other day


def test_a_week_with_no_hours_and_nothing_booked_shows_the_usual_day():
    grid = place_week(MON, LONDON, {ANN: GridRules({}, {}, [])}, [], today=MON)
    assert (grid.rows[0].label, grid.rows[-1].label) == ("09:00", "16:45")
    assert _column(grid, MON) == [(0, "closed", 32)] and grid.items == []


# --- the page ---------------------------------------------------------------------------


@pytest.fixture
def week(db, alice, bob):
    """Bob works Mon-Fri 09:00-17:00 with lunch 12:30-13:30; the clinic is closed on
    Wednesday 4 March 2026; Alice sees him Monday at 10:00, Cleo sees his colleague Cai."""
    for weekday in range(5):
        WorkingHours.objects.create(practitioner=bob, weekday=weekday, start=time(9), end=time(17))
        Break.objects.create(
            practitioner=bob, weekday=weekday, start=time(12, 30), end=time(13, 30)
        )
    TimeOff.objects.create(clinic=bob.clinic, first_day=WED, last_day=WED, reason="Staff training")
    kind = AppointmentType.objects.create(clinic=bob.clinic, name="Needling", duration_min=45)
    appointment_at(bob, alice, kind, datetime(2026, 3, 2, 10, tzinfo=UTC))
    from django.contrib.auth import get_user_model

    cai = Practitioner.objects.create(
        user=get_user_model().objects.create_user("cai@example.org"),
        clinic=bob.clinic,
        display_name="Cai Colleague",
    )
    cleo = Patient.objects.create(clinic=bob.clinic, name="Cleo Other")
    appointment_at(cai, cleo, kind, datetime(2026, 3, 3, 15, tzinfo=UTC))
    return cai


def test_the_week_page_shows_the_grid_of_the_practitioner_s_own_week(client: Client, bob, week):
    client.force_login(bob.user)
    response = client.get("/booking/calendar/?view=week&day=2026-03-04")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<table class="weekgrid"' in html and 'scope="colgroup"' in html
    assert "Alice Able" in html and "10:00–10:45" in html and "Needling" in html
    assert "Staff training" in html and "Break" in html
    assert "Cleo Other" not in html  # his colleague's patient, not in his own week
    assert "day=2026-02-23" in html and "day=2026-03-09" in html  # previous and next week
    entry = AuditEntry.objects.filter(what="calendar").latest("pk")
    assert entry.patient is not None and entry.patient.name == "Alice Able"


def test_the_week_of_everyone_at_the_clinic_and_of_one_colleague(client: Client, bob, week):
    client.force_login(bob.user)
    everyone = client.get("/booking/calendar/?view=week&day=2026-03-02&who=all").content.decode()
    assert "Alice Able" in everyone and "Cleo Other" in everyone
    assert 'class="who"' in everyone and "Cai Colleague" in everyone
    one = client.get(f"/booking/calendar/?view=week&day=2026-03-02&who={week.pk}").content.decode()
    assert "Cleo Other" in one and "Alice Able" not in one
    assert f'&amp;who={week.pk}"' in one  # the week links keep the choice
    assert f'<option value="{week.pk}" selected>Cai Colleague' in one
    mine = client.get("/booking/calendar/?view=week&day=2026-03-02&who=mine").content.decode()
    assert "Alice Able" in mine and "Cleo Other" not in mine


def test_the_week_refuses_a_colleague_of_another_clinic_and_a_bad_choice(
    client: Client, bob, dave, week
):
    client.force_login(bob.user)
    other = client.get(f"/booking/calendar/?view=week&who={dave.pk}")
    assert other.status_code == 404 and b"No such practitioner at your clinic" in other.content
    bad = client.get("/booking/calendar/?view=week&who=everyone")
    assert bad.status_code == 400 and b"Choose a practitioner from the list" in bad.content


def test_patients_do_not_see_the_week(client: Client, alice, week):
    client.force_login(alice.user)
    assert client.get("/booking/calendar/?view=week&who=all").status_code == 404


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_weeks_at_the_ends_of_the_calendar_answer_without_a_500(client: Client, bob, day):
    client.force_login(bob.user)
    response = client.get(f"/booking/calendar/?view=week&day={day}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert b"day" in response.content


def test_a_practitioner_with_no_hours_and_no_appointments_sees_a_next_step(client: Client, bob):
    client.force_login(bob.user)
    html = client.get("/booking/calendar/?view=week").content.decode()
    assert "Nothing is booked this week." in html and 'href="/booking/book/"' in html
    assert services.GRID_DEFAULT_HOURS == (9, 17) and ">09:00<" in html


def test_the_week_in_zh_hant(client: Client, bob, week):
    client.force_login(bob.user)
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    html = client.get("/booking/calendar/?view=week&day=2026-03-02").content.decode()
    for words in ("休息時間", "休假", "非看診時間", "下一週", "3月2日"):
        assert words in html, words
    for words in (">Break<", "Day off", "Outside working hours", "Next week", "Week of"):
        assert words not in html, words


def test_the_week_reads_in_the_same_number_of_queries_however_full_it_is(client: Client, bob, week):
    """A busy week must not cost a query an appointment: the patient, type and practitioner
    come with each row, and one audit entry names every patient shown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(bob.user)
    url = "/booking/calendar/?view=week&day=2026-03-02&who=all"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    kind = AppointmentType.objects.get(name="Needling")
    for n in range(6):
        other = Patient.objects.create(clinic=bob.clinic, name=f"Patient {n}")
        appointment_at(bob, other, kind, datetime(2026, 3, 5, 9 + n, tzinfo=UTC))
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "Patient 5" in html
    assert len(many.captured_queries) == len(few.captured_queries)
