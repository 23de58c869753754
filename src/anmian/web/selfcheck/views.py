"""Thin views over the wizard steps and the engine. Answers stay in the session."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from anmian.engine import InputError, assess, parse_input
from anmian.engine.zh_result import to_simplified
from anmian.knowledge import get_kb
from anmian.web.core import bodychart
from anmian.web.records.audit import record as audit
from anmian.web.records.models import Assessment
from anmian.web.selfcheck import services
from anmian.web.selfcheck.steps import (
    ANSWERS,
    MODE,
    Step,
    build_steps,
    confirm_form,
    context_from_record,
    form_for,
    question_text,
    to_engine_input,
)


@cache
def _steps() -> list[Step]:
    return build_steps(get_kb())


def _applicable(answers: dict) -> list[Step]:
    return [s for s in _steps() if s.is_applicable(answers)]


def _path(answers: dict) -> list[Step]:
    """The steps of this person's way through: the short path skips the long form's groups."""
    return [s for s in _steps() if s.on_path(answers)]


def _following(answers: dict, step: Step) -> list[Step]:
    """The steps after this one. On the short path, only those not yet answered: the
    questions ask the medicines before the person's own words, and "Next" on those words
    should not bring back the medicines just answered (the questions follow instead)."""
    steps = _applicable(answers)
    after = [s for s in steps[steps.index(step) + 1 :] if s.on_path(answers)]
    return (
        after if answers.get(MODE) == "full" else [s for s in after if not s.is_completed(answers)]
    )


def _after_steps(answers: dict) -> str:
    """Where the wizard's last step leads: the short path's questions, or the results."""
    return reverse("selfcheck:results" if answers.get(MODE) == "full" else "selfcheck:questions")


def _context(request: HttpRequest, answers: dict, step: Step) -> dict:
    steps = _path(answers)
    if step not in steps:  # a long-form step opened by its address on the short path
        steps = _applicable(answers)
    index = steps.index(step)
    return {
        "step": step,
        "steps": steps,
        "number": index + 1,
        "total": len(steps),
        "previous": steps[index - 1] if index else None,
        "disclaimer": get_kb().rules.disclaimer,
        "datalists": services.datalists(get_kb()) if step.identifier == "context" else {},
        "short": answers.get(MODE) != "full",
    }


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    return redirect("selfcheck:step", _steps()[0].identifier)


@require_http_methods(["GET", "HEAD", "POST"])
def step(request: HttpRequest, identifier: str) -> HttpResponse:
    kb = get_kb()
    answers = request.session.get(ANSWERS, {})
    current = next((s for s in _applicable(answers) if s.identifier == identifier), None)
    if current is None:
        raise Http404("no such step")
    if request.method == "POST":
        form = form_for(current, kb, data=request.POST)
        if form.is_valid():
            services.record(answers, current.identifier, form.cleaned_data)
            request.session[ANSWERS] = answers
            following = _following(answers, current)
            target = (
                reverse("selfcheck:step", args=[following[0].identifier])
                if following
                else _after_steps(answers)
            )
            if request.headers.get("HX-Request"):
                # HTMX: a full page load for the results, else swap in the next step's form
                # and put its address in the location bar so reload and back still work.
                if not following:
                    return HttpResponse(status=204, headers={"HX-Redirect": target})
                nxt = following[0]
                ctx = _context(request, answers, nxt) | {
                    "form": form_for(nxt, kb, initial=_initial(request, answers, nxt))
                }
                response = render(request, "selfcheck/_step_form.html", ctx)
                response["HX-Push-Url"] = target
                return response
            return redirect(target)
    else:
        form = form_for(current, kb, initial=_initial(request, answers, current))
    ctx = _context(request, answers, current) | {"form": form}
    # htmx's Back (hx-history="false": no copy kept) asks for the whole page, not a form
    swap = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "selfcheck/_step_form.html" if swap else "selfcheck/step.html"
    return render(request, template, ctx, status=400 if form.errors else 200)


def _initial(request: HttpRequest, answers: dict, step: Step) -> dict | None:
    """The step's answers so far; an unanswered medicines step starts from the GP record the
    person confirmed (docs/fhir.md, import)."""
    found = answers.get(step.identifier)
    if found is None and step.identifier == "context":
        return context_from_record(getattr(request.user, "patient", None), get_kb())
    return found


def _assess(request: HttpRequest) -> tuple[dict, dict | None, HttpResponse | None]:
    """The session's answers and their assessment, or the page that says why there is none."""
    kb = get_kb()
    answers = request.session.get(ANSWERS, {})
    missing = [s for s in _path(answers) if not s.is_completed(answers)]
    data = to_engine_input(answers, _steps())
    ctx = {"missing": missing, "disclaimer": kb.rules.disclaimer}
    if not data["findings"]:
        return answers, None, render(request, "selfcheck/no_findings.html", ctx)
    try:
        return answers, assess(parse_input(data), kb, allow_unknown=True).to_dict(), None
    except InputError as exc:
        ctx["error"] = str(exc)
        return answers, None, render(request, "selfcheck/no_findings.html", ctx, status=400)


def _results_page(
    request: HttpRequest, answers: dict, result: dict, form=None, status: int = 200
) -> HttpResponse:
    kb = get_kb()
    missing = [s for s in _path(answers) if not s.is_completed(answers)]
    waiting = services.pending(result, answers)
    shown = _in_language(result, kb)
    return render(
        request,
        "selfcheck/results.html",
        {
            "r": shown,
            "charts": _charts(kb, result),
            "missing": missing,
            "disclaimer": kb.rules.disclaimer,
            "patterns": shown["patterns"][:5],
            **services.result_extras(
                result,
                kb,
                services.own_words(
                    answers.get("notes", {}).get("story"), answers.get(services.CONFIRM)
                ),
                waiting,
            ),
            "edit_url": reverse("selfcheck:step", args=["notes"]),
            "confirm_form": (form or confirm_form(waiting)) if waiting else None,
            "confirmed": _confirmed(kb, answers),
            # Until the person has said yes or no to what Anmian was unsure of, the plan
            # would rest on a guess, so it waits (unless they ask to see it anyway).
            "hide_plan": bool(waiting) and not answers.get(services.SHOW_PLAN),
        },
        status=status,
    )


def _charts(kb, result: dict) -> list[tuple[str, str]]:
    """Body charts of the points the person may press themselves."""
    points = [
        kb.points[p["id"]] for p in result["plan"]["points"] if p["mode"] in ("both", "acupressure")
    ]
    return [
        (str(bodychart.TITLE[v]), bodychart.render(points, v)) for v in bodychart.views_for(points)
    ]


def _confirmed(kb, answers: dict) -> list[dict]:
    """What the person said yes or no to, with the finding's name (in Chinese on a zh page)."""
    return [
        a | {"label": _label(kb.findings[a["finding"]])}
        for a in answers.get(services.CONFIRM, {}).get("answers", [])
        if a["finding"] in kb.findings
    ]


def _in_language(result: dict, kb) -> dict:
    """The result as shown: in Chinese, names read "中文 (English)" and the prose the base has
    in Chinese reads in Chinese, as in the CLI's reports; the rules still use `result`."""
    return services.in_language(result, kb, get_language())


@require_safe
def results(request: HttpRequest) -> HttpResponse:
    answers, result, refusal = _assess(request)
    if refusal is not None:
        return refusal
    assert result is not None  # _assess gives a result or the page that says why not
    return _results_page(request, answers, result)


@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    answers, result, refusal = _assess(request)
    if refusal is not None or result is None:  # one comes without the other
        return redirect("selfcheck:results")
    if request.POST.get("anyway"):
        answers[services.SHOW_PLAN] = True
        request.session[ANSWERS] = answers
        return redirect(reverse("selfcheck:results") + "#plan-h")
    waiting = services.pending(result, answers)
    if not waiting:  # answered already (another tab, the back button): nothing to do
        return redirect("selfcheck:results")
    form = confirm_form(waiting, data=request.POST)
    if not form.is_valid():
        return _results_page(request, answers, result, form=form, status=400)
    services.confirm(answers, result, form.cleaned_data, get_kb())
    request.session[ANSWERS] = answers
    return redirect(reverse("selfcheck:results") + "#read-h")


def save_session_assessment(request: HttpRequest) -> Assessment | None:
    """Store the session's self-check, if any, as an assessment of the logged-in patient."""
    patient = getattr(request.user, "patient", None)
    answers = request.session.get(ANSWERS)
    if patient is None or not answers:
        return None
    data = to_engine_input(answers, _steps())
    if not data["findings"]:
        return None
    kb = get_kb()
    result = assess(parse_input(data), kb, allow_unknown=True).to_dict()
    saved = Assessment.objects.create(
        patient=patient, kb_version=kb.version, input=data, result=result
    )
    audit(request.user, "create", patient, "assessment", saved)
    request.session.pop(ANSWERS, None)
    return saved


@require_POST
def restart(request: HttpRequest) -> HttpResponse:
    request.session.pop(ANSWERS, None)
    return redirect("selfcheck:start")


# --- the short path: one question a screen (services.next_question, the engine's intake) ---


def _intake(answers: dict):
    kb = get_kb()
    data = to_engine_input(answers, _steps())
    return services.next_question(services.intake_request(answers, data, kb), kb)


def _clashes(answers: dict) -> list[tuple[Any, list[str]]]:
    """Grouped questions with two of their answers both ticked on the long form."""
    return services.clashes(answers, to_engine_input(answers, _steps()), get_kb())


def _long_form() -> list[str]:
    """The long form's steps of findings, whose ticks a later answer may replace."""
    return list(dict.fromkeys(s.identifier for s in _steps() if s.full_only))


@require_safe
def questions(request: HttpRequest) -> HttpResponse:
    """The next question of the short path, a wizard step still to answer, or the results."""
    answers = request.session.get(ANSWERS, {})
    result = _intake(answers)
    if result is None:
        return redirect("selfcheck:results")
    q = result.next
    # Two answers ticked together on the long form that exclude each other: their question is
    # asked again before any other (the safety steps aside) and before the results.
    if q is None or q.kind in ("finding", "confirmation", "choice", "checklist", "recheck"):
        clash = _clashes(answers)
        if clash:
            return redirect("selfcheck:choice", clash[0][0].id)
    if q is None:
        return redirect("selfcheck:results")
    if q.kind in ("finding", "confirmation"):
        return redirect("selfcheck:question", q.id)
    if q.kind == "choice":
        return redirect("selfcheck:choice", q.id)
    if q.kind == "checklist":
        return redirect("selfcheck:checklist", q.id)
    if q.kind == "recheck":
        return redirect("selfcheck:recheck")
    # a safety question or the opening words: the wizard's step that asks it
    ident = {"screening": "screening", "red-flags": "safety", "text": "notes"}.get(
        q.kind, "context"
    )
    return redirect("selfcheck:step", ident)


@require_http_methods(["GET", "HEAD", "POST"])
def question(request: HttpRequest, finding: str) -> HttpResponse:
    kb = get_kb()
    f = kb.findings.get(finding)
    if f is None or f.category == "red-flag":
        raise Http404("no such question")
    answers = request.session.get(ANSWERS, {})
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer in services.ANSWER_LISTS:
            # a confirmation when the intake is asking this finding again (not the client's say)
            now = _intake(answers)
            ask = now.next if now is not None else None
            confirming = ask is not None and ask.kind == "confirmation" and ask.id == finding
            services.record_answer(answers, finding, answer, confirming=confirming)
            if answer != "yes":  # taken back: the long form's tick goes too
                services.untick(answers, _long_form(), [finding])
            request.session[ANSWERS] = answers
            return redirect("selfcheck:questions")
    result = _intake(answers)
    if result is None:
        return redirect("selfcheck:results")
    shown = result.next if result.next is not None and result.next.id == finding else None
    confirming = shown is not None and shown.kind == "confirmation"
    before = services.previous_question(answers, finding)
    return render(
        request,
        "selfcheck/question.html",
        {
            "finding": f,
            "question": _said(shown, "question") if confirming else question_text(f),
            "why": _said(shown, "why") if shown else "",
            "confirming": confirming,
            "remaining": _about(
                request, answers, ("again:" if confirming else "") + finding, result.remaining
            ),
            # asked again: nothing ticked, so the second answer is given afresh
            "answer": None if confirming else services.given_answer(answers, finding),
            "back": _back(answers, before),
            "invalid": request.method == "POST",
            "disclaimer": kb.rules.disclaimer,
        },
        status=400 if request.method == "POST" else 200,
    )


SHOWN = "shown"  # answers[SHOWN]: {question: the "about N more" its screen showed}


def _about(request: HttpRequest, answers: dict, key: str, remaining: int) -> int:
    """The "about N more questions" a screen shows: the intake's estimate (a median over
    simulated patients, docs/intake.md), but one fewer than the question before showed at
    most (down to one), as a count that rises or stands still reads as going backwards or
    being stuck; a screen seen again (Back, reload) shows what it showed then. `key`: the
    question (a finding, CHOICE + a group, "again:" + a finding)."""
    shown = answers.setdefault(SHOWN, {})
    if key not in shown:
        order = answers.get(services.INTAKE, {}).get("order", [])
        last = next((shown[k] for k in reversed(order) if k in shown), None)
        shown[key] = (
            remaining if last is None or not remaining else min(remaining, max(1, last - 1))
        )
        request.session[ANSWERS] = answers
    return int(shown[key])


def _back(answers: dict, before: str | None) -> str:
    """Where "Back" leads: the question answered before, or the wizard's last step."""
    if before is None:
        return reverse("selfcheck:step", args=[_path(answers)[-1].identifier])
    if before.startswith(services.CHOICE):
        return reverse("selfcheck:choice", args=[before.removeprefix(services.CHOICE)])
    if before.startswith(services.CHECKLIST):
        return reverse("selfcheck:checklist", args=[before.removeprefix(services.CHECKLIST)])
    return reverse("selfcheck:question", args=[before])


@require_http_methods(["GET", "HEAD", "POST"])
def choice(request: HttpRequest, group: str) -> HttpResponse:
    """A grouped question: findings that exclude each other (one tongue colour), one screen,
    radio buttons: one of them, none of these, or not sure."""
    kb = get_kb()
    q = next((x for x in kb.intake.exclusive if x.id == group), None)
    if q is None:
        raise Http404("no such question")
    answers = request.session.get(ANSWERS, {})
    result = _intake(answers)
    if result is None:
        return redirect("selfcheck:results")
    # ticked together on the long form: all its answers, none chosen, and a word on why
    clash = next((both for g, both in _clashes(answers) if g.id == group), None)
    shown = result.next if result.next is not None and result.next.id == group else None
    if shown is not None and clash is None:
        choices = [(c.finding or c.answer, _said(c, "label")) for c in shown.choices]
    else:  # an answered question, opened again by "Back": all its findings
        said = kb.intake.questions
        choices = [(f, _label(kb.findings[f])) for f in q.findings]
        choices += [("none", _said(said, "choice_none")), ("unsure", _said(said, "choice_unsure"))]
    findings = [value for value, _ in choices if value not in ("none", "unsure")]
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer in [value for value, _ in choices]:
            services.record_choice(answers, group, findings, str(answer))
            services.untick(answers, _long_form(), [f for f in findings if f != answer])
            request.session[ANSWERS] = answers
            return redirect("selfcheck:questions")
    return render(
        request,
        "selfcheck/choice.html",
        {
            "group": q,
            "question": _said(q, "question"),
            "why": _said(shown, "why") if shown and clash is None else "",
            "clash": [_label(kb.findings[f]) for f in clash or []],
            "choices": choices,
            "remaining": _about(
                request,
                answers,
                services.CHOICE + group,
                max(result.remaining, len(_clashes(answers))),
            ),
            "answer": None if clash else services.given_choice(answers, findings),
            "back": _back(answers, services.previous_question(answers, services.CHOICE + group)),
            "invalid": request.method == "POST",
            "disclaimer": kb.rules.disclaimer,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def checklist_question(request: HttpRequest, checklist: str) -> HttpResponse:
    """A checklist: "which of these do you notice?", one screen of checkboxes (tick any), and
    a box for "not sure about the ones I have not ticked"; counted as one question."""
    kb = get_kb()
    q = next((x for x in kb.intake.checklists if x.id == checklist), None)
    if q is None:
        raise Http404("no such question")
    answers = request.session.get(ANSWERS, {})
    result = _intake(answers)
    if result is None:
        return redirect("selfcheck:results")
    shown = result.next if result.next is not None and result.next.id == checklist else None
    if shown is not None:
        findings = [o.finding for o in shown.options]
    else:  # answered already, opened again by "Back": its findings this person is asked
        sex = services.intake_request(answers, to_engine_input(answers, _steps()), kb).get("sex")
        hidden = set(kb.intake.model.practitioner_only)
        findings = [
            f
            for f in q.findings
            if kb.findings[f].applies_to(sex) and kb.findings[f].category not in hidden
        ]
    ticked, unsure = services.given_checklist(answers, findings)
    if request.method == "POST":
        picked = request.POST.getlist("ticked")
        if all(f in findings for f in picked) and len(set(picked)) == len(picked):
            unsure = request.POST.get("unsure") == "yes"
            services.record_checklist(answers, checklist, findings, picked, unsure)
            services.untick(answers, _long_form(), [f for f in findings if f not in picked])
            request.session[ANSWERS] = answers
            return redirect("selfcheck:questions")
    return render(
        request,
        "selfcheck/checklist.html",
        {
            "group": q,
            "question": _said(q, "question"),
            "why": _said(shown, "why") if shown else "",
            "options": [(f, _label(kb.findings[f])) for f in findings],
            "ticked": ticked,
            "unsure": unsure,
            "unsure_label": _said(kb.intake.questions, "checklist_unsure"),
            "remaining": _about(request, answers, services.CHECKLIST + checklist, result.remaining),
            "back": _back(
                answers, services.previous_question(answers, services.CHECKLIST + checklist)
            ),
            "invalid": request.method == "POST",
            "disclaimer": kb.rules.disclaimer,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def recheck(request: HttpRequest) -> HttpResponse:
    """Before the results: the yes answers the result rests on, as a list ticked already;
    the person unticks any that are not true after all."""
    kb = get_kb()
    answers = request.session.get(ANSWERS, {})
    result = _intake(answers)
    q = result.next if result is not None else None
    if q is None or q.kind != "recheck":  # nothing to look at again (answered, or Back)
        return redirect("selfcheck:questions")
    findings = [o.finding for o in q.options]
    if request.method == "POST":
        kept = request.POST.getlist("kept")
        if all(f in findings for f in kept):
            services.record_recheck(answers, findings, kept)
            services.untick(answers, _long_form(), [f for f in findings if f not in kept])
            request.session[ANSWERS] = answers
            return redirect("selfcheck:questions")
    order = answers.get(services.INTAKE, {}).get("order", [])
    return render(
        request,
        "selfcheck/recheck.html",
        {
            "question": _said(q, "question"),
            "why": _said(q, "why"),
            "options": [(f, _label(kb.findings[f])) for f in findings],
            "remaining": _about(request, answers, "recheck:" + ",".join(findings), 1),
            "back": _back(answers, order[-1] if order else None),
            "invalid": request.method == "POST",
            "disclaimer": kb.rules.disclaimer,
        },
        status=400 if request.method == "POST" else 200,
    )


def _label(f: Any) -> str:
    """A finding's label, in Chinese where the page is read in it: in everyday words where
    the Chinese name is a textbook term, the term after them, "手心、腳心和胸口發熱（五心煩熱）"
    (the English labels are everyday words already)."""
    lang = (get_language() or "").lower()
    if lang.startswith("zh") and f.zh:
        name = f"{f.zh_plain}（{f.zh}）" if f.zh_plain else str(f.zh)
        return to_simplified(name) if lang == "zh-hans" else name
    return str(f.label)


def _said(q: Any, name: str) -> str:
    """A question's words (or why) from the intake, in Chinese where the page is read in it."""
    zh = getattr(q, f"zh_{name}")
    if (get_language() or "").lower().startswith("zh") and zh:
        return to_simplified(zh) if (get_language() or "").lower() == "zh-hans" else str(zh)
    return str(getattr(q, name))


@require_POST
def mode(request: HttpRequest) -> HttpResponse:
    """Switch between the short path and "answer everything" (the long form)."""
    answers = request.session.get(ANSWERS, {})
    full = request.POST.get("mode") == "full"
    answers[MODE] = "full" if full else "short"
    request.session[ANSWERS] = answers
    if full:
        first = next((s for s in _path(answers) if s.full_only), None)
        if first is not None:
            return redirect("selfcheck:step", first.identifier)
    return redirect("selfcheck:questions")
