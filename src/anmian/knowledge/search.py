"""Look entries up by words: ids, names, pinyin, English names and synonyms, of every kind."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from anmian.knowledge.base import KnowledgeBase
from anmian.knowledge.loader import KINDS

NAME_FIELDS = ("name", "label", "title", "pinyin", "english", "code", "chinese", "latin")
FUZZY_MIN = 80


@dataclass(frozen=True)
class Hit:
    kind: str
    id: str
    label: str
    score: float


@cache
def _rows(kb: KnowledgeBase) -> list[tuple[str, str, str, tuple[str, ...]]]:
    rows = []
    for kind in KINDS:
        for entry_id, entry in kb.table(kind).items():
            names = [str(getattr(entry, f)) for f in NAME_FIELDS if getattr(entry, f, None)]
            names += list(getattr(entry, "synonyms", ())) + list(getattr(entry, "aliases", ()))
            label = names[0] if names else entry_id
            rows.append((kind, entry_id, label, tuple(n.casefold() for n in (entry_id, *names))))
    return rows


def search(kb: KnowledgeBase, text: str, limit: int = 15) -> list[Hit]:
    """Best matches first: exact names, then names containing the words, then near spellings."""
    from rapidfuzz import fuzz

    query = text.casefold().strip()
    words = query.split()
    hits = []
    for kind, entry_id, label, names in _rows(kb):
        if query in names:
            score = 100.0
        elif any(all(w in n for w in words) for n in names):
            score = 90.0
        else:
            score = max(fuzz.WRatio(query, n) for n in names) * 0.85
            if score < FUZZY_MIN * 0.85:
                continue
        hits.append(Hit(kind, entry_id, label, score))
    hits.sort(key=lambda h: (-h.score, h.kind, h.id))
    return hits[:limit]
