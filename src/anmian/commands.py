"""The `anmian` command's Typer app: parse arguments, call the engine, print.

`anmian.cli.main` answers `anmian --help` and `anmian assess ... -f json` itself, from the
plain cache of the knowledge base, without importing Typer; everything else comes here.
Heavy modules (the knowledge base, pydantic models, Rich) are imported inside commands.
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

# Typer's --install-completion would edit the user's shell start-up files; `anmian completion
# SHELL` prints the script instead (as gh and kubectl do), for the user or a package to place.
app = typer.Typer(
    help="Anmian: TCM care of Restless Legs Syndrome. Supports care; does not diagnose.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="Inspect and check the knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
COMPLETE_VAR = "_ANMIAN_COMPLETE"


def _version(value: bool) -> None:
    if value:
        from anmian import __version__

        typer.echo(f"anmian {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and stop."
        ),
    ] = False,
) -> None:
    """Anmian: TCM care of Restless Legs Syndrome. Supports care; does not diagnose."""


class Format(StrEnum):
    json = "json"
    text = "text"
    md = "md"


class Sex(StrEnum):
    female = "female"
    male = "male"
    other = "other"


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr and a non-zero exit: the contract for every kind of bad input."""
    typer.echo(f"anmian: error: {message}", err=True)
    raise typer.Exit(code)


def _kb():
    from anmian.knowledge import KnowledgeError, get_kb

    try:
        return get_kb()
    except KnowledgeError as exc:
        for line in exc.problems:
            typer.echo(line, err=True)
        fail(f"the knowledge base is broken ({len(exc.problems)} problems, listed above)", 1)


def _print(
    result: dict[str, Any],
    fmt: Format,
    lang: str = "en",
    names: dict[str, str] | None = None,
) -> None:
    if fmt is Format.json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    from anmian.render import to_markdown

    md = to_markdown(result, lang, names)
    if fmt is Format.md:
        typer.echo(md)
        return
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(md))


def _default_format() -> Format:
    return Format.text if sys.stdout.isatty() else Format.json


@app.command()
def assess(
    file: Annotated[str, typer.Argument(help="A JSON file with the findings, or - for stdin.")],
    format: Annotated[
        Format | None,
        typer.Option(
            "--format", "-f", help="json, text or md (default: text in a terminal, json otherwise)."
        ),
    ] = None,
    allow_unknown: Annotated[
        bool,
        typer.Option("--allow-unknown", help="Report unreadable findings instead of stopping."),
    ] = False,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="en, zh-Hant or zh-Hans: Chinese beside the English in JSON (zh fields), "
            "the text and md reports in Chinese; an unknown code is English.",
        ),
    ] = "en",
) -> None:
    """Screen, rank TCM patterns, and build a safety-checked plan for one person."""
    from anmian.engine import InputError, parse_json
    from anmian.engine import assess as run

    if file == "-":
        text = sys.stdin.read()
    else:
        path = Path(file)
        if not path.is_file():
            fail(f"no such file: {file} (give a JSON file, or - to read standard input)")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {file}: {exc}")
    kb = _kb()
    try:
        result = run(parse_json(text), kb, allow_unknown=allow_unknown)
    except InputError as exc:
        fail(str(exc))
    fmt = format or _default_format()
    out = result.to_dict()
    names: dict[str, str] | None = None
    if lang != "en":
        from anmian.engine.zh_result import add_chinese, chinese_first, report_names

        out = add_chinese(out, kb, lang)
        lang = str(out.get("lang", "en"))
        if fmt is not Format.json and "zh" in lang:
            out, names = chinese_first(out), report_names(kb, lang)
    _print(out, fmt, lang, names)


@kb_app.command("check")
def kb_check() -> None:
    """Validate every file, id, cross-reference and citation of the knowledge base."""
    kb = _kb()
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kb.stats().items())
    typer.echo(f"knowledge base {kb.version}: ok ({counts})")


@kb_app.command("stats")
def kb_stats(
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.text,
) -> None:
    """Count the entries of each kind."""
    stats = _kb().stats()
    if format is Format.json:
        typer.echo(json.dumps(stats))
    else:
        for kind, n in stats.items():
            typer.echo(f"{kind:14} {n}")


@kb_app.command("show")
def kb_show(entry_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Show one entry (pattern, finding, point, herb, formula, ...) as YAML-like JSON."""
    kb = _kb()
    found = kb.get(entry_id.casefold())
    if found is None:
        from anmian.knowledge.search import search

        hits = search(kb, entry_id, limit=5)
        hint = f" (did you mean: {', '.join(h.id for h in hits)}?)" if hits else ""
        fail(f"no entry with id '{entry_id}'{hint}")
    kind, entry = found
    typer.echo(f"# {kind}: {entry_id}")
    typer.echo(json.dumps(entry.model_dump(exclude_defaults=True), ensure_ascii=False, indent=2))


@kb_app.command("search")
def kb_search(
    text: Annotated[str, typer.Argument(help="Words to look for in ids, names and synonyms.")],
    limit: Annotated[int, typer.Option(min=1, max=100)] = 15,
) -> None:
    """Find entries by id, name or synonym."""
    from anmian.knowledge.search import search

    hits = search(_kb(), text, limit=limit)
    if not hits:
        fail(f"nothing matches '{text}'", 1)
    for h in hits:
        typer.echo(f"{h.kind:13} {h.id:30} {h.label}")


class Audience(StrEnum):
    self_care = "self-care"
    practitioner = "practitioner"


@app.command()
def intake(
    json_mode: Annotated[
        bool,
        typer.Option(
            "--json", help="Read one request document from stdin, write the step's JSON answer."
        ),
    ] = False,
    budget: Annotated[int | None, typer.Option(help="Most finding questions to ask.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.text,
    sex: Annotated[
        Sex | None, typer.Option(help="Questions only the other sex can answer are not asked.")
    ] = None,
    age: Annotated[int | None, typer.Option(min=0, max=120)] = None,
    audience: Annotated[
        Audience, typer.Option(help="practitioner: tongue and pulse are asked too.")
    ] = Audience.self_care,
) -> None:
    """Adaptive intake: safety questions first, then the few that best separate the patterns."""
    from anmian.engine import InputError
    from anmian.engine.intake import next_step

    kb = _kb()
    if json_mode:
        try:
            data = json.loads(sys.stdin.read() or "null")
        except json.JSONDecodeError as exc:
            fail(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        try:
            result = next_step(data, kb)
        except InputError as exc:
            fail(str(exc))
        typer.echo(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2))
        return
    req: dict[str, Any] = {"audience": audience.value}
    for key, value in (("budget", budget), ("sex", sex.value if sex else None), ("age", age)):
        if value is not None:
            req[key] = value
    typer.echo(
        "Answer y (yes), n (no) or ? (not sure), a choice's number, or the numbers of a "
        "list's items that apply. Ctrl-C stops.\n"
    )
    while True:
        try:
            result = next_step(req, kb)
        except InputError as exc:
            fail(str(exc))
        q = result.next
        if q is None:
            break
        _ask(req, q, result.remaining)
    if result.assessment is None:
        fail("no findings were given, so there is nothing to assess", 1)
    typer.echo(f"\n{result.asked} questions asked ({result.done}).\n")
    _print(result.assessment.to_json_dict(), format)


def _yes_no(text: str) -> bool | None:
    answer = typer.prompt(f"{text} [y/n/?]", default="?").strip().casefold()
    return {"y": True, "yes": True, "n": False, "no": False}.get(answer)


def _numbers(raw: str, count: int) -> tuple[list[int], str | None]:
    """A list's answer: numbers from 1 to `count`, separated by spaces or commas, each once;
    the numbers (0-based) or why they cannot be read."""
    picked = raw.replace(",", " ").split()
    bad = [p for p in picked if not (p.isdigit() and 1 <= int(p) <= count)]
    if bad:
        return [], f"'{bad[0]}' is not one of the numbers 1 to {count}"
    twice = sorted({p for p in picked if picked.count(p) > 1}, key=int)
    if twice:
        return [], f"{twice[0]} is given twice: give each number once"
    return [int(p) - 1 for p in picked], None


def _checklist(q: Any) -> tuple[list[str], bool]:
    """A "which of these" list: the findings ticked, and whether the person is not sure
    about the rest ("?" among the numbers, or alone)."""
    typer.echo(q.question)
    for n, o in enumerate(q.options, 1):
        typer.echo(f"  {n:2}. {o.label}")
    while True:
        raw = typer.prompt(
            "Numbers that apply, separated by spaces or commas (none: none of these; "
            "add ? if not sure about the rest)",
            default="none",
        ).strip()
        unsure = "?" in raw
        words = raw.replace("?", " ").strip()
        if words.casefold() in ("none", "n", "no"):
            words = ""
        picked, problem = _numbers(words, len(q.options))
        if problem is None:
            return [q.options[i].finding for i in picked], unsure
        typer.echo(f"{problem}. Give numbers from 1 to {len(q.options)}, none, or ?.")


def _ask(req: dict[str, Any], q: Any, remaining: int) -> None:
    """Put one question of the intake to the person and write the answer into the request."""
    from anmian.engine.intake import answer_checklist, answer_choice, answer_recheck

    typer.echo(f"(about {remaining} more)")
    if q.kind == "screening":
        req.setdefault("screening", {})[q.id] = _yes_no(q.question)
    elif q.kind == "red-flags":
        typer.echo(q.question)
        for n, o in enumerate(q.options, 1):
            typer.echo(f"  {n:2}. {o.label}")
        while True:
            raw = typer.prompt("Numbers that apply, separated by spaces (Enter: none)", default="")
            picked = raw.replace(",", " ").split()
            if all(p.isdigit() and 1 <= int(p) <= len(q.options) for p in picked):
                break
            typer.echo(f"Give numbers from 1 to {len(q.options)}, or press Enter.")
        chosen = {q.options[int(p) - 1].finding for p in picked}
        req.setdefault("present", []).extend(sorted(chosen))
        req.setdefault("absent", []).extend(o.finding for o in q.options if o.finding not in chosen)
    elif q.kind in ("pregnancy", "breastfeeding"):
        req[q.id] = _yes_no(q.question)
    elif q.kind in ("medications", "conditions"):
        raw = typer.prompt(f"{q.question} (separate with commas)", default="")
        req[q.id] = [p.strip()[:100] for p in raw.split(",") if p.strip()]
    elif q.kind == "text":
        raw = typer.prompt(q.question, default="").strip()
        req["text"] = [raw[:200]] if raw else []
    elif q.kind == "choice":
        # one question, findings that exclude each other: pick one, none or not sure
        typer.echo(q.question)
        for n, c in enumerate(q.choices, 1):
            typer.echo(f"  {n:2}. {c.label}")
        words = {"?": "unsure", "n": "none", "no": "none"}
        while True:
            raw = typer.prompt("One number (n: none, ?: not sure)", default="?").strip()
            if raw.casefold() in words or (raw.isdigit() and 1 <= int(raw) <= len(q.choices)):
                break
            typer.echo(f"Give one number from 1 to {len(q.choices)}, n or ?.")
        c = q.choices[int(raw) - 1] if raw.isdigit() else None
        chosen = (c.finding or c.answer) if c else words[raw.casefold()]
        req.update(answer_choice(req, q, chosen))
    elif q.kind == "checklist":
        # one question, several findings: tick any, the rest are a no (or not sure)
        ticked, unsure = _checklist(q)
        req.update(answer_checklist(req, q, ticked, unsure_rest=unsure))
    elif q.kind == "recheck":
        # yes answers looked at again: the numbers of any that are not true after all
        typer.echo(q.question)
        for n, o in enumerate(q.options, 1):
            typer.echo(f"  {n:2}. {o.label}")
        while True:
            raw = typer.prompt(
                "Numbers of any that are not true (Enter or y: all are true)", default=""
            ).strip()
            all_true = raw.casefold() in ("y", "yes")
            picked, problem = _numbers("" if all_true else raw, len(q.options))
            if problem is None:
                break
            typer.echo(f"{problem}. Give numbers from 1 to {len(q.options)}, or press Enter.")
        dropped = {q.options[i].finding for i in picked}
        req.update(
            answer_recheck(req, q, [o.finding for o in q.options if o.finding not in dropped])
        )
    elif q.kind == "confirmation":
        # a yes asked again: the id goes into confirmed, and moves if the answer changed
        answer = _yes_no(q.question)
        req.setdefault("confirmed", []).append(q.id)
        if answer is not True:
            req["present"].remove(q.id)
            req.setdefault("absent" if answer is False else "unsure", []).append(q.id)
    else:
        answer = _yes_no(q.question)
        into = {True: "present", False: "absent", None: "unsure"}[answer]
        req.setdefault(into, []).append(q.id)


@app.command()
def sleep(
    file: Annotated[str, typer.Argument(help="A diary CSV (the web export), or - for stdin.")],
    tz: Annotated[str, typer.Option("--tz", help="Time zone the times were written in.")] = "UTC",
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.text,
) -> None:
    """Sleep measures (TIB, TST, SE, SOL, WASO) for each night of a diary CSV, and averages."""
    import statistics
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from anmian.engine.sleep import SleepDiaryError, measures
    from anmian.web.diary.csvfile import SLEEP_COLUMNS, CsvError, read_rows

    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown time zone '{tz}' (use an IANA name such as Europe/London)")
    text = sys.stdin.read() if file == "-" else _read_text(file)
    rows = []
    try:
        # The site's import reads the same layout through the same function.
        for row in read_rows(text, required=SLEEP_COLUMNS):
            try:
                night = row.night()
                rows.append((night.night_of.isoformat(), measures(night, zone)))
            except SleepDiaryError as exc:
                raise CsvError(row.number, str(exc)) from None
    except CsvError as exc:
        fail(str(exc))
    if not rows:
        fail("no nights in the file", 1)
    if format is Format.json:
        typer.echo(json.dumps([{"night_of": d, **m.__dict__} for d, m in rows], indent=2))
        return
    for d, m in rows:
        typer.echo(
            f"{d}  in bed {m.time_in_bed_min:4d} min  asleep {m.total_sleep_min:4d} min  "
            f"efficiency {m.sleep_efficiency:5.1f}%  latency {m.sleep_latency_min:3d}  "
            f"awake {m.wake_after_sleep_onset_min:3d}"
        )
    mean = statistics.fmean
    typer.echo(
        f"average over {len(rows)} nights: asleep {mean(m.total_sleep_min for _, m in rows):.0f} min, "
        f"efficiency {mean(m.sleep_efficiency for _, m in rows):.1f}%"
    )


@app.command()
def fhir(
    file: Annotated[str, typer.Argument(help="An assessment document (JSON), or - for stdin.")],
    allow_unknown: Annotated[
        bool,
        typer.Option("--allow-unknown", help="Report unreadable findings instead of stopping."),
    ] = False,
) -> None:
    """The assessment of one document as a FHIR R4 Bundle (collection), on standard output."""
    import hashlib
    from datetime import UTC, datetime

    from anmian.engine import InputError, parse_json
    from anmian.engine import assess as run
    from anmian.fhir import bundle_json
    from anmian.fhir.assessment import record_from_assessment

    text = sys.stdin.read() if file == "-" else _read_text(file)
    try:
        document = json.loads(text)
        result = run(parse_json(text), _kb(), allow_unknown=allow_unknown).to_dict()
    except json.JSONDecodeError as exc:
        fail(f"not JSON: {exc}")
    except InputError as exc:
        fail(str(exc))
    # The same document always gives the same resource ids.
    key = hashlib.sha256(text.encode()).hexdigest()[:32]
    record = record_from_assessment(document, result, key, datetime.now(UTC))
    typer.echo(json.dumps(bundle_json(record), ensure_ascii=False, indent=2))


def _read_text(file: str) -> str:
    path = Path(file)
    if not path.is_file():
        fail(f"no such file: {file}")
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}")


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


@app.command()
def completion(shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.")]) -> None:
    """Print the shell's completion script (README: "Shell completion" says where it goes)."""
    from typer.completion import get_completion_script

    typer.echo(
        get_completion_script(prog_name="anmian", complete_var=COMPLETE_VAR, shell=shell.value)
    )


def main() -> None:
    if COMPLETE_VAR in os.environ:  # the shell asks for completions: Typer's own answer them
        from typer.completion import completion_init

        completion_init()
    app()
