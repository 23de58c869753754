"""Figures for the CLI's cold start (issue 17): `anmian --help` and `anmian assess` against a
bare interpreter, in interleaved runs, medians.

Run: .venv/bin/python bench/cli_start.py [ROUNDS]  (or `make bench`). Prints figures; asserts
nothing. Aim: each within 6 times `python -c pass`. The knowledge base's plain cache is
filled first (the first run after an edit of the YAML pays a full load, printed apart), in a
temporary cache folder so that the figures do not depend on what the user's holds; bytecode
is compiled once, as an installed package has it.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ANMIAN = str(Path(PY).with_name("anmian"))
DEMO = str(ROOT / "examples" / "demo.json")

CALLS = {
    "python -c pass": [PY, "-c", "pass"],
    "anmian --help": [ANMIAN, "--help"],
    "anmian assess demo.json": [ANMIAN, "assess", DEMO, "-f", "json"],
    "anmian assess (Typer path, -f md)": [ANMIAN, "assess", DEMO, "-f", "md"],
}


FAILED: dict[str, str] = {}


def _run(args: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode:  # kept, and said at the end (a knowledge base caught mid-edit, say)
        FAILED[" ".join(args[1:])] = done.stderr.strip().splitlines()[-1:][0] if done.stderr else ""
    return (time.perf_counter() - t) * 1000


def main(rounds: int = 21) -> None:
    with tempfile.TemporaryDirectory() as cache:
        # Compiled bytecode kept (in the temporary folder, not beside the sources), as an
        # installed package has it: PYTHONDONTWRITEBYTECODE would compile every module on
        # every start and measure the compiler.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"ANMIAN_CACHE_DIR": cache, "PYTHONPYCACHEPREFIX": str(Path(cache) / "pyc")}
        miss = _run(CALLS["anmian assess demo.json"], env)
        for args in CALLS.values():  # bytecode written for every module each call imports
            _run(args, env)
        times: dict[str, list[float]] = {label: [] for label in CALLS}
        for _ in range(rounds):  # interleaved, so a busy moment costs every call alike
            for label, args in CALLS.items():
                times[label].append(_run(args, env))
    bare = statistics.median(times["python -c pass"])
    print(
        f"CLI cold start, {rounds} interleaved rounds, medians ({platform.node()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}):"
    )
    for label, ts in times.items():
        med = statistics.median(ts)
        print(f"  {label:36} {med:6.1f} ms  ({med / bare:4.1f}x bare; min {min(ts):.1f})")
    print(
        f"  first run after a change of the knowledge base (full load, cache written): {miss:.0f} ms"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 21)
