"""Human-readable reports of an assessment. Markdown is the one source; the terminal
view renders the same Markdown with Rich, so the two can never disagree.

Safety comes first in every report: referrals before anything else.

A Chinese report (`anmian assess --lang zh-Hant -f md|text`) is the same report with its
headings and labels in Chinese (the words the site uses for them, docs/glossary.md's terms),
the result's prose already in Chinese (zh_result.chinese_first) and the items a cause or an
exclusion names by id given their Chinese names (zh_result.report_names). zh-Hans is the
zh-Hant converted, as everywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from anmian.engine.result import AssessmentResult, Reading, Readings

URGENCY_LABEL = {"emergency": "EMERGENCY", "urgent": "Urgent", "routine": "Routine"}
MODE_LABEL = {
    "both": "needle or self-press",
    "needle": "needle (practitioner)",
    "acupressure": "self-press only",
}
# How each status is put to the person, in plain words.
STATUS_WORDS = {
    "present": "You have",
    "absent": "You do not have",
    "uncertain": "You are not sure about (please check)",
    "historical": "You had in the past (not counted now)",
    "family": "Someone in your family has (not counted as yours)",
    "other": "Someone else has (not counted as yours)",
}

EN: dict[str, Any] = {
    "title": "Anmian assessment",
    "referrals": "See a clinician",
    "urgency": URGENCY_LABEL,
    "referral": "- **{urgency}: {title}.** {reason} (because: {causes})",
    "see_first": "See a physician about the points above before starting this plan.",
    "on_hold": "**Your plan is on hold.** {note}",
    "read": "How Anmian read what you wrote",
    "status": STATUS_WORDS,
    "reading": "- {words}: {labels}",
    "screening": "Screening (IRLSSG essential criteria)",
    "verdict": {},
    "answers": {True: "yes", False: "no", None: "not answered"},
    "criterion": "- {name}: {shown}",
    "criteria": {},
    "severity": "Severity ({name}): {total}/{max}, **{band}**. {note}",
    "mimics": "Conditions that can look like RLS, worth ruling out:",
    "mimic": "- **{name}**: {description} ({because})",
    "patterns": "TCM patterns",
    "no_pattern": "No pattern is supported by the findings given.",
    "role": {"primary": " (leading)", "combined": " (combined)"},
    "pattern": "### {name}{tag}: {score}",
    "for": "- for: {items}",
    "against": "- against: {items}",
    "evidence": "{label} ({weight})",
    "none": "none",
    "plan": "Your plan",
    "points": "Points",
    "modes": MODE_LABEL,
    "point": "- **{code} {name}**, {mode}: {location}",
    "press": "  - How to press: {how}",
    "formulas": "Formulas (to discuss with your practitioner)",
    "formula": "- **{name}** {chinese}: {ingredients}",
    "advice": {"diet": "Diet", "lifestyle": "Lifestyle", "topical": "Topical self-care"},
    "advice_item": "- **{title}**: {text}",
    "course": "Course",
    "course_line": "{weeks} weeks, {lo}-{hi} sessions a week. {note}",
    "cautions": "Cautions",
    "excluded": "Left out for your safety",
    "exclusion": "- {kind} **{item}**: {reason} (because: {causes})",
    "kinds": {},
    "unread": "Not understood",
    "unread_part": "- '{part}'{whole}{near}",
    "whole": " in '{text}'",
    "near": " (closest: {items})",
    "unknown": {
        "medication": "- medication '{text}'",
        "condition": "- condition '{text}'",
        "allergy": "- allergy '{text}'",
    },
    "kb": "Knowledge base {version}",
    "list": ", ",
    "causes": "; ",
    "ref_list": ", ",
}

# The site's words for these (locale/zh_Hant django.po: 請就醫, 注意事項, 為了您的安全而省略的項目,
# 沒有讀懂的部分 ...) and docs/glossary.md's terms (證型, 穴位, 方劑, 中藥, 療程, 嚴重程度).
ZH_HANT: dict[str, Any] = {
    "title": "Anmian 評估結果",
    "referrals": "請就醫",
    "urgency": {"emergency": "緊急", "urgent": "盡快", "routine": "一般"},
    "referral": "- **{urgency}：{title}。** {reason}（原因：{causes}）",
    "see_first": "開始這個計畫之前，請先就上面列出的情況諮詢醫師。",
    "on_hold": "**您的計畫暫停中。** {note}",
    "read": "Anmian 如何理解您寫的內容",
    "status": {
        "present": "您有",
        "absent": "您沒有",
        "uncertain": "您不確定（請再確認）",
        "historical": "過去曾有（現在不計入）",
        "family": "家人有（不算是您的）",
        "other": "其他人有（不算是您的）",
    },
    "reading": "- {words}：{labels}",
    "screening": "篩檢（IRLSSG 必要診斷條件）",
    "verdict": {
        "possible-rls": "可能是不寧腿症候群",
        "criteria-not-met": "未符合全部必要條件",
        "insufficient": "資料不足，無法判斷",
    },
    "answers": {True: "是", False: "否", None: "未回答"},
    "criterion": "- {name}：{shown}",
    "criteria": {},  # zh_result.CRITERIA_ZH, filled below
    "severity": "嚴重程度（{name}）：{total}/{max}，**{band}**。{note}",
    "mimics": "可能和不寧腿混淆、值得排除的類似病症：",
    "mimic": "- **{name}**：{description}（{because}）",
    "patterns": "相符的中醫證型",
    "no_pattern": "從所提供的症狀中看不出有支持的證型。",
    "role": {"primary": "（主要）", "combined": "（合併）"},
    "pattern": "### {name}{tag}：{score}",
    "for": "- 支持：{items}",
    "against": "- 不支持：{items}",
    "evidence": "{label}（{weight}）",
    "none": "無",
    "plan": "您的計畫",
    "points": "穴位",
    "modes": {
        "both": "針刺或自行按壓",
        "needle": "針刺（由中醫師施作）",
        "acupressure": "只自行按壓",
    },
    "point": "- **{code} {name}**，{mode}：{location}",
    "press": "  - 按壓方法：{how}",
    "formulas": "方劑（請和您的中醫師討論）",
    "formula": "- **{name}** {chinese}：{ingredients}",
    "advice": {"diet": "飲食", "lifestyle": "生活習慣", "topical": "外用自我照護"},
    "advice_item": "- **{title}**：{text}",
    "course": "療程",
    "course_line": "{weeks} 週，每週 {lo} 到 {hi} 次。{note}",
    "cautions": "注意事項",
    "excluded": "為了您的安全而省略的項目",
    "exclusion": "- {kind} **{item}**：{reason}（原因：{causes}）",
    "kinds": {
        "point": "穴位",
        "herb": "中藥",
        "formula": "方劑",
        "technique": "療法",
        "advice": "建議",
    },
    "unread": "沒有讀懂的部分",
    "unread_part": "- 「{part}」{whole}{near}",
    "whole": "（出自「{text}」）",
    "near": "（最接近的是：{items}）",
    "unknown": {
        "medication": "- 藥物「{text}」",
        "condition": "- 疾病「{text}」",
        "allergy": "- 過敏「{text}」",
    },
    "kb": "知識庫版本 {version}",
    "list": "、",
    "causes": "；",
    "ref_list": ", ",
}


def _zh_words(convert: Callable[[str], str]) -> dict[str, Any]:
    from anmian.engine.zh_result import CRITERIA_ZH

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        return convert(node) if isinstance(node, str) else node

    words: dict[str, Any] = walk(ZH_HANT)
    words["criteria"] = walk(CRITERIA_ZH)
    return words


def words_for(lang: str) -> dict[str, Any]:
    """The report's headings and labels in `lang` (English for any code but zh-Hant/zh-Hans)."""
    from anmian.engine.zh_result import language, to_simplified

    lang = language(lang)
    if lang == "en":
        return EN
    return _zh_words(to_simplified if lang == "zh-Hans" else (lambda s: s))


# A cause as the engine writes it ("medications: warfarin", engine/context.py, safety.py,
# screening.py): the key in Chinese, the person's own words kept as they wrote them.
_CAUSE_KEYS = {
    "text": "您寫的「{v}」",
    "findings": "症狀「{v}」",
    "medications": "藥物：{v}",
    "conditions": "疾病：{v}",
    "allergies": "過敏：{v}",
    "age": "年齡 {v} 歲",
}
_CAUSE_FIXED = {
    "pregnant: true": "懷孕",
    "breastfeeding: true": "哺乳中",
    "audience: self-care": "自我照護",
    "course of care: months": "療程長達數個月",
    "labs: none given": "沒有提供抽血檢查結果",
    "labs.ferritin_ng_ml: not given": "沒有提供鐵蛋白數值",
}
_LAB = re.compile(r"^labs\.(?P<lab>ferritin_ng_ml|tsat_percent): (?P<v>[\d.]+) \((?P<why>.+)\)$")
_LAB_NAME = {"ferritin_ng_ml": ("鐵蛋白", " ng/mL"), "tsat_percent": ("運鐵蛋白飽和度", "%")}
_LAB_WHY = (
    (re.compile(r"^child, below ([\d.]+)$"), "兒童，低於 {0}"),
    (re.compile(r"^at or below ([\d.]+)$"), "等於或低於 {0}"),
    (re.compile(r"^between ([\d.]+) and ([\d.]+)$"), "介於 {0} 和 {1} 之間"),
    (re.compile(r"^below ([\d.]+)$"), "低於 {0}"),
)


def cause_zh(cause: str, names: Mapping[str, str]) -> str:
    """One cause in zh-Hant; a cause of a kind not known here is left as written."""
    if cause in _CAUSE_FIXED:
        return _CAUSE_FIXED[cause]
    lab = _LAB.match(cause)
    if lab:
        name, unit = _LAB_NAME[lab["lab"]]
        why = lab["why"]
        for pattern, zh in _LAB_WHY:
            if found := pattern.match(why):
                why = zh.format(*found.groups())
                break
        return f"{name} {lab['v']}{unit}（{why}）"
    key, sep, value = cause.partition(": ")
    if not sep:
        return cause
    if key == "severity":
        return f"嚴重程度：{names.get(f'band:{value}', value)}"
    if key == "herb":
        return f"中藥：{names.get(f'herb:{value}', value)}"
    if key == "referral":
        return f"轉介：{names.get(f'referral:{value}', value)}"
    if key == "finding":
        return f"症狀：{names.get(f'finding:{value}', value)}"
    if key == "criterion not met":
        from anmian.engine.zh_result import CRITERIA_ZH

        return f"未符合：{CRITERIA_ZH.get(value, value)}"
    if key in _CAUSE_KEYS:
        return _CAUSE_KEYS[key].format(v=value)
    return cause


def _refs(refs: list[str]) -> str:
    return f" _[{', '.join(refs)}]_" if refs else ""


def to_markdown(
    result: AssessmentResult | Mapping[str, Any],
    lang: str = "en",
    names: Mapping[str, str] | None = None,
) -> str:
    """The report of one result (the typed contract, or its JSON as `to_dict` gives it), with
    headings and labels in `lang`. `names` gives the Chinese names of what causes and
    exclusions name by id ("herb:dang-gui", "band:severe"; zh_result.report_names)."""
    if not isinstance(result, AssessmentResult):
        result = AssessmentResult.model_validate(result)
    w = words_for(lang)
    zh = w is not EN
    names = names or {}
    convert: Callable[[str], str] = (lambda s: s) if not zh else _script(lang)

    def causes(items: list[str]) -> str:
        if not zh:
            return "; ".join(items)
        return str(w["causes"]).join(convert(cause_zh(c, names)) for c in items)

    out: list[str] = [f"# {w['title']}", ""]
    safety, plan = result.safety, result.plan
    if safety.referrals:
        out += [f"## {w['referrals']}", ""]
        for r in safety.referrals:
            title = r.title.rstrip("。") if zh else r.title
            out.append(
                w["referral"].format(
                    urgency=w["urgency"][r.urgency],
                    title=title,
                    reason=r.reason,
                    causes=causes(r.triggered_by),
                )
            )
        out.append("")
    if plan.status == "see-physician-first":
        out += [f"> {w['see_first']}", ""]
    if plan.status == "on-hold":
        out += ["> " + w["on_hold"].format(note=plan.note), ""]
    out += _readings(result.input.readings, w)

    s = result.screening
    out += [
        f"## {w['screening']}",
        "",
        f"**{w['verdict'].get(s.verdict, s.verdict)}**{'：' if zh else ': '}{s.explanation}",
        "",
    ]
    for name, value in s.criteria.items():
        label = w["criteria"].get(name, name.replace("_", " "))
        out.append(w["criterion"].format(name=label, shown=w["answers"][value]))
    if s.severity:
        sev = s.severity
        line = w["severity"].format(
            name=sev.name, total=sev.total, max=sev.max, band=sev.band, note=sev.note
        )
        out += ["", line]
    if s.mimics:
        out += ["", w["mimics"]]
        out += [
            w["mimic"].format(name=m.name, description=m.description, because=causes(m.because))
            for m in s.mimics
        ]
    out.append("")

    out += [f"## {w['patterns']}", ""]
    if not result.patterns:
        out += [w["no_pattern"], ""]
    for p in result.patterns[:6]:
        icd = ", ".join(c.code for c in p.icd11)
        tag = w["role"].get(p.role, "")
        head = w["pattern"].format(name=p.name, tag=tag, score=f"{p.score:.2f}")
        out.append(head + (f" [ICD-11 {icd}]" if icd else ""))

        def evidence(items: Any) -> str:
            return str(w["list"]).join(
                w["evidence"].format(label=e.label, weight=f"{e.weight:g}") for e in items
            )

        out.append(w["for"].format(items=evidence(p.for_) or w["none"]))
        if p.against:
            out.append(w["against"].format(items=evidence(p.against)))
        out.append("")

    out += [f"## {w['plan']}", ""]
    if plan.note:
        out += [plan.note, ""]
    if plan.points:
        out += [f"### {w['points']}", ""]
    for pt in plan.points:
        out.append(
            w["point"].format(
                code=pt.code, name=pt.name, mode=w["modes"][pt.mode], location=pt.location
            )
            + _refs(pt.refs)
        )
        if pt.acupressure:
            out.append(w["press"].format(how=pt.acupressure))
    if plan.formulas:
        out += ["", f"### {w['formulas']}", ""]
        for f in plan.formulas:
            herbs = [names.get(f"herb:{h}", h) for h in f.ingredients] if zh else f.ingredients
            out.append(
                w["formula"].format(
                    name=f.name, chinese=f.chinese, ingredients=w["list"].join(herbs)
                )
                + _refs(f.refs)
            )
    for advice, kind in (
        (plan.diet, "diet"),
        (plan.lifestyle, "lifestyle"),
        (plan.topical, "topical"),
    ):
        if advice:
            out += ["", f"### {w['advice'][kind]}", ""]
            out += [
                w["advice_item"].format(title=a.title, text=a.text) + _refs(a.refs) for a in advice
            ]
    c = plan.course
    if c is not None:
        lo, hi = c.sessions_per_week
        out += [
            "",
            f"### {w['course']}",
            "",
            w["course_line"].format(weeks=c.weeks, lo=lo, hi=hi, note=c.note) + _refs(c.refs),
            "",
        ]

    if safety.warnings:
        out += [f"## {w['cautions']}", ""]
        out += [f"- {x.text}" for x in safety.warnings]
        out.append("")
    if safety.excluded:
        out += [f"## {w['excluded']}", ""]
        for e in safety.excluded:
            item, reason = e.item, e.reason
            if zh:
                item = _item_zh(e.kind, e.item, names)
                # "養血的食物：..." after the item 養血的食物 says its name once, not twice
                reason = reason.removeprefix(f"{item}：")
            out.append(
                w["exclusion"].format(
                    kind=w["kinds"].get(e.kind, e.kind),
                    item=item,
                    reason=reason,
                    causes=causes(e.triggered_by),
                )
            )
        out.append("")
    inp = result.input
    if inp.unresolved or inp.unknown_medications or inp.unknown_conditions or inp.unknown_allergies:
        out += [f"## {w['unread']}", ""]
        for u in inp.unresolved:
            near_ids = [_finding_zh(x, names) for x in u.suggestions] if zh else u.suggestions
            near = w["near"].format(items=w["list"].join(near_ids)) if near_ids else ""
            whole = w["whole"].format(text=u.text) if u.part != u.text else ""
            out.append(w["unread_part"].format(part=u.part, whole=whole, near=near))
        unknown = w["unknown"]
        out += [unknown["medication"].format(text=t) for t in inp.unknown_medications]
        out += [unknown["condition"].format(text=t) for t in inp.unknown_conditions]
        out += [unknown["allergy"].format(text=t) for t in inp.unknown_allergies]
        out.append("")
    disclaimer = result.zh_disclaimer if zh and result.zh_disclaimer else result.disclaimer
    out += [
        "---",
        "",
        f"_{disclaimer}_",
        "",
        w["kb"].format(version=result.kb_version),
        "",
    ]
    return "\n".join(out)


def _finding_zh(finding: str, names: Mapping[str, str]) -> str:
    """A suggested finding's Chinese name ("!ID" is the finding denied: 沒有 ...)."""
    denied = finding.startswith("!")
    zh = names.get(f"finding:{finding.removeprefix('!')}")
    if zh is None:
        return finding
    return f"沒有{zh}" if denied else zh


_AT = re.compile(r"^(?P<technique>[a-z-]+) at (?P<codes>.+)$")


def _item_zh(kind: str, item: str, names: Mapping[str, str]) -> str:
    """An excluded item's Chinese name: "needle at SP6" (a technique at some points) reads
    針刺（SP6）."""
    if f"{kind}:{item}" in names:
        return names[f"{kind}:{item}"]
    at = _AT.match(item)
    technique = names.get(f"technique:{at['technique']}") if at and kind == "technique" else None
    if at and technique:
        return f"{technique}（{'、'.join(at['codes'].split(', '))}）"
    return item


def _script(lang: str) -> Callable[[str], str]:
    from anmian.engine.zh_result import language, to_simplified

    return to_simplified if language(lang) == "zh-Hans" else (lambda s: s)


def _readings(readings: Readings, w: Mapping[str, Any] = EN) -> list[str]:
    """What the reader understood, grouped by status, so a person can check it."""
    out = []
    for status, words in w["status"].items():
        rows: list[Reading] = getattr(readings, status)
        if rows:
            labels = w["list"].join(dict.fromkeys(r.label.lower() for r in rows))
            out.append(w["reading"].format(words=words, labels=labels))
    return [f"## {w['read']}", "", *out, ""] if out else []
