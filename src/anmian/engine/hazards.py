"""Danger words found in free text, whether or not the reader could place them.

The reader (resolve.py) maps text to findings; this module does not. It looks for the
words of data/reading.yaml's `hazards` in every sentence, sets their status with the same
ConText rules (so "no chest pain" is not a hazard), and hands the hits to safety, which puts
the plan on hold for any that no red flag has already answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import product

from anmian.engine.memo import per_parts
from anmian.engine.modifiers import (
    ABSENT,
    FAMILY,
    OTHER,
    PRESENT,
    UNCERTAIN,
    Trigger,
    find_triggers,
    status_of,
    vocabulary,
)
from anmian.engine.record import Record
from anmian.engine.resolve import FIRST_PERSON, HazardHit, term_at, term_stems
from anmian.engine.text import Word, clean, has_cjk, sentences, words
from anmian.engine.zh import scan_hazards
from anmian.knowledge import KnowledgeBase

Hit = tuple[int, int, str]  # start, end, status
Found = tuple[int, int, Trigger]  # a trigger's start, end and rule
# a list of terms keyed by first word, and each term's place in the list
_Terms = tuple[dict[str, list[tuple[str, ...]]], dict[tuple[str, ...], int]]


class _Rule(Record):
    __slots__ = (  # noqa: RUF023 (the fields, in order)
        "flag",
        "tag",
        "when_tag",
        "terms",
        "groups",
        "near",
        "denied_by",
        "after",
    )

    def __init__(
        self,
        flag: str | None,
        tag: str | None,
        when_tag: str | None,
        terms: tuple[tuple[str, ...], ...],  # stem sequences, any one of which is a hit
        groups: tuple[tuple[tuple[str, ...], ...], ...],  # each group must be hit in the sentence
        near: int | None,  # the groups' hits at most this many words apart
        denied_by: tuple[tuple[str, ...], ...],  # word sequences that deny the row in its clause
        after: str | None,  # a flag an earlier sentence must have named (denied or not)
    ) -> None:
        self.flag = flag
        self.tag = tag
        self.when_tag = when_tag
        self.terms = terms
        self.groups = groups
        self.near = near
        self.denied_by = denied_by
        self.after = after


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
                h.near,
                tuple(tuple(words(clean(d), self.vocab.contractions)) for d in h.denied_by),
                h.after,
            )
            for h in kb.reading.hazards
        ]
        self._cache: dict[str, list[HazardHit]] = {}
        # the terms of each rule (its `terms`, then each group) keyed by their first word, so
        # a sentence is read word by word rather than term by term; and each term's place in
        # its list, so hits come out in the order the data gives (the first term first)
        self._by_first: list[list[_Terms]] = []
        for rule in self.rules:
            lists = ([rule.terms] if rule.terms else []) + list(rule.groups)
            compiled = []
            for terms in lists:
                first: dict[str, list[tuple[str, ...]]] = {}
                for t in terms:
                    if t:
                        first.setdefault(t[0], []).append(t)
                order = {t: k for k, t in reversed(list(enumerate(terms)))}
                compiled.append((first, order))
            self._by_first.append(compiled)

    def scan(self, text: str) -> list[HazardHit]:
        got = self._cache.get(text)
        if got is None:
            got = []
            named: set[str] = set()  # flags named so far, denied or not (for `after` rows)
            for s in sentences(text, self.vocab.contractions, self.vocab.forms):
                hits = self._scan(text, s, named)
                got += hits
                named.update(h.flag for h in hits if h.flag)
            if has_cjk(text):  # Chinese danger and safety words (engine/zh_reading.yaml)
                got += [
                    HazardHit(text, words, status, h.flag, h.tag, h.when_tag)
                    for h, words, status in scan_hazards(text)
                ]
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[text] = got
        return got

    def _scan(self, text: str, sentence: list[Word], named: set[str]) -> list[HazardHit]:
        raw = [w.raw for w in sentence]
        base = find_triggers(sentence, self.vocab, set())
        out: list[HazardHit] = []

        # each word's keys into the terms' first words: its stem, and "=word" as written
        keys = [(w.stem, "=" + w.raw) for w in sentence]
        present = {k for pair in keys for k in pair}

        def spans(terms: _Terms) -> list[tuple[int, int]]:
            """(start, end) of every hit of these terms, in the order of the terms."""
            first, order = terms
            if first.keys().isdisjoint(present):
                return []  # no term's first word is here: most rows, for most sentences
            got: list[tuple[int, int, int]] = []
            for i, (st, as_written) in enumerate(keys):
                for term in (*first.get(st, ()), *first.get(as_written, ())):
                    if i + len(term) <= len(raw) and term_at(term, sentence, i):
                        got.append((order[term], i, i + len(term)))
            return [(a, b) for _, a, b in sorted(got)]

        def said(hits: list[Hit]) -> str:
            return " ... ".join(" ".join(raw[s:e]) for s, e, _ in hits)

        for n, rule in enumerate(self.rules):
            if rule.after and rule.after not in named:
                continue
            found = [spans(g) for g in self._by_first[n]]
            if not any(found):
                continue
            triggers = base
            # A trigger inside the row's own words is part of the danger, not a denial of it:
            # "I wouldn't mind if I died", "can no longer see why I should go on living".
            taken = {i for group in found for s, e in group for i in range(s, e)}
            if any(s in taken for s, _, _ in base):
                triggers = find_triggers(sentence, self.vocab, taken)
            if rule.denied_by:
                triggers = [*triggers, *self._denials(raw, rule.denied_by)]

            def status(s: int, e: int, tr: list[Found] = triggers) -> str:
                return _status(sentence, s, e, tr)

            if rule.terms:
                hits = [(s, e, status(s, e)) for s, e in found[0]]
                live = [h for h in hits if h[2] != ABSENT]
                chosen = live[0] if live else (hits[0] if hits else None)
                if chosen:
                    out.append(
                        HazardHit(
                            text, said([chosen]), chosen[2], rule.flag, rule.tag, rule.when_tag
                        )
                    )
            if rule.groups:
                groups = found[1:] if rule.terms else found
                live_groups = [
                    [(s, e, st) for s, e in g if (st := status(s, e)) != ABSENT] for g in groups
                ]
                combo = _together(live_groups, rule.near, [w.segment for w in sentence])
                if combo:
                    out.append(
                        HazardHit(
                            text, said(combo), combo[0][2], rule.flag, rule.tag, rule.when_tag
                        )
                    )
        # several rows may name one flag (its words, and its words as a finding): one hit
        # each, a live one (present, then uncertain) before one of the past, of someone else
        # or denied: "I no longer feel when my bladder is full" is a lost sense now, not the
        # past's "no longer" another row reads
        best: dict[tuple[str | None, str | None, str | None], HazardHit] = {}
        for h in out:
            key = (h.flag, h.tag, h.when_tag)
            if key not in best or _rank(h.status) < _rank(best[key].status):
                best[key] = h
        return list(best.values())

    @staticmethod
    def _denials(raw: list[str], denied_by: tuple[tuple[str, ...], ...]) -> list[Found]:
        out = []
        for seq in denied_by:
            k = len(seq)
            for i in range(len(raw) - k + 1):
                if tuple(raw[i : i + k]) == seq:
                    trig = Trigger(
                        seq, "negated", "bidirectional", "segment", frozenset(), frozenset()
                    )
                    out.append((i, i + k, trig))
        return out


def _rank(status: str) -> int:
    """Which of two hits of one flag is kept: the live one, the denied one last."""
    return {PRESENT: 0, UNCERTAIN: 1, ABSENT: 3}.get(status, 2)


def _status(sentence: list[Word], s: int, e: int, triggers: list[Found]) -> str:
    st, _ = status_of(sentence, s, e, triggers, lists=False)
    if st in (OTHER, FAMILY) and FIRST_PERSON.intersection(w.raw for w in sentence[s:e]):
        return PRESENT
    return st


def _together(groups: list[list[Hit]], near: int | None, segment: list[int]) -> list[Hit] | None:
    """One live hit of each group, the first ones; with `near`, the first set whose hits
    lie in one clause within that many words of each other ("pale pink tongue, dry cough"
    is not pink phlegm)."""
    if not groups or not all(groups):
        return None
    if near is None:
        return [g[0] for g in groups]
    for combo in product(*groups):
        close = max(s for s, _, _ in combo) - min(e for _, e, _ in combo) <= near
        if close and len({segment[s] for s, _, _ in combo}) == 1:
            return list(combo)
    return None


@per_parts("reading")
def scanner(kb: KnowledgeBase) -> Scanner:
    return Scanner(kb)


def scan(kb: KnowledgeBase, texts: Iterable[str]) -> list[HazardHit]:
    s = scanner(kb)
    return [h for t in texts for h in s.scan(t)]
