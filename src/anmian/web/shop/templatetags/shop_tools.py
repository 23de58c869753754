"""`{% load shop_tools %}{% tools_for_plan result %}` shows, beside a plan, the shop's
products for its points and self-care advice that are safe for the person viewing it. The
plan is an engine result (the self-check's results page) or an adopted records.Plan (the
patient's page)."""

from __future__ import annotations

from typing import Any

from django import template

from anmian.web.shop import money, services

register = template.Library()


@register.inclusion_tag("shop/_tools.html", takes_context=True)
def tools_for_plan(context: Any, plan: Any) -> dict[str, Any]:
    request = context.get("request")
    buyer = services.buyer_for(getattr(request, "user", None), getattr(request, "session", None))
    result = plan if isinstance(plan, dict) else services.plan_as_result(plan)
    key = getattr(plan, "uid", "")
    return {"tools": services.tools_for(result, buyer), "key": str(key)[:8]}


@register.filter
def price(amount: Any) -> str:
    """An amount in the clinic's currency (ANMIAN_CURRENCY), written for the active language."""
    return money.format_money(amount)


@register.simple_tag
def currency_sign() -> str:
    return money.sign()
