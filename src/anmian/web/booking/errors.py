"""The one error of the booking domain. Every refusal is a BookingError (or one of its two
kinds that carry alternatives) with a message a person can read, a `code` for API clients
and the HTTP `status` the web pages and the API both answer with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class BookingError(Exception):
    """A booking that cannot be made or changed; the message is for people."""

    def __init__(self, message: str, code: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.status = status


class SlotTaken(BookingError):
    def __init__(self, alternatives: list[datetime]):
        super().__init__("That time was just taken. Here are the nearest free times.", "taken", 409)
        self.alternatives = alternatives


@dataclass(frozen=True)
class CourseProposal:
    week: int
    wanted: datetime | None  # None when the wanted local time does not exist that week
    start: datetime | None  # what would be booked (None: nothing free that week)
    note: str = ""


class CourseConflict(BookingError):
    def __init__(self, proposals: list[CourseProposal]):
        super().__init__(
            "Some weeks are taken; nothing was booked. See the proposed times.",
            "course-conflict",
            409,
        )
        self.proposals = proposals
