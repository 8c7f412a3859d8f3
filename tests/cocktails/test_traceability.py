"""Recalls: which patients received lot X, with when and by whom, on the page and as CSV."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cocktails.selectors import lot_recipients
from cocktails.services import lot_consume, lot_usage_cancel
from tests.cocktails.factories import LotFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _use(lot, patient, practitioner, day: int, **extra):
    return lot_consume(
        lot=lot,
        quantity=1,
        patient=patient,
        practitioner=practitioner,
        used_at=datetime.datetime(2026, 3, day, 9, 30, tzinfo=datetime.UTC),
        **extra,
    )


@pytest.fixture
def used_lot(practitioner, other_practitioner, face_glow):
    lot = LotFactory(
        lot_number="HA-777",
        quantity_received=100,
        received_on=datetime.date(2026, 1, 1),
        expiry_date=timezone.localdate() + datetime.timedelta(days=300),
    )
    _use(
        lot,
        PatientFactory(first_name="Alice", last_name="Martin"),
        practitioner,
        3,
        formulation=face_glow.current,
        reference="Session 12",
    )
    _use(lot, PatientFactory(first_name="Bruno", last_name="Petit"), other_practitioner, 5)
    LotFactory(lot_number="OTHER")  # another lot's recipients never show
    return lot


def test_the_recipients_of_a_lot_come_with_dates_practitioners_and_versions(used_lot):
    rows = [
        (u.patient.first_name, u.practitioner.username, u.used_at.day, u.formulation)
        for u in lot_recipients(lot=used_lot)
    ]
    assert [r[:3] for r in rows] == [("Alice", "dr.martin", 3), ("Bruno", "dr.nguyen", 5)]
    assert rows[0][3].cocktail.name == "Face glow" and rows[1][3] is None


def test_the_recipients_load_names_and_birth_dates_not_contact_or_clinical_details(used_lot):
    usage = lot_recipients(lot=used_lot).first()
    assert usage.patient.full_name == "Alice Martin"
    assert {"phone", "email", "current_medications", "allergy_notes"} <= (
        usage.patient.get_deferred_fields()
    )
    assert "date_of_birth" not in usage.patient.get_deferred_fields()
    assert "password" in usage.practitioner.get_deferred_fields()


@pytest.mark.parametrize("extra_sessions", [0, 25])
def test_the_recipients_are_read_in_one_query_whatever_the_number_of_sessions(
    used_lot, practitioner, django_assert_num_queries, extra_sessions
):
    for _ in range(extra_sessions):
        _use(used_lot, PatientFactory(), practitioner, 7)
    with django_assert_num_queries(1):
        rows = list(lot_recipients(lot=used_lot))
        seen = [
            (u.patient.last_name, u.practitioner.username, u.formulation and u.formulation.cocktail)
            for u in rows
        ]
    assert len(seen) == 2 + extra_sessions


def test_the_lot_page_lists_who_received_it(practitioner_client, used_lot):
    response = practitioner_client.get(
        reverse("cocktails:catalogue:lot_detail", args=[used_lot.pk])
    )
    assert response.status_code == 200
    text = response.text
    assert "Alice Martin" in text and "Bruno Petit" in text
    assert "Sophie Martin" in text and "Paul Nguyen" in text
    assert "3 Mar 2026" in text and "10:30" in text  # shown in Paris time
    assert "Face glow v1" in text and "Session 12" in text


@pytest.mark.parametrize("extra_sessions", [0, 60])
def test_the_lot_page_query_count_is_fixed(
    practitioner_client, used_lot, practitioner, django_assert_num_queries, extra_sessions
):
    for _ in range(extra_sessions):
        _use(used_lot, PatientFactory(), practitioner, 8)
    url = reverse("cocktails:catalogue:lot_detail", args=[used_lot.pk])
    practitioner_client.get(url)  # the session's idle refresh is written at most once a minute
    # session, user, roles, lot, recipients counted, one page of recipients, history
    with django_assert_num_queries(7):
        practitioner_client.get(url)


def test_the_lot_page_lists_recipients_newest_first_a_page_at_a_time(
    practitioner_client, used_lot, practitioner
):
    for day in range(10, 30):
        for _ in range(3):
            _use(used_lot, PatientFactory(last_name=f"Day{day}"), practitioner, day)
    url = reverse("cocktails:catalogue:lot_detail", args=[used_lot.pk])
    first = practitioner_client.get(url).text
    assert "Page 1 of 2" in first
    assert first.count("born ") == 50
    assert "Day29" in first and "Alice Martin" not in first
    # The count is of all uses, not of the page.
    assert '<div class="stat">62</div>' in first
    second = practitioner_client.get(url, {"page": 2}).text
    assert "Page 2 of 2" in second and second.count("born ") == 12
    assert "Alice Martin" in second and "Bruno Petit" in second and "Day29" not in second
    # A page past the end shows the last one rather than an error.
    assert "Page 2 of 2" in practitioner_client.get(url, {"page": 99}).text


def _csv(response) -> list[list[str]]:
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_the_recipients_export_as_csv(practitioner_client, used_lot, practitioner):
    cancelled = _use(
        used_lot, PatientFactory(first_name="Chloé", last_name="Roux"), practitioner, 9
    )
    lot_usage_cancel(usage=cancelled, by=practitioner, reason="Wrong lot scanned")
    response = practitioner_client.get(
        reverse("cocktails:catalogue:lot_recipients_csv", args=[used_lot.pk])
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="lot-ha-777-' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:5] == ["Used at", "Patient", "Date of birth", "Patient record", "Practitioner"]
    assert rows[1][0] == "2026-03-03 10:30"
    assert rows[1][1] == "Alice Martin" and rows[1][4] == "Sophie Martin"
    assert rows[1][7:] == ["Face glow", "1", "Session 12", "Used"]
    assert rows[3][1] == "Chloé Roux" and rows[3][-1] == "Cancelled"
    assert len(rows) == 4


def test_the_csv_neutralises_spreadsheet_formulas(practitioner_client, used_lot, practitioner):
    _use(
        used_lot,
        PatientFactory(first_name="=HYPERLINK(1)", last_name="X"),
        practitioner,
        10,
        reference="+cmd",
    )
    rows = _csv(
        practitioner_client.get(
            reverse("cocktails:catalogue:lot_recipients_csv", args=[used_lot.pk])
        )
    )
    assert rows[-1][1] == "'=HYPERLINK(1) X"
    assert rows[-1][9] == "'+cmd"


def test_receptionists_cannot_see_or_export_recipients(receptionist_client, used_lot):
    for name in ("lot_detail", "lot_recipients_csv"):
        url = reverse(f"cocktails:catalogue:{name}", args=[used_lot.pk])
        assert receptionist_client.get(url).status_code == 403
