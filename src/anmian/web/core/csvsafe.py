"""CSV that opens the same in every spreadsheet and runs nothing: UTF-8 with a byte-order mark
(without one, Excel reads UTF-8 as the local code page and garbles Chinese names), ISO dates,
yes/no for booleans, and a text cell that starts with = + - @ (or a tab or carriage return)
prefixed with an apostrophe, so a spreadsheet shows it as text instead of running it as a
formula (OWASP, "CSV Injection"). Numbers are left alone: -3 is a number, not a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: True is an int
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def unguard(text: str) -> str:
    """A cell as it was before `cell` guarded it, so a file exported here imports unchanged."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text


def rows_to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The whole file: BOM, header, one line per row (CRLF, as RFC 4180 writes them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    writer.writerows([cell(v) for v in row] for row in rows)
    return BOM + buffer.getvalue()
