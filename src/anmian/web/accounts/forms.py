from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from anmian.web.lockout import tries_left_warning
from anmian.web.records.models import Clinic


class SignUpForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Your name"))
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(widget=forms.PasswordInput, label=_("Password"), strip=False)
    clinic = forms.ModelChoiceField(
        queryset=Clinic.objects.order_by("name"),
        required=False,
        label=_("Your clinic (you can choose later)"),
        empty_label=_("Not yet"),
    )

    def clean_email(self) -> str:
        # Whether the email is taken is never said here: the view answers the same either
        # way and tells the owner by email (anmian/web/accounts/views.py, signup).
        return self.cleaned_data["email"].strip().casefold()

    def clean(self) -> dict[str, Any]:
        # Form.clean returns cleaned_data; the stubs allow None for subclasses that return nothing.
        super().clean()
        data = self.cleaned_data
        if data.get("password"):
            user = get_user_model()(username=data.get("email", ""), email=data.get("email", ""))
            password_validation.validate_password(data["password"], user)
        return data


class LoginForm(AuthenticationForm):
    """Emails are stored casefolded; repeated failures are counted and refused by django-axes
    (anmian/web/lockout.py), which also stops the admin login and the API's token route."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email")  # what a person signed up with

    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's says "a correct username": the field is the email, which is not case-sensitive
        "invalid_login": _(
            "Please enter the email and password of your account; the password is case-sensitive."
        ),
    }

    def clean_username(self) -> str:
        return (self.cleaned_data.get("username") or "").strip().casefold()

    def get_invalid_login_error(self) -> forms.ValidationError:
        """The failure, and a warning when one or two tries are left before the lock (axes
        has counted this failure by now: authenticate sent the signal)."""
        error = super().get_invalid_login_error()
        username = self.cleaned_data.get("username") or ""
        warning = tries_left_warning(self.request, username) if self.request else None
        if warning is None:
            return error
        return forms.ValidationError([error, forms.ValidationError(warning, code="tries_left")])


class ProfileForm(forms.Form):
    """The patient's profile, seen by their clinic. A date is read in the common formats."""

    date_of_birth = forms.DateField(
        required=False,
        label=_("Date of birth"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD or DD/MM/YYYY.")},
    )
    sex = forms.ChoiceField(
        required=False,
        choices=[("", _("Rather not say")), ("female", _("Female")), ("male", _("Male"))],
        label=_("Sex"),
    )
    phone = forms.CharField(
        required=False,
        max_length=40,
        label=_("Phone"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    emergency_contact = forms.CharField(
        required=False, max_length=200, label=_("Emergency contact (name and phone)")
    )
    preferred_contact = forms.ChoiceField(
        choices=[("email", _("Email")), ("phone", _("Phone call")), ("sms", _("Text message"))],
        label=_("How should the clinic contact you?"),
    )
