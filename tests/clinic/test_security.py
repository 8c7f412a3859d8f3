"""Sign-in protection, the audit trail of sign-ins, password reset, headers and deploy checks."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AuditEvent
from tests.cocktails.factories import LotFactory
from tests.conftest import PASSWORD
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _login(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_sign_in_sign_out_and_failures_are_audited(client, practitioner):
    _login(client, "dr.martin", "wrong")
    _login(client, "nobody-here", "wrong")
    _login(client, "dr.martin", PASSWORD)
    client.post(reverse("logout"))
    events = list(AuditEvent.objects.order_by("pk").values_list("action", "username", "user_id"))
    assert events == [
        (AuditEvent.Action.LOGIN_FAILED, "dr.martin", None),
        (AuditEvent.Action.LOGIN_FAILED, "nobody-here", None),
        (AuditEvent.Action.LOGIN, "dr.martin", practitioner.pk),
        (AuditEvent.Action.LOGOUT, "dr.martin", practitioner.pk),
    ]
    assert AuditEvent.objects.filter(ip_address="127.0.0.1").count() == 4


def test_account_locks_after_five_failures_even_with_the_right_password(
    client, settings, practitioner
):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        response = _login(client, "dr.martin", "wrong")
    assert response.status_code == 429
    locked = _login(client, "dr.martin", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert client.get(reverse("home")).status_code == 302  # still signed out
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LOCKED_OUT, username="dr.martin"
    ).exists()


def test_four_failures_then_success_resets_the_count(client, practitioner):
    for _ in range(4):
        _login(client, "dr.martin", "wrong")
    assert _login(client, "dr.martin", PASSWORD).status_code == 302


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_audit_entries_cannot_be_changed_or_deleted_in_the_database(practitioner):
    event = AuditEvent.objects.create(user=practitioner, action=AuditEvent.Action.VIEW, what="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(what="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).what == "x"


def test_audit_log_is_searchable_and_read_only_in_the_back_office(admin_client, practitioner):
    event = AuditEvent.objects.create(
        user=practitioner, username="dr.martin", action=AuditEvent.Action.VIEW, what="Sentinel"
    )
    listing = admin_client.get(reverse("admin:clinic_auditevent_changelist"), {"q": "Sentinel"})
    assert listing.status_code == 200
    assert "Sentinel" in listing.content.decode()
    change = admin_client.post(
        reverse("admin:clinic_auditevent_change", args=[event.pk]), {"what": "edited"}
    )
    assert change.status_code == 403
    assert admin_client.get(reverse("admin:clinic_auditevent_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:clinic_auditevent_delete", args=[event.pk])).status_code
        == 403
    )


def test_password_reset_by_email_sets_a_new_password(client, practitioner):
    practitioner.email = "sophie@clinic.test"
    practitioner.save()
    response = client.post(reverse("password_reset"), {"email": "sophie@clinic.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    new = "another-long-passphrase-77"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.check_password(new)


def _session_expiry(client) -> object:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_activity_keeps_a_session_alive_and_idleness_ends_it(
    client, practitioner, settings, time_machine
):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    time_machine.move_to("2026-03-02 09:00:00+00:00", tick=False)
    client.post(reverse("login"), {"username": practitioner.username, "password": PASSWORD})
    signed_in_until = _session_expiry(client)
    # Within the refresh interval a page reads the session without writing it.
    time_machine.move_to("2026-03-02 09:00:30+00:00", tick=False)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert not [
        q for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
    ]
    assert _session_expiry(client) == signed_in_until
    # Twenty minutes of work later the expiry has moved with it.
    time_machine.move_to("2026-03-02 09:20:00+00:00", tick=False)
    assert client.get(reverse("home")).status_code == 200
    moved = _session_expiry(client)
    assert moved > signed_in_until
    # Then the desk is left alone longer than the idle limit: signed out.
    time_machine.move_to(moved + datetime.timedelta(seconds=1), tick=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_pages_carry_a_strict_content_security_policy(practitioner_client):
    response = practitioner_client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_check_deploy_is_clean_with_production_settings():
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DEBUG": "0",
        "SECRET_KEY": "k" * 60 + "-production-like-secret-key-for-the-check",
        "ALLOWED_HOSTS": "clinic.example",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/deploy-check.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_viewing_a_patients_clinical_pages_is_audited(practitioner_client, practitioner):
    patient = PatientFactory()
    practitioner_client.get(reverse("patients:detail", args=[patient.pk]))
    practitioner_client.get(reverse("patients:history", args=[patient.pk]))
    viewed = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, patient=patient)
    assert list(viewed.order_by("pk").values_list("user_id", "what")) == [
        (practitioner.pk, "patient record"),
        (practitioner.pk, "change history"),
    ]


def test_a_refused_page_records_no_view(receptionist_client):
    patient = PatientFactory()
    assert (
        receptionist_client.get(reverse("patients:history", args=[patient.pk])).status_code == 403
    )
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()


def test_a_recall_csv_export_is_audited(admin_client, admin_user):
    lot = LotFactory(lot_number="RC-77")
    response = admin_client.get(reverse("cocktails:catalogue:lot_recipients_csv", args=[lot.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.user == admin_user
    assert "RC-77" in event.what
