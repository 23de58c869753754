"""The shop's promise as a property: over the demo catalogue and a set of people, no order
ever holds a product with an ingredient the engine excludes for its buyer, however the
people mix their orders and whatever cautions they tick.

The oracle does not ask the shop: it reads the knowledge base's rules of every ingredient
and the engine's own safety context for the person (anmian.engine.assess.person_context)."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anmian.engine import parse_input
from anmian.engine.assess import person_context
from anmian.knowledge import get_kb
from anmian.web.records.models import Plan, Practitioner
from anmian.web.shop import services
from anmian.web.shop.models import Product
from anmian.web.shop.testing import PEOPLE, catalogue, person


def engine_excludes(product: Product, data: dict) -> set[str]:
    """Ingredients of `product` with an `exclude` rule for a tag the engine gives the person
    (self-care included: everything from the shop is used at home)."""
    kb = get_kb()
    ctx = person_context(parse_input(data), kb)
    ctx.add("self-care", "shop")
    rules = []
    for fid in product.formulas:
        rules += [(fid, r) for _, r in kb.formula_safety(kb.formulas[fid])]
    rules += [(h, r) for h in product.herbs for r in kb.herbs[h].safety]
    rules += [(o, r) for o in product.oils for r in kb.oils[o].safety]
    return {i for i, r in rules if r.action == "exclude" and ctx.has(r.when)}


@pytest.mark.django_db
def test_no_order_ever_holds_an_ingredient_the_engine_excludes_for_its_buyer(bob):
    shop = catalogue()
    buyers, inputs = {}, {}
    for name, data in PEOPLE.items():
        patient = person(name, clinic=bob.clinic, **data)
        inputs[name] = patient.assessments.first().input
        # Half of them have a plan naming a formula sold in the shop.
        if len(buyers) % 2:
            Plan.objects.create(
                patient=patient,
                assessment=patient.assessments.first(),
                adopted_by=Practitioner.objects.get(pk=bob.pk),
                formula="suan-zao-ren-tang",
            )
        buyers[name] = services.buyer_for(patient.user)
    slugs = sorted(shop)
    orders_placed = refusals = 0

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        who=st.sampled_from(sorted(buyers)),
        items=st.lists(
            st.tuples(st.sampled_from(slugs), st.integers(1, 3)), min_size=1, max_size=4
        ),
    )
    def check(who: str, items: list[tuple[str, int]]) -> None:
        nonlocal orders_placed, refusals
        buyer = buyers[who]
        # The worst case: the person ticks every caution they are shown.
        ticked = [
            c.key
            for slug, _ in items
            for c in services.check_product(shop[slug], buyer, alternatives=False).cautions
        ]
        with transaction.atomic():
            try:
                order = services.place_order(buyer, items, "pickup", acknowledged=ticked)
            except services.ShopError:
                refusals += 1
            else:
                orders_placed += 1
                for line in order.lines.select_related("product"):
                    assert not engine_excludes(line.product, inputs[who]), (who, line.name)
            transaction.set_rollback(True)

    check()
    # The property is not vacuous: some orders went through and some were refused.
    assert orders_placed > 10 and refusals > 10


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_every_single_product_the_engine_excludes_is_refused(name):
    shop = catalogue()
    patient = person(name, **PEOPLE[name])
    buyer = services.buyer_for(patient.user)
    data = patient.assessments.first().input
    for product in shop.values():
        if engine_excludes(product, data):
            assert not services.check_product(product, buyer).allowed, (name, product.slug)
