"""Account use cases beyond Django's own: keeping a self-check done before logging in."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from anmian.knowledge import get_kb
from anmian.web.records.models import Assessment
from anmian.web.records.services import save_assessment
from anmian.web.selfcheck.steps import ANSWERS, build_steps, to_engine_input


def keep_session_assessment(user: Any, session: SessionBase) -> Assessment | None:
    """Save the self-check in this session, if any, as an assessment of the user's record,
    and end it there, so the same answers are not saved twice."""
    answers = session.get(ANSWERS)
    if getattr(user, "patient", None) is None or not answers:
        return None
    data = to_engine_input(answers, build_steps(get_kb()))
    if not data["findings"]:
        return None
    saved = save_assessment(user, data)
    session.pop(ANSWERS, None)
    return saved
