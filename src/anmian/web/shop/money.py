"""Amounts in the clinic's currency (settings.ANMIAN_CURRENCY, an ISO 4217 code), written the
way the active language writes money: its digit grouping and decimal mark (Django's locale
formats) and the currency's sign as CLDR gives it for that language. Every language Anmian
speaks (English, Chinese) puts the sign before the number with no space."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import formats, translation

# CLDR's signs in en-GB; a language's own differ where listed in LOCAL.
SIGNS = {
    "GBP": "£",
    "EUR": "€",
    "USD": "US$",
    "CNY": "CN¥",
    "HKD": "HK$",
    "TWD": "NT$",
    "JPY": "JP¥",
    "AUD": "A$",
    "CAD": "CA$",
    "NZD": "NZ$",
    "SGD": "SGD",
    "CHF": "CHF",
}
LOCAL = {"zh-hans": {"CNY": "¥"}, "zh-hant": {"TWD": "$"}}
DECIMALS = {"JPY": 0}  # ISO 4217 minor units where they are not two


def currency() -> str:
    return str(getattr(settings, "ANMIAN_CURRENCY", "GBP"))


def sign(code: str | None = None) -> str:
    code = code or currency()
    lang = (translation.get_language() or "en-gb").lower()
    own = LOCAL.get(lang, {}).get(code) or SIGNS.get(code)
    # CLDR writes an unknown currency as its code and a non-breaking space
    return own if own else f"{code}\u00a0"


def format_money(amount: Any, code: str | None = None) -> str:
    code = code or currency()
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    places = DECIMALS.get(code, 2)
    number = formats.number_format(
        value.quantize(Decimal(1).scaleb(-places)), places, use_l10n=True, force_grouping=True
    )
    if number.startswith("-"):
        return f"-{sign(code)}{number[1:]}"
    return f"{sign(code)}{number}"
