"""The dependency direction written in the README, checked: no import cycle between modules or
between the web apps, and the engine and knowledge base never import the web or Django.

Imports are read with `ast` from the source (every import, also those inside functions, since
a lazy import is a dependency all the same), so the check needs no Django set-up."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
ROOT = "anmian"
WEB = f"{ROOT}.web"
PURE = (f"{ROOT}.engine", f"{ROOT}.knowledge")  # no web, no Django: usable from anywhere
WEB_FRAMEWORKS = ("django", "ninja")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((SRC / ROOT).rglob("*.py"))}


def _imports(name: str, path: Path, known: Iterable[str]) -> set[str]:
    """Every module `name` imports: ours by module (`from a import b` is `a.b` when that is a
    module), others by their top-level name."""
    known = set(known)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from .x import y
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return {m if m.split(".")[0] == ROOT else m.split(".")[0] for m in found}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node, or a node importing
    itself (Tarjan's algorithm, iterative so a deep graph cannot overflow the stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(sorted(component))
    return found


def _app(module: str) -> str | None:
    """The web app (or top-level web module) a module belongs to; None outside the web and
    for tests, which may import anything."""
    parts = module.split(".")
    if module.startswith(WEB + ".") and "tests" not in parts:
        return parts[2]
    return None


def _app_graph(graph: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    apps: dict[str, set[str]] = {}
    for module, imported in graph.items():
        app = _app(module)
        if app is None:
            continue
        targets = apps.setdefault(app, set())
        targets.update(a for a in map(_app, imported) if a is not None and a != app)
    return apps


# --- the checker itself, on small graphs whose answer is known ---


@pytest.mark.parametrize(
    ("graph", "cycles"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"a"}}, [["a"]]),
        ({"a": {"b", "x"}, "b": set()}, []),  # x is not ours: ignored
    ],
)
def test_the_checker_finds_exactly_the_cycles(graph, cycles):
    assert sorted(_cycles(graph)) == cycles


def test_the_checker_reads_relative_lazy_and_from_imports(tmp_path):
    source = tmp_path / "anmian" / "web" / "diary" / "views.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "from . import services\nfrom anmian.web.records.models import Patient\n"
        "def f():\n    import django.http\n"
    )
    known = {"anmian.web.diary.services", "anmian.web.records.models"}
    found = _imports("anmian.web.diary.views", source, known)
    assert found == {"anmian.web.diary.services", "anmian.web.records.models", "django"}


def test_the_checker_sees_the_apps_of_web_modules():
    graph = {
        "anmian.web.records.views": {"anmian.web.diary.progress"},
        "anmian.web.diary.progress": {"anmian.web.records.models"},
        "anmian.web.records.models": set(),
        "anmian.web.tests.test_x": {"anmian.web.records.views"},
    }
    assert _cycles(_app_graph(graph)) == [["diary", "records"]]


# --- the code base ---


def test_the_source_is_found():
    graph = _graph()
    assert "anmian.engine.assess" in graph and "anmian.web.records.services" in graph
    assert "anmian.web.records.models" in graph["anmian.web.records.services"]


def test_no_module_imports_itself_back():
    assert _cycles(_graph()) == []


def test_no_web_app_imports_another_that_imports_it_back():
    assert _cycles(_app_graph(_graph())) == []


@pytest.mark.parametrize("layer", PURE)
def test_the_engine_and_knowledge_base_never_import_the_web(layer):
    wrong = {
        module: sorted(m for m in imported if m.startswith(WEB) or m in WEB_FRAMEWORKS)
        for module, imported in _graph().items()
        if module == layer or module.startswith(layer + ".")
    }
    assert {m: found for m, found in wrong.items() if found} == {}
