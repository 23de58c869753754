"""The API tokens page: a person's own tokens listed (name, scope, expiry, last use), a new one
made (shown once) and any of them revoked. The rules live in anmian.web.records.tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from anmian.knowledge import get_kb
from anmian.web.records import tokens


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name (what it is for)"), max_length=tokens.MAX_NAME, strip=True)
    scope = forms.ChoiceField(
        label=_("It may"),
        choices=[
            ("read", _("only read (see assessments, patients, appointments)")),
            ("read-write", _("read and write (also book, cancel, order)")),
        ],
        initial="read",
        widget=forms.RadioSelect,
    )
    days = forms.IntegerField(
        label=_("Days until it expires"), min_value=1, max_value=tokens.MAX_DAYS
    )


def _ctx(**extra: Any) -> dict[str, Any]:
    return {"disclaimer": get_kb().rules.disclaimer, **extra}


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    """GET lists; POST makes a token and shows it in this answer only (never stored in clear,
    so it cannot be shown again)."""
    made = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            made, _row = tokens.issue(request.user, **form.cleaned_data)
            form = TokenForm(initial={"days": settings.ANMIAN_TOKEN_DAYS})
    else:
        form = TokenForm(initial={"days": settings.ANMIAN_TOKEN_DAYS})
    rows = tokens.tokens_of(request.user)
    context = _ctx(form=form, tokens=rows, made=made, now=timezone.now())
    return render(request, "accounts/tokens.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    tokens.revoke(request.user, pk)
    return redirect("accounts:tokens")
