from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm


class SignUpForm(forms.Form):
    name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(label="Email")
    password = forms.CharField(widget=forms.PasswordInput, label="Password", strip=False)

    def clean_email(self) -> str:
        # Whether the email is taken is never said here: the view answers the same either
        # way and tells the owner by email (anmian/web/accounts/views.py, signup).
        return self.cleaned_data["email"].strip().casefold()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password"):
            user = get_user_model()(username=data.get("email", ""), email=data.get("email", ""))
            password_validation.validate_password(data["password"], user)
        return data


class LoginForm(AuthenticationForm):
    """Emails are stored casefolded; repeated failures are counted and refused by django-axes
    (anmian/web/lockout.py), which also stops the admin login and the API's token route."""

    def clean_username(self) -> str:
        return (self.cleaned_data.get("username") or "").strip().casefold()
