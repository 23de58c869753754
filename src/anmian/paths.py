"""Where Anmian keeps its files when no variable says otherwise (no Django, no web imports).

In a source checkout (`make install`: the package is `src/anmian` beside `pyproject.toml`) the
data folder is the checkout's git-ignored `./data`, as `make run` has always used. Installed
from a wheel, the package sits in a virtualenv's site-packages, where a database must not
live (an upgrade or a new virtualenv would lose it): the data folder is then the platform's
user data directory (`~/.local/share/anmian` on Linux, `~/Library/Application Support/anmian`
on macOS, `%LOCALAPPDATA%\\anmian` on Windows), found by platformdirs.

The knowledge-base cache is the platform's user cache directory in both cases
(`$XDG_CACHE_HOME/anmian`, by default `~/.cache/anmian`, on Linux).

ANMIAN_DATA_DIR and ANMIAN_CACHE_DIR override either.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

PACKAGE = Path(__file__).resolve().parent


def source_checkout() -> Path | None:
    """The checkout's root when running from one (src layout), else None."""
    root = PACKAGE.parent.parent
    if PACKAGE.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def default_data_dir() -> Path:
    root = source_checkout()
    return root / "data" if root else Path(platformdirs.user_data_dir("anmian", appauthor=False))


def data_dir() -> Path:
    return Path(os.environ.get("ANMIAN_DATA_DIR") or default_data_dir())


def cache_dir() -> Path:
    found = os.environ.get("ANMIAN_CACHE_DIR")
    return Path(found) if found else Path(platformdirs.user_cache_dir("anmian", appauthor=False))
