"""The knowledge base's own Chinese on library pages: `{{ entry|in_lang:"text" }}` is the
entry's `zh_text` on a Chinese page (in Simplified characters on a zh-Hans page) and its
`text` otherwise, or where the base has no Chinese for it. A list field (a herb's actions)
gives its zh-Hant list, item for item."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from anmian.engine.zh_result import language, to_simplified
from anmian.web.core.kbtags import technique, who

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


@register.simple_tag
def page_is_chinese() -> bool:
    """`{% page_is_chinese as zh %}`: the page is read in Chinese, so a name is given in
    hanzi alone (the pinyin and English name are for readers of English)."""
    return language(get_language()) != "en"


@register.filter
def tag_who(tag: str) -> str:
    """A safety rule's tag as the person it is about (kbtags.who), never the raw tag."""
    return who(tag)


@register.filter
def technique_name(value: str) -> str:
    return technique(value)


# A name of a result shown in Chinese reads "中文 (English)" (engine.zh_result.chinese_first),
# the English for a reader who checks with a practitioner; the brackets hold English, so they
# are marked lang="en" (a screen reader says them in English).
_CJK = re.compile(r"[\u3400-\u9fff]")
_BILINGUAL = re.compile(r"^(?P<zh>[^()]+?) \((?P<en>.+)\)$", re.S)


def _split(value: Any) -> tuple[str, str] | None:
    m = _BILINGUAL.match(str(value))
    if not m or not _CJK.search(m["zh"]) or _CJK.search(m["en"]):
        return None
    return m["zh"], m["en"]


@register.filter
def bilingual(value: Any) -> Any:
    """The name "心血虛 (Heart Blood deficiency)" with the bracket marked lang="en"; else as it is."""
    parts = _split(value)
    if parts is None:
        return value
    return format_html('{} <span lang="en">({})</span>', *parts)


@register.filter
def chinese_part(value: Any) -> Any:
    """The name "心血虛 (Heart Blood deficiency)" as 心血虛, where a sentence names it (an advice item's
    title, the pattern a summary names); anything else as it is."""
    parts = _split(value)
    return value if parts is None else parts[0]


@register.filter
def finding_name(finding: Any) -> str:
    """A finding's label in the page's language (its `zh`, converted on a zh-Hans page)."""
    code = language(get_language())
    if code == "en" or not finding.zh:
        return finding.label
    return to_simplified(finding.zh) if code == "zh-Hans" else finding.zh
