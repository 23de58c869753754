"""Words for people on a results page: the engine's result names things by id ("possible-rls",
"urge_to_move", "technique cupping"); a person reads sentences and names.

Used by selfcheck/_result.html, which both the self-check's results page and a saved
assessment include, so the two read the same."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.translation import gettext as _

from anmian.knowledge import get_kb

register = template.Library()

# The order referrals are acted on: the most pressing first.
URGENCY_ORDER = {"emergency": 0, "urgent": 1, "routine": 2}


def _criteria() -> dict[str, str]:
    # Short names of the five IRLSSG essential criteria, in our own words (the questions
    # themselves are in knowledge/data/screening/screening.yaml).
    return {
        "urge_to_move": _("an urge to move the legs"),
        "worse_at_rest": _("worse when resting"),
        "relieved_by_movement": _("eased by moving"),
        "evening_or_night": _("worse in the evening or at night"),
        "not_explained_by_other_condition": _("not explained by another condition"),
    }


@register.filter
def plain_criteria(text: str) -> str:
    """`text` with every criterion id (urge_to_move, ...) replaced by its short name."""
    names = _criteria()
    return re.sub(r"\b(" + "|".join(names) + r")\b", lambda m: names[m[1]], text or "")


@register.simple_tag
def verdict_words(verdict: str) -> str:
    """The screening verdict as a headline a person reads."""
    return {
        "possible-rls": _("Your answers fit restless legs syndrome (RLS)"),
        "criteria-not-met": _("Your answers do not fully fit restless legs syndrome"),
        "insufficient": _("Not enough answers yet to screen for restless legs syndrome"),
    }.get(verdict, _("Screening"))


@register.simple_tag
def urgency_words(urgency: str) -> str:
    return {
        "emergency": _("Emergency"),
        "urgent": _("Urgent"),
        "routine": _("Routine"),
    }.get(urgency, "")


@register.filter
def first_referral(referrals: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The referral to act on first: the most urgent, in the engine's order among equals."""
    if not referrals:
        return None
    return min(referrals, key=lambda r: URGENCY_ORDER.get(r.get("urgency", ""), 9))


def _name(kind: str, item: str) -> str:
    kb = get_kb()
    if kind == "herb" and item in kb.herbs:
        h = kb.herbs[item]
        return f"{h.pinyin} ({h.english})"
    if kind == "formula" and item in kb.formulas:
        return kb.formulas[item].pinyin
    if kind == "point" and item in kb.points:
        p = kb.points[item]
        return f"{p.code} {p.pinyin}"
    if kind == "advice" and item in kb.advice:
        return kb.advice[item].title
    techniques = {
        "bleeding": _("Bloodletting"),
        "cupping": _("Cupping"),
        "gua-sha": _("Gua sha (skin scraping)"),
        "moxibustion": _("Moxibustion (warming with moxa)"),
        "electroacupuncture": _("Electro-acupuncture"),
    }
    if kind == "technique":
        what, _at, where = item.partition(" at ")
        name = techniques.get(what, what.replace("-", " ").capitalize())
        return (
            _("%(technique)s at %(point)s") % {"technique": name, "point": where} if where else name
        )
    return item.replace("-", " ").capitalize()


@register.filter
def left_out(excluded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What safety left out, one row per thing by its name, with every reason once.

    The engine gives one row per (item, reason), so a formula with three unsafe herbs comes
    three times; a person reads it once, with the three reasons."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for e in excluded or []:
        key = (e.get("kind", ""), e.get("item", ""))
        row = rows.setdefault(key, {"name": _name(*key), "reasons": []})
        if e.get("reason") and e["reason"] not in row["reasons"]:
            row["reasons"].append(e["reason"])
    return list(rows.values())


def is_needling(warning: dict[str, Any]) -> bool:
    """A caution for whoever puts in the needles (ids "caution:points:<why>:needle:<n>")."""
    parts = str(warning.get("id", "")).split(":")
    return len(parts) >= 4 and parts[:2] == ["caution", "points"] and parts[3] == "needle"


@register.filter
def cautions_for(warnings: list[dict[str, Any]], user: Any) -> list[dict[str, Any]]:
    """The cautions this reader acts on: a practitioner sees them all; a patient, who presses
    points but never needles them, does not see the needling ones."""
    if getattr(user, "practitioner", None) is not None:
        return list(warnings or [])
    return [w for w in warnings or [] if not is_needling(w)]
