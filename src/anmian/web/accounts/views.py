from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from anmian.knowledge import get_kb
from anmian.web.accounts import services as accounts
from anmian.web.accounts.forms import SignUpForm
from anmian.web.accounts.services import (
    keep_session_assessment,
    keep_session_invite,
    remember_invite,
)
from anmian.web.core import bodychart
from anmian.web.lockout import reset_refused_response, reset_request_allowed
from anmian.web.records import services as records
from anmian.web.selfcheck.services import in_language, result_extras


def _ctx(**extra) -> dict:
    return {"disclaimer": get_kb().rules.disclaimer, **extra}


def _mail(request: HttpRequest, user, template: str, **ctx) -> None:
    ctx |= {"site": settings.ANMIAN_SITE_URL, "user": user}
    subject, _, body = render_to_string(template, ctx, request).strip().partition("\n\n")
    send_mail(subject.strip(), body, None, [user.email])


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Answers the same whether or not the email has an account (the page, its status and,
    near enough, its time: a password is hashed either way), so sign-up never tells anyone
    who is a patient here. The email's owner is the one told: a confirmation link for a new
    account, a note with the login and reset links for an existing one."""
    invited = request.GET.get("invite", "")
    remember_invite(request.session, invited)  # accepted when the account is confirmed
    form = SignUpForm(
        request.POST if request.method == "POST" else None,
        initial={"clinic": records.invited_clinic(invited)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, path = accounts.sign_up(
            data["email"], data["name"], data["password"], data.get("clinic")
        )
        if path is None:
            _mail(request, user, "accounts/email/account_exists.txt")
        else:
            _mail(request, user, "accounts/email/activate.txt", path=path)
        return redirect("accounts:signup_sent")
    return render(
        request, "accounts/signup.html", _ctx(form=form), status=400 if form.errors else 200
    )


@require_safe
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html", _ctx())


@require_http_methods(["GET", "HEAD", "POST"])
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET shows a button and POST confirms: a mail scanner that opens the link must not
    confirm the account, nor be logged in to it."""
    user = accounts.pending_account(uidb64, token)
    if user is None:
        return render(request, "accounts/activate.html", _ctx(invalid=True), status=400)
    if request.method != "POST":
        return render(request, "accounts/activate.html", _ctx(invalid=False))
    accounts.activate(user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # An assessment done before signing up is kept: it is saved to the new account.
    keep_session_assessment(request.user, request.session)
    keep_session_invite(request.user, request.session)
    return redirect("accounts:mine")


class PasswordResetView(auth_views.PasswordResetView):
    """Each request sends an email, so each address and each email gets a few an hour."""

    def form_valid(self, form):
        if not reset_request_allowed(self.request, form.cleaned_data["email"]):
            return reset_refused_response(self.request)
        return super().form_valid(form)


@require_safe
@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where a login lands (LOGIN_REDIRECT_URL): a practitioner's day starts with today's
    schedule, a patient's with their own page."""
    if getattr(request.user, "practitioner", None) is not None:
        return redirect(reverse("booking:calendar") + "?view=day")
    return redirect("accounts:mine")


@require_safe
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    patient = getattr(request.user, "patient", None)
    assessments = records.my_assessments(request.user)
    plans = records.shared_plans(request.user)
    ctx = _ctx(patient=patient, assessments=assessments, plans=plans)
    return render(request, "accounts/mine.html", ctx)


@require_safe
@login_required
def assessment(request: HttpRequest, uid) -> HttpResponse:
    a = records.read_assessment(request.user, uid)
    charts = bodychart.plan_charts(get_kb(), a.result)
    extras = result_extras(a.result, get_kb())
    shown = in_language(a.result, get_kb(), get_language())
    ctx = _ctx(a=a, r=shown, charts=charts, patterns=shown["patterns"][:5], **extras)
    return render(request, "accounts/assessment.html", ctx)


@require_POST
@login_required
def save_current(request: HttpRequest) -> HttpResponse:
    keep_session_assessment(request.user, request.session)
    return redirect("accounts:mine")
