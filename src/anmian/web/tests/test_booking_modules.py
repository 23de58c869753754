"""The shape of the booking package: services.py is the one door, the calendar primitive is
its own module, and no module imports one that imports it back or reaches into another's
private names (the waitlist once called a private function of the booking service)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "anmian.web.booking"
ROOT = Path(__file__).resolve().parents[1] / "booking"
MODULES = {p.stem: p for p in ROOT.glob("*.py") if p.stem != "__init__"}


def _tree(name: str) -> ast.Module:
    return ast.parse(MODULES[name].read_text())


def _imports(name: str) -> set[str]:
    """The booking modules `name` imports, at any depth of the file (deferred imports too)."""
    found = set()
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.ImportFrom) and node.module == PACKAGE:
            found |= {a.name for a in node.names if a.name in MODULES}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE + "."):
            head = node.module.removeprefix(PACKAGE + ".").split(".")[0]
            if head in MODULES:
                found.add(head)
    return found - {name}


def _reaches(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in _imports(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_booking_module_imports_itself_back(name):
    assert name not in _reaches(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_booking_module_uses_another_modules_private_names(name):
    tree = _tree(name)
    imported_modules = _imports(name)
    private = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE)
        for alias in node.names
        if alias.name.startswith("_")
    ] + [
        f"{node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in imported_modules
        and node.attr.startswith("_")
    ]
    assert private == []


def test_the_waitlist_and_the_service_share_the_primitive_not_each_other():
    assert "slots" in _imports("waitlist") and "slots" in _imports("services")
    assert "services" not in _reaches("waitlist")


@pytest.mark.parametrize("caller", ["views", "api"])
def test_pages_and_the_api_reach_the_rules_only_through_services(caller):
    # they may name the error type and read models, never the rules or the writes
    assert _imports(caller) <= {"services", "errors", "ics", "models", "schemas"}
