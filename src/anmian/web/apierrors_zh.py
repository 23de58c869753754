"""`zh_error`: an API error in Chinese beside its English `error` (issue 16).

With `?lang=zh-Hant` or `?lang=zh-Hans` (read as `anmian.engine.zh_result.language` reads the
assessment's `lang`) every error body keeps its English `error`, which clients match on, and adds
`zh_error`: what is wrong and how to fix it. The sentences are gettext messages (the zh .po files),
chosen by the English message's shape: a field named in it stays as written, unknown findings are
quoted back. A message no shape knows gets its status's sentence, so no error body goes without.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from anmian.engine.zh_result import language

_DJANGO_CODE = {"zh-Hant": "zh-hant", "zh-Hans": "zh-hans"}

_FIELD = re.compile(r"^field '([^']*)': (.*)$", re.S)
# pydantic's messages, as ninja and the engine pass them on ("Input should be ...")
_LIMIT = re.compile(r"Input should be (less|greater) than( or equal to)? (\S+)")
_UNKNOWN_IDS = re.compile(r"^unknown finding ids: (.*?)(?: and (\d+) more)? \(ids are")
_LENGTH = re.compile(r"(String|List|Value) should have at (most|least) (\d+)")


# English errors already written through gettext elsewhere (the shop's), formatted before they
# reach the API: read back by their msgid's shape and said again in Chinese with the same values.
_FORMATTED = (
    "Please read and accept the cautions for %(product)s first.",
    "Sorry, there are not enough of %(product)s left.",
    "Sorry, only %(n)s of %(product)s left.",
    "The price of %(product)s has changed from %(seen)s to %(price)s; "
    "please check your cart and order again.",
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _read_back(message: str) -> str | None:
    for msgid in _FORMATTED:
        parts = _PLACEHOLDER.split(msgid)  # text, name, text, name, ..., text
        pattern = "".join(
            re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)
        )
        if m := re.fullmatch(pattern, message, re.S):
            return _(msgid) % m.groupdict()
    return None


def _reason(msg: str) -> str:
    """What is wrong with one field, in Chinese."""
    if m := _LIMIT.search(msg):
        limit = {"limit": m.group(3)}
        if m.group(2):  # "or equal to"
            if m.group(1) == "less":
                return _("it must be %(limit)s or less") % limit
            return _("it must be %(limit)s or more") % limit
        if m.group(1) == "less":
            return _("it must be less than %(limit)s") % limit
        return _("it must be more than %(limit)s") % limit
    if m := _LENGTH.search(msg):
        n = m.group(3)
        if m.group(2) == "most":
            return _("it may have at most %(n)s characters or items") % {"n": n}
        return _("it needs at least %(n)s characters or items") % {"n": n}
    simple = {
        "Field required": _("it is required but missing"),
        "Extra inputs are not permitted": _("this field is not part of the request"),
        "Input should be a valid integer": _("it must be a whole number"),
        "Input should be a valid number": _("it must be a number"),
        "Input should be a valid boolean": _("it must be true or false"),
        "Input should be a valid string": _("it must be text"),
        "Input should be a valid list": _("it must be a list"),
        "Input should be a valid UUID": _("it must be a UUID"),
        "Input should be a valid date": _("it must be a date (YYYY-MM-DD)"),
        "a NUL character is not allowed": _("it holds a NUL character, which is not allowed"),
    }
    for start, text in simple.items():
        if msg.startswith(start):
            return text
    return _("its value is not accepted")


def _by_shape(status: int, message: str, extra: dict[str, Any]) -> str | None:
    unresolved = extra.get("unresolved")
    if isinstance(unresolved, list) and unresolved:
        words = "、".join(f"「{u.get('text', '')}」" for u in unresolved if isinstance(u, dict))
        return _(
            "These findings could not be read: %(words)s. Use ids or names from "
            "`anmian kb search`, or send allow_unknown=true."
        ) % {"words": words}
    if m := _FIELD.match(message):
        return _(
            "Field '%(field)s' is wrong: %(reason)s. Correct it and send the request again."
        ) % {"field": m.group(1), "reason": _reason(m.group(2))}
    if message.startswith("not valid JSON"):
        return _(
            "The request is not valid JSON: check its brackets, quotes and commas, "
            "then send it again."
        )
    if message.startswith(("the input must be a JSON object", "the request must be a JSON object")):
        return _(
            "The body must be a JSON object: an assessment needs at least a 'findings' list, "
            "and the intake starts from {}."
        )
    if m := _UNKNOWN_IDS.match(message):
        shown = "、".join(f"「{i}」" for i in re.findall(r"'([^']*)'", m.group(1)))
        if m.group(2):
            shown += _(" and %(n)s more") % {"n": m.group(2)}
        return _(
            "These finding ids are unknown: %(ids)s. Use ids listed by `anmian kb search`."
        ) % {"ids": shown}
    if message.startswith("none of the findings could be read"):
        return _(
            "None of the findings could be read: describe at least one symptom in a few "
            "words, or use ids from `anmian kb search`."
        )
    if message.startswith("token expired"):
        return _("The token has expired: get a new one with POST /api/v1/tokens.")
    if message.startswith("this token is read-only"):
        return _(
            "This token may only read: writing needs a token with scope 'read-write' "
            "(POST /api/v1/tokens)."
        )
    if message.startswith("That time was just taken"):
        return _(
            "That time was just taken: choose one of the nearest free times listed in "
            "`alternatives`."
        )
    if message.startswith("Idempotency-Key"):
        return _("The Idempotency-Key header must be 1 to 100 characters long.")
    fixed = {
        "wrong email or password": _("Wrong email or password: check both and try again."),
        "page must be 1 or more": _("The page must be 1 or more."),
        "only practitioners can list patients": _(
            "Only practitioners can list patients: sign in with a practitioner's account."
        ),
        "only practitioners can export the clinic's lists": _(
            "Only practitioners can export the clinic's lists: sign in with a "
            "practitioner's account."
        ),
    }
    if message in fixed:
        return fixed[message]
    if message and _(message) != message:  # an English message the .po files already translate
        return _(message)
    if read := _read_back(message):
        return read
    if message.startswith("Too many failed attempts"):
        return _("Too many failed sign-in attempts: wait a while, or reset your password.")
    return None


def _by_status(status: int, extra: dict[str, Any]) -> str:
    sentences = {
        400: _("The request is not right: fix the part named in `error` and send it again."),
        401: _(
            "Sign-in needed: send a valid token as `Authorization: Bearer <token>` "
            "(POST /api/v1/tokens gives one)."
        ),
        403: _("You may not do this with this account or token."),
        404: _("Not found: check the address and the id in it."),
        409: _(
            "This clashes with how things stand now (for example it was already done or "
            "changed): fetch it again and decide anew."
        ),
        413: _("The request is too large: send a smaller file."),
        422: _("A parameter or field is missing or of the wrong type: see `detail`."),
        429: _("Too many requests: wait a little and try again."),
    }
    if status == 422 and "detail" not in extra:  # a refusal of its own, not a bad field
        del sentences[422]
    return sentences.get(status) or _(
        "The request could not be done: see `error` for what is wrong."
    )


def zh_error(lang: str | None, status: int, message: str, extra: dict[str, Any]) -> str | None:
    """The Chinese sentence for an error body, or None when `lang` is not a Chinese one."""
    code = _DJANGO_CODE.get(language(lang))
    if code is None:
        return None
    with translation.override(code):
        return _by_shape(status, message, extra) or _by_status(status, extra)


def with_zh(request: HttpRequest, status: int, body: dict[str, Any]) -> dict[str, Any]:
    """`body` with `zh_error` added when the request asked for Chinese (`?lang=`)."""
    lang = request.GET.get("lang")
    zh = zh_error(lang, status, str(body.get("error", "")), body) if lang else None
    return {**body, "zh_error": zh} if zh else body
