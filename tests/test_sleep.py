"""Sleep measures: one tested place, across midnight and across daylight-saving changes."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from anmian.engine.sleep import Night, SleepDiaryError, measures

LONDON = ZoneInfo("Europe/London")


def night(**kw) -> Night:
    base = dict(
        night_of=date(2026, 6, 10),
        bedtime=time(22, 30),
        lights_out=time(23, 0),
        sleep_latency_min=30,
        awakenings=2,
        awake_min=40,
        final_wake=time(6, 30),
        out_of_bed=time(7, 0),
    )
    return Night(**(base | kw))


def test_an_ordinary_night_across_midnight():
    m = measures(night(), LONDON)
    assert m.time_in_bed_min == 8 * 60 + 30  # 22:30 -> 07:00
    assert m.total_sleep_min == 7 * 60 + 30 - 30 - 40  # 23:00 -> 06:30, less SOL and WASO
    assert m.sleep_efficiency == round(100 * 380 / 510, 1)
    assert m.early_waking_min == 30


def test_a_bedtime_after_midnight_belongs_to_the_next_morning():
    m = measures(
        night(
            bedtime=time(0, 30),
            lights_out=time(0, 45),
            final_wake=time(8, 0),
            out_of_bed=time(8, 15),
        ),
        LONDON,
    )
    assert m.time_in_bed_min == 7 * 60 + 45


def test_a_wake_time_earlier_on_the_clock_than_bedtime_is_not_rejected():
    assert (
        measures(
            night(
                bedtime=time(23, 50),
                lights_out=time(23, 55),
                final_wake=time(5, 0),
                out_of_bed=time(5, 10),
            ),
            LONDON,
        ).time_in_bed_min
        == 320
    )


def test_the_spring_forward_night_is_an_hour_shorter():
    # Europe/London moved from 01:00 to 02:00 on 2026-03-29
    normal = measures(night(night_of=date(2026, 3, 21)), LONDON)
    spring = measures(night(night_of=date(2026, 3, 28)), LONDON)
    assert normal.time_in_bed_min - spring.time_in_bed_min == 60


def test_the_fall_back_night_is_an_hour_longer():
    # Europe/London moved from 02:00 back to 01:00 on 2026-10-25
    normal = measures(night(night_of=date(2026, 10, 17)), LONDON)
    autumn = measures(night(night_of=date(2026, 10, 24)), LONDON)
    assert autumn.time_in_bed_min - normal.time_in_bed_min == 60


def test_sleep_efficiency_is_total_sleep_over_time_in_bed():
    m = measures(
        night(sleep_latency_min=0, awake_min=0, lights_out=time(22, 30), final_wake=time(7, 0)),
        LONDON,
    )
    assert m.sleep_efficiency == 100.0


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"sleep_latency_min": -5}, "negative"),
        ({"sleep_latency_min": 400, "awake_min": 200}, "longer than the time between"),
    ],
)
def test_impossible_nights_are_refused_with_the_reason(kw, message):
    with pytest.raises(SleepDiaryError, match=message):
        measures(night(**kw), LONDON)
