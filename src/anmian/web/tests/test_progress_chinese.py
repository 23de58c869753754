"""The progress page's charts in each script. A tester's walk of the 简体 progress page
(2026-12-03) found, where no weekly score was yet entered, "Anmian 腿部症狀追蹤表：每周总分与分级:
no data yet.": the scale's name in Traditional characters and the sentence in English."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from anmian.knowledge import get_kb
from anmian.web.diary.charts import progress_charts
from anmian.web.diary.progress import SCALE, Progress

# What each page should say, written by hand from the scale's Chinese name (Anmian 腿部症狀
# 追蹤表, data/scales) and the message: "(no records yet)".
EMPTY = {
    "zh-hans": "Anmian 腿部症状追踪表：每周总分与分级（还没有记录）。",
    "zh-hant": "Anmian 腿部症狀追蹤表：每週總分與分級（還沒有紀錄）。",
    "en": "Anmian leg symptom tracker: weekly total with its bands: no data yet.",
}


def _empty_score_chart(lang: str) -> str:
    with translation.override(lang):
        charts = dict(progress_charts(Progress(), get_kb().scales[SCALE]))
    [score] = [svg for svg in charts.values() if "nochart" in svg and "Anmian" in svg]
    return re.sub(r"<[^>]+>", "", score)


@pytest.mark.parametrize("lang", list(EMPTY))
def test_a_chart_with_no_data_says_so_in_the_pages_language_and_script(lang):
    assert _empty_score_chart(lang) == EMPTY[lang]


def test_no_traditional_character_of_the_scale_is_left_on_a_simplified_page():
    text = _empty_score_chart("zh-hans")
    for traditional in "狀蹤週總與級錄還":
        assert traditional not in text
