"""The "Correct this lot" page and the lot's history on its page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cocktails.models import Lot
from cocktails.services import lot_consume, lot_correct
from tests.cocktails.factories import LotFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lot() -> Lot:
    today = timezone.localdate()
    return LotFactory(
        lot_number="HA-100",
        quantity_received=10,
        received_on=today - datetime.timedelta(days=5),
        expiry_date=today + datetime.timedelta(days=300),
    )


def _url(lot: Lot) -> str:
    return reverse("cocktails:catalogue:lot_correct", args=[lot.pk])


def _page(lot: Lot) -> str:
    return reverse("cocktails:catalogue:lot_detail", args=[lot.pk])


def _data(lot: Lot, **change: str) -> dict[str, str]:
    return {
        "lot_number": lot.lot_number,
        "expiry_date": lot.expiry_date.isoformat(),
        "received_on": lot.received_on.isoformat(),
        "quantity": str(lot.quantity_received),
        "reason": "Typed wrong at receipt",
    } | change


def test_the_manager_sees_the_action_and_a_form_with_the_lots_details(admin_client, lot):
    assert _url(lot) in admin_client.get(_page(lot)).text
    response = admin_client.get(_url(lot))
    assert response.status_code == 200
    form = response.context["form"]
    assert (form["lot_number"].value(), form["quantity"].value()) == ("HA-100", 10)
    assert form["expiry_date"].value() == lot.expiry_date


def test_practitioners_see_no_correct_action(practitioner_client, lot):
    assert _url(lot) not in practitioner_client.get(_page(lot)).text


@pytest.mark.parametrize("who", ["practitioner_client", "receptionist_client"])
def test_only_the_manager_may_correct_a_lot(request, who, lot):
    client = request.getfixturevalue(who)
    assert client.get(_url(lot)).status_code == 403
    assert client.post(_url(lot), _data(lot, lot_number="HA-999")).status_code == 403
    lot.refresh_from_db()
    assert lot.lot_number == "HA-100"
    assert lot.history.count() == 1


def test_a_correction_is_saved_and_listed_on_the_lot_page(admin_client, lot):
    response = admin_client.post(
        _url(lot), _data(lot, lot_number="HA-1000", quantity="12", reason="Lot number mistyped")
    )
    assert response.status_code == 302 and response["Location"] == _page(lot)
    lot.refresh_from_db()
    assert (lot.lot_number, lot.quantity_received, lot.quantity_left) == ("HA-1000", 12, 12)
    page = admin_client.get(_page(lot))
    changes = page.context["changes"]
    assert changes[0].what == "Corrected" and changes[0].who == "Claire Durand"
    text = page.text
    assert "Lot number mistyped" in text
    assert "HA-100</del>" in text and "HA-1000</ins>" in text
    # The time is the clinic's (Paris), not UTC.
    assert timezone.localtime(changes[0].when).strftime("%H:%M") in text


def test_the_history_shows_in_the_clinics_time_zone(admin_client, admin_user, lot):
    winter_evening = datetime.datetime(2026, 1, 15, 23, 30, tzinfo=datetime.UTC)
    lot.history.filter(history_type="+").update(history_date=winter_evening)
    text = admin_client.get(_page(lot)).text
    assert "16 Jan 2026, 00:30" in text  # Paris is UTC+1 in winter: already the next day


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"lot_number": "ha-200"}, "lot_number", "has already been received"),
        ({"quantity": "2"}, "quantity", "3 vial(s) of this lot have already been used"),
        ({"expiry_date": "{before_receipt}"}, "expiry_date", "before the date of receipt"),
        ({"received_on": "{tomorrow}"}, "received_on", "cannot be received after today"),
        ({"quantity": "99999999999"}, "quantity", "check the number"),
        ({"expiry_date": "not a date"}, "expiry_date", "Enter a valid date"),
        ({"lot_number": "HA-101", "reason": ""}, "reason", "Say why the lot is corrected"),
        ({"lot_number": "HA-101", "reason": "x" * 120}, "reason", "Keep the reason to 100"),
    ],
)
def test_a_bad_correction_is_refused_at_the_field_keeping_what_was_typed(
    admin_client, practitioner, lot, change, field, message
):
    LotFactory(product=lot.product, lot_number="HA-200")
    lot_consume(lot=lot, quantity=3, patient=PatientFactory(), practitioner=practitioner)
    dates = {
        "before_receipt": (lot.received_on - datetime.timedelta(days=1)).isoformat(),
        "tomorrow": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
    }
    change = {key: value.format(**dates) for key, value in change.items()}
    response = admin_client.post(_url(lot), _data(lot, **change))
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    for name, value in change.items():
        assert form[name].value() == value  # what was typed stays in the form
    assert message in response.text and "is-invalid" in response.text
    lot.refresh_from_db()
    assert (lot.lot_number, lot.quantity_received, lot.quantity_left) == ("HA-100", 10, 7)
    assert lot.history.count() == 1


def test_a_correction_that_changes_nothing_says_so(admin_client, lot):
    response = admin_client.post(_url(lot), _data(lot))
    assert response.status_code == 200
    assert "Nothing was changed" in response.text
    assert lot.history.count() == 1


def test_correcting_a_missing_lot_is_not_found(admin_client):
    response = admin_client.get(reverse("cocktails:catalogue:lot_correct", args=[9999]))
    assert response.status_code == 404


@pytest.mark.parametrize("corrections", [1, 15])
def test_the_lot_page_query_count_is_fixed_however_many_corrections(
    practitioner_client, practitioner, admin_user, lot, django_assert_num_queries, corrections
):
    lot_consume(lot=lot, quantity=1, patient=PatientFactory(), practitioner=practitioner)
    for n in range(corrections):
        lot_correct(
            lot=lot,
            lot_number=f"HA-{n}",
            expiry_date=lot.expiry_date,
            received_on=lot.received_on,
            quantity=lot.quantity_received,
            reason=f"Correction {n}",
            by=admin_user,
        )
    practitioner_client.get(_page(lot))  # the session's idle refresh is written once a minute
    # session, user, roles, lot, recipients counted, one page of recipients, history
    with django_assert_num_queries(7):
        response = practitioner_client.get(_page(lot))
    assert len(response.context["changes"]) == corrections + 1
