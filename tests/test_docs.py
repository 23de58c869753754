"""The README documents every command (datasette's test_docs idea)."""

from __future__ import annotations

from pathlib import Path

from anmian.cli import app, kb_app

README = (Path(__file__).parent.parent / "README.md").read_text()


def _commands(typer_app) -> list[str]:
    return [c.name or c.callback.__name__ for c in typer_app.registered_commands]


def test_every_cli_command_is_in_the_readme():
    for name in _commands(app):
        assert f"anmian {name}" in README, name
    for name in _commands(kb_app):
        assert f"anmian kb {name}" in README, name


def test_readme_gives_the_two_setup_commands():
    assert "make run" in README and "make test" in README
