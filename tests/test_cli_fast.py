"""The CLI's quick path (anmian/cli.py) answers as the Typer app does, from the plain cache of
the knowledge base (engine/kb_cache.py), without pydantic, Typer, Click or PyYAML, and the cache
is never served stale nor a cause of a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from anmian import cli
from anmian.engine import assess, kb_cache, parse_input
from anmian.knowledge import get_kb

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(ROOT.glob("examples/*.json"))
ANMIAN = str(Path(sys.executable).with_name("anmian"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ANMIAN_CACHE_DIR", str(folder))
    monkeypatch.delenv("ANMIAN_KB_CACHE", raising=False)
    return folder


def _run(
    args: list[str], cache: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANMIAN_CACHE_DIR": str(cache)}
    return subprocess.run(
        [ANMIAN, *args], input=stdin, capture_output=True, text=True, env=env, check=False
    )


def _typer(args: list[str], stdin: str | None = None) -> Any:
    get_kb.cache_clear()  # the knowledge base as it is now on disk, as the subprocess reads it
    return CliRunner().invoke(cli.app, args, input=stdin)


def test_help_lists_the_typer_apps_commands() -> None:
    group = get_command(cli.app)
    typer_commands = [
        (name, (c.help or "").strip().splitlines()[0]) for name, c in group.commands.items()
    ]
    assert list(cli.COMMANDS) == typer_commands
    text = cli.help_text()
    for name, about in typer_commands:
        assert f"  {name} " in text and about in text


def test_help_and_version_answer_without_typer(cache: Path) -> None:
    got = _run(["--help"], cache)
    assert got.returncode == 0 and got.stdout == cli.help_text() + "\n"
    version = _run(["--version"], cache)
    assert (version.returncode, version.stdout) == (0, _typer(["--version"]).stdout)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
@pytest.mark.parametrize(
    "extra", [[], ["--allow-unknown"], ["--lang", "zh-Hant"], ["--lang=zh-Hans", "--allow-unknown"]]
)
def test_assess_prints_what_typer_prints(example: Path, extra: list[str], cache: Path) -> None:
    args = ["assess", str(example), "-f", "json", *extra]
    first = _run(args, cache)  # fills the cache
    again = _run(args, cache)  # reads it
    typer = _typer(args)
    assert first.returncode == again.returncode == typer.exit_code
    assert first.stdout == again.stdout == typer.stdout
    if typer.exit_code == 0:
        assert json.loads(again.stdout)["kb_version"] == get_kb().version


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["assess", "no-such-file.json"], None),
        (["assess", "-"], "{not json"),
        (["assess", "-"], '{"findings": []}'),
        (["assess", "-"], '{"findings": ["xyzzy plugh quux"]}'),
        (["assess", "-"], '{"findings": ["leg cramps"], "age": "old"}'),
        (["assess", "-"], '{"findings": ["leg cramps"], "weight": 80}'),
        (["assess", "-"], '["leg cramps"]'),
        (["assess", "-"], '{"findings": ["tired"], "severity": {"scale": "nope", "total": 3}}'),
    ],
)
def test_bad_input_is_refused_as_typer_refuses_it(
    args: list[str], stdin: str | None, cache: Path
) -> None:
    got = _run([*args, "-f", "json"], cache, stdin)
    typer = _typer([*args, "-f", "json"], stdin)
    assert got.returncode == typer.exit_code == 2
    assert got.stderr.startswith("anmian: error: ") and "Traceback" not in got.stderr
    assert got.stderr == typer.stderr
    assert got.stdout == ""


def test_the_quick_path_imports_no_pydantic_typer_or_yaml(cache: Path) -> None:
    """Nor dataclasses with inspect (8 ms): the engine's records (engine/record.py) and the
    knowledge base are made without them."""
    _run(["assess", str(EXAMPLES[0]), "-f", "json"], cache)  # the cache is filled
    probe = (
        "import sys, io, contextlib\n"
        "from anmian import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert cli.quick(['assess', {str(EXAMPLES[0])!r}, '-f', 'json']) == 0\n"
        "    assert cli.quick(['--help']) == 0\n"
        "heavy = ('pydantic', 'pydantic_core', 'typer', 'click', 'yaml', 'rich',"
        " 'dataclasses', 'inspect')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy"
        " or m == 'importlib.metadata'))\n"
    )
    env = {**os.environ, "ANMIAN_CACHE_DIR": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"


def test_other_calls_go_to_typer() -> None:
    """Anything the quick path does not know is left to Typer (None), not guessed at."""
    for argv in (
        [],
        ["assess", "--help"],
        ["assess", "x.json", "-f", "md"],
        ["assess", "x.json", "-f", "text"],
        ["assess", "x.json", "--verbose"],
        ["assess", "a.json", "b.json"],
        ["assess", "x.json", "--format"],
        ["kb", "check"],
        ["--help", "assess"],
    ):
        assert cli.quick(argv) is None, argv


# --- the cache ------------------------------------------------------------------------


def _data_copy(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(Path(kb_cache.HERE) / "data", root)
    return root


def _json(kb: Any) -> str:
    data = parse_input(json.loads(EXAMPLES[0].read_text()))
    return json.dumps(assess(data, kb, allow_unknown=True).to_dict(), ensure_ascii=False)


def test_cache_is_written_then_read(cache: Path, tmp_path: Path) -> None:
    root = _data_copy(tmp_path)
    first = kb_cache.load_plain(root)
    files = list(cache.glob("kb-plain-*.pickle"))
    assert len(files) == 1
    second = kb_cache.load_plain(root)
    assert second is not first  # unpickled, not the same object
    assert _json(second) == _json(first) == _json(get_kb())


def test_shared_merges_only_what_nothing_can_tell_apart() -> None:
    """Equal strings and equal tuples of the same members become one object (pickle then
    writes each once); lists and dicts stay themselves, True is never 1, -0.0 never 0.0."""
    a, b = "".join(["cal", "f"]), "".join(["ca", "lf"])
    assert a is not b
    root = {"x": [a, (a, 1)], "y": [b, (b, 1)], "z": [(b, True), -0.0, 0.0]}
    out = kb_cache._shared(root)
    assert out is root and out == {
        "x": ["calf", ("calf", 1)],
        "y": ["calf", ("calf", 1)],
        "z": [("calf", True), -0.0, 0.0],
    }
    assert out["x"][0] is out["y"][0] and out["x"][1] is out["y"][1]
    assert out["x"] is not out["y"]  # two lists, which one could change apart
    assert out["z"][0][1] is True and str(out["z"][1]) == "-0.0"


def test_the_shared_cache_gives_the_same_base(cache: Path, tmp_path: Path) -> None:
    """The cache file, merged, reads back as the base it was written from, field by field."""
    root = _data_copy(tmp_path)
    first = kb_cache.load_plain(root)
    second = kb_cache.load_plain(root)
    for name in type(first).__dataclass_fields__:
        assert repr(getattr(second, name)) == repr(getattr(first, name)), name


def _edit_first_label(root: Path, change: Any) -> str:
    path = next(root.glob("findings/*.yaml"))
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.strip().startswith("label:"))
    new = change(line)
    path.write_text(text.replace(line, new, 1), encoding="utf-8")
    st = path.stat()  # a later modification time, as an editor saving a second later gives
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    return new.split("label:", 1)[1].strip().strip("'\"")


def test_an_edit_of_the_yaml_is_never_served_stale(cache: Path, tmp_path: Path) -> None:
    root = _data_copy(tmp_path)
    before = kb_cache.load_plain(root)
    label = _edit_first_label(root, lambda line: line.rstrip() + " edited")
    after = kb_cache.load_plain(root)
    assert any(f.label == label for f in after.findings.values())
    assert not any(f.label == label for f in before.findings.values())
    assert len(list(cache.glob("kb-plain-*.pickle"))) == 1  # the old content's file is gone
    # an edit that keeps the file's size is seen too (its modification time is in the key)
    label = _edit_first_label(root, lambda line: line.replace("label: ", "label: X", 1)[:-1])
    assert any(f.label == label for f in kb_cache.load_plain(root).findings.values())


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not a pickle", b"\x80\x05K\x01.", b"\x80\x05\x95\x10\x00\x00\x00\x00\x00\x00\x00"],
    ids=["empty", "text", "other-pickle", "truncated"],
)
def test_a_corrupt_cache_is_ignored_and_replaced(
    garbage: bytes, cache: Path, tmp_path: Path
) -> None:
    root = _data_copy(tmp_path)
    kb_cache.load_plain(root)
    (path,) = cache.glob("kb-plain-*.pickle")
    path.write_bytes(garbage)
    kb = kb_cache.load_plain(root)  # no traceback: a full load
    assert _json(kb) == _json(get_kb())
    (written,) = cache.glob("kb-plain-*.pickle")  # written again, in place of the garbage
    assert written.read_bytes() != garbage
    assert kb_cache.load_plain(root).version == kb.version


def test_a_corrupt_cache_is_no_traceback_for_the_command(cache: Path) -> None:
    args = ["assess", str(EXAMPLES[0]), "-f", "json"]
    good = _run(args, cache)
    for path in cache.glob("kb-plain-*.pickle"):
        path.write_bytes(b"\x80\x05garbage")
    got = _run(args, cache)
    assert (got.returncode, got.stdout, got.stderr) == (0, good.stdout, "")


def test_no_writable_cache_folder_means_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {**os.environ, "ANMIAN_CACHE_DIR": str(blocker / "cache")}
    got = subprocess.run(
        [ANMIAN, "assess", str(EXAMPLES[0]), "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert got.returncode == 0 and got.stderr == ""
    assert json.loads(got.stdout)["kb_version"] == get_kb().version


def test_cache_can_be_turned_off(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANMIAN_KB_CACHE", "0")
    kb = kb_cache.load_plain(_data_copy(tmp_path))
    assert not cache.exists() or not list(cache.glob("kb-plain-*"))
    assert _json(kb) == _json(get_kb())


def test_two_data_folders_sharing_the_cache_folder_keep_their_own(
    cache: Path, tmp_path: Path
) -> None:
    """A checkout and an installed CLI (say) do not push each other's cache out."""
    first = _data_copy(tmp_path / "one")
    second = _data_copy(tmp_path / "two")
    kb_cache.load_plain(first)
    kb_cache.load_plain(second)
    kb_cache.load_plain(first)
    assert len(list(cache.glob("kb-plain-*.pickle"))) == 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is Linux's")
@pytest.mark.parametrize("xdg", [None, "", "/tmp/xdg-cache-home"])
def test_the_cache_folder_is_platformdirs_one(
    xdg: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found without importing platformdirs, it is the folder platformdirs names."""
    import platformdirs

    monkeypatch.delenv("ANMIAN_CACHE_DIR", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert kb_cache.cache_folder() == platformdirs.user_cache_dir("anmian", appauthor=False)
    monkeypatch.setenv("ANMIAN_CACHE_DIR", "/somewhere/else")
    assert kb_cache.cache_folder() == "/somewhere/else"
