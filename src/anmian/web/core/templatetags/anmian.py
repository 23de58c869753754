from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    """mapping[key] in a template; None when missing."""
    return mapping.get(key)
