"""Figures for pattern ranking on published case reports and textbook cases
(tests/data/pattern-cases.yaml): how often the leading pattern is the one the source
diagnosed, and how often it is in the top three, by split (tune on dev only; holdout and the
blind holdout2 are reported apart) and by kind.

Run: .venv/bin/python bench/patterns.py [-v [SPLIT]]. Prints figures; asserts nothing; -v lists
the misses of SPLIT (dev unless named). Cases whose
findings the reader cannot read (most Chinese case reports, until the reader reads Chinese)
are counted apart, since no ranking can be right without findings.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from anmian.engine import InputError, assess, parse_input
from anmian.knowledge import get_kb

ROOT = Path(__file__).resolve().parent.parent
MIN_READ = 2  # findings read, below which a case is "unreadable"


def main() -> None:
    kb = get_kb()
    cases = yaml.safe_load((ROOT / "tests" / "data" / "pattern-cases.yaml").read_text())
    rows = []
    for c in cases:
        leading = set(c["expect"].get("leading") or [])
        if not leading:
            continue  # the source's diagnosis has no pattern in the base
        doc = {"findings": c["findings"], "audience": "practitioner"}
        for k in ("age", "sex"):
            if c.get(k) is not None:
                doc[k] = c[k]
        try:
            a = assess(parse_input(doc), kb, allow_unknown=True)
            read = len(a.input["readings"]["present"])
            ranked = [p.id for p in a.patterns]
        except InputError:
            read, ranked = 0, []
        rows.append((c, leading, read, ranked))
    print(f"pattern cases with a mapped diagnosis: {len(rows)} of {len(cases)}")
    print(f"{'':22} {'cases':>5} {'top-1':>6} {'top-3':>6}")
    groups: dict[str, list] = {}
    for row in rows:
        c, _, read, _ = row
        readable = "readable" if read >= MIN_READ else "unreadable"
        for key in (f"{c['split']} ({readable})", f"{c['kind']} ({readable})"):
            groups.setdefault(key, []).append(row)
    for key in sorted(groups):
        g = groups[key]
        top1 = sum(bool(r[3]) and r[3][0] in r[1] for r in g)
        top3 = sum(bool(set(r[3][:3]) & r[1]) for r in g)
        print(f"{key:22} {len(g):5} {top1 / len(g):6.2f} {top3 / len(g):6.2f}")
    if "-v" in sys.argv:
        rest = sys.argv[sys.argv.index("-v") + 1 :]
        split = rest[0] if rest else "dev"
        for c, leading, read, ranked in rows:
            if c["split"] == split and (not ranked or ranked[0] not in leading):
                print(f"  {c['id']}: want {sorted(leading)}, got {ranked[:3]} ({read} read)")


if __name__ == "__main__":
    main()
