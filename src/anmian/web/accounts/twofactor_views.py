"""The second factor's pages: enrol an authenticator app, verify a session, backup codes, and
turning it off (patients only). The rules live in anmian.web.twofactor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from anmian.knowledge import get_kb
from anmian.web import twofactor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def _ctx(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"disclaimer": get_kb().rules.disclaimer, "next": _next(request), **extra}


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else reverse("accounts:two_factor")


def _is_verified(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


@require_safe
@login_required
def manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    ctx = _ctx(
        request,
        on=twofactor.is_on(user),
        required=twofactor.required(user),
        codes_left=twofactor.backup_codes_left(user),
    )
    return render(request, "accounts/two_factor.html", ctx)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    if twofactor.is_on(request.user):
        # Adding an authenticator takes the one already there: with the password alone,
        # someone could otherwise enrol a phone of their own.
        if not _is_verified(request):
            return redirect(twofactor.where_to(request))
        return redirect("accounts:two_factor")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        codes = twofactor.confirm_enrolment(request, form.cleaned_data["code"])
        if codes is not None:
            return render(request, "accounts/two_factor_codes.html", _ctx(request, codes=codes))
        form.add_error(
            "code", gettext("That code is wrong or has expired: enter the one shown now.")
        )
    device = twofactor.start_enrolment(request.user)
    ctx = _ctx(
        request,
        form=form,
        required=twofactor.required(request.user),
        qr=twofactor.qr_svg(device),
        secret=twofactor.secret(device),
        uri=device.config_url,
    )
    return render(
        request, "accounts/two_factor_enrol.html", ctx, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    if not twofactor.is_on(request.user):
        if twofactor.required(request.user):
            return redirect(twofactor.where_to(request))
        request.session[twofactor.TURNED_ON] = False  # turned off elsewhere, or reset
        return redirect(_next(request))
    if _is_verified(request):
        return redirect(_next(request))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            twofactor.verify(request, form.cleaned_data["code"])
        except twofactor.Refused as exc:
            form.add_error("code", str(exc))
        else:
            return redirect(_next(request))
    ctx = _ctx(request, form=form)
    return render(
        request, "accounts/two_factor_verify.html", ctx, status=400 if form.errors else 200
    )


@require_POST
@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    # The gate lets only a verified session reach here when the account has a second factor.
    if not twofactor.is_on(request.user):
        return redirect("accounts:two_factor")
    codes = twofactor.new_backup_codes(request.user)
    return render(request, "accounts/two_factor_codes.html", _ctx(request, codes=codes))


@require_POST
@login_required
def turn_off(request: HttpRequest) -> HttpResponse:
    if twofactor.turn_off(request):
        messages.info(request, gettext("Two-factor authentication is off for your account."))
    else:
        messages.error(
            request,
            gettext(
                "Practitioners, staff and admins must keep two-factor authentication on. "
                "Ask an administrator to reset it if you lost your phone."
            ),
        )
    return redirect("accounts:two_factor")
