"""Anmian speaks to a person as a clinic does in Chinese: 您, the polite "you", throughout.
The site's own words (django.po) always did; the knowledge base's questions, cautions and
advice and the engine's sentences said 你, so one screen of the self-check switched between
the two (the screening questions under a heading in 您). What a person writes is theirs: the
reader's wordings (zh_synonyms, zh_absent_synonyms, zh_reading.yaml) may say 你."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from anmian.knowledge.loader import data_dir

ROOT = Path(__file__).resolve().parent.parent
# what people write, not what Anmian says
READER = {"zh_synonyms", "zh_absent_synonyms"}
ENGINE = [ROOT / "src/anmian/render.py", ROOT / "src/anmian/engine/zh_result.py"]
PO = sorted((ROOT / "src/anmian/web/locale").glob("*/LC_MESSAGES/django.po"))


def said_with_ni(node: object, where: str = "") -> list[str]:
    """Where a Chinese text Anmian shows (a zh_ field, nested ones included) says 你."""
    out: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            key = str(k)
            if key in READER:
                continue
            texts = [v] if isinstance(v, str) else v if isinstance(v, list) else []
            if key.startswith("zh_") and all(isinstance(t, str) for t in texts):
                out += [f"{where}.{key}"] if any("你" in t for t in texts) else []
            else:
                out += said_with_ni(v, f"{where}.{key}")
    elif isinstance(node, list):
        for n, v in enumerate(node):
            out += said_with_ni(v, f"{where}[{n}]")
    return out


def test_the_knowledge_base_says_nin_to_the_person():
    problems = []
    for path in sorted(data_dir().rglob("*.yaml")):
        problems += said_with_ni(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    assert problems == []


def test_the_engine_and_the_site_say_nin_to_the_person():
    for path in ENGINE:
        chinese = re.findall(r'"([^"\n]*[\u3400-\u9fff][^"\n]*)"', path.read_text("utf-8"))
        assert chinese, path  # the sweep reads the module's Chinese sentences
        assert [s for s in chinese if "你" in s] == [], path.name
    assert PO
    for path in PO:
        msgstrs = re.findall(r'^msgstr "(.*)"$', path.read_text("utf-8"), re.M)
        assert len(msgstrs) > 100
        assert [s for s in msgstrs if "你" in s] == [], path


def test_the_check_finds_ni_and_leaves_what_a_person_writes():
    entry = [{"id": "x", "zh_question": "你是否怕冷？", "zh_synonyms": ["你說的怕冷"]}]
    assert said_with_ni(entry, "f.yaml") == ["f.yaml[0].zh_question"]
    entry[0]["zh_question"] = "您是否怕冷？"
    assert said_with_ni(entry, "f.yaml") == []
    nested = {"safety": [{"zh_text": "你服用抗凝血劑時不可使用。"}]}
    assert said_with_ni(nested, "h.yaml") == ["h.yaml.safety[0].zh_text"]
    answers = [{"id": "a", "zh_answers": ["完全沒有", "你覺得有一點"]}]
    assert said_with_ni(answers, "s.yaml") == ["s.yaml[0].zh_answers"]
