"""Whether the shop may sell a product to a person: their safety context, built by the engine
exactly as for their plan (anmian.engine.assess.person_context), against the rules of every
ingredient of the product (herbs, formulas and essential oils). `services` is the door that
uses it; nothing here writes anything."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from anmian.engine import InputError, parse_input
from anmian.engine.assess import person_context
from anmian.engine.context import Context
from anmian.engine.safety import ALLERGY_REFS, allergy_reasons, applicable
from anmian.engine.zh_result import _safety_zh
from anmian.knowledge import get_kb
from anmian.knowledge.models import SafetyRule
from anmian.web.core.kbtext import chinese_page, in_page_language
from anmian.web.shop.models import Product

SELF_CARE = "self-care"


# --- who is buying, and what is known about them ---


@dataclass
class Buyer:
    """What the shop knows about the person: their safety context (None when nothing is
    known) and, for a patient, their practitioner's adopted plan."""

    user: Any = None
    ctx: Context | None = None
    plan: Any = None  # records.Plan
    source: str = "none"  # "assessment", "self-check", "questions" or "none"


def _context_of(data: dict[str, Any]) -> Context | None:
    """The engine's safety context for an input document; the findings may be empty (the
    shop's own questions have none), which only the reading of findings needs."""
    try:
        parsed = parse_input({**data, "findings": data.get("findings") or ["-"]})
    except InputError:
        return None
    if not data.get("findings"):
        parsed = parsed.model_copy(update={"findings": []})
    return person_context(parsed, get_kb())


def questions_input(answers: dict[str, Any]) -> dict[str, Any]:
    """The shop's safety questions as an engine input document."""
    data: dict[str, Any] = {
        "findings": [],
        "pregnant": bool(answers.get("pregnant")),
        "breastfeeding": bool(answers.get("breastfeeding")),
        "medications": list(answers.get("medications") or []),
        "conditions": list(answers.get("conditions") or []),
    }
    if answers.get("age") is not None:
        data["age"] = answers["age"]
    return data


def buyer_for(user: Any, session: Any = None) -> Buyer:
    """What is known of the person, from every source there is: a logged-in patient's latest
    assessment (and their adopted plan), the self-check in the session, the answers to the
    shop's safety questions. Their tags are joined, the cautious reading: an assessment from
    last year does not outvote "I am pregnant" answered today."""
    from anmian.web.selfcheck.steps import ANSWERS, to_engine_input

    authenticated = user is not None and user.is_authenticated
    patient = getattr(user, "patient", None) if authenticated else None
    buyer = Buyer(user=user if authenticated else None)
    found: list[tuple[str, Context | None]] = []
    if patient is not None:
        buyer.plan = patient.plans.select_related("adopted_by").first()
        latest = patient.assessments.first()
        if latest is not None:
            found.append(("assessment", _context_of(latest.input)))
    if session is not None and session.get(ANSWERS):
        found.append(("self-check", _context_of(to_engine_input(session[ANSWERS], _steps()))))
    if session is not None and session.get(QUESTIONS) is not None:
        found.append(("questions", _context_of(questions_input(session[QUESTIONS]))))
    for source, ctx in found:
        if ctx is None:
            continue
        if buyer.ctx is None:
            buyer.ctx, buyer.source = ctx, source  # built afresh above: ours to extend
        else:
            for tag, causes in ctx.tags.items():
                for cause in causes:
                    buyer.ctx.add(tag, cause)
    return buyer


QUESTIONS = "shop_safety"  # session key of the answers to the shop's safety questions
_STEPS: list[Any] = []


def _steps() -> list[Any]:
    if not _STEPS:
        from anmian.web.selfcheck.steps import build_steps

        _STEPS.extend(build_steps(get_kb()))
    return _STEPS


# --- the safety check of one product for one buyer ---


@dataclass(frozen=True)
class Reason:
    ingredient: str  # knowledge-base id of the herb, formula or oil
    name: str
    text: str
    because: tuple[str, ...]  # what about the person set the rule off
    refs: tuple[str, ...]
    # the base's zh-Hant of the name and the text, shown on a Chinese page (issue 16)
    zh_name: str | None = None
    zh_text: str | None = None

    @property
    def key(self) -> str:
        """Names one caution, so an acknowledgement is of exactly what was shown. It is made
        from the English whatever language the page was read in: a caution accepted on a
        Chinese page stays accepted on an English one, and the other way round."""
        digest = hashlib.sha256(self.text.encode()).hexdigest()[:10]
        return f"{self.ingredient}:{digest}"

    @property
    def shown(self) -> str:
        """ "Name: text" in the page's language (the English where the base has no zh)."""
        name = in_page_language(self.name, self.zh_name)
        if chinese_page() and self.zh_text:
            return f"{name}：{in_page_language(self.text, self.zh_text)}"
        return f"{name}: {self.text}"


@dataclass
class ProductCheck:
    product: Product
    excluded: list[Reason] = field(default_factory=list)
    cautions: list[Reason] = field(default_factory=list)
    needs_questions: bool = False  # nothing is known about the person and rules exist
    needs_prescription: bool = False  # herbal, and not in the person's adopted plan
    held: str = ""  # a herbal hold of the knowledge base (unknown medicine, ...)
    held_zh: str | None = None  # its zh-Hant
    prescriber: Any = None  # records.Practitioner whose plan allows the herbal product
    alternative: Product | None = None

    @property
    def allowed(self) -> bool:
        return not (self.excluded or self.needs_questions or self.needs_prescription or self.held)

    def refusal(self) -> str:
        """Why it cannot be bought, in plain words."""
        if self.needs_prescription:
            return _(
                "%(product)s contains herbs, which are sold only when your practitioner's "
                "plan for you includes them."
            ) % {"product": self.product.name}
        if self.held:
            return _("%(product)s is not sold to you for now. %(why)s") % {
                "product": self.product.name,
                "why": in_page_language(self.held, self.held_zh),
            }
        if self.needs_questions:
            return _(
                "Before you buy %(product)s, please answer three safety questions "
                "(pregnancy, breastfeeding, medicines): some of its ingredients are not safe "
                "for everyone."
            ) % {"product": self.product.name}
        return (
            _("%(product)s is not safe for you.") % {"product": self.product.name}
            + " "
            + " ".join(r.shown for r in self.excluded)
        )


Ingredient = tuple[str, str, str | None, list[tuple[str, SafetyRule]], bool]


def _ingredients(product: Product) -> list[Ingredient]:
    """(id, name, zh-Hant name, rules as (source id, rule), herbal?) for everything the
    product contains."""
    kb = get_kb()
    out: list[Ingredient] = []
    for fid in product.formulas:
        if fid in kb.formulas:
            f = kb.formulas[fid]
            out.append((fid, f.pinyin, f.chinese, kb.formula_safety(f), True))
    for hid in product.herbs:
        if hid in kb.herbs:
            h = kb.herbs[hid]
            out.append((hid, h.pinyin, h.chinese, [(hid, r) for r in h.safety], True))
    for oid in product.oils:
        if oid in kb.oils:
            o = kb.oils[oid]
            out.append((oid, o.name, o.zh_name, [(oid, r) for r in o.safety], False))
    return out


def _in_plan(product: Product, plan: Any) -> bool:
    if plan is None:
        return False
    return all(f == plan.formula for f in product.formulas) and all(
        h in (plan.herbs or []) or h in _formula_herbs(plan.formula) for h in product.herbs
    )


def _formula_herbs(formula_id: str) -> set[str]:
    f = get_kb().formulas.get(formula_id)
    return {i.herb for i in f.ingredients} if f else set()


def _with(ctx: Context, tag: str | None, because: str = "") -> Context:
    out = Context(tags={k: list(v) for k, v in ctx.tags.items()}, findings=ctx.findings)
    if tag:
        out.add(tag, because)
    else:
        out.tags.pop(SELF_CARE, None)
    return out


def check_product(
    product: Product,
    buyer: Buyer,
    alternatives: bool = True,
    pool: list[Product] | None = None,
) -> ProductCheck:
    """Apply every ingredient's rules to the buyer. Essential oils are judged for unsupervised
    use at home (the `self-care` tag); prescribed herbs as the practitioner's plan judged them."""
    kb = get_kb()
    check = ProductCheck(product=product)
    ingredients = _ingredients(product)
    if product.is_herbal:
        if _in_plan(product, buyer.plan):
            check.prescriber = buyer.plan.adopted_by
        else:
            check.needs_prescription = True
    known = buyer.ctx is not None
    base = buyer.ctx if buyer.ctx is not None else Context()
    home = _with(base, SELF_CARE, "bought from the shop for use at home")
    supervised = _with(base, None)
    if product.is_herbal and known:
        for hold in kb.rules.herbal_holds:
            # A prescribed herb is supervised, so the holds on self-care do not apply to it.
            if SELF_CARE not in hold.when and all(supervised.has(t) for t in hold.when):
                check.held, check.held_zh = hold.text, hold.zh_text
                break
    for iid, name, zh_name, rules, herbal in ingredients:
        if not known and any(r.when != SELF_CARE for _, r in rules):
            check.needs_questions = True
        ctx = supervised if herbal else home
        # An allergy the person told us of keeps the product out, as it keeps the item out of
        # a plan (engine/safety.py allergy_reasons); one nothing is known about holds oils too.
        kind = "formula" if iid in kb.formulas else "herb" if iid in kb.herbs else "oil"
        for _part, text, causes in allergy_reasons(kb, kind, iid, ctx):
            zh = _safety_zh(text, kb)  # the engine's own sentence, as the results page reads it
            check.excluded.append(Reason(iid, name, text, tuple(causes), ALLERGY_REFS, zh_name, zh))
        if kind == "oil" and ctx.has("unknown-allergy"):
            hold = next(h for h in kb.rules.herbal_holds if "unknown-allergy" in h.when)
            text = " ".join(hold.text.split())
            because = tuple(ctx.tags["unknown-allergy"])
            zh = " ".join(hold.zh_text.split()) if hold.zh_text else None
            check.excluded.append(Reason(iid, name, text, because, tuple(hold.refs), zh_name, zh))
        for source, rule in rules:
            if not applicable((rule,), ctx):
                continue
            within = source in kb.herbs and source != iid
            src = kb.herbs[source].pinyin if within else name
            src_zh = kb.herbs[source].chinese if within else zh_name
            because = tuple(ctx.tags[rule.when])
            reason = Reason(iid, src, rule.text, because, tuple(rule.refs), src_zh, rule.zh_text)
            (check.excluded if rule.action == "exclude" else check.cautions).append(reason)
    if not known:
        check.excluded = []  # nothing is known: the questions come first, not a guess
    if alternatives and not check.allowed and not check.needs_questions:
        check.alternative = _alternative(product, buyer, pool)
    return check


def _alternative(
    product: Product, buyer: Buyer, pool: list[Product] | None = None
) -> Product | None:
    """The product's named alternative if safe for the buyer, else an in-stock product of the
    same kind for the same points or patterns that is. `pool`, the active products already
    read (a whole catalogue being checked), saves a query per refused product."""
    candidates: list[Product] = []
    if product.alternative is not None:
        candidates.append(product.alternative)
    if pool is None:
        same: Any = Product.objects.filter(kind=product.kind, active=True, stock__gt=0).exclude(
            pk=product.pk
        )
    else:
        same = [p for p in pool if p.kind == product.kind and p.stock > 0 and p.pk != product.pk]
    wanted = set(product.points) | set(product.patterns)
    candidates += [p for p in same if wanted & (set(p.points) | set(p.patterns))]
    for c in candidates:
        if c.active and c.stock > 0 and check_product(c, buyer, alternatives=False).allowed:
            return c
    return None


def unacknowledged(check: ProductCheck, acknowledged: Collection[str]) -> list[Reason]:
    return [c for c in check.cautions if c.key not in set(acknowledged)]
