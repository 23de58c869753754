"""ConText (Harkema et al. 2009) over the rules in data/reading.yaml: which words change what
a finding near them means (negated, uncertain, in the past, a relative's, someone else's),
how far each reaches, and what ends its reach. Shared by the reader and the danger-word
scan, so both read "no chest pain" alike. docs/reading.md explains the scope rules.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from anmian.engine.memo import per_parts
from anmian.engine.record import Record
from anmian.engine.text import Word, clean, stem, words
from anmian.knowledge import KnowledgeBase

if TYPE_CHECKING:  # pydantic; the CLI's cached path runs without it (engine/kb_cache.py)
    from anmian.knowledge.models import Reading

# Status words of the JSON contract.
PRESENT, ABSENT, UNCERTAIN, HISTORICAL, FAMILY, OTHER = (
    "present",
    "absent",
    "uncertain",
    "historical",
    "family",
    "other",
)
STATUS_OF = {
    "negated": ABSENT,
    "possible": UNCERTAIN,
    "historical": HISTORICAL,
    "family": FAMILY,
    "other": OTHER,
}
# The words that join a list's last item ("sleep, bowels and urination were all normal").
_LIST_JOINS = frozenset({"and", "or", "nor"})
# A clause with a subject of its own after a comma is a new statement: "I never have trouble
# falling asleep, I just wake too early" denies only the first (a sentence scope stops there).
_SUBJECTS = frozenset({"i", "he", "she", "we", "they"})
# When several triggers reach a finding: whose it is first, then whether it is there.
PRIORITY = {OTHER: 0, FAMILY: 1, ABSENT: 2, HISTORICAL: 3, UNCERTAIN: 4}


# --- the compiled vocabulary of a knowledge base ---------------------------------------


class Trigger(Record):
    __slots__ = (  # noqa: RUF023
        "words",
        "category",
        "direction",
        "scope",
        "only_after",
        "pseudo_before",
        "only_with",
    )

    def __init__(
        self,
        words: tuple[str, ...],
        category: str | None,
        direction: str,
        scope: str,
        only_after: frozenset[str],
        pseudo_before: frozenset[str],
        only_with: frozenset[str] = frozenset(),
    ) -> None:
        self.words = words
        self.category = category
        self.direction = direction
        self.scope = scope
        self.only_after = only_after
        self.pseudo_before = pseudo_before
        self.only_with = only_with


class Vocabulary:
    """What the reader skips and which words change a finding's status, compiled once."""

    def __init__(self, reading: Reading):
        self.contractions = dict(reading.contractions)
        self.rewrites = [(re.compile(r.pattern), f" {r.to} ") for r in reading.rewrites]
        self.stop = frozenset(reading.stop_words)
        self.qualifiers = frozenset(reading.qualifiers)
        self.sites = frozenset(reading.body_sites)
        self.joining = frozenset(reading.joining_words)
        self.not_before_times = frozenset(reading.leg_times_not_after)
        self.nouns = dict(reading.context_nouns)
        self.forms = dict(reading.word_forms)
        self.functions = frozenset(self.stem(w) for w in reading.function_words)
        self.affirmations = frozenset(reading.affirmations)
        self.function_complaints = frozenset(reading.function_complaints)
        self.function_troubles = frozenset(reading.function_troubles)
        self.describing = frozenset(self.stem(w) for w in reading.describing_words)
        self.leg_time_subjects = frozenset(reading.leg_time_subjects)
        self.other_parts = frozenset(reading.other_body_parts)
        self.triggers: dict[str, list[Trigger]] = {}
        for rule in reading.context:
            ws = tuple(words(clean(rule.literal), self.contractions))
            trig = Trigger(
                ws,
                rule.category,
                rule.direction,
                rule.scope,
                frozenset(rule.only_after),
                frozenset(rule.pseudo_before),
                frozenset(rule.only_with),
            )
            self.triggers.setdefault(ws[0], []).append(trig)
        for found in self.triggers.values():
            found.sort(key=lambda t: -len(t.words))  # longest first: "no longer" before "no"
        # the words of real triggers (pseudo rows such as "no appetite" hold content words)
        self.trigger_words = frozenset(
            w
            for ts in self.triggers.values()
            for t in ts
            if t.direction != "pseudo"
            for w in t.words
        )
        self.ignorable = self.stop | self.qualifiers | self.sites | self.trigger_words | {"?"}
        # one-word denials ("no", "never", "none"): a sentence of these alone answers a
        # question before it ("night sweats? no")
        self.denials = frozenset(
            t.words[0]
            for ts in self.triggers.values()
            for t in ts
            if t.category == "negated" and len(t.words) == 1
        )

    def stem(self, word: str) -> str:
        """The stem of a word's canonical form: "swollen" and "swelling" share one."""
        return stem(self.forms.get(word, word))

    def rewrite(self, text: str) -> str:
        for pattern, to in self.rewrites:
            text = pattern.sub(to, text)
        return text

    def content(self, sentence: list[Word]) -> list[int]:
        """Positions of the words that may carry a finding."""
        # a bare number ("3 times a night", "stage 4") says how much, never what
        return [
            i
            for i, w in enumerate(sentence)
            if w.raw not in self.stop and w.raw != "?" and not w.raw.replace(".", "").isdigit()
        ]


@per_parts("reading")
def vocabulary(kb: KnowledgeBase) -> Vocabulary:
    return Vocabulary(kb.reading)


def find_triggers(
    sentence: list[Word], vocab: Vocabulary, taken: set[int]
) -> list[tuple[int, int, Trigger]]:
    """(start, end, rule) of every trigger in the sentence, pseudo ones included; a word
    inside a reading (the "no" of "little or no tongue coat") is not a trigger."""
    out = []
    i = 0
    raw = [w.raw for w in sentence]
    while i < len(raw):
        found = None
        if i not in taken:
            for trig in vocab.triggers.get(raw[i], ()):
                k = len(trig.words)
                if tuple(raw[i : i + k]) != trig.words:
                    continue
                before = raw[i - 1] if i else ""
                if trig.only_after and before not in trig.only_after:
                    continue
                if trig.pseudo_before and before in trig.pseudo_before:
                    continue
                if trig.only_with and not trig.only_with.intersection(raw[i + k :]):
                    continue
                found = (i, i + k, trig)
                break
        if found:
            out.append(found)
            i = found[1]  # a trigger's own words are not triggers ("do not know if")
        else:
            i += 1
    return out


def status_of(
    sentence: list[Word],
    start: int,
    end: int,
    triggers: list[tuple[int, int, Trigger]],
    inside: bool = False,
    lists: bool = True,
) -> tuple[str, bool]:
    """The status of the words start..end, and whether it was carried across a comma.

    A `list` trigger after a list ("sleep, bowels and urination were all normal") reaches
    back over its commas only when its own clause joins the last item with "and" or "or";
    with lists=False (danger words) it keeps to its own clause, so "chest pain, bloods and
    scans all normal" never denies the chest pain."""
    terminators = [s for s, _, t in triggers if t.direction == "terminate"]
    # a terminator that leads a past marker in ("..., but they have stopped"): the marker
    # looks back past it, over the whole sentence, as "but it went away" does
    leads = {e: s for s, e, t in triggers if t.direction == "terminate"}
    seg_of = [w.segment for w in sentence]
    # "no fever, chills or night sweats": a list that ends in "or" carries a negation on
    list_end = [i for i, w in enumerate(sentence) if w.raw in ("or", "nor")]
    best: tuple[int, str, bool] | None = None
    for t_start, t_end, trig in triggers:
        if trig.direction in ("terminate", "pseudo") or trig.category is None:
            continue
        reach = across = False
        if inside and start < t_start < end and trig.direction != "backward":
            # a trigger between the words of a reading ("urine is not dark") reaches it
            reach = True
        forward = trig.direction in ("forward", "bidirectional") and start >= t_end
        if not reach and forward and not any(t_end <= s < start for s in terminators):
            across = seg_of[start] != seg_of[t_start]
            reach = (
                not across
                or (trig.scope == "sentence" and not _new_subject(sentence, t_end, start))
                or any(p >= t_end and seg_of[p] >= seg_of[start] for p in list_end)
            )
        backward = trig.direction in ("backward", "bidirectional") and end <= t_start
        led = _led(sentence, leads, t_start) if trig.category == "historical" else None
        if not reach and backward and not any(end <= s < t_start and s != led for s in terminators):
            across = seg_of[end - 1] != seg_of[t_start]
            reach = (
                not across
                or trig.scope == "sentence"
                or led is not None
                or (
                    trig.scope == "list"
                    and lists
                    and any(
                        seg_of[p] == seg_of[t_start] and sentence[p].raw in _LIST_JOINS
                        for p in range(end, t_start)
                    )
                )
            )
        if reach:
            status = STATUS_OF[trig.category]
            rank = PRIORITY[status]
            if best is None or rank < best[0]:
                best = (rank, status, across)
    if best is None:
        return PRESENT, False
    return best[1], best[2]


# the words that may stand between a leading "but" and its past marker ("but they have")
_LEAD_IN = frozenset({"it", "they", "that", "these", "this", "those", "has", "have", "had", "all"})


def _led(sentence: list[Word], leads: dict[int, int], at: int) -> int | None:
    """The start of a terminator that leads straight into the trigger at `at`, if any."""
    p = at
    while p > 0 and sentence[p - 1].raw in _LEAD_IN:
        p -= 1
    return leads.get(p)


def _new_subject(sentence: list[Word], after: int, upto: int) -> bool:
    """Does a clause between `after` and `upto` open, after a comma, with a subject of its own?"""
    return any(
        sentence[p].segment != sentence[p - 1].segment and sentence[p].raw in _SUBJECTS
        for p in range(max(after, 1), upto + 1)
    )
