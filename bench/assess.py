"""Figures for the engine: assessments per second in-process, and the CLI's cold start.

Run: .venv/bin/python bench/assess.py  (or `make bench`). Prints figures; asserts nothing.
Aims: under 1 ms per assessment in-process; CLI cold start under 250 ms.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from anmian.engine import assess, parse_input
from anmian.knowledge import get_kb

ROOT = Path(__file__).resolve().parent.parent
DEMO = json.loads((ROOT / "examples" / "demo.json").read_text())
ANMIAN = str(Path(sys.executable).with_name("anmian"))


def in_process(n: int = 2000) -> None:
    from anmian.knowledge.loader import _load, data_dir

    t0 = time.perf_counter()
    _load(data_dir())
    full_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    kb = get_kb()
    load_ms = (time.perf_counter() - t0) * 1000
    data = parse_input(DEMO)
    simple = parse_input({"findings": ["leg-crawling", "pale-face", "tongue-pale", "pulse-thin"]})
    assess(data, kb)  # warm the resolution indexes
    for label, case in (("demo case (9 phrases, 2 drugs, labs)", data), ("4 finding ids", simple)):
        times = []
        for _ in range(n):
            t = time.perf_counter()
            assess(case, kb)
            times.append(time.perf_counter() - t)
        mean = statistics.fmean(times) * 1000
        p99 = sorted(times)[int(n * 0.99)] * 1000
        print(
            f"in-process, {label}: {1000 / mean:,.0f} assessments/s, mean {mean:.3f} ms, p99 {p99:.3f} ms"
        )
    t = time.perf_counter()
    for _ in range(200):
        assess(data, kb).to_dict()
    print(
        f"in-process, demo case with JSON-ready output: {(time.perf_counter() - t) / 200 * 1000:.3f} ms each"
    )
    print(
        f"knowledge base: full load and validation {full_ms:.0f} ms; from the checked cache {load_ms:.0f} ms"
    )


def cold_start(runs: int = 7) -> None:
    for label, args, stdin in (
        ("anmian --help", [ANMIAN, "--help"], None),
        (
            "anmian assess demo.json",
            [ANMIAN, "assess", str(ROOT / "examples" / "demo.json"), "-f", "json"],
            None,
        ),
    ):
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(args, input=stdin, capture_output=True, check=True)
            times.append((time.perf_counter() - t) * 1000)
        print(
            f"CLI cold start, {label}: median {statistics.median(times):.0f} ms (min {min(times):.0f})"
        )


if __name__ == "__main__":
    in_process()
    cold_start()
