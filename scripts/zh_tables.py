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
from collections import Counter, defaultdict
from pathlib import Path

import opencc
import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "anmian" / "knowledge" / "data" / "findings"
READING = ROOT / "src" / "anmian" / "engine" / "zh_reading.yaml"
OUT = ROOT / "src" / "anmian" / "engine" / "zh_hans.json"


def wordings() -> list[str]:
    out: list[str] = []
    for path in sorted(DATA.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            out += [entry.get("zh") or "", *entry.get("zh_synonyms", ())]
            out += entry.get("zh_absent_synonyms", ())
    rules = yaml.safe_load(READING.read_text(encoding="utf-8"))
    for value in rules.values():
        for item in value if isinstance(value, (list, dict)) else ():
            out += item["terms"] if isinstance(item, dict) else [item]  # hazards have terms
    return [w for w in dict.fromkeys(out) if w]


def main() -> None:
    t2s = opencc.OpenCC("t2s")
    words = wordings()
    traditional = set("".join(words))
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    simplified = {w: t2s.convert(w) for w in words}
    for trad, simp in simplified.items():
        for t, s in zip(trad, simp, strict=True):
            if s != t and s not in traditional:
                pairs[s][t] += 1
    chars = {s: c.most_common(1)[0][0] for s, c in sorted(pairs.items())}
    table = str.maketrans(chars)
    phrases = {
        simp: trad
        for trad, simp in sorted(simplified.items())
        if simp != trad and simp.translate(table) != trad
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
            {"chars": chars, "phrases": phrases, "shared": sorted(shared)},
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
