from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


class SignUpForm(forms.Form):
    name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(label="Email")
    password = forms.CharField(widget=forms.PasswordInput, label="Password", strip=False)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().casefold()
        if get_user_model().objects.filter(username=email).exists():
            raise ValidationError("An account with this email already exists. Log in instead.")
        return email

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password"):
            user = get_user_model()(username=data.get("email", ""), email=data.get("email", ""))
            password_validation.validate_password(data["password"], user)
        return data


class ThrottledLoginForm(AuthenticationForm):
    """Refuses further attempts for a while after repeated failures for one account."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed attempts. Wait 15 minutes, or reset your password.",
    }

    def clean(self) -> dict:
        username = (self.data.get("username") or "").strip().casefold()
        key = f"login-failures:{username}"
        if cache.get(key, 0) >= MAX_FAILURES:
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, WINDOW_SECONDS)
            raise
