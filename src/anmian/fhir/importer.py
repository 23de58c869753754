"""Reading a person's medicines, conditions and allergies from a FHIR R4 Bundle a GP system
exports (MedicationStatement, MedicationRequest, Condition, AllergyIntolerance).

Nothing here saves anything: `read_bundle` answers what it found, each item's words read
through the engine's medication and condition readers, so the person can confirm the list
before the site keeps it. Input that is not a FHIR R4 Bundle is refused with `ImportRefused`,
whose message says what is wrong; one resource that does not validate is listed as skipped,
not a reason to refuse the rest (GP exports carry many resources this import ignores)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError

from anmian.engine.resolve import Index, indexes
from anmian.knowledge import KnowledgeBase

MAX_BYTES = 5 * 1024 * 1024  # a GP record of medicines and problems is far smaller

KINDS = {
    "MedicationStatement": "medication",
    "MedicationRequest": "medication",
    "Condition": "condition",
    "AllergyIntolerance": "allergy",
}

# Statuses that mean the entry is not true of the person (dropped), and those that mean it is
# no longer true now (listed, unticked: the person may still tick a medicine they take).
_WRONG = {"entered-in-error", "refuted"}
_PAST = {"completed", "stopped", "cancelled", "inactive", "resolved", "remission", "not-taken"}

# Fields that exist only in FHIR R5 (hl7.org/fhir/R5 resource pages): a Bundle carrying them
# was written for R5, where MedicationStatement.medication is a CodeableReference and so on.
_R5_FIELDS = {
    "Bundle": {"issues"},
    "MedicationStatement": {"medication", "adherence", "relatedClinicalInformation"},
    "MedicationRequest": {"medication", "informationSource", "renderedDosageInstruction"},
    "Condition": {"participant"},
    "AllergyIntolerance": {"participant"},
}
# And fields of FHIR STU3 that R4 removed.
_STU3_FIELDS = {"MedicationStatement": {"taken"}, "Condition": {"assertedDate"}}


class Readable(Protocol):
    """An upload, a request body: anything read a number of bytes at a time."""

    def read(self, n: int, /) -> bytes: ...


class ImportRefused(ValueError):
    """The upload is not something this import reads; the message says why, for the person."""


@dataclass(frozen=True)
class Item:
    kind: str  # medication | condition | allergy
    text: str  # the words the record uses
    system: str = ""
    code: str = ""
    status: str = ""
    kb_id: str = ""  # what Anmian read it as; empty when unknown
    kb_name: str = ""
    current: bool = True  # ticked for keeping by default

    @property
    def known(self) -> bool:
        return bool(self.kb_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "system": self.system,
            "code": self.code,
            "status": self.status,
            "kb_id": self.kb_id,
            "kb_name": self.kb_name,
            "current": self.current,
            "known": self.known,
        }


@dataclass
class Reading:
    items: list[Item] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why a resource was left out

    @property
    def unknown(self) -> list[Item]:
        return [i for i in self.items if not i.known]


def read_upload(stream: Readable, kb: KnowledgeBase, limit: int = MAX_BYTES) -> Reading:
    """Read at most `limit` bytes (one more to tell a file over it), then the Bundle."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ImportRefused(
            f"the file is over {limit // (1024 * 1024)} MB; export only medicines "
            "and problems, or ask the practice for a smaller summary"
        )
    return read_bundle(data, kb)


def read_bundle(data: bytes | str, kb: KnowledgeBase) -> Reading:
    bundle = _json(data)
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        got = bundle.get("resourceType") if isinstance(bundle, dict) else type(bundle).__name__
        raise ImportRefused(f"this is not a FHIR Bundle (resourceType is {got!r})")
    _check_version(bundle)
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise ImportRefused("the Bundle's entry is not a list")
    resources: list[dict[str, Any]] = [
        e["resource"]
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    ]
    for r in resources:
        _check_version(r)
    meds_index, cond_index = _readers(kb)
    by_ref = _medications_by_reference(entries)
    out = Reading()
    for r in resources:
        kind = KINDS.get(str(r.get("resourceType")))
        if kind is None:
            continue
        problem = _validate(r)
        if problem:
            out.skipped.append(problem)
            continue
        item = _item(kind, r, by_ref)
        if item is None:
            out.skipped.append(f"{r['resourceType']} {r.get('id', '')}: no name or code".strip())
            continue
        if item.status in _WRONG:
            continue
        index = cond_index if kind == "condition" else meds_index
        out.items.append(_read(item, index, kb))
    return out


def _json(data: bytes | str) -> Any:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRefused("the file is not text in UTF-8, so not FHIR JSON") from None
    if not data.strip():
        raise ImportRefused("the file is empty")
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        if data.lstrip().startswith("<"):
            raise ImportRefused(
                "this looks like FHIR XML; export the record as FHIR JSON"
            ) from None
        raise ImportRefused(
            f"the file is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise ImportRefused("the file is JSON nested too deeply to be a FHIR Bundle") from None


def _check_version(resource: dict[str, Any]) -> None:
    kind = str(resource.get("resourceType"))
    meta: dict[str, Any] = resource["meta"] if isinstance(resource.get("meta"), dict) else {}
    hints = [str(p) for p in (meta.get("profile") or []) if isinstance(p, str)]
    hints.append(str(resource.get("fhirVersion", "")))
    for hint in hints:
        low = hint.lower()
        for marker, name in (
            ("/r5/", "R5"),
            ("/5.0", "R5"),
            ("/r6/", "R6"),
            ("/stu3/", "STU3"),
            ("/3.0", "STU3"),
            ("/dstu2/", "DSTU2"),
            ("/r3/", "STU3"),
        ):
            if marker in low + "/" or low.startswith(marker.strip("/")):
                raise ImportRefused(_version_message(name, hint))
    for name, table in (("R5", _R5_FIELDS), ("STU3", _STU3_FIELDS)):
        extra = sorted(table.get(kind, set()) & set(resource))
        if extra:
            raise ImportRefused(_version_message(name, f"{kind}.{extra[0]}"))


def _version_message(name: str, hint: str) -> str:
    return (
        f"this Bundle is FHIR {name}, not R4 ({hint}); export the record as FHIR R4 "
        "(4.0.1), as UK GP systems do"
    )


def _readers(kb: KnowledgeBase) -> tuple[Index, Index]:
    _findings, medications, conditions = indexes(kb)
    return medications, conditions


def _validate(resource: dict[str, Any]) -> str:
    """An R4 structure check by fhir.resources (R4B: the same four resources as R4)."""
    from fhir.resources.R4B import get_fhir_model_class

    kind = str(resource["resourceType"])
    try:
        get_fhir_model_class(kind).model_validate(resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{kind} {resource.get('id', '')}: {where}: {first['msg']}"
    return ""


def _medications_by_reference(entries: list[Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for e in entries:
        r = e.get("resource") if isinstance(e, dict) else None
        if isinstance(r, dict) and r.get("resourceType") == "Medication":
            if e.get("fullUrl"):
                out[str(e["fullUrl"])] = r
            if r.get("id"):
                out[f"Medication/{r['id']}"] = r
    return out


def _item(kind: str, r: dict[str, Any], by_ref: dict[str, dict[str, Any]]) -> Item | None:
    if kind == "medication":
        concept = r.get("medicationCodeableConcept")
        if concept is None and isinstance(r.get("medicationReference"), dict):
            ref = str(r["medicationReference"].get("reference", ""))
            contained = {f"#{c.get('id')}": c for c in r.get("contained") or []}
            med = contained.get(ref) or by_ref.get(ref)
            concept = (med or {}).get("code")
            if concept is None:
                concept = {"text": r["medicationReference"].get("display", "")}
        status = str(r.get("status", ""))
    elif kind == "allergy":
        concept = r.get("code")
        status = _coded_status(r.get("verificationStatus")) or _coded_status(
            r.get("clinicalStatus")
        )
        if status == "confirmed" or status == "unconfirmed":
            status = _coded_status(r.get("clinicalStatus")) or status
    else:
        concept = r.get("code")
        verification = _coded_status(r.get("verificationStatus"))
        status = verification if verification in _WRONG else _coded_status(r.get("clinicalStatus"))
    text, system, code = _words(concept or {})
    if not text and not code:
        return None
    return Item(
        kind=kind,
        text=text or code,
        system=system,
        code=code,
        status=status,
        current=status not in _PAST,
    )


def _coded_status(concept: Any) -> str:
    if not isinstance(concept, dict):
        return ""
    for c in concept.get("coding") or []:
        if isinstance(c, dict) and c.get("code"):
            return str(c["code"])
    return ""


def _words(concept: dict[str, Any]) -> tuple[str, str, str]:
    """The words a person knows (text, else the first coding's display) and the first code."""
    codings = [c for c in concept.get("coding") or [] if isinstance(c, dict)]
    text = str(concept.get("text") or next((c["display"] for c in codings if c.get("display")), ""))
    first = next((c for c in codings if c.get("code")), {})
    return text.strip(), str(first.get("system", "")), str(first.get("code", ""))


def _read(item: Item, index: Index, kb: KnowledgeBase) -> Item:
    matches, _unread = index.read(item.text)
    # A fuzzy guess at a misspelling is not a reading of a record: those stay unknown.
    sure = [m for m in matches if m.status == "present" and (m.how != "fuzzy" or m.level != "low")]
    if not sure:
        return item
    kb_id = sure[0].id
    name = _name(kb, item.kind, kb_id)
    return Item(**{**item.__dict__, "kb_id": kb_id, "kb_name": name})


def _name(kb: KnowledgeBase, kind: str, kb_id: str) -> str:
    if kb_id.startswith("class:"):
        dc = kb.drug_classes.get(kb_id.removeprefix("class:"))
        return dc.name if dc else kb_id
    table: Any = kb.conditions if kind == "condition" else kb.medications
    entry = table.get(kb_id) or kb.findings.get(kb_id)
    return str(getattr(entry, "name", None) or getattr(entry, "label", kb_id))
