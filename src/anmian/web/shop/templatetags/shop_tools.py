"""`{% load shop_tools %}{% tools_for_plan result %}` shows, beside a plan, the shop's
products for its points and self-care advice that are safe for the person viewing it."""

from __future__ import annotations

from typing import Any

from django import template

from anmian.web.shop import services

register = template.Library()


@register.inclusion_tag("shop/_tools.html", takes_context=True)
def tools_for_plan(context: Any, result: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    buyer = services.buyer_for(getattr(request, "user", None), getattr(request, "session", None))
    return {"tools": services.tools_for(result, buyer)}
