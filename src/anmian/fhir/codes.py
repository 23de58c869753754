"""The code systems the export writes, each code checked against a public source (docs/fhir.md
lists them with where each was read). Local code systems are URNs, not URLs: Anmian owns no
domain to publish them under, and a URN cannot be mistaken for a resolvable definition."""

from __future__ import annotations

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD11 = "http://id.who.int/icd/release/11/mms"  # ICD-11 MMS; Chapter 26 (TM1) is part of it
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# Anmian's own code systems (docs/fhir.md describes each code).
LOCAL = "urn:anmian:codesystem:"
ACUPOINT = LOCAL + "who-acupoint"  # WHO standard acupuncture point codes (SP6, HT7, EX-HN3)
PATTERN = LOCAL + "tcm-pattern"  # knowledge-base pattern ids
FINDING = LOCAL + "finding"  # knowledge-base finding ids
HERB = LOCAL + "herb"
FORMULA = LOCAL + "formula"
MEASURE = LOCAL + "measure"  # scores and diary measures that have no LOINC code
PROCEDURE = LOCAL + "procedure"  # acupuncture-session
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
QUESTIONNAIRE = "urn:anmian:questionnaire:self-check"  # the canonical URL of our Questionnaire
IDENTIFIER = "urn:anmian:id:"  # + patient, practitioner, clinic, appointment, plan

# Restless legs syndrome in the three terminologies (docs/fhir.md: sources).
RLS = (
    (SNOMED, "32914008", "Restless legs"),
    (ICD10CM, "G25.81", "Restless legs syndrome"),
    (ICD11, "7A80", "Restless legs syndrome"),
)

# LOINC where a code exists; everything else is a MEASURE code.
FERRITIN = (LOINC, "2276-4", "Ferritin [Mass/volume] in Serum or Plasma")
TSAT = (LOINC, "2502-3", "Iron saturation [Mass Fraction] in Serum or Plasma")
SLEEP_DURATION = (LOINC, "93832-4", "Sleep duration")
SLEEP_EFFICIENCY = (MEASURE, "sleep-efficiency", "Sleep efficiency (sleep time / time in bed)")
SLEEP_ONSET = (MEASURE, "sleep-onset-latency", "Minutes to fall asleep")
WAKE_AFTER_ONSET = (MEASURE, "wake-after-sleep-onset", "Minutes awake after first sleep")
NIGHT_SEVERITY = (MEASURE, "night-leg-severity", "Leg symptoms that night, 0 to 10")


def score_code(scale: str, name: str) -> tuple[str, str, str]:
    """A severity scale's total: no LOINC code was found for the IRLS total or Anmian's own
    tracker, so both are local (`irls-total`, `anmian-leg-scale-total`)."""
    return (MEASURE, f"{scale}-total", f"{name} total score")
