"""Free times as a person picks them: first a day (each with how many times it has), then
that day's times in morning, afternoon and evening, instead of one long column."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import pgettext_lazy

# Local hours where each part of the day begins; a time belongs to the last part begun.
PARTS = [("Morning", 0), ("Afternoon", 12), ("Evening", 17)]
# The parts' names in the page's language (the keys above stay the same in every language).
LABELS = {
    "Morning": pgettext_lazy("part of the day", "Morning"),
    "Afternoon": pgettext_lazy("part of the day", "Afternoon"),
    "Evening": pgettext_lazy("part of the day", "Evening"),
}


@dataclass(frozen=True)
class Day:
    day: date
    count: int


@dataclass(frozen=True)
class Part:
    name: str
    slots: list[tuple[Any, datetime, datetime]]  # practitioner, start, local start

    @property
    def label(self) -> str:
        return str(LABELS.get(self.name, self.name))


def days(slots: list[tuple[Any, datetime]], tz: ZoneInfo, one_per_time: bool) -> list[Day]:
    counts: dict[date, int] = {}
    starts = {start for _, start in slots} if one_per_time else [s for _, s in slots]
    for start in starts:
        local = start.astimezone(tz).date()
        counts[local] = counts.get(local, 0) + 1
    return [Day(d, n) for d, n in sorted(counts.items())]


def choose_day(listed: list[Day], wanted: date | None) -> date | None:
    """The day asked for if it is listed or in range, else the first day with free times."""
    if wanted is not None:
        return wanted
    return listed[0].day if listed else None


def parts(
    slots: list[tuple[Any, datetime]], tz: ZoneInfo, day: date | None, one_per_time: bool
) -> list[Part]:
    """The day's free times by part of the day; parts without a time are left out. With
    `one_per_time` ("first available") each time is offered once, with the first practitioner
    free then, rather than once per practitioner."""
    found: dict[str, list[tuple[Any, datetime, datetime]]] = {name: [] for name, _ in PARTS}
    seen: set[datetime] = set()
    for practitioner, start in slots:
        local = start.astimezone(tz)
        if local.date() != day or (one_per_time and start in seen):
            continue
        seen.add(start)
        name = next(n for n, hour in reversed(PARTS) if local.hour >= hour)
        found[name].append((practitioner, start, local))
    return [Part(name, found[name]) for name, _ in PARTS if found[name]]
