"""The admin (superusers only, see test_admin_scope.py): the knowledge base read-only; the
audit log unchangeable."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    user = get_user_model().objects.create_user(
        "staff@example.org", "staff@example.org", "pw-staff-long-1"
    )
    user.is_staff = True
    user.is_superuser = True  # the admin is for superusers only
    user.save()
    return user


def test_staff_see_the_knowledge_base_read_only(client: Client, staff):
    client.force_login(staff)
    assert b"Knowledge base" in client.get("/admin/knowledge/").content
    assert b"sp6" in client.get("/admin/knowledge/points/").content
    page = client.get("/admin/knowledge/points/sp6/")
    assert (
        page.status_code == 200 and b"Sanyinjiao" in page.content and b"read-only" in page.content
    )
    assert client.post("/admin/knowledge/points/sp6/").status_code in (
        200,
        405,
    )  # nothing to change


def test_unknown_knowledge_entries_are_404(client: Client, staff):
    client.force_login(staff)
    assert client.get("/admin/knowledge/nope/").status_code == 404
    assert client.get("/admin/knowledge/points/zz99/").status_code == 404


def test_non_staff_are_sent_to_the_admin_login(client: Client, alice):
    client.force_login(alice.user)
    response = client.get("/admin/knowledge/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_nobody_can_change_the_audit_log_in_the_admin(
    client: Client, staff, alice, alice_assessment
):
    from anmian.web.records.audit import record as audit
    from anmian.web.records.models import AuditEntry

    audit(alice.user, "read", alice, "assessment", alice_assessment)
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    entry = AuditEntry.objects.get()
    assert client.get("/admin/records/auditentry/").status_code == 200
    assert (
        client.post(f"/admin/records/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEntry.objects.count() == 1
