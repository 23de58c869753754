"""Helpers for the shop's tests: people with what they told the clinic, and the demo
catalogue. (Kept in the app so every shop test file shares one world.)"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from anmian.web.records.models import Assessment, Patient
from anmian.web.shop.demo import load_demo_products
from anmian.web.shop.models import Product

PASSWORD = "correct horse battery staple"

# Who they are, as they would write it in the self-check or the clinic's intake.
PEOPLE: dict[str, dict[str, Any]] = {
    "plain": {"age": 45},
    "on-warfarin": {"age": 70, "medications": ["warfarin 5mg"]},
    "on-aspirin": {"age": 66, "medications": ["clopidogrel"]},
    "pregnant": {"age": 31, "pregnant": True},
    "breastfeeding": {"age": 29, "breastfeeding": True},
    "epileptic": {"age": 40, "conditions": ["epilepsy"]},
    "child": {"age": 9},
    "bleeding-disorder": {"age": 52, "conditions": ["haemophilia"]},
    "unknown-medicine": {"age": 50, "medications": ["zorblatin"]},
}


def person(name: str, clinic: Any = None, **data: Any) -> Patient:
    """A patient whose latest assessment input is `data` (findings added if missing)."""
    email = f"{name}@shop.example"
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    patient = Patient.objects.create(user=user, clinic=clinic, name=name)
    document = {"findings": ["leg-crawling"], **data}
    Assessment.objects.create(patient=patient, kb_version="test", input=document, result={})
    return patient


def catalogue() -> dict[str, Product]:
    load_demo_products()
    return Product.objects.in_bulk(field_name="slug")
