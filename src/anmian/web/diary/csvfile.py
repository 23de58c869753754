"""The diary's CSV layout (the site's export), read in one place: the site's import and the
`anmian sleep` command both read a file through `read_rows`.

Pure Python, no Django, so the command stays fast and needs no settings. A bad file raises
`CsvError`, whose message names the row (the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from anmian.engine.sleep import Night
from anmian.web.core.csvsafe import unguard

# Every column of the export, in its order; the import reads these and ignores others.
COLUMNS = (
    "night_of",
    "severity",
    "onset",
    "areas",
    "sleep_disturbance",
    "bedtime",
    "lights_out",
    "sleep_latency_min",
    "awakenings",
    "awake_min",
    "final_wake",
    "out_of_bed",
    "quality",
    "caffeine",
    "alcohol",
    "nicotine",
    "exercise",
    "late_screens",
    "herbs_taken",
    "topical_used",
    "notes",
    "points_pressed",  # point ids joined by ";", as areas; last, so older files still line up
)
# The export adds the measures of each night; an import ignores them (they are recomputed).
MEASURES = ("time_in_bed_min", "total_sleep_min", "sleep_efficiency")
SLEEP_COLUMNS = (
    "night_of",
    "bedtime",
    "lights_out",
    "sleep_latency_min",
    "final_wake",
    "out_of_bed",
)
IMPORT_COLUMNS = (*SLEEP_COLUMNS[:1], "severity", *SLEEP_COLUMNS[1:], "quality")
MAX_ROWS = 5000
TRUE = ("true", "1", "yes", "on")


class CsvError(ValueError):
    """A file that cannot be read; the message says where and what is wrong."""

    def __init__(self, row: int, message: str, column: str | None = None) -> None:
        self.row, self.column, self.message = row, column, message
        where = f"row {row}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Row:
    number: int  # the row in the file; the header is row 1
    values: dict[str, str]  # column -> stripped text; a missing cell is ""

    def text(self, column: str) -> str:
        return unguard(self.values.get(column, ""))  # the export wrote =... as '=...

    def flag(self, column: str) -> bool:
        return self.text(column).casefold() in TRUE

    def date(self, column: str) -> date:
        try:
            return date.fromisoformat(self.text(column))
        except ValueError:
            raise self.error(column, "not a date (YYYY-MM-DD)") from None

    def time(self, column: str) -> time:
        try:
            return time.fromisoformat(self.text(column))
        except ValueError:
            raise self.error(column, "not a clock time (HH:MM)") from None

    def whole(self, column: str, default: int | None = None) -> int:
        text = self.text(column)
        if not text and default is not None:
            return default
        try:
            return int(text)
        except ValueError:
            raise self.error(column, "not a whole number") from None

    def error(self, column: str, problem: str) -> CsvError:
        return CsvError(self.number, f"{problem}: '{self.text(column)}'", column)

    def night(self) -> Night:
        """The night's sleep times, each checked and named if wrong."""
        return Night(
            self.date("night_of"),
            self.time("bedtime"),
            self.time("lights_out"),
            self.whole("sleep_latency_min"),
            self.whole("awakenings", 0),
            self.whole("awake_min", 0),
            self.time("final_wake"),
            self.time("out_of_bed"),
        )


def read_rows(
    text: str, required: Iterable[str] = IMPORT_COLUMNS, max_rows: int = MAX_ROWS
) -> list[Row]:
    """The rows of a diary CSV. Raises CsvError if a required column is missing, a row has
    more cells than the header, or there are more than `max_rows` rows."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    try:  # the header is read here: a cell over csv's limit (131,072 characters) fails here
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:
        raise CsvError(1, f"not a readable CSV header ({exc})") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise CsvError(
            1,
            f"missing columns: {', '.join(missing)} "
            "(export your diary from the site to see the layout)",
        )
    reader.fieldnames = header
    rows = []
    try:
        for number, raw in enumerate(reader, start=2):
            if number - 1 > max_rows:
                raise CsvError(number, f"too many rows: import at most {max_rows} at a time")
            if None in raw:  # DictReader puts cells beyond the header under None
                raise CsvError(number, f"more cells than the {len(header)} columns of the header")
            rows.append(Row(number, {k: (v or "").strip() for k, v in raw.items()}))
    except csv.Error as exc:
        raise CsvError(reader.line_num, f"not a readable CSV row ({exc})") from None
    return rows
