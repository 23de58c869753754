"""Measure the reader against a labelled phrase set (tests/data/phrases.tsv).

Each row gives a phrase and what it means: finding ids, each with a status prefix (`id`
present, `!id` absent, `?id` uncertain, `~id` historical, `fam:id` in a relative). A reading
counts as right only with the right status. Used by bench/reading.py (figures) and by the
tests (floors and the safety properties), so both score the same way.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from anmian.engine.hazards import scan
from anmian.engine.resolve import indexes, resolve
from anmian.knowledge import KnowledgeBase

PREFIXES = {"!": "absent", "?": "uncertain", "~": "historical", "fam:": "family", "other:": "other"}


@dataclass(frozen=True)
class Row:
    split: str
    kind: str
    phrase: str
    expect: frozenset[tuple[str, str]]  # (finding id, status)
    source: str


def parse_expect(text: str) -> frozenset[tuple[str, str]]:
    out = set()
    for item in text.split():
        for prefix, status in PREFIXES.items():
            if item.startswith(prefix):
                out.add((item[len(prefix) :], status))
                break
        else:
            out.add((item, "present"))
    return frozenset(out)


def load_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            Row(r["split"], r["kind"], r["phrase"], parse_expect(r["expect"] or ""), r["source"])
            for r in reader
        ]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    negated_as_present: list[str] = field(default_factory=list)
    errors: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def read_pairs(kb: KnowledgeBase, phrase: str) -> frozenset[tuple[str, str]]:
    got = resolve([phrase], indexes(kb)[0])
    return frozenset((m.id, m.status) for m in got.matches)


def score(kb: KnowledgeBase, rows: Iterable[Row]) -> Score:
    s = Score()
    for row in rows:
        got = read_pairs(kb, row.phrase)
        s.tp += len(got & row.expect)
        s.fp += len(got - row.expect)
        s.fn += len(row.expect - got)
        present = {fid for fid, st in got if st == "present"}
        for fid, st in row.expect:
            if st == "absent" and fid in present:
                s.negated_as_present.append(row.phrase)
        if got != row.expect:
            s.errors.append(
                (
                    row.phrase,
                    sorted(_show(p) for p in row.expect),
                    sorted(_show(p) for p in got),
                )
            )
    return s


def danger_caught(kb: KnowledgeBase, row: Row) -> bool:
    """A danger row is safe when a red flag's finding is read as present or uncertain, or a
    danger word is found and not denied; a denied one is safe when neither happens."""
    red = {f.id for f in kb.findings.values() if f.category == "red-flag"}
    got = resolve([row.phrase], indexes(kb)[0])
    flagged = any(m.id in red and m.status in ("present", "uncertain") for m in got.matches)
    flagged |= any(h.flag and h.status in ("present", "uncertain") for h in scan(kb, [row.phrase]))
    wants = any(fid in red and st in ("present", "uncertain") for fid, st in row.expect)
    return flagged == wants


def _show(pair: tuple[str, str]) -> str:
    fid, status = pair
    prefix = {v: k for k, v in PREFIXES.items()}.get(status, "")
    return f"{prefix}{fid}"


def by(rows: list[Row], attr: str) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(getattr(r, attr), []).append(r)
    return groups


def kinds(rows: list[Row]) -> Counter[str]:
    return Counter(r.kind for r in rows)
