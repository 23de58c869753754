"""Chinese names in an assessment result: `zh` fields beside the English, never instead.

The result's structure stays the same for every language, so a reader of the JSON needs
one schema; what a language adds is each finding's, pattern's, point's, formula's and
herb's Chinese name from the knowledge base (zh-Hant as written there, zh-Hans converted
from it with the generated table in zh_hans.json). An unknown language code is English.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

from anmian.engine.zh import rules
from anmian.knowledge import KnowledgeBase

LANGUAGES = ("en", "zh-Hant", "zh-Hans")
_ALIASES = {"zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans"}


def language(code: str | None) -> str:
    """A supported language for a code as people write it ("zh-hant", "zh_TW"); English
    for anything else, with no error (the issue's rule for unknown codes)."""
    key = (code or "").strip().replace("_", "-").lower()
    for lang in LANGUAGES:
        if key == lang.lower():
            return lang
    return _ALIASES.get(key, "en")


@lru_cache(maxsize=1)
def _to_simplified_table() -> tuple[dict[int, str], dict[str, str]]:
    zr = rules()
    chars = {ord(t): chr(s) for s, t in zr.chars.items()}
    phrases = {t: s for s, t in zr.phrases.items()}
    return chars, phrases


def to_simplified(text: str) -> str:
    """zh-Hant text in Simplified characters, by the inverse of the reader's table."""
    chars, phrases = _to_simplified_table()
    if phrases:
        keys = sorted(phrases, key=len, reverse=True)
        text = re.sub("|".join(map(re.escape, keys)), lambda m: phrases[m.group(0)], text)
    return text.translate(chars)


def add_chinese(result: dict[str, Any], kb: KnowledgeBase, lang: str) -> dict[str, Any]:
    """A copy of `result` (an assessment's to_dict()) with `zh` fields, or `result` itself
    for English."""
    lang = language(lang)
    if lang == "en":
        return result
    out = copy.deepcopy(result)
    convert = to_simplified if lang == "zh-Hans" else (lambda s: s)

    def name(table: dict[str, Any], entry_id: Any, field: str) -> str | None:
        entry = table.get(entry_id) if isinstance(entry_id, str) else None
        value = getattr(entry, field, None) if entry is not None else None
        return convert(value) if value else None

    def mark(items: Any, key: str, table: dict[str, Any], field: str) -> None:
        for item in items or ():
            if isinstance(item, dict) and (zh := name(table, item.get(key), field)):
                item["zh"] = zh

    inp = out.get("input", {})
    mark(inp.get("findings"), "finding", kb.findings, "zh")
    for items in (inp.get("readings") or {}).values():
        mark(items, "finding", kb.findings, "zh")
    for pattern in out.get("patterns") or ():
        mark([pattern], "id", kb.patterns, "chinese")
        mark(pattern.get("for"), "finding", kb.findings, "zh")
        mark(pattern.get("against"), "finding", kb.findings, "zh")
    plan = out.get("plan") or {}
    mark(plan.get("points"), "id", kb.points, "chinese")
    for item in plan.get("points") or ():
        point = kb.points.get(item.get("id"))
        if point is not None and point.zh_location:
            item["zh_location"] = convert(point.zh_location)
            if point.zh_acupressure and item.get("acupressure"):
                item["zh_acupressure"] = convert(point.zh_acupressure)
    mark(plan.get("formulas"), "id", kb.formulas, "chinese")
    mark(plan.get("herbs"), "id", kb.herbs, "chinese")
    for kind in ("diet", "lifestyle", "topical"):
        for item in plan.get(kind) or ():
            advice = kb.advice.get(item.get("id"))
            if advice is not None and advice.zh_title and advice.zh_text:
                item["zh"], item["zh_text"] = convert(advice.zh_title), convert(advice.zh_text)
    for item in (out.get("safety") or {}).get("referrals") or ():
        # "check:ID" is a danger word of the flag ID that the person has not answered yet
        flag_id = str(item.get("id", "")).removeprefix("check:")
        flag = kb.red_flags.get(flag_id)
        if flag is not None and flag.zh_title and flag.zh_reason and flag_id == item.get("id"):
            item["zh"], item["zh_text"] = convert(flag.zh_title), convert(flag.zh_reason)
        elif flag is not None and flag.zh_title and flag.zh_reason:
            item["zh"] = convert(f"請確認：{flag.zh_title}")
            item["zh_text"] = convert(
                f"Anmian 無法確定你寫的這段話是什麼意思，它可能是需要醫師處理的徵兆"
                f"（{flag.zh_title}）。如果這是在說你：{flag.zh_reason}"
                "在有人確認之前，你的計畫會先暫停。"
            )
    out["lang"] = lang
    return out


def chinese_first(result: dict[str, Any]) -> dict[str, Any]:
    """For the text and Markdown reports: each name that has a `zh` field reads
    "中文 (English)", and the `zh` fields go, so the report is the typed result every
    language shares (render.py validates it)."""
    out = copy.deepcopy(result)
    out.pop("lang", None)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            zh = node.pop("zh", None)
            if isinstance(zh, str):
                for key in ("label", "name", "title"):
                    if isinstance(node.get(key), str):
                        node[key] = f"{zh} ({node[key]})"
                        break
            # prose reads in Chinese only: the English stays in the JSON
            for key in ("location", "acupressure"):
                zh_value = node.pop(f"zh_{key}", None)
                if isinstance(zh_value, str) and isinstance(node.get(key), str):
                    node[key] = zh_value
            zh_text = node.pop("zh_text", None)
            if isinstance(zh_text, str):
                for key in ("text", "reason"):
                    if isinstance(node.get(key), str):
                        node[key] = zh_text
                        break
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(out)
    return out
