from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anmian.web.shop.models import MAX_QUANTITY


class QuestionsForm(forms.Form):
    """The safety questions for a visitor with no self-check: the rules of the shop's
    ingredients turn on these (pregnancy, breastfeeding, age, medicines, conditions)."""

    pregnant = forms.BooleanField(required=False, label=_("I am pregnant or trying to conceive"))
    breastfeeding = forms.BooleanField(required=False, label=_("I am breastfeeding"))
    age = forms.IntegerField(
        min_value=0, max_value=120, label=_("Age of the person who will use it")
    )
    medications = forms.CharField(
        required=False,
        max_length=500,
        label=_("Medicines taken regularly (separate them with commas; blank for none)"),
    )
    conditions = forms.CharField(
        required=False,
        max_length=500,
        label=_("Health conditions (for example epilepsy, a bleeding disorder; blank for none)"),
    )

    def answers(self) -> dict:
        d = self.cleaned_data

        def listed(text: str) -> list[str]:
            return [p.strip()[:100] for p in (text or "").split(",") if p.strip()]

        return {
            "pregnant": d["pregnant"],
            "breastfeeding": d["breastfeeding"],
            "age": d["age"],
            "medications": listed(d["medications"]),
            "conditions": listed(d["conditions"]),
        }


class CheckoutForm(forms.Form):
    """Delivery is chosen, never assumed (no radio ticked in advance); a visitor leaves a
    name and an email to be reached by, a signed-in account its own (`account_email`)."""

    delivery = forms.ChoiceField(
        label=_("Delivery"),
        choices=[("pickup", _("Pick up at the clinic")), ("post", _("By post"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how you will get the order: pick up at the clinic or by post.")
        },
    )
    email = forms.EmailField(required=False, label=_("Email for the receipt"))
    name = forms.CharField(required=False, max_length=200, label=_("Name"))
    line = forms.CharField(required=False, max_length=300, label=_("Street address"))
    city = forms.CharField(required=False, max_length=100, label=_("Town"))
    postcode = forms.CharField(required=False, max_length=20, label=_("Postcode"))

    def __init__(self, *args: Any, account_email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = account_email

    def clean(self) -> dict[str, Any]:
        # Form.clean returns cleaned_data; the stubs allow None for subclasses that return nothing.
        super().clean()
        d = self.cleaned_data
        if not self.account_email:
            self._require(
                ("name", _("Give your name, so the clinic knows whose order it is.")),
                ("email", _("Give an email address, for the receipt and news of the order.")),
            )
        if d.get("delivery") == "post":
            self._require(
                ("name", _("Give the name for delivery by post.")),
                ("line", _("Give the street address for delivery by post.")),
                ("city", _("Give the town for delivery by post.")),
                ("postcode", _("Give the postcode for delivery by post.")),
            )
        return d

    def _require(self, *fields: tuple[str, Any]) -> None:
        """An error on each field left blank (one per field: an invalid email has its own)."""
        for f, message in fields:
            if f in self.errors:
                continue
            if not (self.cleaned_data.get(f) or "").strip():
                self.add_error(f, message)


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(min_value=0, max_value=MAX_QUANTITY)
