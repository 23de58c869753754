"""Read free text (ids, labels, synonyms, clinical notes, a person's own words) into
knowledge-base ids, each with its status: present, absent, uncertain, historical, in a
relative, or about someone else.

How a phrase is read (docs/reading.md has the details and the reasons):

1. exact: the whole phrase is an id, a label or a synonym (confidence 1.0);
2. otherwise it is cleaned, split into sentences and segments ("dry mouth, wants cold
   drinks"), and each segment is covered left to right by the longest run of words whose
   stems, in any order, are an alias ("tongue red at the tip" meets "red tongue tip").
   Stop words, qualifiers ("since last winter", "twice a week") and body sites ("in the
   shins") are skipped; a bare quality borrows a context noun ("pulse: thin, rapid"). A
   word the base does not know is corrected only to a word it does know, by one or two
   edits (a typo); a known word is never changed into another, so "legs" never becomes
   "arms" (confidence 0.9 for a cover, lower for a corrected spelling);
3. ConText rules from the base (data/reading.yaml) then set each reading's status;
4. the words that no alias covers are reported as not understood, with close candidates.

Everything a phrase contains that comes near a danger sign is collected separately as a
`HazardHit`, so that safety never depends on the reading being right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise, product

from anmian.engine.memo import per_parts
from anmian.engine.modifiers import (
    ABSENT,
    FAMILY,
    HISTORICAL,
    OTHER,
    PRESENT,
    PRIORITY,
    UNCERTAIN,
    Trigger,
    Vocabulary,
    find_triggers,
    status_of,
    vocabulary,
)
from anmian.engine.record import Record, replace
from anmian.engine.text import Word, clean, english_words, has_cjk, sentences, words
from anmian.engine.zh import ZhIndex, to_traditional
from anmian.engine.zh import rules as zh_rules
from anmian.knowledge import KnowledgeBase

__all__ = [  # the status words are part of the reader's contract
    "ABSENT",
    "FAMILY",
    "HISTORICAL",
    "OTHER",
    "PRESENT",
    "UNCERTAIN",
    "HazardHit",
    "Index",
    "Match",
    "Resolution",
    "Unresolved",
    "indexes",
    "normalise",
    "resolve",
]

# The person's own words: a danger term that says "me" or "my" is the writer's, even in a
# sentence about a relative ("my husband and children are better off without me").
FIRST_PERSON = frozenset({"i", "me", "my", "myself", "mine"})
FUZZY_SURE = 0.90  # below this a reading is reported as low confidence
COVER_CONFIDENCE = 0.9
MAX_SPAN = 7
CACHE_SIZE = 4096  # readings kept per index, by phrase
_FOR = re.compile(r"\bfor\b")
_AGE = re.compile(
    r"\b(\d{1,3})[\s-]*(?:years?|yrs?|y)[\s-]*old\b|\baged?\s+(\d{1,3})\b"
    # "in my sixties", "in her 70s", "over 60": the decade (or the number) is the age
    r"|\bin\s+(?:my|his|her|their)\s+(?:(\d)0'?s|(fifties|sixties|seventies|eighties|nineties))\b"
    r"|\b(?:over|past|turned)\s+(\d{2})\b(?!\s*(?:%|percent|mg|kg|minutes|hours|times))"
    # "I'm 76, retired": a bare number said of oneself, ending its clause, is an age ("I'm
    # 20 weeks" is not: a unit follows)
    r"|\bi(?:'m|\s+am)\s+(\d{2,3})(?=\s*(?:[,.;!?)]|$))"
)
_DECADES = {"fifties": 50, "sixties": 60, "seventies": 70, "eighties": 80, "nineties": 90}


def _age(m: re.Match[str]) -> int:
    if m.group(1) or m.group(2):
        return int(m.group(1) or m.group(2))
    if m.group(3):
        return int(m.group(3)) * 10
    if m.group(4):
        return _DECADES[m.group(4)]
    return int(m.group(5) or m.group(6))


def normalise(text: str, contractions: dict[str, str] | None = None) -> str:
    """Lower-case words joined by single spaces: the key of an exact match. With the base's
    contractions, "can't sleep" and "can not sleep" have one key."""
    return " ".join(w for w in words(clean(text).replace("-", " "), contractions or {}) if w != "?")


class Match(Record):
    """An entry read in a phrase, with its status and how sure the reading is (never changed:
    a copy with another text or status is made by `record.replace`)."""

    __slots__ = ("text", "id", "confidence", "how", "status", "part", "kind")  # noqa: RUF023

    def __init__(
        self,
        text: str,  # the phrase as written
        id: str,
        confidence: float,
        how: str,  # exact | cover | fuzzy
        status: str = PRESENT,
        part: str = "",  # the words that were read as this entry
        kind: str = "finding",  # finding | medication | drug-class | condition
    ) -> None:
        self.text = text
        self.id = id
        self.confidence = confidence
        self.how = how
        self.status = status
        self.part = part
        self.kind = kind

    @property
    def level(self) -> str:
        if self.confidence >= 0.999:
            return "exact"
        return "high" if self.confidence >= FUZZY_SURE else "low"


class Unresolved(Record):
    """Words of a phrase that read as nothing known, with the closest candidates."""

    __slots__ = ("text", "suggestions", "part")  # noqa: RUF023

    def __init__(
        self,
        text: str,  # the phrase as written
        suggestions: tuple[str, ...],
        part: str = "",  # the words that could not be read (the whole phrase when empty)
    ) -> None:
        self.text = text
        self.suggestions = suggestions
        self.part = part


class HazardHit(Record):
    """Words near a danger sign (flag) or a state that changes what is safe (tag)."""

    __slots__ = ("text", "words", "status", "flag", "tag", "when_tag")  # noqa: RUF023

    def __init__(
        self,
        text: str,
        words: str,
        status: str,
        flag: str | None = None,
        tag: str | None = None,
        when_tag: str | None = None,  # the flag counts only for a person with this tag
    ) -> None:
        self.text = text
        self.words = words
        self.status = status
        self.flag = flag
        self.tag = tag
        self.when_tag = when_tag


class Resolution(Record):
    __slots__ = ("matches", "unresolved", "hazards")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # changed as it is filled in: unhashable

    def __init__(
        self,
        matches: list[Match] | None = None,
        unresolved: list[Unresolved] | None = None,
        hazards: list[HazardHit] | None = None,
    ) -> None:
        self.matches: list[Match] = [] if matches is None else matches
        self.unresolved: list[Unresolved] = [] if unresolved is None else unresolved
        self.hazards: list[HazardHit] = [] if hazards is None else hazards

    @property
    def ids(self) -> list[str]:
        """Ids read as present (what the person has now), in reading order."""
        return self.with_status(PRESENT)

    def with_status(self, status: str) -> list[str]:
        seen: dict[str, None] = {}
        for m in self.matches:
            if m.status == status:
                seen.setdefault(m.id)
        return list(seen)

    @property
    def present(self) -> list[Match]:
        return [m for m in self.matches if m.status == PRESENT]


# --- indexes ------------------------------------------------------------------------------


def _key(stems: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(stems))


def term_stems(phrase: str, vocab: Vocabulary) -> tuple[str, ...]:
    """A danger term as stems; a word written "=word" matches only as written."""
    out: list[str] = []
    for part in phrase.split():
        if part.startswith("="):
            out.append(part)
        else:
            out += [vocab.stem(w) for w in words(clean(part).replace("-", " "), vocab.contractions)]
    return tuple(out)


class Index:
    """Aliases of one kind of entry (findings, medications, conditions), ready to read."""

    def __init__(
        self,
        entries: Iterable[tuple[str, Iterable[str]]],
        vocab: Vocabulary,
        site_free: frozenset[str] = frozenset(),
        noise: frozenset[str] = frozenset(),
        kind: str = "finding",
        family: tuple[str, frozenset[str]] = ("", frozenset()),
        age: tuple[str, int] | None = None,
        past_is_present: frozenset[str] = frozenset(),
        leg_times: dict[str, str] | None = None,
        leg_times_not_with: frozenset[str] = frozenset(),
        flagged: Iterable[tuple[str, Iterable[Iterable[str]], int | None]] = (),
        family_same: Iterable[str] = (),
        of_legs: frozenset[str] = frozenset(),
        includes: dict[str, tuple[str, ...]] | None = None,
        noun_of: dict[str, str] | None = None,
        denied_whole: dict[str, tuple[str, ...]] | None = None,
        thoughts: frozenset[str] = frozenset(),
        timing: frozenset[str] = frozenset(),
    ):
        """site_free: ids whose aliases are also indexed without their body-site words (leg
        findings: "aching in the shins" is leg-aching). noise: words dropped before lookup
        (doses and schedules for medicines)."""
        self.vocab = vocab
        self.noise = noise
        self.kind = kind
        self.family_finding, self.family_from = family
        self.family_same = [tuple(words(clean(w), vocab.contractions)) for w in family_same]
        self.family_same.sort(key=len, reverse=True)
        self.age = age
        self.past_is_present = past_is_present
        # findings that are thoughts: "I think life is not worth it" is the thought itself
        self.thoughts = thoughts
        self.timing = timing  # findings that say when the legs are worse (or that they are not)
        self.site_free = site_free
        self.leg_times = leg_times or {}
        self.leg_time_ids = frozenset(self.leg_times.values())
        # findings about the legs and their times: not read of another part of the body
        self.of_legs = of_legs
        self.includes = includes or {}
        # the context noun a finding stands for ("tongue-tooth-marked": the tongue), lent
        # to the bare qualities of a sentence that names no noun itself
        self.noun_of = noun_of or {}
        self.leg_times_not_with = leg_times_not_with
        # red-flag findings and their danger words: groups of terms, one term of each group
        # in the sentence (terms as stem sequences, a word written "=word" as written)
        # (and `near`: the groups' hits within so many words, in one clause)
        self.flagged: list[tuple[str, tuple[tuple[tuple[str, ...], ...], ...], int | None]] = [
            (entry, tuple(tuple(term_stems(t, vocab) for t in g) for g in groups), near)
            for entry, groups, near in flagged
        ]
        self.red = frozenset(entry for entry, _, _ in self.flagged)
        # stems of words that qualify rather than name ("times", "night"): never borrowed
        # from the middle of a reading
        self.loose_stems = frozenset(vocab.stem(w) for w in vocab.ignorable | set(leg_times or ()))
        # The Chinese wordings (engine/zh.py), on the findings index only.
        self.zh: ZhIndex | None = None
        self.alias: dict[str, str] = {}  # normalised whole alias -> id
        self.keys: dict[tuple[str, ...], str] = {}  # sorted content stems -> id
        # One-word keys left when filler was stripped from a longer alias ("feeling low" ->
        # "low", "hot legs" -> "hot"): trusted only when nothing else in the segment needs
        # reading, so "sore low back" never reads "low" as low mood.
        self.weak: set[tuple[str, ...]] = set()
        # A leg finding's aliases without their site words ("heavy" from "heavy calves"):
        # used only when the sentence names a body site ("heaviness in my thighs"), so a
        # bare "cold" is not read as cold legs.
        self.site_keys: dict[tuple[str, ...], str] = {}
        self.names: dict[str, str] = {}  # id -> a readable name for suggestions
        known: set[str] = set()
        skip = vocab.stop | noise
        for entry_id, names in entries:
            names = list(names)
            self.names.setdefault(entry_id, names[0] if names else entry_id)
            # An id is an exact alias only: "symptoms-move-around" must not make "move" a key.
            if ":" not in entry_id and not entry_id.startswith("!"):
                self.alias.setdefault(normalise(entry_id, vocab.contractions), entry_id)
            for name in names:
                norm = normalise(name, vocab.contractions)
                if not norm:
                    continue
                self.alias.setdefault(norm, entry_id)
                ws = [w for w in norm.split() if w not in skip]
                known.update(norm.split())
                if (
                    not ws
                    or all(w in vocab.sites for w in ws)
                    or (len(ws) == 1 and ws[0] in vocab.qualifiers)
                ):
                    continue  # "the legs", "at night": nothing left that names a finding
                self._add(
                    _key(vocab.stem(w) for w in ws), entry_id, weak=len(ws) < len(norm.split())
                )
                if entry_id in site_free:
                    bare = [w for w in ws if w not in vocab.sites]
                    if bare and len(bare) < len(ws):
                        self.site_keys.setdefault(_key(vocab.stem(w) for w in bare), entry_id)
        # general words held only in their kinds ("headache"): read as a key of their own
        # (an id starting "+") unless an alias has the key already ("greasy coat"), and
        # when denied every kind is denied ("no headaches")
        self.whole: dict[tuple[str, ...], tuple[str, ...]] = {}
        for name, kinds in (denied_whole or {}).items():
            ws = [w for w in normalise(name, vocab.contractions).split() if w not in skip]
            key = _key(vocab.stem(w) for w in ws)
            self.whole[key] = tuple(kinds)
            self.keys.setdefault(key, "+" + name)
            known.update(ws)
        self.known = frozenset(known | vocab.ignorable | noise | set(vocab.nouns))
        # qualifiers that are half of a two-word alias ("better", "worse"): kept when the
        # other qualifiers between words are dropped
        self.pair_words = frozenset(
            w
            for key in self.keys
            if len(key) == 2
            for w in key
            if w in {vocab.stem(q) for q in ("better", "worse", "eased", "relieved")}
        )
        # words another index knows ("liver", "warfarin"): never "corrected" into this one's
        self.protected: frozenset[str] = frozenset()
        self._known_list = sorted(w for w in self.known if w.isalpha() and len(w) >= 3)
        # a word the base gives a form for is a word, not a typo ("worst" is worse), though
        # no typo is corrected into it ("tries" is not "tires")
        self.known = self.known | frozenset(vocab.forms)
        # stems of the aliases: a word with one of them is a form of a known word
        self.known_stems = frozenset(st for key in (*self.keys, *self.site_keys) for st in key)
        self._alias_list = list(self.alias)
        self._cache: dict[str, tuple[list[Match], list[Unresolved]]] = {}
        self._spelling: dict[str, tuple[str, float] | None] = {}

    def _add(self, key: tuple[str, ...], entry_id: str, weak: bool) -> None:
        if key not in self.keys:
            self.keys[key] = entry_id
            if weak and len(key) == 1:
                self.weak.add(key)
        elif not weak and self.keys[key] == entry_id:
            self.weak.discard(key)

    def spell(self, word: str) -> tuple[str, float] | None:
        """A known word one edit away (two for long words), if exactly one is closest."""
        if word in self._spelling:
            return self._spelling[word]
        found = None
        if (
            word.isalpha()
            and len(word) >= 4
            and word not in self.known
            and word not in self.protected
        ):
            from rapidfuzz import process
            from rapidfuzz.distance import OSA

            limit = 2 if len(word) >= 6 else 1
            from rapidfuzz.fuzz import ratio

            close = process.extract(
                word, self._known_list, scorer=OSA.distance, score_cutoff=limit, limit=None
            )
            # The first letter is kept ("wired" is not "tired"); two edits only between words
            # of one length ("tounge" -> "tongue", not "working" -> "worrying"). Ties go to
            # the more similar word, and a tie that remains is not guessed.
            # Two edits also keep the first two letters: "pillow" is not "pallor".
            ranked = sorted(
                (d, -ratio(word, w), w)
                for w, d, _ in close
                if w[0] == word[0] and (d <= 1 or (len(w) == len(word) and w[1] == word[1]))
            )
            if ranked and (len(ranked) == 1 or ranked[0][:2] != ranked[1][:2]):
                best, _, chosen = ranked[0]
                found = (chosen, round(1 - best / max(len(word), 1) / 2, 2))
                # a word that is a form of a known word is never "corrected" into a stop word
                # ("irritation" is not "irritating"); a common English word is spelled right,
                # so it is never "corrected" into another word ("finding" is not "fizzing",
                # "tried" not "tired"), only into a form of itself ("cheek" is "cheeks")
                stop = chosen in self.vocab.stop and self.vocab.stem(word) in self.known_stems
                other = self.vocab.stem(chosen) != self.vocab.stem(word)
                if stop or (other and word in english_words()):
                    found = None
        self._spelling[word] = found
        return found

    def suggest(self, text: str, limit: int = 3) -> tuple[str, ...]:
        """The closest entries by spelling, for a person to choose from (never applied)."""
        from rapidfuzz import fuzz, process

        found = process.extract(
            normalise(text),
            self._alias_list,
            scorer=fuzz.token_set_ratio,
            limit=limit * 4,
            score_cutoff=50,  # the same as dropping those under 50 after, and faster
        )
        best: dict[str, float] = {}
        for key, score, _ in found:
            if score >= 50:
                entry = self.alias[key]
                best[entry] = max(best.get(entry, 0.0), score)
        return tuple(k for k, _ in sorted(best.items(), key=lambda kv: -kv[1])[:limit])

    def read(self, text: str) -> tuple[list[Match], list[Unresolved]]:
        got = self._cache.get(text)
        if got is None:
            got = _read(text, self)
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[text] = got
        return got


# --- reading one phrase -------------------------------------------------------------------


class _Hit(Record):
    __slots__ = ("id", "start", "end", "confidence", "how", "words", "function")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # its id may change: unhashable

    def __init__(
        self,
        id: str,
        start: int,  # positions in the sentence
        end: int,  # exclusive
        confidence: float,
        how: str,
        words: tuple[int, ...] = (),  # the positions read as it (a "not" between is not)
        function: bool = False,  # a weak key that names a body function ("sleep"): read if denied
    ) -> None:
        self.id = id
        self.start = start
        self.end = end
        self.confidence = confidence
        self.how = how
        self.words = words
        self.function = function


def _sites_spoken_for(
    sentence: list[Word], segments: dict[int, list[int]], corrected: dict[int, float], index: Index
) -> bool:
    """Whether every body site in the sentence is a word of a wording that is not the legs'
    ("cold hands and feet", "cold extremities"): such a site is that finding's, and lends
    the other segments no leg ("tired and pale, with cold hands and feet" is tiredness, not
    tired legs; "cold limbs" leaves "cold in the lower back" alone)."""
    vocab = index.vocab
    sites = {p for p, w in enumerate(sentence) if w.raw in vocab.sites}
    covered: set[int] = set()
    for positions in segments.values():
        if sites.isdisjoint(positions):
            continue
        stems = [sentence[p].stem for p in positions]
        fixed = [corrected.get(p, 1.0) for p in positions]
        own = [
            vocab.stem(vocab.nouns[sentence[p].raw])
            for p in positions
            if sentence[p].raw in vocab.nouns
        ]
        for i, j, entry in _segment_hits(positions, stems, fixed, own, index):
            if entry.lstrip("!") not in index.of_legs:
                covered.update(p for p in positions[i:j] if p in sites)
    return covered == sites


def _cover(
    sentence: list[Word], index: Index, carried: tuple[str, ...] = ()
) -> tuple[list[_Hit], list[list[int]]]:
    """Longest-match cover of each segment; returns the hits and the runs of unread words."""
    vocab = index.vocab
    # Correct the spelling of unknown words first (only into known words), so that a
    # corrected word counts as what it is: "calfs" is a body site, "evning" a time.
    corrected: dict[int, float] = {}
    sentence = list(sentence)
    for pos, w in enumerate(sentence):
        fix = index.spell(w.raw)
        if fix:
            sentence[pos] = Word(fix[0], vocab.stem(fix[0]), w.segment)
            corrected[pos] = fix[1]
    # context nouns: the segment's own first, then the sentence's; any body site in the
    # sentence makes "leg" one ("aching in the shins" is a leg finding, not body aches)
    # (a sentence that names none borrows the one before's: "Pale tongue. Not red or
    # cracked." is about the tongue)
    phrase_nouns = [vocab.nouns[w.raw] for w in sentence if w.raw in vocab.nouns] or list(carried)
    segments: dict[int, list[int]] = {}
    for pos in vocab.content(sentence):
        if sentence[pos].raw not in index.noise:
            segments.setdefault(sentence[pos].segment, []).append(pos)
    if any(w.raw in vocab.sites for w in sentence) and not _sites_spoken_for(
        sentence, segments, corrected, index
    ):
        phrase_nouns.append("leg")
    hits: list[_Hit] = []
    unread: list[list[int]] = []
    shared: list[_Segment] = []
    for positions in _qualities_joined(list(segments.values()), sentence, index, phrase_nouns):
        stems = [sentence[pos].stem for pos in positions]
        fixed = [corrected.get(pos, 1.0) for pos in positions]
        own = [vocab.nouns[sentence[p].raw] for p in positions if sentence[p].raw in vocab.nouns]
        # a body site in the segment itself: "weak limbs" is the legs, not a weak pulse, and
        # "heaviness in the lower limbs" heavy legs, not a heavy body
        sited = any(sentence[p].raw in vocab.sites for p in positions)
        if sited:
            own.insert(0, "leg")
        nouns = [vocab.stem(x) for x in dict.fromkeys([*own, *phrase_nouns])]
        found = [
            (tuple(range(i, j)), e)
            for i, j, e in _segment_hits(positions, stems, fixed, nouns, index, sited)
        ]
        taken = {k for ks, _ in found for k in ks}
        # "urine is not dark", "hands and feet are not cold": read again without the trigger
        # words between; a longer reading found so replaces the shorter ones it spans, and
        # the trigger inside it still sets its status.
        bare = [
            k
            for k in range(len(positions))
            if sentence[positions[k]].raw not in vocab.trigger_words
        ]
        if len(bare) < len(positions) and len(bare) > 1:
            for i, j, e in _segment_hits(
                [positions[k] for k in bare],
                [stems[k] for k in bare],
                [fixed[k] for k in bare],
                nouns,
                index,
                sited,
            ):
                ks = tuple(bare[i:j])
                if len(ks) < 2 or ks[-1] - ks[0] + 1 == len(ks):
                    continue  # one word, or no trigger between: the first reading stands
                spanned = [f for f in found if set(f[0]) & set(ks)]
                if all(len(f[0]) < len(ks) for f in spanned):
                    found = [f for f in found if f not in spanned]
                    found.append((ks, e))
            taken = {k for ks, _ in found for k in ks}
        if not found:
            # "trouble falling and staying asleep": two words joined by "and" or "or" each
            # make the wording with the words around them (trouble falling asleep, trouble
            # staying asleep), when the whole reads nothing
            found = _distributed(positions, stems, fixed, nouns, index, sited, sentence)
            taken = {k for ks, _ in found for k in ks}
        # "ringing in the right ear": a qualifier inside a wording; the unread words are read
        # again without the qualifiers between them, and only new readings are kept
        loose = [k for k in range(len(positions)) if k not in taken]
        # ("better" and "worse" stay: they name "better with pressure" when a qualifier
        # stands between, as in "better when I press on them")
        plain = [
            k
            for k in loose
            if sentence[positions[k]].raw not in vocab.qualifiers or stems[k] in index.pair_words
        ]
        if 1 < len(plain) < len(loose):
            for i, j, e in _segment_hits(
                [positions[k] for k in plain],
                [stems[k] for k in plain],
                [fixed[k] for k in plain],
                nouns,
                index,
                sited,
            ):
                ks = tuple(plain[i:j])
                # only qualifiers between: "not worry about sleep" is no "not ... sleep"
                between = range(ks[0], ks[-1] + 1)
                if len(ks) > 1 and len(between) > len(ks) and all(k in loose for k in between):
                    found.append((ks, e))
                    taken.update(ks)
        # A weak one-word key ("low" from "feeling low") counts only when it is all that is
        # left to read in the segment: never inside "sore low back".
        left = [k for k in range(len(positions)) if k not in taken]
        needy = [k for k in left if not _ignorable(sentence[positions[k]].raw, vocab)]
        for k in left:
            key = (stems[k],)
            # (other names of functions beside a function's are a list of them: "sleep and
            # mood were all normal")
            function = stems[k] in vocab.functions
            others = [n for n in needy if n != k and not (function and stems[n] in vocab.functions)]
            # ...and only when nothing else in the segment was read: in "itchy skin in the
            # evening" the evening is when, not a finding of its own
            if key in index.weak and not found and not others:
                found.append(((k,), index.keys[key]))
                taken.add(k)
                break
        found.sort()
        shared.append((positions, stems, fixed, found, taken))
    _coordinate(shared, sentence, index)
    # a time of day beside a leg sensation is when the legs are worse: in its own segment,
    # or in one of the sentence's that reads nothing else ("itching in the shins, only at
    # night")
    legs = [
        any(e in index.site_free and e not in index.leg_times_not_with for _, e in found)
        for _, _, _, found, _ in shared
    ]
    # ...and in a sentence that reads nothing but says "symptoms" or "sensations", which
    # stand for the complaint being described ("my symptoms always come back at night")
    # (or reads only when in the day they are not: "symptoms in the evening, not during the
    # day")
    subject = not any(
        e.lstrip("!") not in index.timing for *_, found, _ in shared for _, e in found
    ) and any(w.raw in vocab.leg_time_subjects for w in sentence)
    if index.leg_times and (any(legs) or subject):
        have = {e for *_, found, _ in shared for _, e in found}
        for (positions, _, _, found, taken), own_legs in zip(shared, legs, strict=True):
            if not own_legs and found:
                continue
            for k in range(len(positions)):
                pos = positions[k]
                when = index.leg_times.get(sentence[pos].raw)
                after = sentence[pos - 1].raw if pos else ""
                if (
                    when
                    and when not in have
                    and k not in taken
                    and after not in vocab.not_before_times
                    and not _numeric(after)  # "4 nights a week" is how often
                ):
                    found.append(((k,), when))
                    taken.add(k)
                    have.add(when)
    for positions, stems, fixed, found, taken in shared:
        found.sort()
        for ks, entry in found:
            spelt = min(fixed[k] for k in ks)
            how = "fuzzy" if spelt < 1.0 else "cover"
            at = tuple(positions[k] for k in ks)
            one = (stems[ks[0]],)
            function = len(ks) == 1 and one in index.weak and one[0] in vocab.functions
            hits.append(
                _Hit(
                    entry, at[0], at[-1] + 1, round(COVER_CONFIDENCE * spelt, 2), how, at, function
                )
            )
        run: list[int] = []
        for k, pos in enumerate(positions):
            if k in taken or _ignorable(sentence[pos].raw, vocab):
                if run:
                    unread.append(run)
                    run = []
            else:
                run.append(pos)
        if run:
            unread.append(run)
    return _described(hits, sentence, vocab), unread


def _described(hits: list[_Hit], sentence: list[Word], vocab: Vocabulary) -> list[_Hit]:
    """A word that only says how a sensation feels ("odd", "weird") is the unnamed sensation
    of restless legs when it stands alone ("odd feelings in my legs"), but before a named
    sensation it describes that one: "an odd tingling in my legs" is tingling only."""
    starts = {h.words[0] for h in hits if h.words}
    out = []
    for h in hits:
        if len(h.words) == 1 and sentence[h.words[0]].stem in vocab.describing:
            nxt = next(
                (
                    p
                    for p in range(h.words[0] + 1, len(sentence))
                    if sentence[p].raw not in vocab.stop
                ),
                None,
            )
            if nxt in starts:
                continue
        out.append(h)
    return out


def _qualities_joined(
    segments: list[list[int]], sentence: list[Word], index: Index, nouns: list[str]
) -> list[list[int]]:
    """Join a segment that is one bare quality of the sentence's noun to the next when
    together they are a longer wording: in "yellow, greasy fur" the coat is yellow and
    greasy (one finding), not yellow plus a white greasy coat."""
    out: list[list[int]] = []
    stems_of = [index.vocab.stem(n) for n in dict.fromkeys(nouns)]
    for seg in segments:
        prev = out[-1] if out else None
        if prev and stems_of:
            # the quality is the last word of the segment before ("red tongue with yellow")
            quality = sentence[prev[-1]].stem
            if (quality,) not in index.keys and any(
                _key([quality, n]) in index.keys for n in stems_of
            ):
                merged = [prev[-1], *seg]
                stems = [sentence[p].stem for p in merged]
                hits = _segment_hits(merged, stems, [1.0] * len(merged), stems_of, index)
                if hits and hits[0][0] == 0 and hits[0][1] > 1:
                    if len(prev) > 1:
                        out[-1] = prev[:-1]
                    else:
                        out.pop()
                    out.append(merged)
                    continue
        out.append(seg)
    return out


_Segment = tuple[list[int], list[str], list[float], list[tuple[tuple[int, ...], str]], set[int]]


def _coordinate(segments: list[_Segment], sentence: list[Word], index: Index) -> None:
    """Words left over beside a reading, joined to it by "and", "or" or a comma, share its
    head: "dry hair and skin" is dry skin too, "worse in the evening and all through the
    night" is worse at night, "itchy, dry skin" is itchy skin. Each such run borrows one
    word of the neighbouring reading when that makes another alias. Without the joining word nothing is borrowed ("tongue swollen, body" is not a
    thin body)."""
    vocab = index.vocab
    readings = sorted(
        (positions[ks[0]], positions[ks[-1]], [stems[k] for k in ks], entry)
        for positions, stems, _, found, _ in segments
        for ks, entry in found
    )
    if not readings:
        return
    have = {r[3] for r in readings}

    def joined(a: int, b: int) -> bool:  # positions a < b, nothing read between them
        between = sentence[a + 1 : b]
        if any(not _ignorable(w.raw, vocab) for w in between):
            return False
        return sentence[a].segment != sentence[b].segment or any(
            w.raw in vocab.joining for w in between
        )

    for positions, stems, _, found, taken in segments:
        runs: list[list[int]] = []
        for k, pos in enumerate(positions):
            raw = sentence[pos].raw
            # times and body sites are shared too ("restless arms as well as legs")
            # qualifiers too: "late, scanty periods" are late periods, "dry hair and skin" dry
            # skin (a qualifier borrows only into a whole alias, never a weak one)
            if k in taken or (
                _ignorable(raw, vocab)
                and raw not in index.leg_times
                and raw not in vocab.sites
                and raw not in vocab.qualifiers
            ):
                runs.append([])
            elif runs and runs[-1]:
                runs[-1].append(k)
            else:
                runs.append([k])
        for run in filter(None, runs):
            first, last = positions[run[0]], positions[run[-1]]
            before = [r for r in readings if r[1] < first]
            after = [r for r in readings if r[0] > last]
            # a run after the reading shares its first word ("dry hair and skin"), a run
            # before it its last ("itchy, dry skin")
            # ... and failing that any other of its words ("late, scanty periods": late periods)
            near = []
            if before and joined(before[-1][1], first):
                near.append(before[-1][2][0])
            if after and joined(last, after[0][0]):
                near.append(after[0][2][-1])
            if before and joined(before[-1][1], first):
                near += [w for w in before[-1][2][1:] if w not in index.loose_stems]
            if after and joined(last, after[0][0]):
                near += [w for w in after[0][2][:-1] if w not in index.loose_stems]
            own = [stems[k] for k in run]
            for word in near:
                if word in own:
                    continue
                key = _key([*own, word])
                entry = None if key in index.weak else index.keys.get(key)
                if entry and entry not in have:
                    found.append((tuple(run), entry))
                    taken.update(run)
                    have.add(entry)
                    break


def _distributed(
    positions: list[int],
    stems: list[str],
    fixed: list[float],
    nouns: list[str],
    index: Index,
    sited: bool,
    sentence: list[Word],
) -> list[tuple[tuple[int, ...], str]]:
    """Readings of a segment whose two neighbouring words are joined by "and" or "or", read
    once with each of them ("trouble falling and staying asleep"); each reading keeps its own
    word of the pair."""
    out: list[tuple[tuple[int, ...], str]] = []
    for k in range(len(positions) - 1):
        a, b = positions[k], positions[k + 1]
        if not any(w.raw in index.vocab.joining for w in sentence[a + 1 : b]):
            continue
        for drop, own in ((k + 1, k), (k, k + 1)):
            keep = [i for i in range(len(positions)) if i != drop]
            for i, j, e in _segment_hits(
                [positions[i] for i in keep],
                [stems[i] for i in keep],
                [fixed[i] for i in keep],
                nouns,
                index,
                sited,
            ):
                ks = tuple(keep[i:j])
                if len(ks) > 1 and own in ks and all(e != x for _, x in out):
                    out.append((ks, e))
    return out


def _segment_hits(
    positions: list[int],
    stems: list[str],
    fixed: list[float],
    nouns: list[str],
    index: Index,
    sited: bool = False,
) -> list[tuple[int, int, str]]:
    """(start, end, id) spans over the segment's word list, longest first from the left."""
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(positions)
    while i < n:
        for j in range(min(n, i + MAX_SPAN), i, -1):
            window = stems[i:j]
            entry = None
            for noun in nouns:
                if noun not in window:
                    entry = index.keys.get(_key([*window, noun]))
                    if entry:
                        break
            if entry is None:
                key = _key(window)
                if sited and len(key) == 1:  # a bare quality beside a site: the legs'
                    entry = index.site_keys.get(key)
                if entry is None and key not in index.weak:
                    entry = index.keys.get(key)
                if entry is None and "leg" in nouns:
                    entry = index.site_keys.get(key)
            if entry:
                out.append((i, j, entry))
                i = j
                break
        else:
            i += 1
    return out


def _ignorable(word: str, vocab: Vocabulary) -> bool:
    return word in vocab.ignorable or word in vocab.nouns or _numeric(word)


def _numeric(word: str) -> bool:
    return any(c.isdigit() for c in word)


def _read(text: str, index: Index) -> tuple[list[Match], list[Unresolved]]:
    if index.zh is not None and has_cjk(text):
        if index.kind != "medication":
            return _read_chinese(text, index, index.zh)
        # A medicine's Chinese name alone or with a dose ("華法林 5mg") is one word to the
        # English reader, which knows the doses; a sentence around it ("我在吃舍曲林") is the
        # Chinese reader's, when that reads a medicine in it.
        got = _read_words(text, index)
        if got[1]:
            zh = _read_chinese(text, index, index.zh)
            if zh[0]:
                return zh
        return got
    return _read_words(text, index)


def _read_words(text: str, index: Index) -> tuple[list[Match], list[Unresolved]]:
    norm = normalise(text, index.vocab.contractions)
    exact = index.alias.get(norm)
    # A whole-phrase alias means what it says, trigger words and all ("no pulse in my foot");
    # only a question mark, which normalising drops, could change it.
    if exact and "?" not in text:
        if exact.startswith("!"):
            return [Match(text, exact[1:], 1.0, "exact", ABSENT, part=text.strip())], []
        return [Match(text, exact, 1.0, "exact", part=text.strip())], []
    matches: list[Match] = []
    unresolved: list[Unresolved] = []
    vocab = index.vocab
    body = text
    if index.kind == "medication":
        # "warfarin for my heart", "Lyrica for nerve pain": what follows "for" is the reason
        body = _FOR.split(clean(text))[0]
    last: list[int] = []  # the readings of the sentence before, when it asked
    prior: list[int] = []  # the readings of the sentence before
    unnamed: list[Match] = []  # readings of a sensation named only as odd or uncomfortable
    carried: tuple[str, ...] = ()  # the context nouns of the sentences before ("tongue")
    for sentence in sentences(vocab.rewrite(clean(body)), vocab.contractions, vocab.forms):
        if last and all(w.raw in vocab.denials for w in sentence):
            # a bare answer to a question ("night sweats? no"): the question's findings
            # are denied
            for k in last:
                if matches[k].status in (PRESENT, UNCERTAIN):
                    matches[k] = replace(matches[k], status=ABSENT)
            last = []
            continue
        if last and all(w.raw in vocab.affirmations for w in sentence):
            # "night sweats? yes": the question's findings are there
            for k in last:
                if matches[k].status == UNCERTAIN:
                    matches[k] = replace(matches[k], status=PRESENT)
            last = prior = []
            continue
        if prior and _only_past(sentence, vocab):
            # "Night sweats. Not any more.", "Palpitations. Used to.": a fragment that is only
            # a word of the past says it of the sentence before (never of a danger sign, which
            # keeps its own sentence's status: a wish to die said gone is still asked about)
            kept = index.past_is_present | index.red
            for k in prior:
                if matches[k].status == PRESENT and matches[k].id not in kept:
                    matches[k] = replace(matches[k], status=HISTORICAL)
            last = prior = []
            continue
        first = len(matches)
        hits, unread = _cover(sentence, index, carried)
        own_nouns = tuple(vocab.nouns[w.raw] for w in sentence if w.raw in vocab.nouns)
        if not own_nouns:
            # "pale pink, swollen, tooth marks on the edges": a sentence that names no noun
            # but reads a tongue (or pulse) finding is about the tongue, so its bare
            # qualities are the tongue's (pale tongue, not a pale face)
            # (a leg sensation lends the legs, not a cramp or a swelling, and not in a
            # sentence about another part of the body: "the right shoulder feels crampy")
            lent = tuple(
                dict.fromkeys(
                    index.noun_of[h.id]
                    for h in hits
                    if h.id in index.noun_of
                    and h.id not in index.leg_times_not_with
                    and not (index.noun_of[h.id] == "leg" and _elsewhere(sentence, vocab))
                )
            )
            if lent and set(lent) - set(carried):
                hits, unread = _cover(sentence, index, (*lent, *carried))
        carried = own_nouns or carried
        taken = {p for h in hits for p in h.words}
        triggers = find_triggers(sentence, vocab, taken)
        flagged = []
        for entry, status, ps in _flagged(sentence, index, {h.id for h in hits}, triggers):
            # Words another reading already holds keep it when that reading is the longer
            # ("distending pain in the chest and hypochondria" is the rib sides, not chest
            # pain); a shorter one gives way ("left calf swollen" is a clot, not both legs).
            # Two danger signs in the same words are both kept ("sudden weakness in my left
            # arm and leg").
            over = [h for h in hits if set(h.words) & set(ps) and h.id not in index.red]
            # ...unless the danger words name a side ("unilateral leg oedema" is the clot's
            # one leg, not the both legs its shorter words read)
            names_side = "symptoms-one-sided" in index.includes.get(entry, ()) and any(
                sentence[p].raw in _ONE_SIDE for p in ps
            )
            if any(len(h.words) >= len(ps) for h in over) and not names_side:
                continue
            hits = [h for h in hits if h not in over]
            flagged.append((entry, status, ps))
        if flagged:
            used = {p for _, _, ps in flagged for p in ps}
            unread = [run for run in unread if not used & set(run)]
            taken = {p for h in hits for p in h.words} | used
            triggers = find_triggers(sentence, vocab, taken)
        for entry, status, ps in flagged:
            if status == UNCERTAIN and entry in index.thoughts:
                status = PRESENT
            part = " ".join(sentence[p].raw for p in ps)
            matches.append(Match(text, entry, COVER_CONFIDENCE, "cover", status, part, index.kind))
        # (a time of day alone is no finding of its own: "my mother had the same at night")
        own_hits = [h for h in hits if h.id not in index.leg_time_ids]
        if not own_hits and not flagged and index.family_same:
            same = _family_same(sentence, index, triggers)
            if same:
                status, same_part, at = same
                matches.append(
                    Match(text, index.family_finding, COVER_CONFIDENCE, "cover", status, same_part)
                )
                unread = []
                if _me_too(sentence, at, vocab) and status != ABSENT:
                    # "both my brother and I have it": the writer has what they stand for too
                    for own in sorted(index.family_from):
                        matches.append(
                            Match(text, own, COVER_CONFIDENCE, "cover", status, same_part)
                        )
        # "people with RLS describe...", "typical of RLS": the condition names whom a
        # sentence is about, people in general, not a finding of the writer's (its other
        # readings are the condition's description, and stay)
        hits = [h for h in hits if not _generic(sentence, h.start)]
        sided = [(e, ps) for e, _, ps in flagged] + [(o.id, list(o.words)) for o in hits]
        for h in hits:
            # (the clauses of the sentence's other one-sided readings)
            clauses = {
                sentence[ps[0]].segment
                for e, ps in sided
                if ps and ps != list(h.words) and "symptoms-one-sided" in index.includes.get(e, ())
            }
            both = _both_sides(h, sentence, index, clauses)
            if both:
                h.id = both  # "swollen legs": both legs, not one
        hits = _one_side_said(hits, sided, sentence, index)
        for h in hits:
            # a danger sign is denied only in its own clause, never by a list's "all normal"
            lists = h.id not in index.red
            status, _ = status_of(sentence, h.start, h.end, triggers, inside=True, lists=lists)
            if h.id in index.of_legs and _elsewhere(sentence, vocab):
                # "the right shoulder feels crampy": a leg finding said of another part of
                # the body is not the legs' (reported as not understood)
                unresolved.append(Unresolved(text, (), " ".join(sentence[p].raw for p in h.words)))
                continue
            if h.function and status != ABSENT and not _complained(sentence, h.start, vocab):
                # "No issues with digestion, sleep, energy": a bare "sleep" names the
                # function, not a complaint about it; a denial ("sleep was fine") or a word
                # of complaint in its clause ("I sleep badly") reads it
                unresolved.append(Unresolved(text, (), " ".join(sentence[p].raw for p in h.words)))
                continue
            whole = index.whole.get(_key(sentence[p].stem for p in h.words))
            if whole is not None and all(sentence[p].stem in vocab.functions for p in h.words):
                # a function is denied only by a word of normal after it ("appetite is
                # fine"): before it, a denial is the lack of it ("I don't have an appetite",
                # "no stools for days"), the complaint itself, which the base words apart
                # (or by one before a word of trouble with it: "denies changes in appetite")
                after = [
                    t
                    for t in triggers
                    if t[2].direction == "backward"
                    or any(w.raw in vocab.function_troubles for w in sentence[t[1] : h.start])
                ]
                status = status_of(sentence, h.start, h.end, after, lists=lists)[0]
            if whole is not None and status == ABSENT:
                # "no headaches", "the coat is not greasy": no kind of it is there
                part = " ".join(w.raw for w in sentence[h.start : h.end])
                for fid in whole:
                    matches.append(Match(text, fid, h.confidence, h.how, ABSENT, part, index.kind))
                continue
            if h.id.startswith("+"):  # "headaches" said, but not which kind
                part = " ".join(sentence[p].raw for p in h.words)
                unresolved.append(Unresolved(text, index.suggest(part), part))
                continue
            if h.id.startswith("!"):  # "appetite is good": poor appetite absent, unless denied
                h.id = h.id[1:]
                status = {PRESENT: ABSENT, ABSENT: PRESENT}.get(status, status)
            if status == HISTORICAL and h.id in index.past_is_present:
                status = PRESENT
            if status == UNCERTAIN and h.id in index.thoughts:
                status = PRESENT
            if status == FAMILY and h.id == index.family_finding:
                # "it runs in my family" is the person's family history, as sure as the
                # sentence says ("it might run in the family")
                status = _family_status(sentence, h.start, h.end, triggers)
            if status == FAMILY and h.id in index.leg_time_ids:
                continue  # when a relative's legs are worse is theirs, not a finding of ours
            part = " ".join(w.raw for w in sentence[h.start : h.end])
            matches.append(Match(text, h.id, h.confidence, h.how, status, part, index.kind))
            if _unnamed(h, sentence, vocab):
                unnamed.append(matches[-1])
            if status == FAMILY and h.id in index.family_from:
                # A relative's restless legs is a finding about the person: RLS in the family,
                # unless that is denied ("no one in my family has restless legs").
                fam = _family_status(sentence, h.start, h.end, triggers)
                matches[-1] = Match(text, index.family_finding, h.confidence, h.how, fam, part)
            if status == FAMILY and _me_too(sentence, h.start, vocab):
                # "my mother and I both feel the cold": the writer's finding as well, as sure
                # as the sentence says ("my sister and I might both have it")
                mine = _family_status(sentence, h.start, h.end, triggers)
                if mine != ABSENT:
                    matches.append(Match(text, h.id, h.confidence, h.how, mine, part, index.kind))
        if index.includes:
            # a finding that includes another by what it is ("a swollen, red calf on one
            # side" is one-sided): read together, the included one is part of it
            said = matches[first:]
            matches[first:] = [
                m
                for m in said
                if not any(
                    m.id in index.includes.get(o.id, ()) and o.status == m.status for o in said
                )
            ]
        for run in unread:
            part = " ".join(sentence[p].raw for p in run)
            unresolved.append(Unresolved(text, () if has_cjk(part) else index.suggest(part), part))
        last = list(range(first, len(matches))) if sentence[-1].raw == "?" else []
        prior = list(range(first, len(matches)))
    if unnamed:
        # "an uncomfortable, shuddering, electric feeling in my legs", "a strange sensation
        # in her legs ... a creepy-crawly feeling": the odd feeling is the sensation the
        # phrase names, not the unnamed one of restless legs
        named = {
            (m.id, m.status)
            for m in matches
            if m.id in index.site_free and m.id not in index.leg_times_not_with
        }
        gone = {id(m) for m in unnamed if any(st == m.status and e != m.id for e, st in named)}
        matches = [m for m in matches if id(m) not in gone]
    if index.age:
        for m in _AGE.finditer(clean(text)):
            years = _age(m)
            if index.age[1] <= years <= 120:
                matches.append(
                    Match(text, index.age[0], COVER_CONFIDENCE, "cover", part=m.group(0))
                )
    if not matches and not unresolved:
        unresolved.append(Unresolved(text, index.suggest(text), text.strip()))
    return matches, unresolved


# People in general ("people with RLS", "patients with night sweats") and a condition's
# own signs ("typical of RLS"): what follows names a kind of person, not the writer's finding.
# (A patient in the singular is the one the note is about: "patient with RLS for 5 years".)
_GENERIC = {
    "with": frozenset(
        {"people", "patients", "those", "individuals", "sufferers", "persons", "anyone"}
    ),
    "of": frozenset({"typical", "characteristic", "sufferers"}),
}


def _generic(sentence: list[Word], start: int) -> bool:
    """Does a reading at `start` follow "people with" or "typical of"?"""
    if start < 2:
        return False
    before = _GENERIC.get(sentence[start - 1].raw)
    return before is not None and sentence[start - 2].raw in before


# Words that say one side of the body ("left calf", "on one side", "unilateral").
_ONE_SIDE = frozenset({"one", "left", "right", "single", "unilateral", "side", "sided"})


def _both_sides(h: _Hit, sentence: list[Word], index: Index, clauses: set[int]) -> str | None:
    """The finding of both legs that a one-sided reading is when it is said of legs in the
    plural and the sentence names no side, or names it only in a clause of another one-sided
    reading (`clauses`): "my legs are swollen" is both legs swollen, not the one swollen leg
    of a clot ("my leg is swollen", "swollen calves, the left more"); "his legs are swollen,
    but his right leg more" is both, and the right leg's swelling too."""
    if "symptoms-one-sided" not in index.includes.get(h.id, ()):
        return None
    said = [sentence[p] for p in range(h.start, h.end)]
    sites = [w.raw for w in said if w.raw in index.vocab.sites]
    if not sites or not all(r.endswith("s") or r == "feet" for r in sites):
        return None
    own = sentence[h.start].segment
    if any(w.raw in _ONE_SIDE and (w.segment == own or w.segment not in clauses) for w in sentence):
        return None
    bare = _key(w.stem for w in said if w.raw in index.known and not _ignorable(w.raw, index.vocab))
    entry = index.site_keys.get(bare)
    return entry if entry and entry != h.id else None


def _one_side_said(
    hits: list[_Hit], sided: list[tuple[str, list[int]]], sentence: list[Word], index: Index
) -> list[_Hit]:
    """Drop the both-legs reading of a single site when the sentence reads the one-sided
    finding it is the counterpart of and names one side: "swelling in your foot, ankle, or
    leg, usually on one side" is the one swollen leg of a clot, and the ankle it lends the
    swelling to is not both legs swollen. Legs in the plural stay both ("his legs are
    swollen, but his right leg more")."""
    if not any(w.raw in _ONE_SIDE for w in sentence):
        return hits
    pairs = set()
    for entry, ps in sided:
        if "symptoms-one-sided" not in index.includes.get(entry, ()):
            continue
        bare = _key(
            sentence[p].stem
            for p in ps
            if sentence[p].raw in index.known
            and sentence[p].raw not in index.vocab.sites
            and not _ignorable(sentence[p].raw, index.vocab)
        )
        pair = index.site_keys.get(bare)
        if pair and pair != entry:
            pairs.add(pair)
    if not pairs:
        return hits

    def plural(h: _Hit) -> bool:
        return any(
            sentence[p].raw in index.vocab.sites
            and (sentence[p].raw.endswith("s") or sentence[p].raw == "feet")
            for p in range(h.start, h.end)
        )

    return [h for h in hits if h.id not in pairs or plural(h)]


# The writer joined to a relative ("my mother and I", "both my brother and I", "me and my
# dad"): what the clause says of them it says of both.
_ME = frozenset({"i", "me", "myself"})
_DENIED_JOINT = frozenset({"not", "never", "nor", "neither", "without"})


def _me_too(sentence: list[Word], at: int, vocab: Vocabulary) -> bool:
    """Is the writer named beside the relative, with "and", in the clause of a relative's
    finding ("my mother and I both feel the cold badly", "me and my dad both get night
    sweats")? Only before the finding: "my mother has cold feet and I have none" is hers."""
    own = sentence[at].segment
    clause = [w.raw for w in sentence if w.segment == own]
    if any(w in vocab.denials or w in _DENIED_JOINT for w in clause):
        return False  # "my mother and I have never had night sweats": denied for both
    # (before the finding only: "my mum has restless legs and I don't" is hers alone)
    said = [w.raw for w in sentence[:at] if w.segment == own]
    return any((a == "and" and b in _ME) or (a in _ME and b == "and") for a, b in pairwise(said))


def _only_past(sentence: list[Word], vocab: Vocabulary) -> bool:
    """Is the sentence nothing but a word of the past ("not any more", "used to")?"""
    found = find_triggers(sentence, vocab, set())
    covered = sum(e - s for s, e, _ in found)
    return (
        bool(found)
        and covered == len(sentence)
        and all(t.category == "historical" for _, _, t in found)
    )


def _unnamed(h: _Hit, sentence: list[Word], vocab: Vocabulary) -> bool:
    """Is a reading made only of words that say how a sensation feels ("odd", "strange"),
    with at most a body site ("strange sensations in the legs")?"""
    stems = {sentence[p].stem for p in h.words}
    return bool(stems & vocab.describing) and all(
        sentence[p].stem in vocab.describing or sentence[p].raw in vocab.sites for p in h.words
    )


def _family_status(
    sentence: list[Word], start: int, end: int, triggers: list[tuple[int, int, Trigger]]
) -> str:
    """The status of the person's family history from a sentence about a relative: present,
    absent when denied ("no one in my family has it"), uncertain when hedged ("it might
    run in the family"); a past tense does not take it away."""
    own = [t for t in triggers if t[2].category not in ("family", "other")]
    status = status_of(sentence, start, end, own)[0]
    return status if status in (ABSENT, UNCERTAIN) else PRESENT


def _elsewhere(sentence: list[Word], vocab: Vocabulary) -> bool:
    """Is a leg reading in a sentence that names another part of the body and no leg site?"""
    said = {w.raw for w in sentence}
    return bool(said & vocab.other_parts) and not said & vocab.sites


def _complained(sentence: list[Word], at: int, vocab: Vocabulary) -> bool:
    """Does the clause of the word at `at` say something is wrong ("badly", "less")?"""
    seg = sentence[at].segment
    return any(w.segment == seg and w.raw in vocab.function_complaints for w in sentence)


def _family_same(
    sentence: list[Word], index: Index, triggers: list[tuple[int, int, Trigger]]
) -> tuple[str, str, int] | None:
    """(status, words, where) of the family history when a sentence about a relative names
    no finding but stands for the person's own ("my sister has it too"): present, absent when
    denied ("no one else in my family has it"), uncertain when hedged."""
    if not any(t.category == "family" for _, _, t in triggers):
        return None
    raw = [w.raw for w in sentence]
    for term in index.family_same:
        for i in range(len(raw) - len(term) + 1):
            if tuple(raw[i : i + len(term)]) == term:
                return (_family_status(sentence, i, i + len(term), triggers), " ".join(raw), i)
    return None


def _flagged(
    sentence: list[Word],
    index: Index,
    read: set[str],
    triggers: list[tuple[int, int, Trigger]],
) -> list[tuple[str, str, list[int]]]:
    """Red-flag findings read from their danger words (`hazards:` rows with a `finding`),
    whatever else the words say: "my left calf has gone red and hot" is a swollen, warm,
    red leg on one side. (finding, status, positions) for each finding not already read.
    A row's groups are read as the danger scan reads them (engine/hazards.py): a trigger
    inside the row's own words is part of the danger ("I wouldn't mind if I died"), and
    with `near` the groups' words stand within that many words, in one clause."""
    out: list[tuple[str, str, list[int]]] = []
    done = set(read)
    vocab = index.vocab
    segment = [w.segment for w in sentence]
    # Where each word could start a term, by its stem and by "=word as written" (term_at's
    # two ways to match): a term is tried only where its first word stands, and a row
    # whose group has no first word here is passed over (the same spans, in the same order,
    # without trying every term at every position).
    starts: dict[str, list[int]] = {}
    for i, w in enumerate(sentence):
        starts.setdefault(w.stem, []).append(i)
        starts.setdefault("=" + w.raw, []).append(i)
    n = len(sentence)
    for entry, groups, near in index.flagged:
        if entry in done:
            continue
        if not all(any(term[0] in starts for term in group) for group in groups):
            continue
        spans = [
            [
                (i, i + len(term))
                for term in group
                for i in starts.get(term[0], ())
                if i <= n - len(term) and term_at(term, sentence, i)
            ]
            for group in groups
        ]
        if not all(spans):
            continue
        own = {p for group in spans for a, b in group for p in range(a, b)}
        rule_triggers = triggers
        if any(t_start in own for t_start, _, _ in triggers):
            rule_triggers = find_triggers(sentence, vocab, own)

        def status(a: int, b: int, tr: list[tuple[int, int, Trigger]] = rule_triggers) -> str:
            st, _ = status_of(sentence, a, b, tr, lists=False)
            if st in (OTHER, FAMILY) and FIRST_PERSON.intersection(w.raw for w in sentence[a:b]):
                # "my husband and children are better off without me": the danger words
                # say "me", so the danger is the writer's own
                st = PRESENT
            return st

        hits = [[(status(a, b), list(range(a, b))) for a, b in group] for group in spans]
        chosen = _chosen(hits, near, segment)
        if chosen is None:
            continue
        # whose it is first, then whether it is there ("no swelling in my left leg")
        statuses = [st for st, _ in chosen if st != PRESENT]
        st = min(statuses, key=PRIORITY.__getitem__) if statuses else PRESENT
        out.append((entry, st, sorted({p for _, ps in chosen for p in ps})))
        done.add(entry)
    return out


def _chosen(
    hits: list[list[tuple[str, list[int]]]], near: int | None, segment: list[int]
) -> list[tuple[str, list[int]]] | None:
    """One hit of each group: the first live one (not denied) of each, or failing that a
    denied one; with `near`, the first such set that lies close together in one clause."""
    if near is None:
        out = []
        for group in hits:
            live = [h for h in group if h[0] != ABSENT]
            out.append(live[0] if live else group[0])
        return out
    for wanted in (lambda st: st != ABSENT, lambda st: True):
        pools = [[h for h in group if wanted(h[0])] for group in hits]
        if not all(pools):
            continue
        for combo in product(*pools):
            starts = [ps[0] for _, ps in combo]
            ends = [ps[-1] + 1 for _, ps in combo]
            close = max(starts) - min(ends) <= near
            if close and len({segment[ps[0]] for _, ps in combo}) == 1:
                return list(combo)
    return None


def term_at(term: tuple[str, ...], sentence: list[Word], i: int) -> bool:
    """Do the stems of a term (a word written "=word" as written) start at position i?"""
    for t, w in zip(term, sentence[i : i + len(term)], strict=True):
        if t != w.stem and not (t[0] == "=" and t[1:] == w.raw):
            return False
    return True


def _read_chinese(text: str, index: Index, zh: ZhIndex) -> tuple[list[Match], list[Unresolved]]:
    """Chinese or mixed text: engine/zh.py reads the Chinese, and the English reader the
    Latin words inside it, under the status the Chinese around them gives."""
    got = zh.read(text)
    matches: list[Match] = []
    for r in got.readings:
        entry, status = r.id, r.status
        if status == HISTORICAL and entry in index.past_is_present:
            status = PRESENT
        if status == FAMILY and entry == index.family_finding:
            status = PRESENT
        if status == FAMILY and entry in index.family_from:
            # a relative's restless legs is the person's family history, unless denied
            entry, status = index.family_finding, ABSENT if r.denied else PRESENT
        confidence, how = (1.0, "exact") if r.exact else (COVER_CONFIDENCE, "cover")
        matches.append(Match(text, entry, confidence, how, status, r.part, index.kind))
    unresolved = [Unresolved(text, (), part) for part in got.unread]
    for latin, status in got.latin:
        found, missed = index.read(latin)
        for m in found:
            matches.append(replace(m, text=text, status=m.status if status == PRESENT else status))
        unresolved.extend(replace(u, text=text) for u in missed)
    if got.age is not None and index.age and index.age[1] <= got.age <= 120:
        matches.append(Match(text, index.age[0], COVER_CONFIDENCE, "cover", part=f"{got.age}歲"))
    if not matches and not unresolved:
        unresolved.append(Unresolved(text, (), text.strip()))
    return matches, unresolved


def resolve(texts: Iterable[str], index: Index) -> Resolution:
    out = Resolution()
    for text in texts:
        got, missed = index.read(text)
        out.matches.extend(got)
        out.unresolved.extend(missed)
    return out


# --- indexes of a knowledge base ------------------------------------------------------------

# The context noun (data/reading.yaml, context_nouns) that a finding of these categories is
# about: a coat is on the tongue.
_NOUN_OF = {"pulse": "pulse", "tongue-body": "tongue", "tongue-coat": "tongue", "leg": "leg"}


@per_parts("findings", "medications", "drug_classes", "conditions", "reading")
def indexes(kb: KnowledgeBase) -> tuple[Index, Index, Index]:
    """(findings, medications, conditions) indexes, built once per knowledge base.

    The medication index holds drug classes too ("blood thinner"), as ids prefixed
    `class:`; the condition index drops words of stage and duration ("12 weeks")."""
    vocab = vocabulary(kb)
    leg = frozenset(f.id for f in kb.findings.values() if f.category == "leg")
    bound = frozenset(kb.reading.site_bound)
    fam = kb.reading.family_history
    family_from = frozenset(
        f.id
        for f in kb.findings.values()
        if f.category in fam.from_categories or f.id in fam.from_findings
    )
    findings = Index(
        [
            *((f.id, (f.label, *f.synonyms)) for f in kb.findings.values()),
            *((f"!{f.id}", f.absent_synonyms) for f in kb.findings.values() if f.absent_synonyms),
        ],
        vocab,
        site_free=leg - bound,
        family=(fam.finding, family_from),
        family_same=fam.same_words,
        age=(kb.reading.age_finding.finding, kb.reading.age_finding.from_age),
        past_is_present=frozenset(kb.reading.past_is_present),
        thoughts=frozenset(kb.reading.thought_findings),
        timing=frozenset(f.id for f in kb.findings.values() if f.category == "timing"),
        leg_times=dict(kb.reading.leg_times),
        leg_times_not_with=frozenset(kb.reading.leg_times_not_with),
        of_legs=frozenset(f.id for f in kb.findings.values() if f.category in ("leg", "timing")),
        includes={k: tuple(v) for k, v in kb.reading.includes.items()},
        denied_whole={k: tuple(v) for k, v in kb.reading.denied_whole.items()},
        noun_of={
            f.id: _NOUN_OF[f.category] for f in kb.findings.values() if f.category in _NOUN_OF
        },
        flagged=[
            (h.finding, (h.terms,) if h.terms else h.all, h.near)
            for h in kb.reading.hazards
            if h.finding
        ],
    )
    findings.zh = ZhIndex(
        (
            (f.id, (*((f.zh,) if f.zh else ()), *f.zh_synonyms), f.zh_absent_synonyms)
            for f in kb.findings.values()
        ),
        leg=leg,
    )
    med_entries: list[tuple[str, tuple[str, ...]]] = [
        (m.id, (m.name, *m.synonyms)) for m in kb.medications.values()
    ]
    for c in kb.drug_classes.values():
        med_entries.append((f"class:{c.id}", (c.name, *getattr(c, "synonyms", ()))))
    meds = Index(
        med_entries, vocab, noise=frozenset(kb.reading.medication_noise), kind="medication"
    )
    # Chinese names in a sentence ("我在吃舍曲林", a story's words) read as findings are: to
    # the English reader the whole run is one CJK word. Each name is also kept as the
    # Simplified-to-Traditional conversion makes it (左洛复 becomes 左洛複), since that table
    # is made from the findings' words, not the medicines'.
    meds.zh = ZhIndex(
        (
            (
                i,
                [*dict.fromkeys(w for n in names if has_cjk(n) for w in (n, to_traditional(n)))],
                (),
            )
            for i, names in med_entries
        ),
        filler=zh_rules().medication_words,
    )
    conds = Index(
        ((c.id, (c.name, *c.synonyms)) for c in kb.conditions.values()),
        vocab,
        noise=frozenset(kb.reading.condition_noise),
        kind="condition",
    )
    others = meds.known | conds.known
    findings.protected = frozenset(w for w in others if w.isalpha() and len(w) >= 4)
    return findings, meds, conds
