"""Knowledge-base words in the page's language: the base's own zh-Hant field where the page is
read in Chinese (converted for zh-Hans), its English otherwise. The site's own words go through
gettext; these are content, so they come from the base (issue 16)."""

from __future__ import annotations

from django.utils.translation import get_language

from anmian.engine.zh_result import language, to_simplified


def chinese_page() -> str | None:
    """ "zh-Hant" or "zh-Hans" when the page is read in Chinese, else None."""
    lang = language(get_language())
    return None if lang == "en" else lang


def in_page_language(english: str, zh_hant: str | None) -> str:
    """`zh_hant` (in Simplified on a zh-Hans page) where the page is Chinese and the base has
    it; the English otherwise (a missing zh field shows the English rather than nothing)."""
    lang = chinese_page()
    if lang is None or not zh_hant:
        return english
    return to_simplified(zh_hant) if lang == "zh-Hans" else zh_hant


def point_label(point) -> str:
    """A point as a picker lists it: its code and its name (三陰交 in Chinese, pinyin else)."""
    return f"{point.code} {in_page_language(point.pinyin, point.chinese)}"
