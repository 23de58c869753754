"""Turn free text (ids, labels, synonyms, short clinical phrases) into knowledge-base ids.

Resolution is transparent: every match says how it was made and how sure it is, and
anything below the fuzzy threshold stays unresolved with its closest candidates. Order:

1. exact: the whole phrase is an id, label or synonym (confidence 1.0);
2. cover: the phrase splits into known parts, so "thin rapid pulse" is pulse-thin plus
   pulse-rapid and "ant-crawling sensation in the calves" is leg-crawling, with only
   filler and body-site words left over (confidence 0.9);
3. fuzzy: a close spelling of one alias (confidence = similarity); under 0.9 it is
   marked "low" and reported as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from anmian.knowledge import KnowledgeBase

FUZZY_ACCEPT = 0.85  # below this a phrase stays unresolved
FUZZY_SURE = 0.90  # below this an accepted fuzzy match is reported as low confidence
COVER_CONFIDENCE = 0.9
MAX_SPAN = 6

# Words that carry no finding of their own; a phrase may contain them around real matches.
FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "with",
        "in",
        "on",
        "of",
        "at",
        "my",
        "i",
        "have",
        "has",
        "is",
        "are",
        "am",
        "very",
        "quite",
        "slightly",
        "mild",
        "mildly",
        "often",
        "sometimes",
        "always",
        "usually",
        "some",
        "bit",
        "little",
        "feel",
        "feels",
        "feeling",
        "felt",
        "also",
        "both",
        "left",
        "right",
        "lower",
        "upper",
        "area",
        "areas",
        "there",
    ]
)
BODY_SITES = frozenset(
    [
        "leg",
        "legs",
        "calf",
        "calves",
        "thigh",
        "thighs",
        "shin",
        "shins",
        "knee",
        "knees",
        "foot",
        "feet",
        "ankle",
        "ankles",
    ]
)
# Nouns that turn a bare quality into a finding: "thin" + "pulse" -> "thin pulse".
CONTEXT_NOUNS = {
    "pulse": "pulse",
    "pulses": "pulse",
    "tongue": "tongue",
    "coat": "coat",
    "coating": "coat",
    "fur": "coat",
}

_SPLIT = re.compile(r"[,;/]|\bplus\b")
_TOKEN = re.compile(r"[a-z0-9']+")


def normalise(text: str) -> str:
    return " ".join(_TOKEN.findall(text.casefold().replace("’", "'")))


@dataclass(frozen=True)
class Match:
    text: str
    id: str
    confidence: float
    how: str  # exact | cover | fuzzy

    @property
    def level(self) -> str:
        if self.confidence >= 0.999:
            return "exact"
        return "high" if self.confidence >= FUZZY_SURE else "low"


@dataclass(frozen=True)
class Unresolved:
    text: str
    suggestions: tuple[str, ...]


@dataclass
class Resolution:
    matches: list[Match] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for m in self.matches:
            seen.setdefault(m.id)
        return list(seen)


class Index:
    """Aliases of one kind of entry (findings, medications, conditions), normalised."""

    def __init__(self, entries: Iterable[tuple[str, Iterable[str]]]):
        self.alias: dict[str, str] = {}
        for entry_id, names in entries:
            for name in (entry_id, entry_id.replace("-", " "), *names):
                key = normalise(name)
                if key:
                    self.alias.setdefault(key, entry_id)
        self.keys = list(self.alias)

    def exact(self, text: str) -> str | None:
        return self.alias.get(normalise(text))

    def fuzzy(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        """Closest entries by similarity of spelling, best first, one row per entry."""
        from rapidfuzz import fuzz, process  # imported here: only misses pay for it

        # Whole-string similarity (word order aside), never partial matching: a phrase that
        # merely shares one word with a long alias ("I am depressed" and "one leg swollen,
        # red and depressed-looking") must not be read as that finding. A fuzzy match is
        # for typos, not for guessing meaning.
        found = process.extract(
            normalise(text), self.keys, scorer=fuzz.token_sort_ratio, limit=limit * 4
        )
        best: dict[str, float] = {}
        for key, score, _ in found:
            entry = self.alias[key]
            best[entry] = max(best.get(entry, 0.0), score / 100)
        return sorted(best.items(), key=lambda kv: -kv[1])[:limit]


def _cover(tokens: list[str], index: Index, fallback_nouns: list[str]) -> list[str] | None:
    """Greedy longest-match cover of a token list; None if a content word is left over.

    fallback_nouns: context nouns of the whole phrase, for a segment that has none of its
    own ("pulse: thin, rapid" -> the segment "rapid" borrows "pulse").
    """
    nouns = {i: CONTEXT_NOUNS[t] for i, t in enumerate(tokens) if t in CONTEXT_NOUNS}
    if not nouns:
        nouns = {len(tokens) + n: noun for n, noun in enumerate(fallback_nouns)}
    found: list[str] = []
    used_nouns: set[int] = set()
    i = 0
    while i < len(tokens):
        hit = None
        for j in range(min(len(tokens), i + MAX_SPAN), i, -1):
            span = " ".join(tokens[i:j])
            if span in index.alias:
                hit = (index.alias[span], j)
                break
            # A bare quality takes the nearest context noun after it ("thin rapid pulse").
            after = sorted(k for k in nouns if k >= j)
            for k in after + sorted(k for k in nouns if k < i):
                candidate = f"{span} {nouns[k]}"
                if candidate in index.alias:
                    hit = (index.alias[candidate], j)
                    used_nouns.add(k)
                    break
            if hit:
                break
        if hit:
            found.append(hit[0])
            i = hit[1]
        elif tokens[i] in FILLER or tokens[i] in BODY_SITES or i in nouns:
            i += 1
        else:
            return None
    return found or None


def resolve(texts: Iterable[str], index: Index, accept: float = FUZZY_ACCEPT) -> Resolution:
    out = Resolution()
    for text in texts:
        exact = index.exact(text)
        if exact:
            out.matches.append(Match(text, exact, 1.0, "exact"))
            continue
        parts: list[str] = []
        covered = True
        phrase = normalise(text)
        nouns = list(dict.fromkeys(CONTEXT_NOUNS[t] for t in phrase.split() if t in CONTEXT_NOUNS))
        for segment in _SPLIT.split(phrase):
            tokens = segment.split()
            if not tokens:
                continue
            got = _cover(tokens, index, nouns)
            if got is None:
                covered = False
                break
            parts.extend(got)
        if covered and parts:
            out.matches.extend(
                Match(text, p, COVER_CONFIDENCE, "cover") for p in dict.fromkeys(parts)
            )
            continue
        candidates = index.fuzzy(text)
        if candidates and candidates[0][1] >= accept:
            out.matches.append(Match(text, candidates[0][0], round(candidates[0][1], 2), "fuzzy"))
        else:
            out.unresolved.append(Unresolved(text, tuple(c for c, _ in candidates[:3])))
    return out


@cache
def indexes(kb: KnowledgeBase) -> tuple[Index, Index, Index]:
    """(findings, medications, conditions) indexes, built once per knowledge base."""
    findings = Index((f.id, (f.label, *f.synonyms)) for f in kb.findings.values())
    meds = Index((m.id, (m.name, *m.synonyms)) for m in kb.medications.values())
    conds = Index((c.id, (c.name, *c.synonyms)) for c in kb.conditions.values())
    return findings, meds, conds
