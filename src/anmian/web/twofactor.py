"""Two-factor authentication (django-otp): an authenticator app (TOTP) and single-use backup codes.

Whoever sees other people's records (practitioners, clinic staff, admins: the same people
`sessionlimits` gives short sessions) must pass a second factor before any page or API call
that can show patient data; until they have one they are sent to enrol. For patients it is
optional: once they turn it on, every login asks for it. `ANMIAN_REQUIRE_2FA=false` makes it
optional for everyone (a deployment that checks a second factor in front of the site).

Backup codes are stored as keyed hashes (django-otp keeps them in clear), so a copy of the
database does not give them away; they are shown once, when made.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.crypto import salted_hmac
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from anmian.web.sessionlimits import sees_others_records

BACKUP_CODES = 10
# No 0/o, 1/l/i: a code copied from paper by hand should not be misread.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_CODE_LENGTH = 10  # about 50 bits each
REQUIRED = "_anmian_2fa_required"  # decided at login, like the session limits: no query a request
TURNED_ON = "_anmian_2fa_on"
AUTHENTICATOR = "Authenticator app"
BACKUP = "Backup codes"
DEMO = "Demo authenticator (local demonstration only)"

# What an unverified session may still open: pages without anyone's records, and the way
# through login, logout, password reset and the second factor itself.
OPEN_VIEWS = frozenset(
    {
        "home",
        "healthz",
        "library",
        "points",
        "point",
        "herbs",
        "herb",
        "patterns",
        "pattern",
        "evidence",
        "references",
        "accounts:login",
        "accounts:logout",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "accounts:two_factor_enrol",
        "accounts:two_factor_verify",
        "admin:logout",
        "api:assess_view",
        "api:create_token",
        "api:openapi-json",
        "api:openapi-view",
    }
)


def required(user: Any) -> bool:
    return bool(settings.ANMIAN_REQUIRE_2FA and sees_others_records(user))


def authenticator(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def is_on(user: Any) -> bool:
    return bool(user_has_device(user, confirmed=True))


def backup_codes_left(user: Any) -> int:
    device = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
    return device.token_set.count() if device else 0


# --- enrolment ---------------------------------------------------------------------------


def start_enrolment(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator being set up: the same secret on every reload of the page
    until a code from it is entered."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def secret(device: TOTPDevice) -> str:
    """The key as people type it into an authenticator app (base32, in groups of four)."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an inline SVG made here (no image service sees
    the secret)."""
    code = segno.make(device.config_url, error="m")
    # A white quiet zone: phone cameras read a QR code badly on a tinted page.
    return str(code.svg_inline(scale=4, light="#fff", title="QR code of the authenticator secret"))


def confirm_enrolment(request: HttpRequest, code: str) -> list[str] | None:
    """Turns the authenticator on when `code` comes from it; the session counts as verified
    and the new backup codes are returned (to be shown once). None for a wrong code."""
    user = request.user
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None or not _digits(code) or not device.verify_token(_digits(code)):
        return None
    with transaction.atomic():
        # One authenticator per account: a new one replaces any other.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_backup_codes(user)
    _verified(request, device)
    return codes


def new_backup_codes(user: Any) -> list[str]:
    """Ten new single-use codes; the old ones stop working."""
    codes = [
        "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH)) for _ in range(BACKUP_CODES)
    ]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP, confirmed=True)
        device.token_set.bulk_create(
            [device.token_set.model(device=device, token=_hashed(c)) for c in codes]
        )
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def _hashed(code: str) -> str:
    # Keyed, so the stored value is no help without the server's SECRET_KEY; 16 hex characters
    # (64 bits) fit django-otp's column and leave nothing to find by trying codes offline.
    normal = "".join(ch for ch in code.casefold() if ch.isalnum())
    return salted_hmac("anmian.web.twofactor.backup", normal).hexdigest()[:16]


def _digits(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


# --- verification ------------------------------------------------------------------------


class Refused(Exception):
    """A code was not accepted; `str()` says why, for the person who typed it."""


def check(user: Any, code: str) -> Device:
    """The device that accepts `code`: six digits are tried on the authenticator, anything
    else as a backup code (used up here). Raises Refused. Wrong codes slow the next try
    (django-otp doubles the wait after each one)."""
    code = code.strip()
    if not code:
        raise Refused("Enter the code from your authenticator app, or a backup code.")
    digits = _digits(code)
    if digits.isdigit() and len(digits) == 6:
        model: type[Device] = TOTPDevice
        token = digits
    else:
        model, token = StaticDevice, _hashed(code)
    # Locked while checked, so two requests cannot both use one code; nothing is raised
    # inside the transaction, so the count of wrong codes is kept.
    with transaction.atomic():
        device = model.objects.devices_for_user(user, confirmed=True).select_for_update().first()
        allowed, why = device.verify_is_allowed() if device else (False, None)
        accepted = allowed and device is not None and device.verify_token(token)
    if accepted and device is not None:
        return device
    if why and why.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        raise Refused("Too many wrong codes: wait a few seconds, then try again.")
    raise Refused("That code is wrong or has expired.")


def verify(request: HttpRequest, code: str) -> Device:
    """Checks `code` for the logged-in user and marks the session verified. Raises Refused."""
    device = check(request.user, code)
    _verified(request, device)
    return device


def _verified(request: HttpRequest, device: Device) -> None:
    # More rights, a new session key (as at login): a key seen before now opens nothing more.
    request.session.cycle_key()
    otp_login(request, device)
    request.session[TURNED_ON] = True


def token_refusal(user: Any, code: str | None) -> str | None:
    """Why `user` (password already checked) gets no API token, or None. A token is as good as
    a verified session, so it needs the same second factor."""
    if is_on(user):
        if not code:
            return (
                "this account has two-factor authentication: send the current code of its "
                "authenticator app (or a backup code) as `otp`"
            )
        try:
            check(user, code)
        except Refused as exc:
            return f"two-factor code refused: {exc}"
        return None
    if required(user):
        return (
            "practitioners, staff and admins need two-factor authentication for a token: "
            "turn it on at /accounts/two-factor/ first"
        )
    return None


# --- turning off, resetting, the demo ----------------------------------------------------


def turn_off(request: HttpRequest) -> bool:
    """Removes the second factor of a patient's account (not of anyone who must have one)."""
    if required(request.user):
        return False
    reset(request.user)
    request.session[TURNED_ON] = False
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    return True


def reset(user: Any) -> int:
    """The recovery path (`manage.py anmian_reset_2fa`, or deleting the devices in the admin):
    every device of the account goes; the next login enrols afresh. Returns how many went."""
    with transaction.atomic():
        gone = TOTPDevice.objects.filter(user=user).delete()[0]
        gone += StaticDevice.objects.filter(user=user).delete()[0]
    return gone


# Published in the README, so anyone can log in to the demo practitioner: a local demo only.
DEMO_KEY = "ANMIANDEMOPRACTITIONERKEY2345672"


def enrol_demo(user: Any) -> str:
    """Gives the demo practitioner a confirmed authenticator with the published DEMO_KEY and
    says how to log in with it (load_demo_clinic prints this)."""
    from base64 import b32decode

    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name=DEMO, defaults={"key": b32decode(DEMO_KEY).hex(), "confirmed": True}
    )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return (
        f"  its second factor: add the key {DEMO_KEY} to an authenticator app, or type the code "
        f"`DEBUG=true .venv/bin/python manage.py anmian_demo_code` prints (now {demo_code(device)})"
    )


def demo_code(device: TOTPDevice) -> str:
    """The code the device shows now (for printing the demo's login, never for checking)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


# --- the gate ----------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="anmian-two-factor")
def _on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        _decide(request.session, user)


def _decide(session: Any, user: Any) -> None:
    session[REQUIRED] = required(user)
    session[TURNED_ON] = is_on(user)


def is_open(path: str) -> bool:
    try:
        return resolve(path).view_name in OPEN_VIEWS
    except Resolver404:
        return True  # nothing there: the 404 shows no one's data


def where_to(request: HttpRequest) -> str:
    """The verify page when the account has a second factor, else the enrolment page."""
    name = "two_factor_verify" if is_on(request.user) else "two_factor_enrol"
    return f"{reverse(f'accounts:{name}')}?{urlencode({'next': request.get_full_path()})}"


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware (which says whether the session passed a second
    factor) and the session limits: an unverified session that needs a second factor is sent
    to verify or enrol before any view that could show patient data runs; the API answers 401."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._stopped(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {
                        "error": "two-factor authentication needed: verify this session at "
                        f"{reverse('accounts:two_factor_verify')}, or use a bearer token"
                    },
                    status=401,
                )
            return redirect(where_to(request))
        return self.get_response(request)

    @staticmethod
    def _stopped(request: HttpRequest) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        session = request.session
        if REQUIRED not in session:  # a session from before two-factor authentication
            _decide(session, user)
        if not (session[REQUIRED] or session[TURNED_ON]):
            return False
        verified = getattr(user, "is_verified", None)
        return not (verified and verified()) and not is_open(request.path_info)
