"""Danger words found in free text, whether or not the reader could place them.

The reader (resolve.py) maps text to findings; this module does not. It looks for the
words of data/reading.yaml's `hazards` in every sentence, sets their status with the same
ConText rules (so "no chest pain" is not a hazard), and hands the hits to safety, which puts
the plan on hold for any that no red flag has already answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from anmian.engine.memo import per_parts
from anmian.engine.modifiers import ABSENT, find_triggers, status_of, vocabulary
from anmian.engine.resolve import HazardHit, term_at, term_stems
from anmian.engine.text import Word, has_cjk, sentences
from anmian.engine.zh import scan_hazards
from anmian.knowledge import KnowledgeBase


@dataclass(frozen=True)
class _Rule:
    flag: str | None
    tag: str | None
    when_tag: str | None
    terms: tuple[tuple[str, ...], ...]  # stem sequences, any one of which is a hit
    groups: tuple[tuple[tuple[str, ...], ...], ...]  # each group must be hit in the sentence


class Scanner:
    def __init__(self, kb: KnowledgeBase):
        self.vocab = vocabulary(kb)
        self.rules = [
            _Rule(
                h.flag,
                h.tag,
                h.when_tag,
                tuple(term_stems(t, self.vocab) for t in h.terms),
                tuple(tuple(term_stems(t, self.vocab) for t in g) for g in h.all),
            )
            for h in kb.reading.hazards
        ]
        self._cache: dict[str, list[HazardHit]] = {}

    def scan(self, text: str) -> list[HazardHit]:
        got = self._cache.get(text)
        if got is None:
            got = [
                h
                for s in sentences(text, self.vocab.contractions, self.vocab.forms)
                for h in self._scan(text, s)
            ]
            if has_cjk(text):  # Chinese danger and safety words (engine/zh_reading.yaml)
                got += [
                    HazardHit(text, words, status, h.flag, h.tag, h.when_tag)
                    for h, words, status in scan_hazards(text)
                ]
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[text] = got
        return got

    def _scan(self, text: str, sentence: list[Word]) -> list[HazardHit]:
        stems = [w.stem for w in sentence]
        triggers = find_triggers(sentence, self.vocab, set())
        out: list[HazardHit] = []

        def find(term: tuple[str, ...]) -> tuple[str, str] | None:
            """(status, words) of the first occurrence of a term that is not denied."""
            k = len(term)
            first = None
            for i in range(len(stems) - k + 1):
                if term_at(term, sentence, i):
                    status, _ = status_of(sentence, i, i + k, triggers)
                    hit = (status, " ".join(w.raw for w in sentence[i : i + k]))
                    if status != ABSENT:
                        return hit
                    first = first or hit
            return first

        for rule in self.rules:
            if rule.terms:
                hits = [h for h in (find(t) for t in rule.terms if t) if h]
                live = [h for h in hits if h[0] != ABSENT]
                chosen = live[0] if live else (hits[0] if hits else None)
                if chosen:
                    out.append(
                        HazardHit(text, chosen[1], chosen[0], rule.flag, rule.tag, rule.when_tag)
                    )
            if rule.groups:
                found = []
                for group in rule.groups:
                    hits = [h for h in (find(t) for t in group if t) if h and h[0] != ABSENT]
                    if not hits:
                        break
                    found.append(hits[0])
                else:
                    status = found[0][0]
                    out.append(
                        HazardHit(
                            text,
                            " ... ".join(h[1] for h in found),
                            status,
                            rule.flag,
                            rule.tag,
                            rule.when_tag,
                        )
                    )
        # several rows may name one flag (its words, and its words as a finding): one hit
        # each, a live one before a denied one
        best: dict[tuple[str | None, str | None, str | None], HazardHit] = {}
        for h in out:
            key = (h.flag, h.tag, h.when_tag)
            if key not in best or (best[key].status == ABSENT and h.status != ABSENT):
                best[key] = h
        return list(best.values())


@per_parts("reading")
def scanner(kb: KnowledgeBase) -> Scanner:
    return Scanner(kb)


def scan(kb: KnowledgeBase, texts: Iterable[str]) -> list[HazardHit]:
    s = scanner(kb)
    return [h for t in texts for h in s.scan(t)]
