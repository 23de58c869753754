"""Danger signs written in a record's free text: session notes here, diary notes in the diary.

Read by the engine's note reader, so a denial ("no chest pain") raises nothing."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from anmian.engine.notes import NoteAlert, alerts
from anmian.knowledge import get_kb


def red_flags_in(texts: Iterable[str]) -> list[NoteAlert]:
    """Danger signs in the texts, most urgent first, one per flag."""
    return list(_alerts(tuple(t for t in texts if t and t.strip())))


# The patient list reads every listed patient's last month of notes on each load; the
# reader takes milliseconds a note, so a month's unchanged notes are read once.
@lru_cache(maxsize=1024)
def _alerts(texts: tuple[str, ...]) -> tuple[NoteAlert, ...]:
    return tuple(alerts(get_kb(), texts)) if texts else ()
