"""Figures for the adaptive intake (anmian.engine.intake) with simulated patients.

Each simulated patient answers truthfully from one set of findings: a published case of
tests/data/pattern-cases.yaml (its findings as the reader reads them) or a pattern's own
definition in the knowledge base (its key findings and those of weight 2 or more). Safety
questions are answered "no" (all five criteria "yes") and the opening words are skipped, so
every pattern answer comes from a question. Reported, by split (the model was tuned on `dev`
only; `unseen` is the holdout cases and every other pattern definition):

- the median and 90th percentile number of finding questions asked (a checklist, a grouped
  question and a second look at the yes answers count once each), and the median number of
  findings put to a patient ("items": a checklist's boxes, a grouped question's findings, 1
  for a yes/no), the burden a count of questions hides;
- agreement ("agree"): how often the leading pattern of the intake's assessment, or its
  leading pair (the primary pattern and the first combined one, in either order), is the
  one the full set of findings gives (the full form); "strict": the leading pattern alone;
  "agreeNB": the intake's own most likely pattern;
- agreement with the source's stated pattern, for the intake and for the full form;
- the same with 10 % of answers flipped (people misremember), over RUNS runs with fixed
  seeds;
- the time of one step in-process (median and p99 over every step taken).

A checklist is answered box by box: ticked if the patient has the finding, each box flipped
on its own with the flip chance (every box is an answer). A `confirmation` question (a yes
asked again, in other words, before "done") and a `recheck` (the yes answers looked at again
as a list, each box flipped on its own) are answered as the first time, flipped with the same
chance; a denied yes moves to the no's and the intake goes on. Questions counted are the
finding questions and the confirmations together.

`--set name=value` (repeatable) runs with a number of intake.yaml `model:` changed, for
tuning on dev: `--set max_confirmations=0 --set max_llr=1.5`.

`--flip-per-question` flips a checklist's answer as a whole with the flip chance (one box of
it, chosen at random), as a yes/no question's, instead of every box on its own: the measure of
the figures before the checklists, where one answer was one finding.

`--dev` runs the dev patients only (what tuning may look at). `--no-groups` asks one finding
a question (intake.yaml `exclusive:` left out), as before the grouped questions.

`--ceiling` asks each dev patient 40 questions and reports how many agree with the full form
for good after 12, 15 and 30 of them: the best any stopping rule could do with this order.

`--about` prints the table behind "about N more questions" (intake.yaml `model.remaining`:
for each audience, the median number of questions still to come by the number already
asked, over the dev patients still being asked, answering truthfully); `--about --write`
puts it into intake.yaml. Regenerate it when the model's numbers change.

Also reported: how far "about N more" was from the questions that did come (the median
absolute error over every question after the safety ones, without flips).

Run: .venv/bin/python bench/intake.py [--audience practitioner|self-care] [--set ...] [--dev]
[-v] | --about [--write] | --ceiling [--audience ...].
Prints figures; asserts nothing.
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from anmian.engine import InputError, assess, parse_input
from anmian.engine.differentiate import differentiate
from anmian.engine.inputs import CRITERIA
from anmian.engine.intake import (
    IntakeRequest,
    answer_checklist,
    answer_choice,
    answer_recheck,
    step,
)
from anmian.knowledge import KnowledgeBase, get_kb

ROOT = Path(__file__).resolve().parent.parent
MIN_READ = 2  # findings read, below which a case is left out (the reader cannot read it)
FLIP = 0.1
SEED = 20261201
RUNS = 5  # runs with flips, each with its own seed: one run of 27 patients is too noisy
# --flip-per-question: a list's answer is wrong as a whole with chance FLIP (one of its boxes,
# chosen at random, flipped), as a yes/no is; without it every box is flipped on its own
PER_QUESTION = "--flip-per-question" in sys.argv


@dataclass
class Patient:
    id: str
    split: str  # dev | unseen
    kind: str  # case | definition
    truth: set[str]
    age: int | None
    sex: str | None
    stated: set[str]  # the source's diagnosis as pattern ids (may be empty)


def patients(kb: KnowledgeBase) -> list[Patient]:
    out = []
    cases = yaml.safe_load((ROOT / "tests" / "data" / "pattern-cases.yaml").read_text())
    for c in cases:
        doc: dict[str, Any] = {"findings": c["findings"], "audience": "practitioner"}
        for k in ("age", "sex"):
            if c.get(k) is not None:
                doc[k] = c[k]
        try:
            a = assess(parse_input(doc), kb, allow_unknown=True)
        except InputError:
            continue
        truth = {
            r["finding"]
            for r in a.input["readings"]["present"]
            if kb.findings[r["finding"]].category != "red-flag"
        }
        if len(truth) < MIN_READ:
            continue
        split = "dev" if c["split"] == "dev" else "unseen"
        age = int(c["age"]) if c.get("age") is not None else None
        stated = set(c["expect"].get("leading") or [])
        out.append(Patient(c["id"], split, "case", truth, age, c.get("sex"), stated))
    for n, pid in enumerate(sorted(kb.patterns)):
        p = kb.patterns[pid]
        truth = {f.finding for f in p.findings if f.key or f.weight >= 2}
        split = "dev" if n % 2 == 0 else "unseen"
        out.append(Patient(f"pattern:{pid}", split, "definition", truth, None, None, {pid}))
    return out


Lead = tuple[str | None, str | None]  # the primary pattern and the first combined one
ASKED = ("finding", "choice", "checklist", "confirmation", "recheck")  # counted questions


def visible(kb: KnowledgeBase, truth: set[str], audience: str) -> set[str]:
    if audience == "practitioner":
        return truth
    hidden = set(kb.intake.model.practitioner_only)
    return {f for f in truth if kb.findings[f].category not in hidden}


def full_leader(kb: KnowledgeBase, pt: Patient, audience: str) -> Lead:
    findings = sorted(visible(kb, pt.truth, audience))
    if not findings:
        return None, None  # nothing a person alone can tell (a case of tongue and pulse only)
    doc: dict[str, Any] = {"findings": findings, "audience": audience}
    if pt.sex:
        doc["sex"] = pt.sex
    if pt.age is not None:
        doc["age"] = pt.age
    a = assess(parse_input(doc), kb, allow_unknown=True)
    return leading(a.result().patterns)


def leader(patterns: Any) -> str | None:
    """The pattern a person is shown as leading (role primary); None when none scores enough."""
    return next((p.id for p in patterns if p.role == "primary"), None)


def leading(patterns: Any) -> Lead:
    combined = next((p.id for p in patterns if p.role == "combined"), None)
    return leader(patterns), combined


def agrees(got: Lead, full: Lead) -> bool:
    """The issue's agreement: the leading pattern, or the leading pair, is the full form's. A
    pair shown the other way round (the full form's combined pattern leading, its leader
    combined) is the same answer to a person: both are shown as their patterns."""
    if got[0] == full[0]:
        return True
    return None not in got and None not in full and set(got) == set(full)


def simulate(
    kb: KnowledgeBase,
    pt: Patient,
    audience: str,
    rng: random.Random | None,
    times: list[float],
    shown: list[int] | None = None,
    items: list[int] | None = None,
) -> tuple[int, Lead, str | None]:
    """Questions asked (confirmations included), the assessment's leader and the intake's
    most likely pattern. `shown`, if given, gets the "about N more" of every question after
    the safety ones and the opening, in order; `items`, the findings each of them put to the
    person (a checklist's boxes, a grouped question's answers, 1 for a yes/no)."""
    truth = visible(kb, pt.truth, audience)
    req: dict[str, Any] = {
        "audience": audience, "present": [], "absent": [], "unsure": [], "confirmed": [],
    }  # fmt: skip
    if pt.sex:
        req["sex"] = pt.sex
    if pt.age is not None:
        req["age"] = pt.age
    again = 0  # confirmation questions (a recheck list counts once)
    while True:
        t0 = time.perf_counter()
        r = step(IntakeRequest.model_validate(req), kb)
        if r.next is not None:
            times.append(time.perf_counter() - t0)  # the last step also assesses
        q = r.next
        if q is None:
            break
        if shown is not None and q.kind in ASKED:
            shown.append(r.remaining)
        if items is not None and q.kind in ASKED:
            items.append(len(q.options) or sum(c.finding is not None for c in q.choices) or 1)
        if q.kind == "screening":
            req.setdefault("screening", {})[q.id] = True
        elif q.kind == "red-flags":
            req["absent"] += [o.finding for o in q.options]
        elif q.kind in ("pregnancy", "breastfeeding"):
            req[q.id] = False
        elif q.kind in ("medications", "conditions", "text"):
            req[q.id] = []
        elif q.kind == "choice":
            ids = [c.finding for c in q.choices if c.finding is not None]
            # the one the patient has (the first, if a case lists two), or none of these
            chosen = next((f for f in ids if f in truth), "none")
            if rng is not None and rng.random() < FLIP:
                chosen = rng.choice([x for x in (*ids, "none") if x != chosen])
            req = answer_choice(req, q, chosen)
        elif q.kind == "checklist":
            # each box is an answer: ticked if the patient has it, each flipped on its own
            req = answer_checklist(req, q, _ticks(q, truth, rng))
        elif q.kind == "recheck":
            again += 1
            req = answer_recheck(req, q, _ticks(q, truth, rng))
        elif q.kind == "confirmation":
            again += 1
            req["confirmed"].append(q.id)
            yes = q.id in truth
            if rng is not None and rng.random() < FLIP:
                yes = not yes
            if not yes:
                req["present"].remove(q.id)
                req["absent"].append(q.id)
        else:
            yes = q.id in truth
            if rng is not None and rng.random() < FLIP:
                yes = not yes
            req["present" if yes else "absent"].append(q.id)
    lead = leading(r.assessment.patterns) if r.assessment else (None, None)
    return r.asked + again, lead, r.patterns[0].id


def _ticks(q: Any, truth: set[str], rng: random.Random | None) -> list[str]:
    """The boxes of a list the patient ticks: those of findings they have, each flipped on
    its own with chance FLIP (or, with --flip-per-question, one box of the list flipped with
    chance FLIP)."""
    ids = [o.finding for o in q.options]
    wrong: set[str] = set()
    if rng is not None and PER_QUESTION:
        if rng.random() < FLIP:
            wrong = {rng.choice(ids)}
    elif rng is not None:
        wrong = {f for f in ids if rng.random() < FLIP}
    return [f for f in ids if (f in truth) != (f in wrong)]


def about_table(kb: KnowledgeBase, pts: list[Patient], audience: str) -> list[int]:
    """The median number of questions still to come (the one being asked included), by the
    number already asked (finding questions and confirmations), over the patients still
    being asked: the "about N more" of intake.yaml `model.remaining`. From truthful answers."""
    left: dict[int, list[int]] = {}
    for pt in pts:
        asked, _, _ = simulate(kb, pt, audience, None, [])
        for k in range(asked):
            left.setdefault(k, []).append(asked - k)
    return [round(statistics.median(left[k])) for k in range(len(left))]


def about_yaml(kb: KnowledgeBase, pts: list[Patient]) -> str:
    """The `remaining:` lines of intake.yaml `model:` for these patients."""
    lines = ["  remaining:"]
    for audience in ("self-care", "practitioner"):
        table = about_table(kb, pts, audience)
        lines.append(f"    {audience}: [{', '.join(str(n) for n in table)}]")
    return "\n".join(lines) + "\n"


def write_about(text: str) -> None:
    """Put a new `remaining:` table into intake.yaml in place of the old one."""
    path = ROOT / "src" / "anmian" / "knowledge" / "data" / "intake.yaml"
    old = path.read_text()
    start = old.index("  remaining:\n")
    end = start + len("  remaining:\n")
    while old[end:].startswith("    "):
        end = old.index("\n", end) + 1
    path.write_text(old[:start] + text + old[end:])


def ceiling(kb: KnowledgeBase, pts: list[Patient], audience: str) -> dict[int, float]:
    """The best this order of questions can do: each patient asked 40 questions (never
    settled, no confirmation), answering truthfully; after each answer, the leading pattern
    (or pair) of the answers so far by the assessment's ranking; a patient counts as agreeing
    after k questions when every answer from the k-th on agrees with the full form. The
    share of patients agreeing after 12, 15 and 30 questions."""
    keen = kb.intake.model.model_copy(
        update={"confidence": 0.999999, "min_gain": 0.0, "max_confirmations": 0}
    )
    kb = dataclasses.replace(kb, intake=kb.intake.model_copy(update={"model": keen}))
    good: list[int] = []  # per patient: questions after which it agrees for good
    for pt in pts:
        full = full_leader(kb, pt, audience)
        truth = visible(kb, pt.truth, audience)
        req: dict[str, Any] = {"audience": audience, "budget": 40, "present": [], "absent": []}
        req |= {"screening": dict.fromkeys(CRITERIA, True), "pregnant": False}
        req |= {"breastfeeding": False, "medications": [], "conditions": [], "text": []}
        req["absent"] += [f.id for f in kb.findings.values() if f.category == "red-flag"]
        for key in ("sex", "age"):
            if getattr(pt, key) is not None:
                req[key] = getattr(pt, key)
        agree = [agrees(roles(kb, set(), pt.sex), full)]
        while (q := step(IntakeRequest.model_validate(req), kb).next) is not None:
            if q.kind == "choice":
                ids = [c.finding for c in q.choices if c.finding is not None]
                req = answer_choice(req, q, next((f for f in ids if f in truth), "none"))
            elif q.kind == "checklist":
                req = answer_checklist(req, q, [o.finding for o in q.options if o.finding in truth])
            else:
                req["present" if q.id in truth else "absent"].append(q.id)
            agree.append(agrees(roles(kb, set(req["present"]), pt.sex), full))
        k = len(agree)
        while k > 0 and agree[k - 1]:
            k -= 1
        good.append(k if k < len(agree) else 10**6)
    return {n: sum(k <= n for k in good) / len(good) for n in (12, 15, 30)}


def roles(kb: KnowledgeBase, present: set[str], sex: str | None) -> Lead:
    ranked = differentiate(kb, present, sex=sex)
    lead = next((r.id for r in ranked if r.role == "primary"), None)
    return lead, next((r.id for r in ranked if r.role == "combined"), None)


def with_settings(kb: KnowledgeBase, argv: list[str]) -> KnowledgeBase:
    """The base with the `--set name=value` numbers of the intake model changed."""
    changes: dict[str, Any] = {}
    for n, arg in enumerate(argv):
        if arg == "--set":
            name, value = argv[n + 1].split("=", 1)
            changes[name] = yaml.safe_load(value)
    if "--no-groups" in argv:  # one finding a question, as before the grouped questions
        kb = dataclasses.replace(kb, intake=kb.intake.model_copy(update={"exclusive": ()}))
    if not changes:
        return kb
    m = kb.intake.model.model_validate(kb.intake.model.model_dump() | changes)
    return dataclasses.replace(kb, intake=kb.intake.model_copy(update={"model": m}))


def pct(xs: list[int], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def main() -> None:
    kb = with_settings(get_kb(), sys.argv)
    audience = "practitioner"
    if "--audience" in sys.argv:
        audience = sys.argv[sys.argv.index("--audience") + 1]
    pts = patients(kb)
    if "--ceiling" in sys.argv:  # the best stop of this order of questions, on dev
        dev = [p for p in pts if p.split == "dev"]
        shares = ceiling(kb, dev, audience)
        print(
            f"{audience}, {len(dev)} dev patients, agreeing for good after "
            + ", ".join(f"{n} questions: {v:.2f}" for n, v in shares.items())
        )
        return
    if "--about" in sys.argv:  # the table of "about N more", from the dev patients only
        text = about_yaml(kb, [p for p in pts if p.split == "dev"])
        print(text, end="")
        if "--write" in sys.argv:
            write_about(text)
        return
    if "--dev" in sys.argv:
        pts = [p for p in pts if p.split == "dev"]
    times: list[float] = []
    fulls = {pt.id: full_leader(kb, pt, audience) for pt in pts}
    print(
        f"audience {audience}; {len(pts)} simulated patients "
        f"({sum(p.kind == 'case' for p in pts)} cases read, "
        f"{sum(p.kind == 'definition' for p in pts)} pattern definitions)"
    )
    header = (
        f"{'split':8} {'flips':>5} {'n':>3} {'median':>6} {'p90':>4} {'max':>4} {'items':>5} "
        f"{'agree':>6} {'strict':>6} {'agreeNB':>7} {'stated':>6} {'full':>5}"
    )
    print(header)
    off: dict[str, list[int]] = {}  # |"about N more" - the questions that did come|
    for flips in (False, True):
        runs = RUNS if flips else 1
        rows: dict[str, list[tuple[Patient, int, Lead, str | None]]] = {}
        burden: dict[str, list[int]] = {}  # findings put to each patient
        for k in range(runs):
            rng = random.Random(SEED + k) if flips else None
            for pt in pts:
                shown: list[int] = []
                items: list[int] = []
                asked, lead, nb = simulate(kb, pt, audience, rng, times, shown, items)
                rows.setdefault(pt.split, []).append((pt, asked, lead, nb))
                burden.setdefault(pt.split, []).append(sum(items))
                if not flips:
                    off.setdefault(pt.split, []).extend(
                        abs(n - (asked - i)) for i, n in enumerate(shown)
                    )
        for split in ("dev", "unseen"):
            g = rows.get(split)
            if not g:
                continue
            qs = [a for _, a, _, _ in g]
            agree = sum(agrees(lead, fulls[pt.id]) for pt, _, lead, _ in g) / len(g)
            strict = sum(lead[0] == fulls[pt.id][0] for pt, _, lead, _ in g) / len(g)
            agree_nb = sum(nb == fulls[pt.id][0] for pt, _, _, nb in g) / len(g)
            with_stated = [row for row in g if row[0].stated]
            stated = sum(row[2][0] in row[0].stated for row in with_stated) / len(with_stated)
            full = sum(fulls[row[0].id][0] in row[0].stated for row in with_stated) / len(
                with_stated
            )
            print(
                f"{split:8} {('10%' if flips else '0'):>5} {len(g) // runs:3} "
                f"{statistics.median(qs):6.1f} {pct(qs, 0.9):4.0f} {max(qs):4d} "
                f"{statistics.median(burden[split]):5.0f} {agree:6.2f} "
                f"{strict:6.2f} {agree_nb:7.2f} {stated:6.2f} {full:5.2f}"
            )
            if "-v" in sys.argv:
                for pt, asked, lead, nb in g:
                    if not agrees(lead, fulls[pt.id]):
                        print(
                            f"    {pt.id}: {asked} asked, got {lead} (NB {nb}), full {fulls[pt.id]}"
                        )
    for split, errors in off.items():
        print(
            f'"about N more" ({split}, no flips): off by a median of '
            f"{statistics.median(errors):.1f} questions, p90 {pct(errors, 0.9):.0f}"
        )
    ms = sorted(t * 1000 for t in times)
    print(
        f"one step in-process: median {statistics.median(ms):.2f} ms, "
        f"p99 {ms[int(0.99 * (len(ms) - 1))]:.2f} ms, max {ms[-1]:.2f} ms over {len(ms)} steps"
    )


if __name__ == "__main__":
    main()
