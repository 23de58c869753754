"""Keep requirements/lock.txt honest against pyproject.toml (standard library only).

`make lock` writes the lock with uv and then `stamp`s it with a digest of every requirement
pyproject.toml declares (build backend, dependencies, extras, Python version). `make install`
runs `check` first, so a dependency added to pyproject.toml without `make lock` stops the
install with a message instead of installing an old set. This runs before the virtual
environment exists, so it uses nothing outside the standard library.

    python3 requirements/lock.py build-requires   # the build backend's requirements, one a line
    python3 requirements/lock.py stamp             # write the digest line into the lock
    python3 requirements/lock.py check             # exit 1 when the lock is stale
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements" / "lock.txt"
MARK = "# pyproject-requirements-sha256: "


def pyproject() -> dict[str, Any]:
    return tomllib.loads(PYPROJECT.read_text())


def build_requires() -> list[str]:
    return sorted(pyproject()["build-system"]["requires"])


def inputs() -> dict[str, Any]:
    """Everything in pyproject.toml that changes what gets installed, and nothing else."""
    project = pyproject()["project"]
    return {
        "build-system": build_requires(),
        "requires-python": project.get("requires-python", ""),
        "dependencies": sorted(project.get("dependencies", [])),
        "optional-dependencies": {
            name: sorted(reqs) for name, reqs in project.get("optional-dependencies", {}).items()
        },
    }


def digest() -> str:
    return hashlib.sha256(json.dumps(inputs(), sort_keys=True).encode()).hexdigest()


def stamped() -> str | None:
    if not LOCK.exists():
        return None
    for line in LOCK.read_text().splitlines():
        if line.startswith(MARK):
            return line.removeprefix(MARK).strip()
    return None


def stamp() -> None:
    lines = [line for line in LOCK.read_text().splitlines() if not line.startswith(MARK)]
    LOCK.write_text("\n".join([MARK + digest(), *lines]) + "\n")


def check() -> int:
    found = stamped()
    if found == digest():
        return 0
    why = "is missing" if not LOCK.exists() else "is stale against pyproject.toml"
    print(
        f"{LOCK.relative_to(ROOT)} {why}: the requirements in pyproject.toml changed since the "
        "lock was written. Run `make lock` and commit requirements/lock.txt with pyproject.toml.",
        file=sys.stderr,
    )
    return 1


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) == 2 else ""
    if command == "build-requires":
        print("\n".join(build_requires()))
        return 0
    if command == "stamp":
        stamp()
        return 0
    if command == "check":
        return check()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
