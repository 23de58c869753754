"""A safety rule's tag (`when: anticoagulant`) said as words about a person, in the page's
language: "someone taking anticoagulants (blood thinners)" / 正在服用抗凝血劑者, so a caution
reads "Not for someone taking ..." / "正在服用抗凝血劑者禁用" rather than showing the raw tag
(issue 16). A drug class or condition is named by the base (its name and zh_name); the
engine's own tags (built-in and drug effects) by the site, through gettext."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from anmian.knowledge import get_kb
from anmian.web.core.kbtext import in_page_language

# The tags of models.BUILTIN_TAGS and models.DrugEffect, as the person they are about.
WHO = {
    "pregnancy": gettext_lazy("someone pregnant or trying to conceive"),
    "breastfeeding": gettext_lazy("someone breastfeeding"),
    "child": gettext_lazy("a child"),
    "older-adult": gettext_lazy("an older adult"),
    "self-care": gettext_lazy("someone using it on their own, without a practitioner"),
    "long-term-use": gettext_lazy("someone using it for months"),
    "unknown-medication": gettext_lazy("someone taking a medicine Anmian does not know"),
    "unknown-condition": gettext_lazy("someone with a condition Anmian cannot read"),
    "unknown-allergy": gettext_lazy("someone with an allergy Anmian does not know"),
    "low-iron": gettext_lazy("someone with low iron stores"),
    "iron-borderline": gettext_lazy("someone with borderline iron stores"),
    "iron-unknown": gettext_lazy("someone whose iron has not been checked"),
    "high-severity": gettext_lazy("someone with severe symptoms"),
    "augmentation-suspected": gettext_lazy("someone whose medicine may be worsening the legs"),
    "worsens-rls": gettext_lazy("someone taking a medicine that can worsen restless legs"),
    "bleeding-risk": gettext_lazy("someone taking a medicine that raises bleeding risk"),
    "sedating": gettext_lazy("someone taking a sedating medicine"),
    "lowers-glucose": gettext_lazy("someone taking a medicine that lowers blood sugar"),
    "dopaminergic": gettext_lazy("someone taking a dopamine medicine"),
    "hepatotoxic": gettext_lazy("someone taking a medicine that can harm the liver"),
    "lowers-blood-pressure": gettext_lazy("someone taking a medicine that lowers blood pressure"),
    "serotonergic": gettext_lazy("someone taking a serotonin medicine"),
    "rls-treatment": gettext_lazy("someone taking a medicine for restless legs"),
}

TECHNIQUE = {
    "needle": pgettext_lazy("technique", "needling"),
    "electroacupuncture": pgettext_lazy("technique", "electroacupuncture"),
    "moxibustion": pgettext_lazy("technique", "moxibustion"),
    "acupressure": pgettext_lazy("technique", "acupressure"),
    "bleeding": pgettext_lazy("technique", "bleeding"),
    "cupping": pgettext_lazy("technique", "cupping"),
    "gua-sha": pgettext_lazy("technique", "gua sha"),
}


def _lower_first(name: str) -> str:
    """Anticoagulants -> anticoagulants, but NSAIDs stays NSAIDs."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def who(tag: str) -> str:
    """The person a rule's tag is about, in the page's language; an unknown tag as it is."""
    if tag in WHO:
        return str(WHO[tag])
    kb = get_kb()
    if tag in kb.drug_classes:
        dc = kb.drug_classes[tag]
        name = in_page_language(_lower_first(dc.name), dc.zh_name)
        return gettext("someone taking %(name)s") % {"name": name}
    if tag in kb.conditions:
        cond = kb.conditions[tag]
        name = in_page_language(_lower_first(cond.name), cond.zh_name)
        return gettext("someone with %(name)s") % {"name": name}
    return tag


def technique(value: str) -> str:
    return str(TECHNIQUE.get(value, value))
