from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy

from anmian.knowledge import get_kb
from anmian.web.core.kbtext import in_page_language
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


# The severity bands of the weekly leg score (the base's scales.yaml labels), as the page's
# language writes them: the site's words for the base's five labels, anything else as it is.
BANDS = {
    "none": pgettext_lazy("severity band", "none"),
    "mild": pgettext_lazy("severity band", "mild"),
    "moderate": pgettext_lazy("severity band", "moderate"),
    "severe": pgettext_lazy("severity band", "severe"),
    "very severe": pgettext_lazy("severity band", "very severe"),
}


@register.filter
def band_label(label: str) -> str:
    return str(BANDS.get(label, label))


@register.filter
def pattern_name(entry) -> str:
    """A pattern of a stored result ({"id", "name"}), or a pattern id, named in the page's
    language (血虛 on a zh-Hant page, Blood deficiency in English)."""
    pid = str(entry.get("id", "")) if isinstance(entry, dict) else str(entry)
    pattern = get_kb().patterns.get(pid)
    if pattern is None:
        return str(entry.get("name", pid)) if isinstance(entry, dict) else pid
    return in_page_language(pattern.name, pattern.chinese)


@register.filter
def kb_text(entry, field: str) -> str:
    """A knowledge-base entry's `field` in the page's language: its `zh_<field>` on a Chinese
    page where the base has one (a point's zh_location, an advice item's zh_title), else the
    English (a zh field the base lacks shows the English, never nothing)."""
    return in_page_language(getattr(entry, field), getattr(entry, f"zh_{field}", None))


@register.filter
def formula_words(formula_id: str) -> str:
    """A formula named for people from its id (a plan keeps the id): Sour Jujube Decoction
    (Suan Zao Ren Tang) in English, 酸棗仁湯 on a Chinese page; an id the base no longer has
    is shown as it is."""
    formula = get_kb().formulas.get(formula_id)
    if formula is None:
        return formula_id
    return in_page_language(f"{formula.english} ({formula.pinyin})", formula.chinese)


@register.filter
def herb_words(herb_id: str) -> str:
    """A herb named for people from its id (a product keeps the id): Sour Jujube Seed (Suan
    Zao Ren) in English, 酸棗仁 on a Chinese page; an id the base no longer has is shown as
    it is."""
    herb = get_kb().herbs.get(herb_id)
    if herb is None:
        return herb_id
    return in_page_language(f"{herb.english} ({herb.pinyin})", herb.chinese)


@register.filter
def kb_name(entry) -> str:
    """A point's, herb's or formula's name as a reader of the page says it: 三陰交 on a
    Chinese page, Sanyinjiao (the pinyin) in English."""
    return in_page_language(entry.pinyin, entry.chinese)
