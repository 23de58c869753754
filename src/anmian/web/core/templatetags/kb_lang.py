"""The knowledge base's own Chinese on library pages: `{{ entry|in_lang:"text" }}` is the
entry's `zh_text` on a Chinese page (in Simplified characters on a zh-Hans page) and its
`text` otherwise, or where the base has no Chinese for it. A list field (a herb's actions)
gives its zh-Hant list, item for item."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from anmian.engine.zh_result import language, to_simplified

register = template.Library()


@register.filter
def in_lang(entry: Any, field: str) -> Any:
    english = getattr(entry, field, None)
    code = language(get_language())
    chinese = getattr(entry, f"zh_{field}", None) if code != "en" else None
    if not chinese:
        return english
    convert = to_simplified if code == "zh-Hans" else (lambda s: s)
    if isinstance(chinese, tuple | list):
        if not isinstance(english, tuple | list) or len(chinese) != len(english):
            return english
        return [convert(c) for c in chinese]
    return convert(chinese)


@register.filter
def lang_code(entry: Any, field: str) -> str:
    """The lang attribute of what `in_lang` gives: zh-Hant, zh-Hans or en."""
    code = language(get_language())
    return code if code != "en" and getattr(entry, f"zh_{field}", None) else "en"


@register.filter
def band_in_lang(scale: Any, label: str) -> str:
    """A severity band's label ("moderate") in the page's language, from the scale's bands."""
    code = language(get_language())
    band = next((b for b in getattr(scale, "bands", ()) if b.label == label), None)
    if code == "en" or band is None or not band.zh_label:
        return label
    return to_simplified(band.zh_label) if code == "zh-Hans" else band.zh_label


# A herb's nature, flavours and channels as Chinese materia medica writes them (WHO IST
# 2007: 四氣 the four natures, 五味 the five flavours, 歸經 the channels entered).
TERMS = {
    "cold": "寒",
    "cool": "涼",
    "neutral": "平",
    "slightly warm": "微溫",
    "warm": "溫",
    "hot": "熱",
    "slightly cold": "微寒",
    "acrid": "辛",
    "sweet": "甘",
    "bitter": "苦",
    "sour": "酸",
    "salty": "鹹",
    "bland": "淡",
    "astringent": "澀",
    "slightly bitter": "微苦",
    "slightly sweet": "微甘",
    "Liver": "肝",
    "Spleen": "脾",
    "Heart": "心",
    "Lung": "肺",
    "Kidney": "腎",
    "Stomach": "胃",
    "Gallbladder": "膽",
    "Large Intestine": "大腸",
    "Bladder": "膀胱",
    "Pericardium": "心包",
    "San Jiao": "三焦",
    "Small Intestine": "小腸",
}


@register.filter
def tcm_terms(value: Any) -> str:
    """A herb's nature, or its list of flavours or channels, in the page's language."""
    code = language(get_language())
    items = [value] if isinstance(value, str) else list(value)
    if code == "en":
        return ", ".join(items)
    words = [TERMS.get(v, v) for v in items]
    text = "、".join(words)
    return to_simplified(text) if code == "zh-Hans" else text
