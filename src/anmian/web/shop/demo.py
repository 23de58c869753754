"""The demo catalogue, loaded by `manage.py load_demo_clinic`. Idempotent: a product that
exists (by slug) is left as staff may have changed it. Descriptions are ours."""

from __future__ import annotations

from decimal import Decimal

from anmian.web.shop.models import Product

# slug, name, kind, price, stock, made of {herbs, formulas, oils}, for {points, patterns,
# advice}, description, alternative slug
CATALOGUE = [
    (
        "acupressure-probe",
        "Steel acupressure probe",
        "acupressure-tool",
        "12.00",
        40,
        {},
        {"points": ["sp6", "st36", "lr3", "ki3"], "advice": ["lifestyle-self-massage"]},
        "A smooth, round-tipped steel probe for pressing the plan's leg points firmly without "
        "tiring the thumb.",
        None,
    ),
    (
        "acupressure-ball-pair",
        "Spiky massage balls (pair)",
        "acupressure-tool",
        "9.50",
        30,
        {},
        {"points": ["ki1", "bl57", "gb34"], "advice": ["lifestyle-self-massage"]},
        "Two firm rubber balls to roll under the soles and along the calves in the evening.",
        None,
    ),
    (
        "calm-evening-stick",
        "Calm evening aroma stick",
        "aroma-stick",
        "14.00",
        25,
        {"oils": ["lavender-oil", "roman-chamomile-oil"]},
        {
            "points": ["ht7", "anmian", "yintang"],
            "patterns": ["heart-blood-deficiency"],
            "advice": ["topical-aroma-acupressure"],
        },
        "A rounded stick with a diluted lavender and Roman chamomile balm in its tip, to press "
        "the calming points at bedtime.",
        None,
    ),
    (
        "muscle-ease-stick",
        "Muscle ease aroma stick",
        "aroma-stick",
        "14.00",
        25,
        {"oils": ["wintergreen-oil", "peppermint-oil"]},
        {
            "points": ["sp6", "st36", "gb34"],
            "patterns": ["blood-stasis"],
            "advice": ["topical-aroma-acupressure"],
        },
        "A cooling stick for the leg points, with wintergreen and peppermint oils in its tip.",
        "calm-evening-stick",
    ),
    (
        "clear-head-stick",
        "Clear head aroma stick",
        "aroma-stick",
        "14.00",
        20,
        {"oils": ["sage-oil", "rosemary-oil"]},
        {
            "points": ["yintang", "gb20"],
            "patterns": ["liver-qi-stagnation"],
            "advice": ["topical-aroma-acupressure"],
        },
        "A bright, herbal-smelling stick for the points of the head on heavy mornings.",
        "calm-evening-stick",
    ),
    (
        "breathe-easy-stick",
        "Breathe easy aroma stick",
        "aroma-stick",
        "13.00",
        20,
        {"oils": ["eucalyptus-oil", "peppermint-oil"]},
        {
            "points": ["lu7", "li4"],
            "patterns": ["wei-qi-deficiency"],
            "advice": ["topical-aroma-acupressure"],
        },
        "A fresh eucalyptus and peppermint stick for the points of the wrist and hand.",
        "calm-evening-stick",
    ),
    (
        "sunlit-calm-stick",
        "Sunlit calm aroma stick",
        "aroma-stick",
        "13.50",
        15,
        {"oils": ["bergamot-oil", "lavender-oil"]},
        {
            "points": ["lr3", "pc6"],
            "patterns": ["liver-qi-stagnation"],
            "advice": ["topical-aroma-acupressure"],
        },
        "A citrus and lavender stick for the points that free the flow of Liver Qi.",
        "calm-evening-stick",
    ),
    (
        "warming-leg-balm",
        "Warming leg balm",
        "topical",
        "16.00",
        30,
        {"oils": ["wintergreen-oil", "sweet-birch-oil", "clove-bud-oil"]},
        {
            "points": ["st36", "gb34", "bl57"],
            "patterns": ["blood-stasis"],
            "advice": ["topical-warming-liniment"],
        },
        "A firm balm that warms aching calves, made with wintergreen, sweet birch and clove.",
        "leg-massage-oil",
    ),
    (
        "leg-massage-oil",
        "Evening leg massage oil",
        "topical",
        "15.00",
        30,
        {"oils": ["sweet-marjoram-oil", "ginger-oil", "lavender-oil"]},
        {
            "points": ["sp6", "st36", "ki3"],
            "patterns": ["qi-blood-deficiency"],
            "advice": ["topical-massage-oil", "lifestyle-self-massage"],
        },
        "A light almond-oil blend with marjoram, ginger and lavender for stroking the legs "
        "before bed.",
        None,
    ),
    (
        "frankincense-foot-balm",
        "Frankincense foot balm",
        "topical",
        "12.50",
        20,
        {"oils": ["frankincense-oil", "roman-chamomile-oil"]},
        {
            "points": ["ki1", "ki3"],
            "patterns": ["kidney-yin-deficiency"],
            "advice": ["topical-warm-foot-soak"],
        },
        "A soft balm to rub into the soles after a warm foot soak.",
        None,
    ),
    (
        "calf-heat-wrap",
        "Calf heat wrap",
        "heat-pack",
        "18.00",
        25,
        {},
        {
            "points": ["bl57", "st36"],
            "patterns": ["kidney-yang-deficiency"],
            "advice": ["lifestyle-keep-warm"],
        },
        "A wheat-filled wrap, warmed in the microwave, that curls around the calf.",
        None,
    ),
    (
        "suan-zao-ren-granules",
        "Suan Zao Ren Tang granules",
        "herbal",
        "28.00",
        15,
        {"formulas": ["suan-zao-ren-tang"]},
        {"patterns": ["liver-blood-deficiency", "heart-blood-deficiency"]},
        "Concentrated granules of the classical sleep formula, dissolved in warm water. Sold "
        "only when your practitioner's plan names it.",
        None,
    ),
    (
        "gui-pi-granules",
        "Gui Pi Tang granules",
        "herbal",
        "28.00",
        15,
        {"formulas": ["gui-pi-tang"]},
        {"patterns": ["heart-spleen-deficiency"]},
        "Concentrated granules of the formula that restores the Heart and Spleen. Sold only "
        "when your practitioner's plan names it.",
        None,
    ),
    (
        "self-acupressure-guide",
        "A guide to self-acupressure for restless legs",
        "book",
        "8.00",
        50,
        {},
        {"points": ["sp6", "st36", "lr3", "ki3", "ht7"], "advice": ["lifestyle-self-massage"]},
        "Our own short illustrated guide: finding the plan's points, how hard and how long to "
        "press, and when to stop.",
        None,
    ),
    (
        "gift-card-50",
        "Gift card, £50",
        "gift-card",
        "50.00",
        100,
        {},
        {},
        "A card for treatments or anything in the shop, valid for a year.",
        None,
    ),
    (
        "four-session-package",
        "Four follow-up sessions",
        "session-package",
        "180.00",
        40,
        {},
        {"advice": ["lifestyle-trigger-diary"]},
        "Four follow-up treatments paid at once, to book through your appointments page.",
        None,
    ),
]


# Each demo product's drawing (static/shop/demo/<slug>.svg, drawn for Anmian) and what it shows.
PHOTOS = {
    "acupressure-probe": "A steel probe with a round tip and a ridged grip",
    "acupressure-ball-pair": "Two spiky massage balls, one green and one orange",
    "calm-evening-stick": "A purple aroma stick with a lavender flower on it",
    "muscle-ease-stick": "A green aroma stick with a mint leaf on it",
    "clear-head-stick": "A sage-green aroma stick with a leaf on it",
    "breathe-easy-stick": "A blue aroma stick with a drop on it",
    "sunlit-calm-stick": "An orange aroma stick with a sun on it",
    "warming-leg-balm": "A round tin of balm with a red lid",
    "leg-massage-oil": "An amber dropper bottle with a leaf on its label",
    "frankincense-foot-balm": "A round tin of balm with a gold lid",
    "calf-heat-wrap": "A padded red heat wrap with warmth rising from it",
    "suan-zao-ren-granules": "A brown sachet of herbal granules, some spilled beside it",
    "gui-pi-granules": "A blue sachet of herbal granules, some spilled beside it",
    "self-acupressure-guide": "A blue book with a leg and two marked points on its cover",
    "gift-card-50": "A purple gift card for £50 with a yellow ribbon",
    "four-session-package": "A calendar page with four sessions ticked",
}


def load_demo_products() -> int:
    """Create the demo products that do not exist yet; returns how many were created."""
    created = 0
    for slug, name, kind, price, stock, made, used, text, _alt in CATALOGUE:
        _, new = Product.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "price": Decimal(price),
                "tax_rate": Decimal("0") if kind in ("book", "gift-card") else Decimal("20"),
                "stock": stock,
                "description": text,
                **{f: made.get(f, []) for f in ("herbs", "formulas", "oils")},
                **{f: used.get(f, []) for f in ("points", "patterns", "advice")},
            },
        )
        created += new
    # Drawings for demo products that have no picture yet (an existing demo shop gets them too;
    # a photo staff uploaded, or a drawing they changed, is left alone).
    for slug, shows in PHOTOS.items():
        Product.objects.filter(slug=slug, photo="", demo_photo="").update(
            demo_photo=f"shop/demo/{slug}.svg", photo_alt=shows
        )
    by_slug = Product.objects.in_bulk(field_name="slug")
    for slug, *_, alt in CATALOGUE:
        if alt and by_slug[slug].alternative_id is None:
            Product.objects.filter(slug=slug).update(alternative=by_slug[alt])
    return created
