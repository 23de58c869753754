"""The `anmian` command: a quick start for the common calls, Typer for everything else.

`anmian --help`, `anmian --version` and `anmian assess FILE` with JSON output (the default
when the output is not a terminal, or `-f json`) are answered here without importing Typer,
Click, pydantic or PyYAML: the knowledge base comes from its plain cache (knowledge/plain.py),
the input is checked by engine/plain_input.py (pydantic only when that is not sure) and the
JSON is built directly. Every other command, option or format goes to the Typer app in
`anmian.commands`, which prints the same for these calls (tests/test_cli_fast.py compares the
two). `from anmian.cli import app` still gives that app.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from typing import Any

COMPLETE_VAR = "_ANMIAN_COMPLETE"
ABOUT = "Anmian: TCM care of Restless Legs Syndrome. Supports care; does not diagnose."
# (name, what it does): the Typer app's commands, in its order (a test holds them equal).
COMMANDS = (
    ("assess", "Screen, rank TCM patterns, and build a safety-checked plan for one person."),
    (
        "intake",
        "Adaptive intake: safety questions first, then the few that best separate the patterns.",
    ),
    (
        "sleep",
        "Sleep measures (TIB, TST, SE, SOL, WASO) for each night of a diary CSV, and averages.",
    ),
    (
        "fhir",
        "The assessment of one document as a FHIR R4 Bundle (collection), on standard output.",
    ),
    (
        "completion",
        'Print the shell\'s completion script (README: "Shell completion" says where it goes).',
    ),
    ("kb", "Inspect and check the knowledge base."),
)


def help_text() -> str:
    width = max(len(name) for name, _ in COMMANDS) + 2
    lines = [
        "Usage: anmian [OPTIONS] COMMAND [ARGS]...",
        "",
        f"  {ABOUT}",
        "",
        "Options:",
        "  --version  Print the version and stop.",
        "  --help     Show this message and exit.",
        "",
        "Commands:",
        *(f"  {name:<{width}}{about}" for name, about in COMMANDS),
        "",
        "`anmian COMMAND --help` shows a command's arguments and options.",
    ]
    return "\n".join(lines)


def _out(text: str, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


class _Exit(Exception):
    def __init__(self, code: int):
        self.code = code


def _fail(message: str, code: int = 2) -> None:
    """One line on stderr and a non-zero exit, as `anmian.commands.fail`."""
    _out(f"anmian: error: {message}", err=True)
    raise _Exit(code)


def _assess_args(args: list[str]) -> tuple[str, str | None, bool, str] | None:
    """(file, format, allow_unknown, lang) when the arguments are ones this path knows."""
    file = fmt = None
    allow_unknown = False
    lang = "en"
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--allow-unknown":
            allow_unknown = True
        elif a in ("--format", "-f", "--lang"):
            if i + 1 >= len(args):
                return None
            i += 1
            if a == "--lang":
                lang = args[i]
            else:
                fmt = args[i]
        elif a.startswith("--format="):
            fmt = a.partition("=")[2]
        elif a.startswith("--lang="):
            lang = a.partition("=")[2]
        elif a == "-" or not a.startswith("-"):
            if file is not None:
                return None
            file = a
        else:
            return None  # --help, -fjson, anything else: Typer's to answer
        i += 1
    if file is None:
        return None
    return file, fmt, allow_unknown, lang


def _english_stemmer_only() -> None:
    """snowballstemmer's package imports all of its 30 languages (about 14 ms, an eighth of
    this path's start) to offer one: the reader stems English only. In this process, which
    ends after one assessment, the package is registered without running its __init__, and
    its `stemmer` gives the English stemmer the full package gives (PyStemmer, which the
    package would prefer, is left alone). tests/test_cli_fast.py compares the output with
    the Typer path's, which imports the package whole."""
    if "snowballstemmer" in sys.modules:
        return
    import importlib.util

    try:
        if importlib.util.find_spec("Stemmer") is not None:
            return
        spec = importlib.util.find_spec("snowballstemmer")
        if spec is None or spec.submodule_search_locations is None:
            return
        package = importlib.util.module_from_spec(spec)
        sys.modules["snowballstemmer"] = package
        from snowballstemmer.english_stemmer import EnglishStemmer
    except Exception:  # anything unexpected: the package imports in full, as usual
        sys.modules.pop("snowballstemmer", None)
        return

    def stemmer(lang: str) -> Any:
        if lang.lower() != "english":
            raise KeyError(f"Stemming algorithm '{lang}' not found")
        return EnglishStemmer()

    package.stemmer = stemmer  # type: ignore[attr-defined]


def _assess(file: str, allow_unknown: bool, lang: str) -> None:
    _english_stemmer_only()

    from anmian.engine.assess import assess
    from anmian.engine.kb_cache import load_plain
    from anmian.engine.plain_input import InputError, quick_input
    from anmian.knowledge.base import KnowledgeError

    if file == "-":
        text = sys.stdin.read()
    else:
        if not os.path.isfile(file):  # os.path, not pathlib: 4 ms less to import
            _fail(f"no such file: {file} (give a JSON file, or - to read standard input)")
        try:
            with open(file, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"cannot read {file}: {exc}")
    try:
        kb = load_plain()
    except KnowledgeError as exc:
        for line in exc.problems:
            _out(line, err=True)
        _fail(f"the knowledge base is broken ({len(exc.problems)} problems, listed above)", 1)
    try:
        data: Any
        try:
            data = quick_input(json.loads(text))
        except ValueError:  # not JSON: parse_json words it
            data = None
        if data is None:  # pydantic decides, and words what is wrong
            from anmian.engine.inputs import parse_json

            data = parse_json(text)
        out = assess(data, kb, allow_unknown=allow_unknown).to_dict()
    except InputError as exc:
        _fail(str(exc))
    if lang != "en":
        from anmian.engine.zh_result import add_chinese

        out = add_chinese(out, kb, lang)
    _out(json.dumps(out, ensure_ascii=False, indent=2))


def quick(argv: list[str]) -> int | None:
    """The exit code when this path answered the call; None when Typer must."""
    if COMPLETE_VAR in os.environ or not argv:
        return None
    try:
        if argv == ["--help"]:
            _out(help_text())
            return 0
        if argv == ["--version"]:
            from anmian import __version__

            _out(f"anmian {__version__}")
            return 0
        if argv[0] == "assess":
            got = _assess_args(argv[1:])
            if got is None:
                return None
            file, fmt, allow_unknown, lang = got
            if fmt is None:
                fmt = "text" if sys.stdout.isatty() else "json"
            if fmt != "json":
                return None  # text and md render with the contract's models and Rich
            _assess(file, allow_unknown, lang)
            return 0
    except _Exit as exc:
        return exc.code
    return None


def main() -> int | None:
    # No collection of reference cycles while the quick path imports the engine and unpickles
    # the base: the process ends after one answer, and the collector's twenty-odd passes
    # over the growing heap (8 ms, a tenth of the run) would find nothing worth freeing.
    gc.disable()
    code = quick(sys.argv[1:])
    if code is not None:
        # Answered: end here rather than have the interpreter free every object of the
        # knowledge base one by one (about a third of the run); the output is flushed.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    gc.enable()
    from anmian.commands import main as typer_main

    typer_main()
    return None


def __getattr__(name: str) -> Any:
    """`anmian.cli.app` and the rest of the Typer app, imported when asked for."""
    if name.startswith("__"):
        raise AttributeError(name)
    from anmian import commands

    return getattr(commands, name)
