"""`POST /api/v1/intake/next`: one step of the adaptive intake, the same as `anmian intake
--json`. Stateless: the client sends every answer each time, so any server answers any step
and nothing is stored. The body is read here, not by ninja, so a bad request gets the
engine's one-line 400 with the reason."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema

from anmian.engine import InputError
from anmian.engine.intake import IntakeRequest, IntakeResult, next_step
from anmian.engine.zh_result import add_chinese, language, to_simplified
from anmian.knowledge import get_kb
from anmian.web.apiauth import ApiError, Error, lang_query, read_json
from anmian.web.counters import AnonThrottle

router = Router(tags=["intake"])


class _AnonThrottle(AnonThrottle):
    """The anonymous rate of the assessment (ANMIAN_ANON_RATE), the same counter per address."""


def _request_schema() -> dict[str, Any]:
    schema = IntakeRequest.model_json_schema(
        ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
    )
    # Screening, Labs and Severity are the assessment input's, already in the components.
    schema.pop("$defs", None)
    return schema


_EXAMPLE = {
    "present": ["leg-crawling", "palpitations"],
    "absent": ["night-sweats"],
    "unsure": [],
    "text": ["creepy-crawly calves every evening"],
    "age": 47,
    "sex": "female",
    "audience": "self-care",
}


@router.post(
    "/next",
    throttle=[_AnonThrottle(settings.ANMIAN_ANON_RATE)],
    summary="One step of the adaptive intake: the next question, or done with the assessment",
    response={200: IntakeResult, 400: Error, 429: Error},
    by_alias=True,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _request_schema(), "example": _EXAMPLE}},
        },
        "responses": {
            400: {
                "content": {
                    "application/json": {
                        "example": {
                            "error": "'fatigue' is in both present and absent: give "
                            "each finding one answer"
                        }
                    }
                }
            },
        },
    },
)
def intake_next(request: HttpRequest, lang: str = lang_query()) -> IntakeResult | dict[str, Any]:
    """Safety questions first (the five screening criteria, red flags, pregnancy, medicines,
    conditions), then the finding question with the most information about the leading
    patterns: a `checklist` of a few findings of one theme, tick any (`next.options`: each
    ticked goes into present, the others into absent, or into unsure when the person is not
    sure about them, `next.unsure_label`; one question however many it settles); one
    `choice` among findings that exclude each other (`next.choices`: the one chosen goes into
    present and the others into absent; none of these: all absent; not sure: all unsure); or
    a yes/no about one finding (`next.finding`). Before done, the yes answers the result
    rests on are asked again: one (`confirmation`) or a list ticked already (`recheck`,
    `next.options`: every one into confirmed, those unticked moved to absent). `next` is
    null when done, and `assessment` is then the same JSON as
    `POST /api/v1/assess` for these answers (with its `zh` fields under `?lang=`; the
    question's `zh_question` and `zh_why` are then in the script asked for). See
    docs/intake.md."""
    data = read_json(request.body)
    try:
        result = next_step(data, get_kb())
    except InputError as exc:
        raise ApiError(400, str(exc)) from None
    lang = language(lang)
    if lang == "en":
        return result
    out = result.model_dump(mode="json", by_alias=True)
    if out.get("assessment"):
        out["assessment"] = add_chinese(out["assessment"], get_kb(), lang)
    if lang == "zh-Hans" and out.get("next"):
        for key in ("zh_question", "zh_why", "zh_unsure_label"):
            if out["next"].get(key):
                out["next"][key] = to_simplified(out["next"][key])
        for item in [*out["next"].get("choices", []), *out["next"].get("options", [])]:
            if item.get("zh_label"):
                item["zh_label"] = to_simplified(item["zh_label"])
    return out
