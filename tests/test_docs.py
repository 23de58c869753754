"""What the README, `.env.example` and the Makefile say is what the code does.

A reader copies commands from the README and settings from `.env.example`; when either drifts
from the code they are misled without anything failing, so each claim that can be checked is
checked here (datasette's test_docs idea). A failure names the line to change.
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from tests.clinical.cases import load_cases
from tests.clinical.mutations import check
from typer.testing import CliRunner

from anmian.cli import app, kb_app
from anmian.engine import parse_input
from anmian.evaluation import by, load_rows, score
from anmian.knowledge import KnowledgeBase

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()
SETTINGS = ROOT / "src" / "anmian" / "web" / "settings.py"
ENV_EXAMPLE = ROOT / ".env.example"
MAKEFILE = (ROOT / "Makefile").read_text()
ENV_HELPERS = {"envstr", "envbool", "envint", "envlist", "os.environ.get", "os.getenv"}


def _commands(typer_app) -> list[str]:
    return [c.name or c.callback.__name__ for c in typer_app.registered_commands]


def _tour(name: str) -> str:
    """The README text between `<!-- tour:NAME -->` and `<!-- /tour:NAME -->`."""
    found = re.search(rf"<!-- tour:{name} -->\n(.*?)<!-- /tour:{name} -->", README, re.S)
    assert found, f"README.md has no <!-- tour:{name} --> block"
    return found.group(1)


def _fenced(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def _settings_env() -> dict[str, str | None]:
    """Each variable settings.py reads, with its default when that is a literal string."""
    found: dict[str, str | None] = {}
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        name, default = node.args[0], node.args[1] if len(node.args) > 1 else None
        if ast.unparse(node.func) in ENV_HELPERS and isinstance(name, ast.Constant):
            literal = isinstance(default, ast.Constant) and isinstance(default.value, str)
            found[name.value] = default.value if literal else None
    return found


def _env_example() -> dict[str, str]:
    rows = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if match := re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line):
            rows[match.group(1)] = match.group(2)
    return rows


def test_every_cli_command_is_in_the_readme():
    for name in _commands(app):
        assert f"anmian {name}" in README, name
    for name in _commands(kb_app):
        assert f"anmian kb {name}" in README, name


def test_readme_gives_the_two_setup_commands():
    assert "make run" in README and "make test" in README


def test_settings_reads_the_environment_through_its_helpers():
    # The checks below can only see variables read through these calls.
    assert len(_settings_env()) >= 20


def test_every_variable_the_settings_read_is_in_env_example():
    missing = sorted(set(_settings_env()) - set(_env_example()))
    assert not missing, f".env.example does not list {missing}, which settings.py reads"


def test_env_example_lists_nothing_the_settings_do_not_read():
    unread = sorted(set(_env_example()) - set(_settings_env()))
    assert not unread, f".env.example lists {unread}, which settings.py never reads"


def test_env_example_shows_each_literal_default_as_it_is():
    example = _env_example()
    wrong = {
        name: (example[name], default)
        for name, default in _settings_env().items()
        if default is not None and name in example and example[name] != default
    }
    assert not wrong, f".env.example value differs from the default in settings.py: {wrong}"


def test_readme_kb_stats_is_what_the_command_prints():
    shown = _fenced(_tour("stats"), "json")
    result = CliRunner().invoke(app, ["kb", "stats", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(shown) == 1 and json.loads(shown[0]) == json.loads(result.stdout), (
        f"README's `anmian kb stats` block should read {result.stdout.strip()}"
    )


def _matches(shown: str, printed: str) -> bool:
    """A shown line is the printed one, or its start when the README cut it with '...'."""
    if shown.endswith(" ..."):
        return printed.startswith(shown.removesuffix(" ..."))
    return shown == printed


def test_readme_assess_tour_is_what_the_command_prints():
    """Lines shown run in the printed order; a line '...' stands for lines left out."""
    block = _tour("assess")
    command = re.search(r"\$ anmian (assess \S+ --format md)", README)
    assert command, "README.md no longer shows the `anmian assess ... --format md` command"
    result = CliRunner().invoke(app, command.group(1).split())
    assert result.exit_code == 0, result.output
    printed = result.stdout.splitlines()
    shown = _fenced(block, "text")[0].splitlines()
    at, may_skip = 0, False
    for line in shown:
        if line == "...":
            may_skip = True
            continue
        hits = [i for i in range(at, len(printed)) if _matches(line, printed[i])]
        assert hits and (may_skip or hits[0] == at), (
            f"README's assess tour shows {line!r}"
            + (" right after the line before it" if hits else "")
            + f", which `anmian {command.group(1)}` does not print there"
        )
        at, may_skip = hits[0] + 1, False


def test_readme_tour_input_is_the_example_file():
    block = _tour("assess")
    file = re.search(r"\$ anmian assess (\S+)", README).group(1)
    shown = _fenced(block, "json")
    assert len(shown) == 1
    assert json.loads(shown[0]) == json.loads((ROOT / file).read_text())


def test_readme_first_input_is_a_valid_assessment():
    first = _fenced(README.split("<!-- tour:assess -->")[0], "json")[0]
    parse_input(json.loads(first))


def _figure(pattern: str) -> list[int]:
    found = re.search(pattern, " ".join(README.split()))  # a figure may wrap across lines
    assert found, f"README.md no longer says /{pattern}/: update this test with the README"
    return [int(g.replace(",", "")) for g in found.groups()]


def _decimals(pattern: str) -> list[str]:
    found = re.search(pattern, " ".join(README.split()))
    assert found, f"README.md no longer says /{pattern}/: update this test with the README"
    return list(found.groups())


def test_readme_reading_figures_are_the_readers_scores(kb: KnowledgeBase):
    rows = load_rows(ROOT / "tests" / "data" / "phrases.tsv")
    splits = {name: score(kb, group) for name, group in by(rows, "split").items()}
    for split, s in splits.items():
        measured = [f"{s.recall:.2f}", f"{s.precision:.2f}", str(len(s.negated_as_present))]
        shown = _decimals(rf"\| {split} \| \d+ \| (\d\.\d\d) \| (\d\.\d\d) \| (\d+) \|")
        assert shown == measured, f"README's {split} row should read {measured}"
    recalls = [f"{splits[x].recall:.2f}" for x in ("dev", "holdout")]
    assert _decimals(r"the gap between the splits \((\d\.\d\d) against (\d\.\d\d)\)") == recalls
    kinds = by(rows, "kind")
    textbook, negated = score(kb, kinds["textbook"]), score(kb, kinds["negated"])
    assert _decimals(
        r"textbook wording reads at (\d\.\d\d), negations at precision (\d\.\d\d)"
    ) == [
        f"{textbook.recall:.2f}",
        f"{negated.precision:.2f}",
    ]


def test_readme_phrase_set_figures_count_the_phrase_set():
    with (ROOT / "tests" / "data" / "phrases.tsv").open() as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    splits = {s: sum(r["split"] == s for r in rows) for s in ("dev", "holdout")}
    danger = sum(r["kind"] == "danger" for r in rows)
    assert _figure(r"`tests/data/phrases.tsv`: (\d+) phrases") == [len(rows)]
    assert _figure(r"\| dev \| (\d+) \|") == [splits["dev"]]
    assert _figure(r"\| holdout \| (\d+) \|") == [splits["holdout"]]
    assert _figure(r"\| danger phrases \(all splits\) \| (\d+) \|") == [danger]


def test_readme_pattern_case_figure_counts_the_cases():
    cases = yaml.safe_load((ROOT / "tests" / "data" / "pattern-cases.yaml").read_text())
    mapped = [c for c in cases if c["expect"].get("leading")]
    assert _figure(r"on (\d+) published case reports") == [len(mapped)]


@pytest.fixture(scope="module")
def mutation_check(kb: KnowledgeBase) -> tuple[list[Any], list[Any], list[Any]]:
    return check(kb, load_cases())


def test_readme_safety_figures_are_the_mutation_check(mutation_check):
    by_plan, by_reason, unguarded = mutation_check
    total = len(by_plan) + len(by_reason) + len(unguarded)
    listed = yaml.safe_load((ROOT / "tests" / "clinical" / "unguarded.yaml").read_text())
    assert _figure(r"\((\d+) cases written from sources") == [len(load_cases())]
    assert _figure(
        r"finds (\d+) of (\d+) guarded: (\d+) by a case whose plan [^,]*changes, "
        r"(\d+) by a case whose stated reason changes"
    ) == [len(by_plan) + len(by_reason), total, len(by_plan), len(by_reason)]
    assert _figure(r"`tests/clinical/unguarded.yaml` lists (\d+) rules") == [len(listed or [])]


def _layout() -> set[str]:
    """The paths the README's Layout block names (a name at column 20 or more continues the
    description of the line above)."""
    block = re.search(r"## Layout\n\n```\n(.*?)```", README, re.S).group(1)
    paths, parents = set(), []
    for line in block.splitlines():
        indent, name = re.match(r"( *)(\S+)", line).groups()
        if len(indent) >= 20:
            continue
        parents = [*parents[: len(indent) // 2], name]
        paths.add("".join(parents).rstrip("/"))
    return paths


def test_every_path_in_the_readme_layout_exists():
    missing = sorted(p for p in _layout() if not (ROOT / p).exists())
    assert not missing, f"README's Layout names {missing}, which do not exist"


def test_the_readme_layout_names_every_module_of_the_engine_and_knowledge_base():
    src = ROOT / "src"
    modules = [*src.glob("anmian/*.py"), *src.glob("anmian/engine/*.py")]
    modules += src.glob("anmian/knowledge/*.py")
    unnamed = sorted(
        str(m.relative_to(ROOT))
        for m in modules
        if m.name != "__init__.py" and str(m.relative_to(ROOT)) not in _layout()
    )
    assert not unnamed, f"README's Layout does not name {unnamed}"


def _targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z0-9-]*):(?!=)", MAKEFILE, re.M))


def test_phony_names_exactly_the_makefile_targets():
    phony = set(re.search(r"^\.PHONY:(.*)$", MAKEFILE, re.M).group(1).split())
    assert phony == _targets(), (
        f"not targets: {sorted(phony - _targets())}; not .PHONY: {sorted(_targets() - phony)}"
    )


def test_every_make_target_the_readme_names_exists():
    named = set(re.findall(r"`make ([a-z][a-z0-9-]*)", README))
    assert named and named <= _targets(), sorted(named - _targets())


def _lock_module():
    spec = importlib.util.spec_from_file_location("lock", ROOT / "requirements" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_lock_was_written_from_this_pyproject():
    assert _lock_module().check() == 0, "run `make lock`"


def _pins() -> dict[str, tuple[str, str]]:
    """name -> (version, marker) for each pinned line of the lock."""
    pins = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if match := re.match(r"([A-Za-z0-9._-]+)==([^ ;\\]+)\s*(?:;\s*([^\\]*))?", line):
            pins[match.group(1).lower().replace("_", "-").replace(".", "-")] = (
                match.group(2),
                (match.group(3) or "").strip(),
            )
    return pins


def test_every_requirement_is_pinned_with_hashes_to_a_version_it_allows():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [*project["build-system"]["requires"], *project["project"]["dependencies"]]
    for extra in project["project"]["optional-dependencies"].values():
        wanted += extra
    pins = _pins()
    assert len(pins) > len(wanted)  # the lock holds what the requirements pull in too
    for text in wanted:
        req = Requirement(text)
        name = req.name.lower().replace("_", "-").replace(".", "-")
        assert name in pins, f"{name} is not in requirements/lock.txt: run `make lock`"
        assert req.specifier.contains(pins[name][0], prereleases=True), (
            f"lock pins {name}=={pins[name][0]}, outside {req.specifier}: run `make lock`"
        )


def test_every_pin_in_the_lock_carries_its_hashes():
    lock = (ROOT / "requirements" / "lock.txt").read_text()
    unhashed = re.findall(r"^([A-Za-z0-9._-]+==\S+)(?: ;[^\\\n]*)?$", lock, re.M)
    assert not unhashed, f"pinned without hashes: {unhashed}"
