"""Account use cases beyond Django's own: keeping a self-check done before logging in, and an
invitation followed before signing up."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from anmian.knowledge import get_kb
from anmian.web.records.models import Assessment
from anmian.web.records.services import BadInvite, accept_invite, save_assessment
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


INVITE = "anmian_invite"  # the session key of an invitation followed before signing up


def remember_invite(session: SessionBase, token: str) -> None:
    if token:
        session[INVITE] = token[:100]


def keep_session_invite(user: Any, session: SessionBase) -> None:
    """Accept the invitation this browser followed before signing up, once the account is
    confirmed (a used or unknown one is dropped: the clinic chosen at sign-up stands)."""
    token = session.pop(INVITE, None)
    if token:
        with suppress(BadInvite):
            accept_invite(user, token)
