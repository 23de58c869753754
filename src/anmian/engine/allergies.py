"""Allergies: what a person says they are allergic to, read and turned into exclusions.

An allergy is read by the same reader as medicines and conditions (`resolve.Index`), over
the names of the herbs, formulas and essential oils of the knowledge base and the everyday
allergen words their entries carry (`allergens`: "ginseng", "aspirin"; an oil's constituents
count too). An allergy to an item rules out that item, every formula containing it and every
topical advice item that puts it on the skin, each with the reason "you told us you are
allergic to X". A known medicine ("penicillin") is read as known and rules nothing out
unless an allergen word links it to an item; anything else is an unknown allergy, which
holds herbs and skin products back (the `unknown-allergy` tag), as an unknown medicine does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from anmian.engine.memo import per_parts
from anmian.engine.modifiers import vocabulary
from anmian.engine.record import Record
from anmian.engine.resolve import ABSENT, Index, Match, indexes, normalise
from anmian.knowledge import KnowledgeBase

# The tag an allergy to an item sets: allergy:herb:ren-shen, allergy:oil:wintergreen-oil.
PREFIX = "allergy:"
REFS = ("nice-2014-drug-allergy",)

# Words around an allergen that say nothing about what it is ("allergic to", "a rash from").
NOISE = frozenset(
    """allergic allergy allergies allergen allergens intolerant intolerance sensitive
    sensitivity hypersensitivity hypersensitive reaction reactions react rash rashes hives
    anaphylaxis anaphylactic swelling itching itchy severe mild bad badly known to from with of
    an a the i am im me my get gets got give gives gave makes made make cause causes caused break
    breaks out any all kind kinds it they them come comes came up in on and or also when very
    really wheeze wheezes wheezing wheezy breathe breathing breathless throat tongue lips face
    eyes skin swell swells swelled swollen puffy red redness blisters blister itch itches sick
    vomit vomiting nausea stomach upset diarrhoea diarrhea dizzy faint fainted collapse
    collapsed shock hospital once years ago childhood child as kid since think maybe probably
    possibly suspected told said says doctor gp last time gloves glove""".split()  # noqa: SIM905
)
# Allergens no herb, formula, oil or skin product of the plan is made of: read as known, so
# a penicillin or latex allergy does not hold the herbs back. (Metals are a condition,
# metal-allergy, read from the conditions below: needles may contain nickel.)
NOT_IN_ANY_ITEM = (
    "penicillin",
    "penicillins",
    "amoxicillin",
    "flucloxacillin",
    "cephalosporin",
    "sulfa",
    "sulfonamide",
    "sulphonamide",
    "trimethoprim",
    "erythromycin",
    "clarithromycin",
    "tetracycline",
    "codeine",
    "morphine",
    "latex",
)
# A whole answer meaning "no allergies".
_NONE = re.compile(
    r"^(?:none|nil|nothing|nope|no|n ?a|nka|nkda|nkfa|not that i know(?: of)?|"
    r"no (?:known )?(?:drug |food )?allerg\w*(?: known)?|none known)\.?$"
)


class Allergy(Record):
    """One allergy read: what was written, and the item or allergen it names."""

    __slots__ = ("text", "allergen", "status", "read", "confidence", "level", "how")  # noqa: RUF023

    def __init__(
        self,
        text: str,
        # herb:ID | formula:ID | oil:ID | allergen:WORD | medication:ID | class:ID |
        # condition:ID | known:WORD (an allergen no plan item contains)
        allergen: str,
        status: str,
        read: str,
        confidence: float,
        level: str,
        how: str,
    ) -> None:
        self.text = text
        self.allergen = allergen
        self.status = status
        self.read = read
        self.confidence = confidence
        self.level = level
        self.how = how


class AllergyReading(Record):
    __slots__ = ("allergies", "unknown", "items", "conditions")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # changed as it is filled in: unhashable

    def __init__(
        self,
        allergies: list[Allergy] | None = None,
        unknown: list[str] | None = None,
        # item tag (herb:ren-shen) -> the phrases that rule it out
        items: dict[str, list[str]] | None = None,
        # condition id (metal-allergy) -> the phrases that name it
        conditions: dict[str, list[str]] | None = None,
    ) -> None:
        self.allergies: list[Allergy] = [] if allergies is None else allergies
        self.unknown: list[str] = [] if unknown is None else unknown
        self.items: dict[str, list[str]] = {} if items is None else items
        self.conditions: dict[str, list[str]] = {} if conditions is None else conditions


class _Allergens(Record):
    __slots__ = ("index", "groups", "names")  # noqa: RUF023

    def __init__(
        self,
        index: Index,
        groups: dict[str, tuple[str, ...]],  # allergen:word -> the items (kind:id) it rules out
        names: dict[str, str],  # kind:id -> a readable name
    ) -> None:
        self.index = index
        self.groups = groups
        self.names = names


def _english_names(english: str) -> list[str]:
    """'Chinese angelica root (dong quai)' -> the whole, the part outside and inside brackets."""
    inner = re.findall(r"\(([^)]*)\)", english)
    outer = re.sub(r"\([^)]*\)", " ", english).strip()
    return [english, outer, *inner]


@per_parts("herbs", "formulas", "oils", "medications", "drug_classes", "conditions", "reading")
def allergen_index(kb: KnowledgeBase) -> _Allergens:
    entries: list[tuple[str, tuple[str, ...]]] = []
    groups: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for h in kb.herbs.values():
        key = f"herb:{h.id}"
        names[key] = f"{h.pinyin} ({h.english})"
        entries.append(
            (key, (h.pinyin, h.id.replace("-", " "), h.latin, *_english_names(h.english)))
        )
        for word in h.allergens:
            groups.setdefault(normalise(word), []).append(key)
    for f in kb.formulas.values():
        key = f"formula:{f.id}"
        names[key] = f"{f.pinyin} ({f.english})"
        entries.append((key, (f.pinyin, f.id.replace("-", " "), f.english)))
    for o in kb.oils.values():
        key = f"oil:{o.id}"
        names[key] = o.name
        bare = re.sub(r"\boil\b|\([^)]*\)", " ", o.name).strip()
        entries.append((key, (o.name, o.latin, f"{bare} essential oil")))
        for word in (*o.allergens, *o.constituents):
            groups.setdefault(normalise(word), []).append(key)
    # An allergen word names a group of items, even when it is one item's whole name
    # ("ginger" is the herb and the oil): the group is read first.
    group_ids = {word: f"allergen:{word}" for word in groups}
    known = [(f"known:{normalise(w)}", (w,)) for w in NOT_IN_ANY_ITEM]
    index = Index(
        [*((gid, (word,)) for word, gid in group_ids.items()), *entries, *known],
        vocabulary(kb),
        noise=NOISE,
        kind="allergy",
    )
    return _Allergens(
        index,
        {gid: tuple(dict.fromkeys(groups[word])) for word, gid in group_ids.items()},
        names,
    )


def _items_of(allergens: _Allergens, entry: str) -> tuple[str, ...]:
    if entry.startswith("allergen:"):
        return allergens.groups.get(entry, ())
    return (entry,) if entry.split(":", 1)[0] in ("herb", "formula", "oil") else ()


def _allergy(m: Match, allergen: str) -> Allergy:
    return Allergy(m.text, allergen, m.status, m.part, m.confidence, m.level, m.how)


def read_allergies(kb: KnowledgeBase, texts: Iterable[str]) -> AllergyReading:
    """Read each allergy phrase; see the module docstring for what each reading means."""
    allergens = allergen_index(kb)
    _findings, meds, conds = indexes(kb)
    out = AllergyReading()
    for text in texts:
        if _NONE.match(normalise(text)) or not normalise(text):
            continue
        got, missed = allergens.index.read(text)
        for m in got:
            out.allergies.append(_allergy(m, m.id))
            if m.status == ABSENT:  # "not allergic to ginger"
                continue
            for item in _items_of(allergens, m.id):
                out.items.setdefault(item, []).append(text)
        for u in missed:
            part = u.part or u.text
            # A medicine ("warfarin") is a known allergy: nothing in a plan is made of it,
            # unless an allergen word above linked it to an item. A condition ("nickel
            # allergy" is metal-allergy) sets the condition's tag, as in `conditions`.
            med, med_missed = meds.read(part)
            cond, cond_missed = conds.read(f"{part} allergy")
            if med and not med_missed:
                out.allergies.extend(_allergy(m, _med_id(m.id)) for m in med)
            elif cond and not cond_missed:
                for m in cond:
                    out.allergies.append(_allergy(m, f"condition:{m.id}"))
                    if m.status != ABSENT:
                        out.conditions.setdefault(m.id, []).append(text)
            else:
                out.unknown.append(u.text)
    out.unknown = list(dict.fromkeys(out.unknown))
    return out


def _med_id(entry: str) -> str:
    return entry if entry.startswith("class:") else f"medication:{entry}"


def item_name(kb: KnowledgeBase, item: str) -> str:
    return allergen_index(kb).names.get(item, item)


def said(phrases: list[str]) -> str:
    """The person's own words, quoted: 'you told us you are allergic to ...'."""
    return "; ".join(f'"{p}"' for p in dict.fromkeys(phrases))
