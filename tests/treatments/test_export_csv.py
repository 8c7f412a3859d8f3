"""The sessions CSV: one row per session given, streamed; free-text notes only when asked;
filtered by dates and indication; every patient in it gets an EXPORT entry in the audit log."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from tests.patients.factories import PatientFactory
from tests.treatments.courses import make_clinic, make_course
from treatments.exports.documents import NOTE_COLUMNS, SESSION_COLUMNS

pytestmark = pytest.mark.django_db
CSV = reverse("treatments:exports:sessions_csv")
NOTE = "Patient mentioned a family event; keep this between us."


@pytest.fixture
def plans(admin_user, practitioner):
    clinic = make_clinic(admin=admin_user, practitioner=practitioner)
    return [
        make_course(
            clinic,
            practitioner=practitioner,
            patient=PatientFactory(first_name="Léonie", last_name="Brunet"),
            sessions=2,
            days_apart=30,
            notes=NOTE,
        ),
        make_course(
            clinic,
            practitioner=practitioner,
            # A name a spreadsheet would take for a formula.
            patient=PatientFactory(first_name="=HYPERLINK(1)", last_name="Max"),
            sessions=1,
            adverse_event=False,
            reviews=False,
        ),
    ]


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_one_row_per_session_with_what_was_injected_and_no_notes(admin_client, plans):
    response = admin_client.get(CSV)
    assert response["Content-Disposition"].startswith('attachment; filename="sessions-')
    rows = _rows(response)
    assert len(rows) == 3
    assert list(rows[0]) == list(SESSION_COLUMNS)
    first = rows[0]
    assert first["Patient"] == "Léonie Brunet"
    assert first["Indication"] == "Facial rejuvenation"
    assert first["Kind"] == "Course session"
    assert first["Status"] == "Signed"
    assert first["Practitioner"] == "Sophie Martin"
    assert first["Components"] == "Mesolab HA 10 2 ml; Mesolab Vita C 1 ml"
    assert first["Technique"] == "Nappage"
    assert (first["Needle gauge"], first["Needle length (mm)"]) == ("32", "4.0")
    assert (first["Depth min (mm)"], first["Depth max (mm)"]) == ("1.5", "1.5")
    assert first["Zones (ml)"] == "Forehead 1.00; Right cheek 1.00; Left cheek 1.00"
    assert first["Total volume (ml)"] == "3.00"
    assert first["Lots"].startswith("HA-7781 (Mesolab HA 10, exp. ")
    assert first["Pain (0-10)"] == "3"
    assert first["Adverse events"] == "Bruising (mild, resolved)"
    assert all(NOTE not in value for row in rows for value in row.values())
    # Oldest first, and a formula-like name is defused.
    assert [row["Date"] for row in rows] == sorted(row["Date"] for row in rows)
    assert "'=HYPERLINK(1) Max" in {row["Patient"] for row in rows}


def test_notes_only_when_asked_for(admin_client, plans):
    rows = _rows(admin_client.get(CSV, {"csv-notes": "on"}))
    assert list(rows[0]) == list(SESSION_COLUMNS + NOTE_COLUMNS)
    assert rows[0]["Notes"] == NOTE
    assert rows[0]["Aftercare"].startswith("No make-up")


def test_dates_and_indication_narrow_the_rows(admin_client, plans):
    first_day = timezone.localdate() - datetime.timedelta(days=37)
    rows = _rows(
        admin_client.get(
            CSV, {"csv-date_from": first_day.isoformat(), "csv-date_to": first_day.isoformat()}
        )
    )
    assert [row["Patient"] for row in rows] == ["Léonie Brunet"]
    assert _rows(admin_client.get(CSV, {"csv-indication": "scars"})) == []


def test_every_patient_in_the_csv_is_in_the_audit_log(admin_client, admin_user, plans):
    _rows(admin_client.get(CSV, {"csv-notes": "on"}))
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert {(e.user_id, e.patient_id, e.what) for e in events} == {
        (admin_user.pk, plan.patient_id, "Sessions CSV with notes") for plan in plans
    }


def test_bad_dates_are_shown_at_the_field_and_export_nothing(admin_client, plans):
    response = admin_client.get(CSV, {"csv-date_from": "2026-03-31", "csv-date_to": "2026-01-01"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["csv_form"].errors == {
        "date_to": ["The end date is before the start date."]
    }
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_only_the_clinic_manager_exports_the_sessions(practitioner_client, receptionist_client):
    for client in (practitioner_client, receptionist_client):
        assert client.get(CSV).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_csv_runs_the_same_queries_however_many_sessions(
    admin_client, admin_user, practitioner, django_assert_num_queries
):
    clinic = make_clinic(admin=admin_user, practitioner=practitioner)
    admin_client.get(CSV)  # the session's idle refresh is written at most once a minute
    counts = []
    for sessions in (1, 3):
        make_course(clinic, practitioner=practitioner, sessions=sessions, reviews=False)
        with django_assert_num_queries(12) as captured:
            _rows(admin_client.get(CSV))
        counts.append(len(captured))
    assert counts[0] == counts[1]
