"""Sleep measures from one night of a sleep diary, after the Consensus Sleep Diary (Carney 2012).

The one place these numbers are computed. A night is named by the date it starts. Clock times
are local wall-clock times; each event is placed at the first moment at or after the one
before it, so a 23:00 bedtime and a 06:30 waking span midnight without anyone saying so, and
a bedtime after midnight (00:30) belongs to the next calendar day. Durations are measured on
real (UTC) time, so a night across a daylight-saving change is an hour shorter or longer,
as it truly was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

NOON = time(12, 0)


class SleepDiaryError(ValueError):
    """A night that cannot be right; the message says which field and why."""


@dataclass(frozen=True)
class Night:
    night_of: date
    bedtime: time  # got into bed
    lights_out: time  # started trying to sleep
    sleep_latency_min: int  # minutes to fall asleep (SOL)
    awakenings: int
    awake_min: int  # minutes awake after first falling asleep, before the final waking (WASO)
    final_wake: time
    out_of_bed: time


@dataclass(frozen=True)
class SleepMeasures:
    time_in_bed_min: int  # TIB: into bed to out of bed
    total_sleep_min: int  # TST
    sleep_efficiency: float  # SE = TST / TIB, percent
    sleep_latency_min: int  # SOL
    wake_after_sleep_onset_min: int  # WASO
    early_waking_min: int  # final waking to out of bed


def _at_or_after(after: datetime, wall: time, tz: ZoneInfo) -> datetime:
    """The first local moment with clock time `wall` at or after `after`."""
    day = after.astimezone(tz).date()
    for offset in (0, 1):
        candidate = datetime.combine(day + timedelta(days=offset), wall, tz)
        # A time in a DST gap does not exist; zoneinfo shifts it forward (fold rules): fine
        # for a diary, where a person wrote the clock they saw.
        if candidate >= after:
            return candidate
    raise SleepDiaryError("times are out of order")  # pragma: no cover - two days always suffice


def measures(night: Night, tz: ZoneInfo) -> SleepMeasures:
    if night.sleep_latency_min < 0 or night.awake_min < 0 or night.awakenings < 0:
        raise SleepDiaryError("minutes and counts cannot be negative")
    # Bedtime before noon means the small hours after the named night's midnight.
    bed_day = night.night_of if night.bedtime >= NOON else night.night_of + timedelta(days=1)
    bed = datetime.combine(bed_day, night.bedtime, tz)
    lights = _at_or_after(bed, night.lights_out, tz)
    wake = _at_or_after(lights, night.final_wake, tz)
    up = _at_or_after(wake, night.out_of_bed, tz)

    def minutes(a: datetime, b: datetime) -> int:
        # Python subtracts two datetimes that share a tzinfo on the wall clock, ignoring a
        # DST change between them; in UTC the difference is the real elapsed time.
        return round((b.astimezone(UTC) - a.astimezone(UTC)).total_seconds() / 60)

    tib = minutes(bed, up)
    asleep_window = minutes(lights, wake)
    if tib <= 0:
        raise SleepDiaryError("out of bed must be after bedtime")
    if tib > 24 * 60:
        raise SleepDiaryError("a night cannot be longer than 24 hours in bed")
    tst = asleep_window - night.sleep_latency_min - night.awake_min
    if tst < 0:
        raise SleepDiaryError(
            "time to fall asleep plus time awake is longer than the time between lights out "
            "and the final waking; check those fields"
        )
    return SleepMeasures(
        time_in_bed_min=tib,
        total_sleep_min=tst,
        sleep_efficiency=round(100 * tst / tib, 1),
        sleep_latency_min=night.sleep_latency_min,
        wake_after_sleep_onset_min=night.awake_min,
        early_waking_min=minutes(wake, up),
    )
