"""iCalendar (RFC 5545) text for appointments: one event per appointment, times in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from anmian.web.booking.models import Appointment


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start = [], 0
    while start < len(data):
        size = 75 if start == 0 else 74
        chunk = data[start : start + size]
        while True:  # never cut a UTF-8 character in two
            try:
                parts.append(chunk.decode())
                break
            except UnicodeDecodeError:
                chunk = chunk[:-1]
        start += len(chunk)
    return "\r\n ".join(parts)


def _utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(appointments: Iterable[Appointment], name: str, method: str | None = None) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Anmian//Booking//EN",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    if method:
        lines.append(f"METHOD:{method}")
    now = _utc(datetime.now(UTC))
    for a in appointments:
        status = "CANCELLED" if a.status == "cancelled" else "CONFIRMED"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{a.uid}@anmian",
            f"DTSTAMP:{now}",
            f"DTSTART:{_utc(a.start)}",
            f"DTEND:{_utc(a.end)}",
            f"SUMMARY:{_escape(a.appointment_type.name)} with {_escape(a.practitioner.display_name)}",
            f"LOCATION:{_escape(a.practitioner.clinic.name)}",
            f"STATUS:{status}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
