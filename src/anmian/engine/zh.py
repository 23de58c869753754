"""Read Chinese free text into findings, as `resolve` reads English (docs/reading.md,
"Chinese").

Chinese has no spaces, so each clause is covered from the left by the longest wording a
finding has (its `zh` label, `zh_synonyms` and `zh_absent_synonyms`). Simplified input is
first converted to Traditional with a generated table (zh_hans.json), so one set of
wordings serves both scripts. What no wording covers is searched for ConText triggers
(zh_reading.yaml: 沒有, 可能, 以前, 媽媽 ...), which set each reading's status; Latin words
inside Chinese text are handed back for the English reader.

Pure functions over plain data: the knowledge base's findings come in through `ZhIndex`,
so this module knows nothing of `resolve` and `resolve` decides what a reading becomes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

from anmian.engine.modifiers import ABSENT, FAMILY, HISTORICAL, OTHER, PRESENT, UNCERTAIN
from anmian.engine.record import Record
from anmian.engine.text import clean

ABSENT_MARK = "!"  # an alias that says the finding is absent ("胃口好")
NEUTRAL = ""  # an alias of the normal state, read as nothing ("舌淡紅")


class _Patterns:
    """The reader's regular expressions, compiled when Chinese is first read (`_re()`), not
    on import: English text never needs them, and the CJK class alone costs 3 ms."""

    __slots__ = ("age", "cjk", "clause", "has_question", "latin", "sentence")

    def __init__(self) -> None:
        # Sentences end at 。 . ! ? ; and line breaks; clauses at commas and the enumeration
        # comma.
        self.sentence = re.compile(r"[。.!?;\n]")
        self.has_question = re.compile(r"\?|嗎\s*$")
        self.clause = re.compile(r"[,:()\[\]/]")
        self.latin = re.compile(r"[a-z][a-z0-9' -]*[a-z0-9]|[a-z]")
        self.cjk = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
        self.age = re.compile(r"(\d{1,3}|[一二三四五六七八九十]{1,3})\s*(?:周歲|歲)")


@cache
def _re() -> _Patterns:
    return _Patterns()


_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九", 1)}
# Which status wins when several triggers reach a reading, as in English: whose it is
# first, then absent, historical, uncertain.
_ORDER = ("other", "family", "negated", "historical", "possible")
_STATUS = {
    "other": OTHER,
    "family": FAMILY,
    "negated": ABSENT,
    "historical": HISTORICAL,
    "possible": UNCERTAIN,
}
_CATEGORIES = (*_ORDER, "pseudo", "terminate")


class ZhHazard(Record):
    __slots__ = ("flag", "tag", "when_tag", "terms")  # noqa: RUF023 (the fields, in order)

    def __init__(
        self, flag: str | None, tag: str | None, when_tag: str | None, terms: tuple[str, ...]
    ) -> None:
        self.flag = flag
        self.tag = tag
        self.when_tag = when_tag
        self.terms = terms


class ZhRules(Record):
    __slots__ = (  # noqa: RUF023
        "triggers",
        "joiners",
        "filler",
        "quiet",
        "neutral",
        "leg_times",
        "nouns",
        "chars",
        "phrases",
        "hazards",
        "medication_words",
    )

    def __init__(
        self,
        triggers: dict[str, str],  # word -> category (negated, possible, ..., terminate)
        joiners: frozenset[str],
        filler: frozenset[str],
        neutral: tuple[str, ...],
        leg_times: dict[str, str],
        nouns: tuple[str, ...],
        chars: dict[int, str],  # Simplified -> Traditional, for str.translate
        phrases: dict[str, str],
        hazards: tuple[ZhHazard, ...] = (),
        sites: frozenset[str] = frozenset(),
        medication_words: frozenset[str] = frozenset(),
    ) -> None:
        self.triggers = triggers
        self.joiners = joiners
        self.filler = filler
        # never reported as not understood, but kept while reading (小腿很癢 reads 腿癢)
        self.quiet = filler | sites
        self.neutral = neutral
        self.leg_times = leg_times
        self.nouns = nouns
        self.chars = chars
        self.phrases = phrases
        self.hazards = hazards
        # read past around a medicine's name by the medicine reader only ("我在吃舍曲林")
        self.medication_words = medication_words


@lru_cache(maxsize=1)
def rules() -> ZhRules:
    # imported here, not at the top: the CLI's cached path (knowledge/plain.py) needs neither
    from importlib.resources import files

    import yaml

    here = files("anmian.engine")
    raw: dict[str, Any] = yaml.safe_load((here / "zh_reading.yaml").read_text(encoding="utf-8"))
    table: dict[str, dict[str, str]] = json.loads(
        (here / "zh_hans.json").read_text(encoding="utf-8")
    )
    triggers: dict[str, str] = {}
    for category in _CATEGORIES:
        for word in raw.get(category, ()):
            triggers.setdefault(word, category)
    return ZhRules(
        triggers=triggers,
        joiners=frozenset(raw["joiners"]),
        filler=frozenset(raw["filler"]),
        sites=frozenset(raw.get("sites", ())),
        neutral=tuple(raw["neutral"]),
        leg_times=dict(raw["leg_times"]),
        nouns=tuple(raw["context_nouns"]),
        chars=str.maketrans(table["chars"]),
        phrases=table["phrases"],
        hazards=tuple(
            ZhHazard(h.get("flag"), h.get("tag"), h.get("when_tag"), tuple(h["terms"]))
            for h in raw.get("hazards", ())
        ),
        medication_words=frozenset(raw.get("medication_words", ())),
    )


def scan_hazards(text: str) -> list[tuple[ZhHazard, str, str]]:
    """(hazard, words, status) for each danger or safety word in Chinese text, found as a
    substring whatever the words around it, its status from the clause's triggers ("沒有懷孕"
    is absent). Of several mentions, the first that is not denied counts."""
    zr = rules()
    body = to_traditional(clean(text), zr)
    out: list[tuple[ZhHazard, str, str]] = []
    p = _re()
    for hazard in zr.hazards:
        chosen: tuple[str, str] | None = None
        for clause in (c for s in p.sentence.split(body) for c in p.clause.split(s)):
            for term in hazard.terms:
                at = clause.find(term)
                if at < 0:
                    continue
                status, _ = _status(at, _clause_triggers(clause, zr, (at, at + len(term))))
                if chosen is None or (chosen[1] == ABSENT and status != ABSENT):
                    chosen = (term, status)
        if chosen:
            out.append((hazard, *chosen))
    return out


def _clause_triggers(clause: str, zr: ZhRules, skip: tuple[int, int]) -> list[tuple[int, str, str]]:
    """The trigger words of a clause, longest first from the left, outside `skip`."""
    longest = max(map(len, zr.triggers), default=1)
    out: list[tuple[int, str, str]] = []
    k = 0
    while k < len(clause):
        if skip[0] <= k < skip[1]:
            k += 1
            continue
        for j in range(min(len(clause), k + longest), k, -1):
            category = zr.triggers.get(clause[k:j])
            if category:
                out.append((k, clause[k:j], category))
                k = j
                break
        else:
            k += 1
    return out


def to_traditional(text: str, zr: ZhRules | None = None) -> str:
    """Simplified characters made Traditional: whole wordings first (头发 -> 頭髮, not 頭發),
    then character by character. Traditional text passes unchanged."""
    zr = zr or rules()
    if zr.phrases:
        text = _alternation(frozenset(zr.phrases)).sub(lambda m: zr.phrases[m.group(0)], text)
    return text.translate(zr.chars)


@lru_cache(maxsize=8)
def _alternation(words: frozenset[str]) -> re.Pattern[str]:
    """One expression matching any of `words`, the longest first where they overlap."""
    return re.compile("|".join(map(re.escape, sorted(words, key=lambda w: (-len(w), w)))))


class ZhReading(Record):
    __slots__ = ("id", "status", "part", "denied", "exact")  # noqa: RUF023

    def __init__(
        self,
        id: str,
        status: str,
        part: str,  # the characters read as this finding
        denied: bool = False,  # a negation reached it too (a relative who does not have it)
        exact: bool = False,  # the whole phrase was this wording
    ) -> None:
        self.id = id
        self.status = status
        self.part = part
        self.denied = denied
        self.exact = exact


class ZhResult(Record):
    __slots__ = ("readings", "unread", "latin", "age")  # noqa: RUF023

    def __init__(
        self,
        readings: tuple[ZhReading, ...],
        unread: tuple[str, ...],  # runs of Chinese no wording covers
        latin: tuple[tuple[str, str], ...],  # (Latin words, the Chinese status around them)
        age: int | None = None,
    ) -> None:
        self.readings = readings
        self.unread = unread
        self.latin = latin
        self.age = age


class ZhIndex:
    """The Chinese wordings of the findings, ready to read."""

    def __init__(
        self,
        entries: Iterable[tuple[str, Iterable[str], Iterable[str]]],
        leg: frozenset[str] = frozenset(),
        zr: ZhRules | None = None,
        filler: frozenset[str] = frozenset(),
    ):
        """entries: (finding id, wordings, absent wordings). leg: the leg findings, beside
        which a time of day is when the legs are worse. filler: words this index reads past
        besides the rules' own (the medicine reader's 吃, 服用)."""
        self.rules = zr or rules()
        self.filler = self.rules.filler | filler
        self.quiet = self.rules.quiet | filler
        self.leg = leg
        self.alias: dict[str, str] = {}
        for entry_id, names, absent in entries:
            for name in names:
                self.alias.setdefault(name, entry_id)
            for name in absent:
                self.alias.setdefault(name, ABSENT_MARK + entry_id)
        for name in self.rules.neutral:
            self.alias.setdefault(name, NEUTRAL)
        self.longest = max(map(len, self.alias), default=1)
        words = set(self.rules.triggers) | self.rules.joiners | set(self.rules.leg_times)
        self.trigger_longest = max(map(len, words), default=1)

    def read(self, text: str) -> ZhResult:
        zr = self.rules
        written = clean(text)
        body = to_traditional(written, zr)
        # What is shown back (the parts read, the runs not understood) is cut from the text
        # as written, so Simplified stays Simplified: the conversion keeps every character
        # where it was (one for one, phrases included), and a position in `body` is the
        # same position in `written`.
        if len(written) != len(body):
            written = body
        whole = body.strip()
        exact = self.alias.get(whole)
        if exact and "?" not in whole:  # the phrase is a wording, trigger characters and all
            return ZhResult((_reading(exact, PRESENT, written.strip(), exact=True),), (), ())
        p = _re()
        ages = [_number(m.group(1)) for m in p.age.finditer(body)]
        body = p.age.sub(lambda m: " " * len(m.group(0)), body)
        readings: list[ZhReading] = []
        unread: list[str] = []
        latin: list[tuple[str, str]] = []
        have: set[str] = set()
        for s_at, sentence in _split(p.sentence, body):
            asked = bool(p.has_question.search(sentence)) or "?" in sentence
            cut = _split(p.clause, sentence.replace("?", " "))
            starts = [s_at + at for at, c in cut if c.strip()]
            clauses = [c for _, c in cut if c.strip()]
            found_by_clause: list[list[tuple[int, int, str]]] = []
            loose_by_clause: list[list[tuple[int, str, str]]] = []
            nouns: list[str] = []
            for clause in clauses:
                hits, loose = self._cover(clause, nouns)
                found_by_clause.append(hits)
                loose_by_clause.append(loose)
            # a leg finding the person has (not one denied: "沒有腿抽筋，晚上睡不著")
            legs = [
                any(
                    e in self.leg and _status(a, _triggers(loose))[0] == PRESENT for a, _, e in hits
                )
                for hits, loose in zip(found_by_clause, loose_by_clause, strict=True)
            ]
            for base, hits, loose, own_legs in zip(
                starts, found_by_clause, loose_by_clause, legs, strict=True
            ):
                triggers = _triggers(loose)
                # A time of day beside a leg finding (in this clause, or a clause of its own
                # in a sentence that reads one) is when the legs are worse.
                if any(legs) and (own_legs or not hits):
                    for at, word, kind in loose:
                        when = zr.leg_times.get(word) if kind == "time" else None
                        if when and when not in have:
                            hits.append((at, at + len(word), when))
                            have.add(when)
                for start, end, entry in sorted(hits):
                    if entry == NEUTRAL:
                        continue
                    status, denied = _status(start, triggers)
                    if asked and status == PRESENT:
                        status = UNCERTAIN
                    readings.append(
                        _reading(entry, status, written[base + start : base + end], denied)
                    )
                    have.add(entry.lstrip(ABSENT_MARK))
                for at, word, kind in loose:
                    if kind == "latin":
                        status, _ = _status(at, triggers)
                        latin.append((word, UNCERTAIN if asked and status == PRESENT else status))
                    elif kind == "unread":
                        unread.append(written[base + at : base + at + len(word)])
        return ZhResult(tuple(readings), tuple(unread), tuple(latin), ages[0] if ages else None)

    def _cover(
        self, clause: str, nouns: list[str]
    ) -> tuple[list[tuple[int, int, str]], list[tuple[int, str, str]]]:
        """Longest wordings from the left: (start, end, id) hits, and the loose words between
        them as (position, word, kind): a trigger category, "time", "latin" or "unread"."""
        hits: list[tuple[int, int, str]] = []
        rest: list[tuple[int, str]] = []  # (position, character) that no wording covers
        i, n = 0, len(clause)
        while i < n:
            got = self._longest(clause, i, nouns)
            if got:
                j, entry = got
                hits.append((i, j, entry))
                for noun in self.rules.nouns:
                    if noun in clause[i:j]:
                        nouns.insert(0, noun)
                i = j
            else:
                if clause[i] in self.rules.nouns:
                    nouns.insert(0, clause[i])
                rest.append((i, clause[i]))
                i += 1
        # Runs still unread are read once more without the filler between ("腿很麻",
        # "睡覺時會一直踢腿"), as English reads again without the qualifiers between; the
        # triggers among them stay where they were ("沒有腿很麻" is denied).
        taken: set[int] = set()
        for run in _runs(rest):
            start = run[0][0]
            text = "".join(ch for _, ch in run)
            bare, where = _strip(text, self.filler)
            if len(bare) == len(text):
                continue
            k = 0
            while k < len(bare):
                got = self._longest(bare, k, nouns)
                if not got:
                    k += 1
                    continue
                j, entry = got
                first, last = start + where[k], start + where[j - 1] + 1
                if last - first > j - k:  # it needed filler taken out: a new reading
                    hits.append((first, last, entry))
                    taken.update(range(first, last))
                k = j
        rest = [(at, ch) for at, ch in rest if at not in taken]
        return hits, self._loose(clause, rest)

    def _longest(self, clause: str, i: int, nouns: list[str]) -> tuple[int, str] | None:
        for j in range(min(len(clause), i + self.longest), i, -1):
            entry = self.alias.get(clause[i:j])
            if entry is not None:
                return j, entry
        # a bare quality after a body-part word: 脈弦「細」 is 脈細, 舌淡「胖」 is 舌胖
        for noun in dict.fromkeys(nouns):
            for j in range(min(len(clause), i + self.longest - len(noun)), i, -1):
                entry = self.alias.get(noun + clause[i:j])
                if entry is not None:
                    return j, entry
        return None

    def _loose(self, clause: str, rest: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
        """Runs of uncovered characters as words: triggers and times by longest match,
        Latin runs whole, filler dropped, and what is left as unread runs."""
        zr = self.rules
        out: list[tuple[int, str, str]] = []
        latin = _re().latin
        for run in _runs(rest):
            start = run[0][0]
            text = "".join(ch for _, ch in run)
            k, pending = 0, ""
            while k < len(text):
                m = latin.match(text, k)
                if m:
                    pending = _flush(pending, start + k, out, self.quiet)
                    out.append((start + k, m.group(0).strip(), "latin"))
                    k = m.end()
                    continue
                word = None
                for j in range(min(len(text), k + self.trigger_longest), k, -1):
                    w = text[k:j]
                    if w in zr.triggers or w in zr.joiners or w in zr.leg_times:
                        word = w
                        break
                if word is None:
                    pending += text[k]
                    k += 1
                    continue
                pending = _flush(pending, start + k, out, self.quiet)
                kind = zr.triggers.get(word) or ("time" if word in zr.leg_times else "joiner")
                if kind == "family" and text[k + len(word) : k + len(word) + 1] in ("說", "講"):
                    kind = "pseudo"  # "媽媽說我..." is what a relative says about the person
                out.append((start + k, word, kind))
                k += len(word)
            _flush(pending, start + len(text), out, self.quiet)
        return out


def _split(pattern: re.Pattern[str], text: str) -> list[tuple[int, str]]:
    """pattern.split(text), each piece with where it starts in `text`."""
    out: list[tuple[int, str]] = []
    at = 0
    for m in pattern.finditer(text):
        out.append((at, text[at : m.start()]))
        at = m.end()
    out.append((at, text[at:]))
    return out


def _runs(rest: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """(position, character) pairs grouped into runs of neighbours."""
    runs: list[list[tuple[int, str]]] = []
    for at, ch in rest:
        if runs and runs[-1][-1][0] == at - 1:
            runs[-1].append((at, ch))
        else:
            runs.append([(at, ch)])
    return runs


def _strip(text: str, words: frozenset[str]) -> tuple[str, list[int]]:
    """`text` without `words` (longest first), and where each kept character was."""
    gone = {k for m in _alternation(words).finditer(text) for k in range(m.start(), m.end())}
    where = [k for k in range(len(text)) if k not in gone]
    return "".join(text[k] for k in where), where


def _without(text: str, words: frozenset[str]) -> str:
    return _alternation(words).sub("", text)


def _triggers(loose: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    return [(at, w, c) for at, w, c in loose if c in _CATEGORIES]


def _number(text: str) -> int:
    """Digits, or Chinese numerals up to 九十九 ("五十四" is 54)."""
    if text.isdigit():
        return int(text)
    tens, _, ones = text.rpartition("十")
    if "十" not in text:
        return _DIGITS.get(text, 0)
    return (_DIGITS.get(tens, 0) if tens else 1) * 10 + _DIGITS.get(ones, 0)


def _flush(pending: str, end: int, out: list[tuple[int, str, str]], quiet: frozenset[str]) -> str:
    """Report a run of uncovered Chinese, less its filler, when something is left of it."""
    left = "".join(_re().cjk.findall(_without(pending, quiet)))
    if len(left) >= 2:
        lead = len(pending) - len(pending.lstrip(" 、"))  # the word's own first character
        out.append((end - len(pending) + lead, pending.strip(" 、"), "unread"))
    return ""


def _reading(
    entry: str, status: str, part: str, denied: bool = False, exact: bool = False
) -> ZhReading:
    """An absent wording ("胃口好") is the finding absent, and denied ("胃口不好" is its own
    wording, but "並非胃口好") present."""
    if entry.startswith(ABSENT_MARK):
        status = {PRESENT: ABSENT, ABSENT: PRESENT}.get(status, status)
        entry = entry[1:]
    return ZhReading(entry, status, part, denied, exact)


def _status(start: int, triggers: list[tuple[int, str, str]]) -> tuple[str, bool]:
    """The status a reading at `start` has from its clause's triggers: a negation,
    uncertainty or past word before it (up to a terminator such as 但), a relative anywhere
    in the clause. Also whether a negation reached it."""
    reach: set[str] = set()
    for at, _, category in triggers:
        if category in ("family", "other"):
            reach.add(category)
        elif at < start and category in _STATUS:
            ended = any(c == "terminate" and at < t < start for t, _, c in triggers)
            if not ended:
                reach.add(category)
    denied = "negated" in reach
    for category in _ORDER:
        if category in reach:
            return _STATUS[category], denied
    return PRESENT, denied
