"""The diary CSV layout, read once for the site's import and `anmian sleep`: a bad file is
refused with the row (the header is row 1) and the column named."""

from __future__ import annotations

from datetime import date, time

import pytest
from typer.testing import CliRunner

from anmian.cli import app
from anmian.web.diary.csvfile import SLEEP_COLUMNS, CsvError, read_rows

HEADER = "night_of,bedtime,lights_out,sleep_latency_min,awakenings,awake_min,final_wake,out_of_bed"
GOOD = "2026-11-19,22:30,23:00,30,2,40,06:30,07:00"


def _read(*lines: str, **kw):
    return read_rows("\n".join(lines) + "\n", required=SLEEP_COLUMNS, **kw)


def test_it_reads_a_night_with_its_times():
    (row,) = _read(HEADER, GOOD)
    night = row.night()
    assert row.number == 2
    assert night.night_of == date(2026, 11, 19) and night.bedtime == time(22, 30)
    assert (night.sleep_latency_min, night.awakenings, night.awake_min) == (30, 2, 40)


def test_it_takes_no_awakenings_when_the_cells_are_empty():
    (row,) = _read(HEADER, "2026-11-19,22:30,23:00,30,,,06:30,07:00")
    assert (row.night().awakenings, row.night().awake_min) == (0, 0)


def test_it_reads_a_file_saved_with_a_byte_order_mark():
    (row,) = _read("\ufeff" + HEADER, GOOD)
    assert row.night().night_of == date(2026, 11, 19)


def test_it_names_every_missing_column_on_row_1():
    with pytest.raises(CsvError) as caught:
        _read("night_of,bedtime", "2026-11-19,22:30")
    assert caught.value.row == 1
    assert "lights_out, sleep_latency_min, final_wake, out_of_bed" in str(caught.value)


@pytest.mark.parametrize(
    ("line", "column", "problem"),
    [
        ("2026-11-31,22:30,23:00,30,2,40,06:30,07:00", "night_of", "not a date"),
        ("2026-11-19,25:00,23:00,30,2,40,06:30,07:00", "bedtime", "not a clock time"),
        ("2026-11-19,22:30,23:00,half,2,40,06:30,07:00", "sleep_latency_min", "not a whole number"),
        ("2026-11-19,22:30,23:00,30,2,40,,07:00", "final_wake", "not a clock time"),
    ],
)
def test_it_names_the_row_and_column_of_a_bad_cell(line, column, problem):
    rows = _read(HEADER, GOOD, line)
    rows[0].night()
    with pytest.raises(CsvError) as caught:
        rows[1].night()
    assert (caught.value.row, caught.value.column) == (3, column)
    assert str(caught.value).startswith(f"row 3, column {column}: {problem}")


def test_it_refuses_a_row_with_more_cells_than_the_header():
    with pytest.raises(CsvError, match="row 2: more cells than the 8 columns"):
        _read(HEADER, GOOD + ",surplus")


def test_it_refuses_more_rows_than_the_limit():
    with pytest.raises(CsvError, match="row 4: too many rows: import at most 2"):
        _read(HEADER, GOOD, GOOD, GOOD, max_rows=2)


def test_the_command_reports_a_bad_cell_as_the_parser_names_it():
    result = CliRunner().invoke(
        app, ["sleep", "-"], input=f"{HEADER}\n{GOOD}\n{GOOD.replace('22:30', '7pm')}\n"
    )
    assert result.exit_code == 2
    assert "row 3, column bedtime: not a clock time (HH:MM): '7pm'" in result.stderr


def test_the_command_reports_times_that_cannot_be_with_their_row():
    result = CliRunner().invoke(
        app, ["sleep", "-"], input=f"{HEADER}\n2026-11-19,22:30,23:00,30,2,900,06:30,07:00\n"
    )
    assert result.exit_code == 2 and "row 2: " in result.stderr
    assert "Traceback" not in result.output
