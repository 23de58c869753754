"""Figures for the engine: one assessment in-process, with and without its JSON-ready output,
against the engine before the speed work of issue 17 (tests/reference_engine, the oracle of
tests/test_same_result.py). The CLI's cold start is bench/cli_start.py.

Run: .venv/bin/python bench/assess.py  (or `make bench`). Prints figures; asserts nothing.
Aim (issue 17): the demo case with its JSON-ready output under 200 µs. Interleaved rounds
(each variant a batch of calls in turn, so a busy moment costs them alike), medians.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.reference_engine

from tests.reference_engine.assess import assess as reference  # noqa: E402

from anmian.engine import assess, parse_input  # noqa: E402
from anmian.knowledge import get_kb  # noqa: E402

DEMO = json.loads((ROOT / "examples" / "demo.json").read_text())
IDS = {"findings": ["leg-crawling", "pale-face", "tongue-pale", "pulse-thin"]}


def _rounds(variants: dict[str, Callable[[], object]], rounds: int, batch: int) -> dict[str, float]:
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(rounds):
        for label, fn in variants.items():
            t = time.perf_counter()
            for _ in range(batch):
                fn()
            times[label].append((time.perf_counter() - t) / batch * 1e6)
    return {k: statistics.median(v) for k, v in times.items()}


def in_process(rounds: int = 31, batch: int = 50) -> None:
    from anmian.knowledge.loader import _load, data_dir

    t0 = time.perf_counter()
    _load(data_dir())
    full_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    kb = get_kb()
    load_ms = (time.perf_counter() - t0) * 1000
    print(
        f"engine in-process, {rounds} interleaved rounds of {batch}, medians "
        f"({platform.node()}, Python {platform.python_version()}):"
    )
    for label, doc in (("demo case (9 phrases, 2 drugs, labs)", DEMO), ("4 finding ids", IDS)):
        data = parse_input(doc)
        for fn in (assess, reference):  # warm the indexes and tables of both
            fn(data, kb, allow_unknown=True).to_dict()
        got = _rounds(
            {
                "now": lambda data=data: assess(data, kb),
                "now, with to_dict()": lambda data=data: assess(data, kb).to_dict(),
                "before": lambda data=data: reference(data, kb),
                "before, with to_dict()": lambda data=data: reference(data, kb).to_dict(),
            },
            rounds,
            batch,
        )
        print(f"  {label}:")
        for what in ("", ", with to_dict()"):
            now, before = got[f"now{what}"], got[f"before{what}"]
            print(
                f"    assess{what or '':18} {now:7.0f} µs  (before {before:5.0f} µs, "
                f"{before / now:.1f}x faster)"
            )
    print(
        f"  knowledge base: full load and validation {full_ms:.0f} ms; "
        f"from the checked cache {load_ms:.0f} ms"
    )


if __name__ == "__main__":
    in_process()  # the CLI's cold start: bench/cli_start.py (`make bench` runs both)
