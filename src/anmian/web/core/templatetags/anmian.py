from django import template
from django.utils.safestring import mark_safe

from anmian.web.core.tongue import tongue_svg

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    """mapping[key] in a template; None when missing."""
    return mapping.get(key)


@register.simple_tag
def tongue(finding_id: str) -> str:
    """A schematic drawing of a tongue finding (our own SVG, no user input inside)."""
    return mark_safe(tongue_svg(finding_id))
