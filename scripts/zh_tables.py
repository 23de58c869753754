"""Generate src/anmian/engine/zh_hans.json: the Simplified -> Traditional table the Chinese
reader converts input with, for the characters and wordings Anmian reads.

Run once after editing a finding's zh fields or engine/zh_reading.yaml, with OpenCC
available (it is not a dependency of Anmian):

    python -m venv /tmp/zh && /tmp/zh/bin/pip install opencc-python-reimplemented pyyaml
    /tmp/zh/bin/python scripts/zh_tables.py

Every Traditional wording is converted to Simplified with OpenCC (t2s); each character
that changes gives a Simplified -> Traditional pair (the commonest, where several
Traditional characters share one Simplified form, as 乾/幹 -> 干), and a wording that the
characters alone would not give back (頭髮, not 頭發) is kept whole as a phrase.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import opencc
import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "anmian" / "knowledge" / "data" / "findings"
READING = ROOT / "src" / "anmian" / "engine" / "zh_reading.yaml"
OUT = ROOT / "src" / "anmian" / "engine" / "zh_hans.json"
CODE = [ROOT / "src" / "anmian" / "render.py", ROOT / "src" / "anmian" / "engine" / "zh_result.py"]
# Reviewed: where OpenCC's character conversion is not enough for zh-Hans output. 著 in
# Anmian's Chinese is always the aspect particle (坐著, 卡著), which Simplified writes 着.
REVIEWED_TO_SIMPLIFIED = {"著": "着", "畫": "画"}  # 畫小圈; 計畫 is the phrase below
# ... and the terms docs/glossary.md marks **override**: mainland usage, not a conversion.
REVIEWED_PHRASES = {
    "國際不寧腿症候群研究團體": "国际不安腿综合征研究组",
    "不寧腿症候群": "不安腿综合征",
    "不寧腿": "不安腿",
    "週期性肢體抽動": "周期性肢体运动",
    "運鐵蛋白飽和度": "转铁蛋白饱和度",
    "睡眠呼吸中止症": "睡眠呼吸暂停",
    "睡眠呼吸中止": "睡眠呼吸暂停",
    "增強作用": "症状恶化",
    "自我照護": "自我护理",
    "警訊": "危险信号",
    # medicines, conditions and care as mainland texts name them (docs/glossary.md, Medicines
    # and conditions): the base's safety rules and condition notes use the Taiwan names
    "阿斯匹靈": "阿司匹林",
    "巴金森氏症": "帕金森病",
    "雷氏症候群": "瑞氏综合征",
    "抗憂鬱劑": "抗抑郁药",
    "憂鬱症": "抑郁症",
    "憂鬱": "抑郁",
    "血小板低下": "血小板减少",
    "螢幕": "屏幕",
    "洗腎": "透析",
    # Taiwan's lay word with the clinical one beside it is the one mainland word (not 透析（透析）)
    "洗腎（透析）": "透析",
    "衛教資料": "健康教育资料",
    "鴉片類": "阿片类",
    "甲狀腺功能低下": "甲状腺功能减退",
    "心律調節器": "心脏起搏器",
    "非類固醇消炎止痛藥": "非甾体抗炎止痛药",
    "安非他命": "安非他明",
    "多巴胺促效劑": "多巴胺受体激动剂",
    "抗組織胺": "抗组胺药",
    "四環黴素": "四环素",
    "苯二氮平": "苯二氮卓",
    "睡眠品質": "睡眠质量",
    "尤加利": "桉树",
    "計畫": "计划",  # the reports' "your plan" (render.py); 畫 alone is 画
}


# Every Chinese field of the base, so that zh-Hans output (the inverse table) converts all
# of what Anmian shows, not only what it reads.
FIELDS = ("zh", "zh_question", "zh_title", "zh_reason", "zh_text", "zh_location")
FIELDS += ("zh_acupressure", "chinese")
KINDS = ("findings", "red-flags", "advice", "points", "patterns", "herbs", "formulas")


def wordings() -> list[str]:
    out: list[str] = []
    for kind in KINDS:
        for path in sorted((DATA.parent / kind).glob("*.yaml")):
            for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
                out += [entry.get(f) or "" for f in FIELDS]
                out += [*entry.get("zh_synonyms", ()), *entry.get("zh_absent_synonyms", ())]
    rules = yaml.safe_load(READING.read_text(encoding="utf-8"))
    for value in rules.values():
        for item in value if isinstance(value, (list, dict)) else ():
            out += item["terms"] if isinstance(item, dict) else [item]  # hazards have terms
    return [w for w in dict.fromkeys(out) if w]


def shown() -> list[str]:
    """Every other zh-Hant text of the base, nested ones included (safety rules, herb actions,
    scale bands, the rules' messages): converted for zh-Hans output only, so the reader's
    tables stay those of the wordings it reads."""
    out: list[str] = []

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and (key.startswith("zh_") or key in ("zh", "chinese")):
            out.append(node)

    for path in sorted(DATA.parent.rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    # the reports' own headings and sentences (the CLI's Markdown and text, the zh fields the
    # engine writes): every string literal of these modules holding a Chinese character
    for path in CODE:
        out += re.findall(r'"([^"\n]*[\u3400-\u9fff][^"\n]*)"', path.read_text(encoding="utf-8"))
    return [w for w in dict.fromkeys(out) if w]


def main() -> None:
    t2s = opencc.OpenCC("t2s")
    words = wordings()
    everything = list(dict.fromkeys(words + shown()))
    traditional = set("".join(words))
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    simplified = {w: t2s.convert(w) for w in words}
    for trad, simp in simplified.items():
        for t, s in zip(trad, simp, strict=True):
            if s != t and s not in traditional:
                pairs[s][t] += 1
    chars = {s: c.most_common(1)[0][0] for s, c in sorted(pairs.items())}
    # OpenCC leaves 著 as it is, so Simplified 着 (睡不着, 坐着) had no way back to the 著 of
    # the base's wordings: the reviewed output conversions are read back too
    for trad, simp in REVIEWED_TO_SIMPLIFIED.items():
        if simp not in traditional:
            chars.setdefault(simp, trad)
    # the other way, for zh-Hans output: every Traditional character to its Simplified one
    to_simplified = {
        t: s
        for trad in sorted(everything)
        for t, s in zip(trad, simplified.get(trad) or t2s.convert(trad), strict=True)
        if t != s
    }
    table = str.maketrans(chars)
    phrases = {
        simp: trad
        for trad, simp in sorted(simplified.items())
        # wordings only: a sentence is converted character by character
        if simp != trad and simp.translate(table) != trad and len(trad) <= 12
    }
    # Simplified forms that are Traditional characters too (里 in 足三里, 干 in 若干): OpenCC
    # lists the character among its own Traditional forms. A zh-Hant field may hold them.
    listing = Path(opencc.__file__).parent / "dictionary" / "STCharacters.txt"
    shared = []
    for line in listing.read_text(encoding="utf-8").splitlines():
        simp, _, forms = line.partition("\t")
        if simp in chars and simp in forms.split():
            shared.append(simp)
    OUT.write_text(
        json.dumps(
            {
                "chars": chars,
                "phrases": phrases,
                "shared": sorted(shared),
                "to_simplified_phrases": REVIEWED_PHRASES,
                "to_simplified": dict(sorted((to_simplified | REVIEWED_TO_SIMPLIFIED).items())),
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(
        f"{OUT.relative_to(ROOT)}: {len(chars)} characters ({len(shared)} shared by both"
        f" scripts), {len(phrases)} phrases"
    )


if __name__ == "__main__":
    main()
