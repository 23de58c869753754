"""The site in Chinese: the language chosen (Accept-Language first, then the switch), pages
rendered in zh-Hant, and no English left in what a person reads on them (issue 16)."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from anmian.web.tests.test_selfcheck_short import SEVERITY, YES

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[4]
LOCALE = ROOT / "src" / "anmian" / "web" / "locale"
ZH_TW = {"HTTP_ACCEPT_LANGUAGE": "zh-TW,zh;q=0.9,en;q=0.5"}

# Words a Chinese page may still show in Latin letters: our name, abbreviations and units a
# Chinese reader sees in Latin too, the formats a date box asks for, and point codes.
ALLOWED = {
    "anmian",
    "api",
    "csv",
    "json",
    "ng",
    "ml",
    "min",
    "yyyy",
    "mm",
    "dd",
    "tsat",
    "rls",
    "app",  # Taiwan writes 驗證器 App
}
POINT_CODE = re.compile(r"^(?:[a-z]{1,3}\d{1,2}|ex[a-z]*\d*)$")


@pytest.fixture(autouse=True, scope="module")
def _compiled():
    """`make install` compiles the messages; a bare pytest run may not have, so compile ours."""
    for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)


class _Text(HTMLParser):
    """The text a person reads (and what a screen reader says), without the disclaimer of
    the footer, which is the knowledge base's (see the test at the end)."""

    SKIP = {"script", "style", "svg", "code", "datalist"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self._lang: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SKIP or attrs.get("lang") in ("en", "la"):
            self._skip += 1
            self._lang.append(tag)
        for key in ("aria-label", "placeholder", "title"):
            if attrs.get(key):
                self.parts.append(attrs[key])

    def handle_endtag(self, tag):
        if self._lang and self._lang[-1] == tag:
            self._lang.pop()
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    body = html.split("<body>", 1)[1]
    body = re.sub(r'<footer class="site">\s*<p>.*?</p>', "<footer>", body, flags=re.S)
    parser = _Text()
    parser.feed(body)
    return " ".join(parser.parts)


def english_words(html: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'-]*\d*", visible_text(html))
    return sorted(
        {w for w in words if w.lower() not in ALLOWED and not POINT_CODE.match(w.lower())}
    )


def lang_of(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


# --- choosing the language


def test_accept_language_zh_tw_gives_zh_hant_on_the_first_visit(client: Client):
    html = client.get("/", **ZH_TW).content.decode()
    assert lang_of(html) == "zh-Hant"
    assert "首頁" in html and "不寧腿症候群" in html


def test_accept_language_zh_cn_gives_zh_hans_with_the_mainland_name(client: Client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert lang_of(html) == "zh-Hans"
    assert "首页" in html and "不安腿综合征" in html  # the glossary's override, not 不宁腿症候群


def test_an_unknown_language_is_english_without_an_error(client: Client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="tlh-KX")
    assert response.status_code == 200 and lang_of(response.content.decode()) == "en"
    response = client.post("/i18n/setlang/", {"language": "tlh", "next": "/"}, **ZH_TW)
    assert response.status_code == 302
    assert lang_of(client.get("/").content.decode()) == "en"


def test_every_page_has_a_language_switch_that_needs_no_javascript(client: Client):
    html = client.get("/self-check/", follow=True).content.decode()
    form = re.search(r'<form method="post" action="/i18n/setlang/".*?</form>', html, re.S)
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group(0)
    assert 'name="next" value="/self-check/step/about/"' in form.group(0)
    for code in ("en-gb", "zh-hant", "zh-hans"):
        assert f'value="{code}"' in form.group(0)
    assert 'type="submit"' in form.group(0)  # a plain button posts it, no script


def test_the_switch_keeps_the_choice_over_accept_language(client: Client):
    response = client.post(
        "/i18n/setlang/", {"language": "zh-hant", "next": "/self-check/step/about/"}
    )
    assert response.status_code == 302 and response["Location"] == "/self-check/step/about/"
    html = client.get("/self-check/step/about/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert lang_of(html) == "zh-Hant" and "關於您" in html
    client.post("/i18n/setlang/", {"language": "en-gb", "next": "/"})
    html = client.get("/", **ZH_TW).content.decode()
    assert lang_of(html) == "en" and "Restless legs, calmer nights" in html


def test_a_switch_to_another_site_goes_home_instead(client: Client):
    response = client.post(
        "/i18n/setlang/", {"language": "zh-hant", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_chinese_names_are_marked_as_traditional(client: Client):
    html = client.get("/library/patterns/").content.decode()
    assert 'lang="zh"' not in html and '<span lang="zh-Hant">' in html


# --- pages in zh-Hant with no English left


@pytest.fixture
def zh(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    return client


def _no_english(html: str) -> None:
    assert lang_of(html) == "zh-Hant"
    left = english_words(html)
    assert not left, f"English still on the zh-Hant page: {left}"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/self-check/step/about/",
        "/self-check/step/safety/",
        "/self-check/step/notes/",
        "/accounts/signup/",
        "/accounts/login/",
        "/accounts/signup/sent/",
        "/library/",
    ],
)
def test_a_public_page_in_zh_hant_has_no_english(zh: Client, path: str):
    if path == "/self-check/step/safety/":
        zh.post("/self-check/step/about/", {"age": "50", "sex": "female"})
        zh.post("/self-check/step/screening/", YES)
    response = zh.get(path)
    assert response.status_code == 200
    _no_english(response.content.decode())


def test_a_patient_s_pages_in_zh_hant_have_no_english(zh: Client, alice, clinic):
    clinic.name = "安眠中醫診所"  # a clinic's name is its own, not the site's to translate
    clinic.save()
    zh.force_login(alice.user)
    zh.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    for path in (
        "/accounts/mine/",
        "/accounts/clinics/",
        "/diary/",
        "/diary/import/",
        "/diary/new/",
        "/diary/quick/",
        "/booking/book/",
        "/booking/",
        "/accounts/two-factor/",
    ):
        response = zh.get(path)
        assert response.status_code == 200, path
        # the clinic's time zone is shown as its IANA id (Europe/London), a code like a point's
        _no_english(response.content.decode().replace(clinic.time_zone, ""))


@pytest.mark.parametrize("view", ["day", "week"])
def test_a_practitioner_s_calendar_in_zh_hant_has_no_english(zh: Client, alice, bob, view):
    """The schedule of the day (and the week) with an appointment of each state a
    practitioner marks; the patient's name and the clinic's appointment type are data."""
    from datetime import timedelta

    from django.utils import timezone

    from anmian.web.booking.models import AppointmentType
    from anmian.web.tests.world import appointment_at

    alice.name = "林美華"
    alice.save()
    kind = AppointmentType.objects.create(clinic=bob.clinic, name="針灸", duration_min=30)
    now = timezone.now()
    for hours, status in ((-3, "booked"), (-2, "no-show"), (-1, "arrived"), (2, "booked")):
        appointment = appointment_at(bob, alice, kind, now + timedelta(hours=hours))
        appointment.status = status
        appointment.save()
    zh.force_login(bob.user)
    zh.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    response = zh.get(f"/booking/calendar/?view={view}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "行事曆" in html or "今天" in html
    _no_english(html.replace(bob.clinic.time_zone, ""))


def test_a_practitioner_s_patient_list_in_zh_hant_has_no_english(zh: Client, alice, bob):
    alice.name = "林美華"  # a person's name is their own
    alice.save()
    zh.force_login(bob.user)
    zh.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    response = zh.get("/clinic/patients/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "林美華" in html and "本診所的病人" in html
    _no_english(html)


def test_the_diary_progress_page_s_own_words_are_in_chinese(zh: Client, alice):
    """Its charts' titles are drawn by diary/charts.py and not wrapped yet."""
    zh.force_login(alice.user)
    zh.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    html = zh.get("/diary/progress/").content.decode()
    for words in ("和一開始相比的變化", "逐週變化", "每週評分", "還沒有評分。"):
        assert words in html


def test_a_sign_up_error_reads_in_chinese(zh: Client):
    html = zh.post("/accounts/signup/", {"name": "", "email": "nope", "password": "x"})
    text = visible_text(html.content.decode())
    assert "這個欄位是必須的" in text  # Django's own zh-Hant for "This field is required."
    assert not english_words(html.content.decode())


def test_a_chinese_sign_up_gets_its_confirmation_email_in_chinese(zh: Client):
    from django.core import mail

    zh.post(
        "/accounts/signup/",
        {"name": "林小姐", "email": "lin@example.org", "password": "a long enough passphrase"},
    )
    sent = mail.outbox[-1]
    assert sent.subject == "請確認您的 Anmian 帳號"
    assert "連結一小時內有效" in sent.body and "/accounts/activate/" in sent.body


def test_the_results_in_zh_hant_have_chinese_headings_and_names(zh: Client):
    zh.post("/self-check/mode/", {"mode": "full"})
    zh.post("/self-check/step/about/", {"age": "55", "sex": "female"})
    zh.post("/self-check/step/screening/", YES)
    zh.post("/self-check/step/legs/", {"leg-crawling": "on"})
    zh.post("/self-check/step/energy/", {"pale-face": "on"})
    zh.post("/self-check/step/tongue/", {"tongue-pale": "on"})
    response = zh.get("/self-check/results/")
    assert response.status_code == 200
    html = response.content.decode()
    assert lang_of(html) == "zh-Hant"
    for heading in ("您的結果", "相符的中醫證型", "您的計畫", "可以按壓的穴位", "療程"):
        assert heading in html
    # a pattern as the CLI's reports name it, its English marked as English
    assert '血虛 <span lang="en">(Blood deficiency)</span>' in html
    assert "TCM patterns that fit" not in html and "Points to press" not in html


def test_the_results_in_zh_hant_end_their_sentences_with_chinese_stops(zh: Client):
    """Chinese text takes full-width punctuation (Taiwan's Ministry of Education, 重訂標點符號
    手冊: 句號「。」, 冒號「：」); a Latin full stop after a Chinese headline looks broken."""
    zh.post("/self-check/mode/", {"mode": "full"})
    zh.post("/self-check/step/about/", {"age": "55", "sex": "female"})
    zh.post("/self-check/step/screening/", YES)
    zh.post("/self-check/step/legs/", {"leg-crawling": "on"})
    html = zh.get("/self-check/results/").content.decode()
    assert "您的回答符合不寧腿症候群。</strong>" in html
    assert "候群.</strong>" not in html


def test_the_short_path_s_question_is_asked_in_chinese(zh: Client):
    zh.post("/self-check/step/about/", {"age": "55", "sex": "female"})
    zh.post("/self-check/step/screening/", YES)
    zh.post("/self-check/step/safety/", {})
    zh.post("/self-check/step/severity/", SEVERITY)
    zh.post("/self-check/step/notes/", {"story": ""})
    zh.post("/self-check/step/context/", {})
    response = zh.get("/self-check/questions/", follow=True)
    html = response.content.decode()
    legend = re.search(r"<legend><h1>(.*?)</h1></legend>", html, re.S)
    assert legend is not None and re.search(r"[\u4e00-\u9fff]", legend.group(1))
    assert "是" in html and "不確定" in html


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/library/points/", "全部穴位（依經絡排列）"),
        ("/library/points/sp6/", "穴位位置"),
        ("/library/herbs/", "知識庫中的中藥"),
        ("/library/patterns/", "不寧腿症候群的中醫證型"),
        ("/library/evidence/", "研究告訴我們什麼"),
        ("/library/references/", "參考文獻"),
    ],
)
def test_the_library_s_own_words_are_in_chinese(zh: Client, path: str, heading: str):
    """The library's entries are the knowledge base's (English, with hanzi names); the
    headings and labels around them are ours."""
    response = zh.get(path)
    assert response.status_code == 200 and heading in response.content.decode()


def test_english_pages_read_as_before(client: Client):
    html = client.get("/self-check/step/about/").content.decode()
    assert lang_of(html) == "en"
    assert "About you" in html and "Step 1 of" in html and "Prefer not to say" in html


def test_the_footer_disclaimer_reads_in_chinese(zh: Client):
    # Where a person reads in Chinese they are told in Chinese that Anmian does not diagnose.
    footer = zh.get("/").content.decode().split('<footer class="site">', 1)[1]
    assert "does not diagnose" not in footer
    assert "並不作診斷" in footer


def test_the_footer_disclaimer_reads_in_simplified_chinese(client: Client):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    footer = client.get("/").content.decode().split('<footer class="site">', 1)[1]
    assert "并不作诊断" in footer and "不安腿综合征" in footer


# --- the message files


def test_the_zh_hant_messages_are_complete_and_zh_hans_is_fresh():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "zh_hans.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_the_deploy_guide_s_compilemessages_compiles_ours_and_leaves_django_s_alone():
    """docs/deploy.md runs `manage.py compilemessages --ignore=.venv` at each release."""
    import os

    env = os.environ | {"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "anmian.web.settings"}
    done = subprocess.run(
        [sys.executable, "manage.py", "compilemessages", "--ignore=.venv"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "compilemessages --ignore=.venv" in (ROOT / "docs" / "deploy.md").read_text()
    assert "site-packages" not in done.stdout + done.stderr
    for lang in ("zh_Hant", "zh_Hans"):
        assert (LOCALE / lang / "LC_MESSAGES" / "django.mo").exists()


def test_the_check_fails_on_an_untranslated_message(tmp_path: Path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import zh_hans
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    text = (LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    broken = tmp_path / "django.po"
    broken.write_text(
        text + '\n#, fuzzy\nmsgid "A new sentence"\nmsgstr "新句子"\n'
        '\nmsgid "Another one"\nmsgstr ""\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(zh_hans, "SOURCE", broken)
    found = zh_hans.problems()
    assert "fuzzy: 'A new sentence'" in found and "untranslated: 'Another one'" in found


def test_every_wrapped_string_is_in_the_zh_hant_file(tmp_path: Path, monkeypatch, settings):
    """A string wrapped after the last makemessages would show in English: extract again
    into a copy and compare."""
    import shutil

    copy = tmp_path / "web"
    shutil.copytree(
        ROOT / "src" / "anmian" / "web", copy, ignore=shutil.ignore_patterns("tests", "*.mo")
    )
    monkeypatch.chdir(copy)
    settings.LOCALE_PATHS = []  # write into the copy's locale folder, never the real one
    call_command("makemessages", locale=["zh_Hant"], verbosity=0, no_obsolete=True)
    import polib

    fresh = {
        (e.msgctxt, e.msgid) for e in polib.pofile(copy / "locale/zh_Hant/LC_MESSAGES/django.po")
    }
    ours = polib.pofile(LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po")
    kept = {(e.msgctxt, e.msgid) for e in ours if e.translated()}
    assert not fresh - kept, f"run makemessages and translate: {sorted(fresh - kept)}"
