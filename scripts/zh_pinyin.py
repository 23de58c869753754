"""Write `pinyin_tones` (pinyin with tone marks) beside `pinyin` on every pattern, point,
herb and formula, from its `chinese` field.

Run once after adding an entry, with pypinyin available (it is not a dependency of
Anmian), then review the diff by ear:

    python -m venv /tmp/zh && /tmp/zh/bin/pip install pypinyin pyyaml
    /tmp/zh/bin/python scripts/zh_pinyin.py

The toneless `pinyin` already in the base decides spacing and capitals ("Sanyinjiao" ->
"Sānyīnjiāo", "Dang Gui" -> "Dāng Guī"). An entry whose syllables do not match it (a
character read another way) is listed and left without `pinyin_tones` for a person to
write; READINGS fixes the characters whose reading in a point or herb name differs from
pypinyin's commonest one.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import yaml
from pypinyin import Style, load_phrases_dict, pinyin

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "anmian" / "knowledge" / "data"
KINDS = ("patterns", "points", "herbs", "formulas")
# Names whose reading pypinyin's phrase table does not give (reviewed).
READINGS = {
    "心兪": [["xīn"], ["shū"]],
    "膈兪": [["gé"], ["shū"]],
    "腎兪": [["shèn"], ["shū"]],
    "脾兪": [["pí"], ["shū"]],
    "肝兪": [["gān"], ["shū"]],
    "太谿": [["tài"], ["xī"]],
    "肺兪": [["fèi"], ["shū"]],
    "陰郄": [["yīn"], ["xì"]],
    "大椎": [["dà"], ["zhuī"]],
    "川芎": [["chuān"], ["xiōng"]],
    "丹參": [["dān"], ["shēn"]],
    "玄參": [["xuán"], ["shēn"]],
    "人參": [["rén"], ["shēn"]],
    "沒藥": [["mò"], ["yào"]],
    "夜交藤": [["yè"], ["jiāo"], ["téng"]],
    "蒼朮": [["cāng"], ["zhú"]],
    "白朮": [["bái"], ["zhú"]],
    "何首烏": [["hé"], ["shǒu"], ["wū"]],
    # 曲 in point names is qū (bent), not qǔ (a tune); 子 in herb names is zǐ (seed)
    "曲池": [["qū"], ["chí"]],
    "曲泉": [["qū"], ["quán"]],
    "柏子仁": [["bǎi"], ["zǐ"], ["rén"]],
    "五味子": [["wǔ"], ["wèi"], ["zǐ"]],
    "梔子": [["zhī"], ["zǐ"]],
    "製附子": [["zhì"], ["fù"], ["zǐ"]],
    "附子": [["fù"], ["zǐ"]],
}


def bare(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("ü", "v").replace("Ü", "V"))
    return re.sub(r"[^a-z]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


def toned(chinese: str, plain: str) -> str | None:
    """The tone-marked syllables laid out as `plain` is (its spaces and capitals)."""
    syllables = [s[0] for s in pinyin(chinese, style=Style.TONE, errors="ignore")]
    if bare("".join(syllables)) != bare(plain):
        return None
    out, k = [], 0
    letters = "".join(syllables)
    for ch in plain:
        if not ch.isalpha():
            out.append(ch)
            continue
        got = letters[k]
        k += 1
        # a tone mark may sit on a combined character; keep the case of the plain letter
        out.append(got.upper() if ch.isupper() else got)
    return "".join(out)


def main() -> None:
    load_phrases_dict(READINGS)
    missing = []
    for kind in KINDS:
        for path in sorted((DATA / kind).glob("*.yaml")):
            entries = {e["id"]: e for e in yaml.safe_load(path.read_text(encoding="utf-8"))}
            lines = path.read_text(encoding="utf-8").split("\n")
            out, current = [], None
            for line in lines:
                m = re.match(r"^- id: (\S+)", line)
                if m:
                    current = entries[m.group(1)]
                if line.startswith("  pinyin_tones:"):
                    continue  # written again below
                out.append(line)
                if current and line.startswith("  pinyin:"):
                    # "Ban Xia (Fa Ban Xia)": the part that spells the Chinese name
                    parts = re.split(r"\s*[()]\s*", current["pinyin"])
                    tries = (toned(current["chinese"], p) for p in parts if p)
                    got = next((t for t in tries if t), None)
                    if got:
                        out.append(f"  pinyin_tones: {got}")
                    else:
                        missing.append(f"{kind}/{path.name}: {current['id']} {current['chinese']}")
            path.write_text("\n".join(out), encoding="utf-8")
    for line in missing:
        print("review:", line, file=sys.stderr)


if __name__ == "__main__":
    main()
