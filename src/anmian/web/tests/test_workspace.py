"""The practitioner's workspace: works for bob, 404 for everyone else, unsafe edits refused."""

from __future__ import annotations

import pytest
from django.test import Client

from anmian.web.records.models import AuditEntry, Patient, Plan, SessionNote

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(alice_assessment, bob) -> Plan:
    return Plan.objects.create(
        patient=alice_assessment.patient,
        assessment=alice_assessment,
        adopted_by=bob,
        points=["sp6"],
        formula="",
        herbs=[],
    )


def _urls(alice, alice_assessment, plan) -> list[tuple[str, str]]:
    return [
        ("get", f"/clinic/patients/{alice.uid}/"),
        ("get", f"/clinic/patients/{alice.uid}/notes/new/"),
        ("post", f"/clinic/assessments/{alice_assessment.uid}/adopt/"),
        ("get", f"/clinic/plans/{plan.uid}/"),
        ("get", f"/accounts/mine/assessments/{alice_assessment.uid}/"),
    ]


def test_every_patient_url_is_404_for_another_clinic_and_another_patient(
    client: Client, alice, alice_assessment, plan, charlie, dave
):
    for outsider in (dave.user, charlie.user):
        client.force_login(outsider)
        for method, url in _urls(alice, alice_assessment, plan):
            assert getattr(client, method)(url).status_code == 404, (outsider, url)


def test_the_patient_list_is_404_for_a_patient(client: Client, alice):
    client.force_login(alice.user)
    assert client.get("/clinic/patients/").status_code == 404


def test_the_workspace_sends_anonymous_users_to_login(client: Client, alice):
    response = client.get(f"/clinic/patients/{alice.uid}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_patient_list_searches_and_pages(client: Client, bob, clinic):
    Patient.objects.bulk_create(
        [Patient(clinic=clinic, name=f"Patient {i:02d}") for i in range(30)]
    )
    client.force_login(bob.user)
    first = client.get("/clinic/patients/")
    assert first.status_code == 200 and b"Page 1 of 2" in first.content
    found = client.get("/clinic/patients/?q=Patient 07")
    assert b"Patient 07" in found.content and b"Patient 08" not in found.content


def test_the_patient_list_does_not_show_other_clinics(client: Client, bob, charlie, dave):
    client.force_login(dave.user)
    assert b"Charlie" not in client.get("/clinic/patients/").content


def test_the_chart_shows_assessments_over_time_and_is_audited(
    client: Client, bob, alice, alice_assessment
):
    client.force_login(bob.user)
    response = client.get(f"/clinic/patients/{alice.uid}/")
    assert response.status_code == 200
    assert b"Pattern scores over time" in response.content
    assert AuditEntry.objects.filter(user=bob.user, patient=alice, action="read").exists()


def test_adopting_a_plan_copies_the_engine_plan(client: Client, bob, alice_assessment):
    client.force_login(bob.user)
    response = client.post(f"/clinic/assessments/{alice_assessment.uid}/adopt/")
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert {"sp6", "st36"} <= set(plan.points)


def test_adopt_refuses_get(client: Client, bob, alice_assessment):
    client.force_login(bob.user)
    assert client.get(f"/clinic/assessments/{alice_assessment.uid}/adopt/").status_code == 405


def test_a_safe_edit_is_saved(client: Client, bob, plan):
    client.force_login(bob.user)
    response = client.post(
        f"/clinic/plans/{plan.uid}/",
        {"points": ["sp6", "st36"], "formula": "si-wu-tang", "herbs": ["shu-di-huang", "bai-shao"]},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.points == ["sp6", "st36"] and plan.formula == "si-wu-tang"


def test_an_unsafe_herb_is_refused_with_the_reason_and_nothing_saved(client: Client, bob, plan):
    plan.assessment.input = plan.assessment.input | {"medications": ["warfarin"]}
    plan.assessment.save()
    client.force_login(bob.user)
    response = client.post(
        f"/clinic/plans/{plan.uid}/", {"points": ["sp6"], "formula": "", "herbs": ["dang-gui"]}
    )
    assert response.status_code == 400
    assert b"Not saved: unsafe for this patient" in response.content
    assert b"warfarin" in response.content
    plan.refresh_from_db()
    assert plan.herbs == []


def test_a_forbidden_point_in_pregnancy_is_refused(client: Client, bob, plan):
    plan.assessment.input = plan.assessment.input | {"pregnant": True}
    plan.assessment.save()
    client.force_login(bob.user)
    response = client.post(f"/clinic/plans/{plan.uid}/", {"points": ["sp6", "li4"]})
    assert response.status_code == 400
    assert b"LI4" in response.content


def test_a_session_note_is_saved(client: Client, bob, alice):
    client.force_login(bob.user)
    response = client.post(
        f"/clinic/patients/{alice.uid}/notes/new/",
        {
            "date": "2026-11-20",
            "tongue": "pale, thin white coat",
            "pulse": "thin",
            "points_needled": "SP6, both, even\nLR3, left, reducing",
            "herbs_given": "",
            "response": "slept better",
            "notes": "",
        },
    )
    assert response.status_code == 302
    note = SessionNote.objects.get()
    assert note.points == [
        {"point": "sp6", "side": "both", "technique": "even"},
        {"point": "lr3", "side": "left", "technique": "reducing"},
    ]


@pytest.mark.parametrize(
    ("points", "message"),
    [("XX99, both", "unknown point"), ("SP6, middle", "side must be")],
)
def test_a_bad_session_note_is_refused_and_keeps_the_text(
    client: Client, bob, alice, points, message
):
    client.force_login(bob.user)
    response = client.post(
        f"/clinic/patients/{alice.uid}/notes/new/",
        {"date": "2026-11-20", "points_needled": points, "response": "kept this"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert b"kept this" in response.content
    assert SessionNote.objects.count() == 0


def test_the_demo_clinic_loads_once(capsys):
    from django.core.management import call_command

    call_command("load_demo_clinic")
    call_command("load_demo_clinic")
    assert Patient.objects.filter(clinic__name="Anmian Demo Clinic").count() == 2
    assert all(p.assessments.count() == 1 for p in Patient.objects.all())
    assert "practitioner@demo.anmian" in capsys.readouterr().out


def test_signals_reach_the_patient_list(client: Client, bob, alice):
    from datetime import date

    SessionNote.objects.create(
        patient=alice,
        practitioner=bob,
        date=date.today(),
        notes="thoughts of self-harm mentioned today",
    )
    client.force_login(bob.user)
    html = client.get("/clinic/patients/").content.decode()
    assert "Danger sign in a note: Thoughts of suicide or self-harm (emergency)" in html


# The services enforce access themselves, so a caller without the views' checks (the API, a
# command, a future page) cannot reach another clinic's records.


def _service_calls(alice, alice_assessment, plan):
    from datetime import date

    from anmian.web.records import services

    return {
        "chart": lambda u: services.chart(u, alice.uid),
        "adopt_plan": lambda u: services.adopt_plan(u, alice_assessment.uid),
        "read_plan": lambda u: services.read_plan(u, plan.uid),
        "review_plan_edit": lambda u: services.review_plan_edit(u, plan.uid, ["sp6"], "", []),
        "record_note": lambda u: services.record_note(
            u, alice.uid, SessionNote(date=date(2026, 11, 20), notes="fine")
        ),
        "patient_assessments": lambda u: list(services.patient_assessments(u, alice.uid)),
    }


@pytest.mark.parametrize(
    "call",
    [
        "chart",
        "adopt_plan",
        "read_plan",
        "review_plan_edit",
        "record_note",
        "patient_assessments",
    ],
)
@pytest.mark.parametrize("outsider", ["dave", "charlie"])
def test_each_service_refuses_another_clinic_and_a_patient_with_404(
    alice, alice_assessment, plan, outsider, call, request
):
    from django.http import Http404

    user = request.getfixturevalue(outsider).user
    with pytest.raises(Http404):
        _service_calls(alice, alice_assessment, plan)[call](user)
    assert Plan.objects.count() == 1 and SessionNote.objects.count() == 0
    # only the refused attempt is written (issue 11), never a read or a change
    assert not AuditEntry.objects.filter(user=user).exclude(outcome="denied").exists()


def test_only_a_practitioner_lists_patients(charlie, dave, alice):
    from anmian.web.records import services

    with pytest.raises(services.NotPractitioner):
        services.patient_list(charlie.user)
    assert alice not in services.patient_list(dave.user)


def test_a_practitioner_without_a_patient_record_cannot_save_an_assessment(bob):
    from anmian.web.records import services

    with pytest.raises(services.NoPatientRecord):
        services.save_assessment(bob.user, {"findings": ["leg-crawling"]})


def test_a_recorded_note_is_audited_and_its_danger_signs_returned(bob, alice):
    from datetime import date

    from anmian.web.records import services

    recorded = services.record_note(
        bob.user, alice.uid, SessionNote(date=date(2026, 11, 20), notes="calf swollen and hot")
    )
    assert recorded.note.practitioner == bob and recorded.note.patient == alice
    assert [a.flag for a in recorded.alerts] == ["dvt-suspected"]
    assert AuditEntry.objects.filter(user=bob.user, action="create", what="note").count() == 1
