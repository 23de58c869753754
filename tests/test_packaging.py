"""The wheel as `pip install anmian` gets it: the engine and the CLI need nothing of the web.

The wheel is built from this checkout (`pip wheel --no-deps`, no network), its metadata read
for the requirements of each extra, and it is installed into a fresh virtualenv that sees
only what the wheel's own core requirements pull in (found from the installed distributions'
metadata, so a core requirement missing from pyproject.toml makes the CLI fail to start).
Django, WeasyPrint and psycopg are then not installed there at all, not merely hidden.
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import venv
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import anmian

ROOT = Path(__file__).parent.parent
PY = sys.executable
WEB_ONLY = {"django", "django-ninja", "huey", "redis", "gunicorn", "whitenoise", "django-axes"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [PY, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", out, ROOT],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("anmian-*.whl")
    return found


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(z.read(name))


def _requires(wheel: Path) -> dict[str, set[str]]:
    """Requirement names by extra ('' for the core)."""
    by_extra: dict[str, set[str]] = {}
    for line in _metadata(wheel).get_all("Requires-Dist") or []:
        req = Requirement(line)
        extra = ""
        if req.marker and "extra" in str(req.marker):
            extra = str(req.marker).split("extra ==")[1].strip().strip("\"'")
        by_extra.setdefault(extra, set()).add(canonicalize_name(req.name))
    return by_extra


def test_the_core_requirements_hold_nothing_of_the_web_pdf_or_database(wheel):
    core = _requires(wheel)[""]
    assert {"pydantic", "typer", "pyyaml", "platformdirs"} <= core
    assert not core & (WEB_ONLY | {"weasyprint", "psycopg"}), core


def test_each_extra_adds_its_part(wheel):
    extras = _requires(wheel)
    assert extras["web"] >= WEB_ONLY
    assert extras["pdf"] == {"weasyprint"}
    assert extras["postgres"] == {"psycopg"}
    assert {"test", "lint"} <= set(extras)


def test_the_wheel_carries_its_version_licence_types_and_data(wheel):
    meta = _metadata(wheel)
    assert meta["Version"] == anmian.__version__
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    assert "anmian/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "anmian/knowledge/data/rules.yaml" in names


def _core_closure(wheel: Path) -> set[str]:
    """The distributions the core requirements pull in, as installed here."""
    todo = [Requirement(r) for r in _metadata(wheel).get_all("Requires-Dist") or []]
    todo = [r for r in todo if not r.marker or r.marker.evaluate({"extra": ""})]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(req.name) or []:
            sub = Requirement(line)
            extras = req.extras or {""}
            if not sub.marker or any(sub.marker.evaluate({"extra": e}) for e in extras):
                todo.append(sub)
    return seen


def _link_distributions(names: set[str], into: Path) -> None:
    """Each distribution's top-level files, linked into one folder the new venv reads."""
    for name in names:
        dist = metadata.distribution(name)
        for file in dist.files or []:
            top = file.parts[0]
            target = into / top
            source = Path(dist.locate_file(top))
            if not target.exists() and source.exists():
                target.symlink_to(source)


@pytest.fixture(scope="module")
def cli_venv(wheel, tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("venv")
    env_dir = home / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    deps = home / "deps"
    deps.mkdir()
    _link_distributions(_core_closure(wheel), deps)
    (site / "core-deps.pth").write_text(f"{deps}\n")
    # This interpreter's pip installs the wheel into the new environment, offline.
    target = env_dir / "bin" / "python"
    subprocess.run(
        [PY, "-m", "pip", "--python", target, "install", "-q", "--no-deps", "--no-index", wheel],
        check=True,
        capture_output=True,
    )
    return env_dir


def _run(env_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["ANMIAN_CACHE_DIR"] = str(env_dir / "cache")
    return subprocess.run(
        args, input=stdin, capture_output=True, text=True, env=env, cwd=env_dir, timeout=120
    )


def test_the_installed_cli_runs_an_assessment_without_django(cli_venv):
    python = str(cli_venv / "bin" / "python")
    probe = _run(cli_venv, python, "-c", "import anmian, django")
    assert "No module named 'django'" in probe.stderr  # really absent in this environment
    where = _run(cli_venv, python, "-c", "import anmian; print(anmian.__file__)")
    assert "site-packages" in where.stdout  # the wheel, not this checkout
    done = _run(
        cli_venv,
        str(cli_venv / "bin" / "anmian"),
        "assess",
        "-",
        "--format",
        "json",
        "--allow-unknown",
        stdin=(ROOT / "examples" / "demo.json").read_text(),
    )
    assert done.returncode == 0, done.stderr
    assert '"screening"' in done.stdout
    version = _run(cli_venv, str(cli_venv / "bin" / "anmian"), "--version")
    assert version.stdout.strip() == f"anmian {anmian.__version__}"


def test_installed_from_the_wheel_the_data_folder_is_the_users_not_the_virtualenvs(cli_venv):
    python = str(cli_venv / "bin" / "python")
    code = "from anmian import paths; print(paths.source_checkout(), paths.default_data_dir())"
    env_home = {"HOME": str(cli_venv / "home"), "XDG_DATA_HOME": ""}
    out = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, env=env_home, check=True
    ).stdout.split()
    # XDG Base Directory Specification: $XDG_DATA_HOME, by default $HOME/.local/share.
    assert out == ["None", str(cli_venv / "home" / ".local" / "share" / "anmian")]


def test_in_this_checkout_the_data_folder_is_its_data():
    from anmian import paths

    assert paths.source_checkout() == ROOT
    assert paths.default_data_dir() == ROOT / "data"
