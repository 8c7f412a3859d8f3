"""The "Correct this lot" page and the lot's history on its page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.roles import Role
from cocktails.models import Lot
from cocktails.services import lot_consume, lot_correct
from tests.cocktails.factories import LotFactory, PatientFactory, ProductFactory

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
        "product": str(lot.product_id),
        "received_by": str(lot.received_by_id or ""),
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
    # The latest ten; the full history has the rest.
    assert len(response.context["changes"]) == min(corrections + 1, 10)
    assert response.context["more_changes"] is (corrections + 1 > 10)
    assert ("See every change since the lot was received" in response.text) is (corrections > 9)


# --- The product and who received the lot ---------------------------------------------------


def test_the_form_offers_the_catalogue_and_the_staff_current_and_former_by_name(
    admin_client, admin_user, practitioner, other_practitioner, receptionist, no_role_user, lot
):
    other_practitioner.is_active = False
    other_practitioner.save()
    ProductFactory(brand="Mesolab", name="Retired serum", is_active=False)
    lot.product.is_active = False  # withdrawn since: the lot's own product is still offered
    lot.product.save()
    Lot.objects.filter(pk=lot.pk).update(received_by=practitioner)
    response = admin_client.get(_url(lot))
    form = response.context["form"]
    assert form["product"].value() == lot.product_id
    assert form["received_by"].value() == practitioner.pk
    products = [label for _, label in form.fields["product"].choices]
    assert str(lot.product) in products and "Mesolab Retired serum" not in products
    current, former = form.fields["received_by"].choices
    assert current == (
        "Current staff",  # by last name
        [
            (receptionist.pk, "Léa Bernard"),
            (admin_user.pk, "Claire Durand"),
            (practitioner.pk, "Sophie Martin"),
        ],
    )
    assert former == ("Former staff", [(other_practitioner.pk, "Paul Nguyen")])
    assert '<optgroup label="Former staff">' in response.text


def test_a_lot_received_by_nobody_recorded_may_stay_so(admin_client, lot):
    response = admin_client.get(_url(lot))
    assert response.context["form"].fields["received_by"].choices[0] == ("", "Not recorded")
    response = admin_client.post(_url(lot), _data(lot, lot_number="HA-101"))
    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.lot_number, lot.received_by) == ("HA-101", None)


def test_the_product_and_who_received_it_are_corrected_and_shown_in_the_history(
    admin_client, practitioner, lot
):
    right = ProductFactory(brand="Dermaline", name="Glow serum")
    response = admin_client.post(
        _url(lot),
        _data(lot, product=str(right.pk), received_by=str(practitioner.pk), reason="Wrong box"),
    )
    assert response.status_code == 302 and response["Location"] == _page(lot)
    lot.refresh_from_db()
    assert (lot.product, lot.received_by) == (right, practitioner)
    text = admin_client.get(_page(lot)).text
    assert "Received" in text and "by Sophie Martin" in text
    assert f"{Lot.objects.get(pk=lot.pk).product}" in text
    history = text[text.index('data-testid="change-history"') :]
    assert "<dt>Product</dt>" in history and "Dermaline Glow serum</ins>" in history
    assert "<dt>Received by</dt>" in history and "Sophie Martin</ins>" in history


def test_a_product_that_would_falsify_the_records_of_use_is_refused_at_the_field(
    admin_client, practitioner, face_glow, catalogue
):
    """The lot went into Face glow (HA 10 and Vita C): it cannot become lidocaine."""
    lot = catalogue.ha_lot
    lot_consume(
        lot=lot,
        quantity=1,
        patient=PatientFactory(),
        practitioner=practitioner,
        formulation=face_glow.current,
    )
    data = _data(lot, product=str(catalogue.lido_vial.pk), lot_number="HA-002")
    response = admin_client.post(_url(lot), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "which contains no Generic Lidocaine 2%" in form.errors["product"][0]
    assert (form["product"].value(), form["lot_number"].value()) == (
        str(catalogue.lido_vial.pk),
        "HA-002",
    )
    assert "is-invalid" in response.text
    lot.refresh_from_db()
    assert (lot.product, lot.lot_number) == (catalogue.ha_vial, "HA-001")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"product": "999999"}, "product", "Choose a product of the catalogue."),
        ({"product": "not a number"}, "product", "Choose a product of the catalogue."),
        ({"product": "{withdrawn}"}, "product", "Choose a product of the catalogue."),
        ({"product": ""}, "product", "This field is required."),
        ({"received_by": ""}, "received_by", "Choose who received the lot"),
        ({"received_by": "{no_role}"}, "received_by", "Choose a member of staff."),
        ({"received_by": "999999"}, "received_by", "Choose a member of staff."),
    ],
)
def test_a_bad_product_or_member_of_staff_is_refused_at_the_field(
    admin_client, admin_user, no_role_user, lot, change, field, message
):
    Lot.objects.filter(pk=lot.pk).update(received_by=admin_user)
    lot.refresh_from_db()
    withdrawn = ProductFactory(is_active=False)
    ids = {"withdrawn": withdrawn.pk, "no_role": no_role_user.pk}
    change = {key: value.format(**ids) for key, value in change.items()}
    response = admin_client.post(_url(lot), _data(lot, lot_number="HA-101", **change))
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert form["lot_number"].value() == "HA-101"
    lot.refresh_from_db()
    assert (lot.lot_number, lot.received_by) == ("HA-100", admin_user)


@pytest.mark.parametrize("colleagues", [1, 12])
@pytest.mark.parametrize("received_by_recorded", [False, True])
def test_the_correct_page_query_count_is_fixed_however_many_staff_and_products(
    admin_client,
    admin_user,
    make_staff,
    lot,
    django_assert_num_queries,
    colleagues,
    received_by_recorded,
):
    if received_by_recorded:  # then no blank choice
        Lot.objects.filter(pk=lot.pk).update(received_by=admin_user)
    for n in range(colleagues):
        make_staff(f"nurse{n}", Role.PRACTITIONER, first_name="Nurse", last_name=f"N{n}")
        ProductFactory()
    admin_client.get(_url(lot))  # the session's idle refresh is written once a minute
    # session, user, roles, lot, the products, the staff
    with django_assert_num_queries(6):
        response = admin_client.get(_url(lot))
    (_, current), *_ = (
        response.context["form"].fields["received_by"].choices[0 if received_by_recorded else 1 :]
    )
    assert len(current) == colleagues + 1
