"""The library's pages read the knowledge base's own Chinese on a Chinese page (issue 16):
a herb's actions and cautions, a pattern's description, a point's location, pressing and
cautions, each in a span marked with its language; English pages are unchanged.

Expected words are the standard ones (WHO IST 2007, docs/glossary.md), not the base's text:
活血 is "moves (invigorates) Blood", 懷孕 pregnancy, 血虛 Blood deficiency."""

from __future__ import annotations

import re

import pytest
from django.test import Client

ZH_TW = {"HTTP_ACCEPT_LANGUAGE": "zh-TW,zh;q=0.9"}
ZH_CN = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


def main(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.django_db
def test_a_herb_reads_its_actions_and_cautions_in_chinese(client: Client):
    html = main(client.get("/library/herbs/chuan-xiong/", **ZH_TW))
    assert "活血行氣" in html  # moves Blood and Qi
    assert '<ul lang="zh-Hant">' in html
    assert "懷孕" in html and "抗凝血" in html  # its pregnancy and blood-thinner rules
    assert "Not with blood thinners" not in html
    # the textbook entry for 川芎: warm, acrid, entering the Liver, Gallbladder and Pericardium
    assert "性溫，味辛，歸肝、膽、心包經。" in html
    english = main(client.get("/library/herbs/chuan-xiong/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "moves blood and qi" in english and "活血行氣" not in english


@pytest.mark.django_db
def test_a_pattern_reads_its_description_in_chinese(client: Client):
    html = main(client.get("/library/patterns/blood-deficiency/", **ZH_TW))
    description = re.search(r'<p lang="zh-Hant">([^<]+)</p>', html)
    assert description and "血" in description.group(1)
    assert "舌淡" in html and "脈細" in html  # pale tongue, thin pulse (glossary)
    assert "Nourish Blood, calm the spirit" not in html  # the principle reads in Chinese


@pytest.mark.django_db
def test_a_point_reads_where_it_is_and_its_cautions_in_chinese(client: Client):
    html = main(client.get("/library/points/sp6/", **ZH_TW))
    assert "內踝" in html  # SP6 lies above the medial malleolus (WHO 2008)
    assert "Recent reviews found no objective evidence" not in html


@pytest.mark.django_db
def test_a_simplified_page_reads_the_same_in_simplified_characters(client: Client):
    html = main(client.get("/library/herbs/chuan-xiong/", **ZH_CN))
    assert "活血行气" in html and '<ul lang="zh-Hans">' in html
    assert "懷孕" not in html and "怀孕" in html


@pytest.mark.django_db
def test_the_evidence_reads_in_chinese_and_keeps_its_citations(client: Client):
    html = main(client.get("/library/evidence/", **ZH_TW))
    assert "系統性回顧" in html  # systematic review
    assert "Both included trials had weaknesses" not in html
    assert "Cochrane" in html  # the citations stay as published
