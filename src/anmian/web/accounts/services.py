"""Account use cases beyond Django's own: signing up and confirming an account, keeping a
self-check done before logging in, and an invitation followed before signing up."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from anmian.knowledge import get_kb
from anmian.web.records.models import Assessment, Clinic, Patient
from anmian.web.records.services import BadInvite, accept_invite, save_assessment
from anmian.web.selfcheck.steps import ANSWERS, build_steps, to_engine_input


class _ActivationTokens(PasswordResetTokenGenerator):
    # Its own salt, so an activation link is never also a password reset link. A token dies
    # after PASSWORD_RESET_TIMEOUT, on a new sign-up (the password changes) and on first login.
    key_salt = "anmian.web.accounts.activation"


activation_tokens = _ActivationTokens()


def is_pending(user: Any) -> bool:
    """Signed up, never confirmed: a new sign-up may replace it (whoever reads the email
    confirms). An account switched off by the clinic has logged in before and stays off."""
    return not user.is_active and user.last_login is None and hasattr(user, "patient")


def sign_up(email: str, name: str, password: str, clinic: Clinic | None) -> tuple[Any, str | None]:
    """(the account, the path of its confirmation link), or (the account, None) when the email
    already has a confirmed account: that one is left as it is. The password is hashed either
    way, so the two answers take about as long."""
    hashed = make_password(password)
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(
            username=email, defaults={"email": email, "is_active": False, "password": hashed}
        )
        if not created and not is_pending(user):
            return user, None
        user.password = hashed
        user.save(update_fields=["password"])
        Patient.objects.update_or_create(user=user, defaults={"name": name, "clinic": clinic})
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return user, reverse("accounts:activate", args=[uid, activation_tokens.make_token(user)])


def pending_account(uidb64: str, token: str) -> Any | None:
    """The account an activation link names, if it is still waiting and the token is good."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    if not 0 < pk < 2**63:  # a larger id would crash the query
        return None
    user = get_user_model().objects.filter(pk=pk).first()
    if user is None or not is_pending(user) or not activation_tokens.check_token(user, token):
        return None
    return user


def activate(user: Any) -> None:
    user.is_active = True
    user.save(update_fields=["is_active"])


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
