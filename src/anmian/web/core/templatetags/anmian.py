from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from anmian.knowledge import get_kb
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


@register.filter
def in_language(disclaimer: str) -> str:
    """The knowledge base's disclaimer in the page's language (it is content, not a message
    of the site's own, so it comes from the base rather than the translation files)."""
    rules = get_kb().rules
    lang = (get_language() or "en").lower()
    if disclaimer != rules.disclaimer or not lang.startswith("zh"):
        return disclaimer
    hans = lang in ("zh-hans", "zh-cn", "zh-sg")
    return rules.disclaimer_zh_hans if hans else rules.disclaimer_zh_hant
