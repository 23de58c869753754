"""The report's adherence table (issue 17): the last 12 weeks week by week, the 12 months
before them month by month, the years before that year by year. A five-year diary gave 260
weekly rows, too many to read and most of the report's render time.

Every expected figure below is worked by hand from the nights listed, not taken from the code.
The report is of Friday 20 November 2026: its week starts on Monday 16 November, so the 12
weeks start 11 weeks earlier, on Monday 31 August 2026; the months start 12 months before
August 2026, on 1 August 2025; the years are what comes before."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from pypdf import PdfReader

from anmian.web.diary.models import DiaryEntry
from anmian.web.diary.progress import periods
from anmian.web.tests import world

TODAY = date(2026, 11, 20)

# (night, self-care that night, severity 0-10)
NIGHTS = [
    (date(2024, 12, 31), True, 4),  # year 2024
    (date(2025, 7, 31), False, 6),  # year 2025: the last night before the months start
    (date(2025, 8, 1), True, 3),  # August 2025, the first month
    # March 2026. 1 March is a Sunday, so these nights fall in two weeks (23 Feb: one night,
    # severity 2; 2 March: 4, 6, 8). Over the nights: 3 of 4 with self-care = 75 %, mean
    # severity (2+4+6+8)/4 = 5.0. An average of the two weeks would give 83 % and 4.0.
    (date(2026, 3, 1), True, 2),
    (date(2026, 3, 2), True, 4),
    (date(2026, 3, 3), False, 6),
    (date(2026, 3, 4), True, 8),
    # April 2026: 1 of 3 with self-care = 33 %, mean (1+2+6)/3 = 3.0
    (date(2026, 4, 10), False, 1),
    (date(2026, 4, 11), True, 2),
    (date(2026, 4, 12), False, 6),
    # Sunday 30 August is the last night of the months (August 2026: 1 night, 0 %, 9.0);
    # Monday 31 August is the first of the weeks (1 night, 100 %, 1.0)
    (date(2026, 8, 30), False, 9),
    (date(2026, 8, 31), True, 1),
    # the week of 16 November: 2 of 3 with self-care = 67 %, mean (3+4+8)/3 = 5.0
    (date(2026, 11, 16), True, 3),
    (date(2026, 11, 17), False, 4),
    (date(2026, 11, 18), True, 8),
]


def rows(part) -> list[tuple[date, int, int, float]]:
    return [(r.start, r.nights, round(r.care), round(r.severity, 1)) for r in part]


def test_each_row_is_worked_out_over_its_own_nights():
    p = periods(NIGHTS, TODAY)
    assert p.weeks_from == date(2026, 8, 31)
    assert p.months_from == date(2025, 8, 1)
    assert p.months_to == date(2026, 8, 30) and p.years_to == date(2025, 7, 31)
    assert rows(p.weeks) == [
        (date(2026, 8, 31), 1, 100, 1.0),
        (date(2026, 11, 16), 3, 67, 5.0),
    ]
    assert rows(p.months) == [
        (date(2025, 8, 1), 1, 100, 3.0),
        (date(2026, 3, 1), 4, 75, 5.0),
        (date(2026, 4, 1), 3, 33, 3.0),
        (date(2026, 8, 1), 1, 0, 9.0),
    ]
    assert rows(p.years) == [(date(2024, 1, 1), 1, 100, 4.0), (date(2025, 1, 1), 1, 0, 6.0)]


def test_every_night_is_counted_once():
    p = periods(NIGHTS, TODAY)
    assert sum(r.nights for r in p.weeks + p.months + p.years) == len(NIGHTS)


def test_a_short_diary_is_all_weeks():
    nights = [(TODAY - timedelta(days=d), d % 2 == 0, 5) for d in range(1, 43)]
    p = periods(nights, TODAY)
    assert len(p.weeks) == 7 and not p.months and not p.years  # 42 nights back: 7 weeks


def test_five_years_of_nights_make_a_table_a_person_can_read():
    """1,826 nights: 12 weeks, 13 months (12 whole ones and August 2026 up to the weeks) and
    the calendar years 2021 to 2025, where the weekly table had 262 rows."""
    nights = [(TODAY - timedelta(days=d), True, 5) for d in range(1, 1827)]
    p = periods(nights, TODAY)
    assert (len(p.weeks), len(p.months), len(p.years)) == (12, 13, 5)
    assert p.years[0].start == date(2021, 1, 1)


@pytest.fixture
def diary(alice):
    DiaryEntry.objects.bulk_create(
        world.night(alice, night, severity=sev, onset=None, points_pressed=["sp6"] if care else [])
        for night, care, sev in NIGHTS
    )
    return alice


def report_text(client, patient, **headers) -> str:
    client.force_login(patient.user)
    with time_machine.travel("2026-11-20 12:00:00+00:00", tick=False):
        response = client.get("/diary/report.pdf?paper=a4", **headers)
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return " ".join(text.split())


@pytest.mark.django_db
def test_the_pdf_prints_the_rows_as_worked_by_hand(client, diary):
    text = report_text(client, diary)
    assert "Adherence by week: the last 12 weeks" in text
    assert "31 Aug 2026 1 100% 1.0" in text
    assert "16 Nov 2026 3 67% 5.0" in text
    assert "By month, 1 Aug 2025 to 30 Aug 2026" in text
    assert "March 2026 4 75% 5.0" in text
    assert "April 2026 3 33% 3.0" in text
    assert "August 2026 1 0% 9.0" in text
    assert "By year, until 31 Jul 2025" in text
    assert "2024 1 100% 4.0" in text and "2025 1 0% 6.0" in text
    assert "23 Feb 2026" not in text  # no weekly rows before the last 12 weeks


@pytest.mark.django_db
def test_the_chinese_pdf_heads_each_part_in_chinese(client, diary):
    text = report_text(client, diary, HTTP_ACCEPT_LANGUAGE="zh-TW,zh;q=0.9")
    assert "每週執行情況：最近 12 週" in text
    assert "按月：2025年8月1日至2026年8月30日" in text
    assert "按年：至2025年7月31日" in text
    assert "2026年3月 4 75% 5.0" in text
    for english in ("By month", "By year", "Nights recorded", "Month"):
        assert english not in text
