"""Write the web's zh-Hans messages from the hand-written zh-Hant ones.

    .venv/bin/python scripts/zh_hans.py          # rewrite locale/zh_Hans/LC_MESSAGES/django.po
    .venv/bin/python scripts/zh_hans.py --check  # make lint: exit 1 if a zh-Hant message is
                                                 # untranslated or fuzzy, or zh_Hans is stale

OpenCC's tw2sp (Taiwan Traditional to mainland Simplified, with mainland phrasing: 登录, 打印,
短信) converts the text; TERMS then fixes what character and phrase conversion cannot know:
the glossary's mainland names (docs/glossary.md, the **override** rows) and a few interface
words that mainland readers write differently. Placeholders (%(name)s) and markup are not
touched by either: OpenCC changes only CJK characters.
"""

from __future__ import annotations

import sys
from pathlib import Path

import opencc
import polib

LOCALE = Path(__file__).resolve().parent.parent / "src" / "anmian" / "web" / "locale"
SOURCE = LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"
TARGET = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"

# Reviewed by hand: (what tw2sp gives, what a mainland reader expects). Longest first, so
# the disease's full name is replaced before its short form.
TERMS: list[tuple[str, str]] = [
    ("不宁腿症候群", "不安腿综合征"),  # glossary: mainland texts and guidelines
    ("不宁腿", "不安腿"),
    ("运铁蛋白饱和度", "转铁蛋白饱和度"),  # glossary override
    ("自我照护", "自我护理"),  # glossary override
    ("帐号", "账号"),  # mainland standard form of the word
    ("两步骤验证", "两步验证"),
    ("权杖", "令牌"),  # an API token
    ("垃圾邮件匣", "垃圾邮件箱"),
    ("注销", "退出登录"),  # tw2sp's 注销 is closing an account, not logging out
    ("数据", "资料"),  # 資料 here is personal or clinical information, not data
    ("身分", "身份"),
    ("筛检", "筛查"),  # screening, as mainland clinics write it
    ("信箱", "邮箱"),
    ("行事历", "日历"),
    ("纪录", "记录"),  # a record kept, not a record broken
    ("运行情况", "执行情况"),  # tw2sp's 运行 is a program running; a care plan is 执行
]


def to_simplified(text: str, converter: opencc.OpenCC) -> str:
    out = converter.convert(text)
    for before, after in TERMS:
        out = out.replace(before, after)
    return out


def build() -> str:
    converter = opencc.OpenCC("tw2sp")
    po = polib.pofile(str(SOURCE))
    po.header = (
        "Anmian's web pages in Simplified Chinese: GENERATED from zh_Hant by scripts/zh_hans.py\n"
        "(OpenCC tw2sp and its reviewed TERMS). Edit the zh_Hant file, then run the script."
    )
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Language-Team"] = "zh-Hans (generated)"
    for entry in po:
        if entry.msgstr:
            entry.msgstr = to_simplified(entry.msgstr, converter)
        for n, text in entry.msgstr_plural.items():
            entry.msgstr_plural[n] = to_simplified(text, converter)
    return str(po) + "\n"


def problems() -> list[str]:
    """What keeps the zh-Hant file from being a full translation."""
    po = polib.pofile(str(SOURCE))
    out = [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    out += [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    return out


def main(argv: list[str]) -> int:
    if "--check" in argv:
        found = problems()
        text = build()
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            found.append(f"{TARGET} is out of date: run scripts/zh_hans.py")
        for problem in found:
            print(f"{SOURCE.relative_to(LOCALE.parent)}: {problem}", file=sys.stderr)
        return 1 if found else 0
    text = build()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
