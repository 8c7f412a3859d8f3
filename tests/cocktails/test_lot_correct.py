"""Correcting a lot after receipt: the receipt's rules, the vials already used, the history,
and the product it was entered under and who received it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cocktails.models import Cocktail, Lot, Product
from cocktails.selectors import lot_change_history, product_list
from cocktails.services import (
    cocktail_create,
    formulation_freeze,
    lot_consume,
    lot_correct,
    lot_recall,
    lot_usage_cancel,
)
from tests.cocktails.factories import LotFactory, PatientFactory, ProductFactory
from tests.cocktails.scenarios import product_part

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(
        datetime.datetime(2026, 3, 10, 11, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


def _lot(**extra) -> Lot:
    values = {
        "lot_number": "HA-100",
        "received_on": datetime.date(2026, 3, 1),
        "expiry_date": datetime.date(2027, 6, 30),
        "quantity_received": 10,
    }
    return LotFactory(**values | extra)


def _correct(lot: Lot, by, **change) -> Lot:
    """Correct `lot` (passed as given); the details not in `change` are kept as saved."""
    saved = Lot.objects.get(pk=lot.pk)
    values = {
        "lot_number": saved.lot_number,
        "expiry_date": saved.expiry_date,
        "received_on": saved.received_on,
        "quantity": saved.quantity_received,
        "reason": "Typed wrong at receipt",
    }
    return lot_correct(lot=lot, by=by, **values | change)


def _use(lot: Lot, practitioner, quantity: int, day: int = 5, **extra):
    return lot_consume(
        lot=lot,
        quantity=quantity,
        patient=PatientFactory(),
        practitioner=practitioner,
        used_at=datetime.datetime(2026, 3, day, 9, 0, tzinfo=datetime.UTC),
        **extra,
    )


def _refused(lot: Lot, by, **change) -> dict[str, list[str]]:
    before = lot.history.count()
    with pytest.raises(ValidationError) as exc:
        _correct(lot, by, **change)
    assert lot.history.count() == before  # nothing written
    error = exc.value
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def test_every_detail_is_corrected_and_the_vials_left_are_recomputed(admin_user, practitioner):
    lot = _lot()
    _use(lot, practitioner, 3)
    corrected = _correct(
        lot,
        admin_user,
        lot_number=" HA-1000 ",
        expiry_date=datetime.date(2027, 5, 31),
        received_on=datetime.date(2026, 2, 27),
        quantity=12,
    )
    lot.refresh_from_db()
    assert (lot.lot_number, lot.expiry_date, lot.received_on) == (
        "HA-1000",
        datetime.date(2027, 5, 31),
        datetime.date(2026, 2, 27),
    )
    assert (lot.quantity_received, lot.quantity_left) == (12, 9)  # 12 received - 3 used
    assert corrected.quantity_left == 9


def test_the_history_keeps_who_changed_what_when_and_why(admin_user):
    lot = _lot()
    _correct(lot, admin_user, lot_number="HA-1000", reason="  Lot number mistyped  ")
    latest, received = lot.history.all()[:2]
    assert (latest.history_type, latest.history_user) == ("~", admin_user)
    assert latest.history_change_reason == "Lot number mistyped"
    assert (received.lot_number, latest.lot_number) == ("HA-100", "HA-1000")
    assert latest.history_date == datetime.datetime(2026, 3, 10, 11, 0, tzinfo=datetime.UTC)
    assert Lot.objects.filter(pk=lot.pk).exists()


def test_the_lot_history_lists_each_correction_with_its_fields_and_reason(admin_user):
    lot = _lot()
    _correct(lot, admin_user, quantity=12, reason="Counted the box again")
    _correct(lot, admin_user, expiry_date=datetime.date(2027, 7, 31), reason="Date misread")
    changes = lot_change_history(lot=lot)
    assert [(c.what, c.reason, c.who) for c in changes] == [
        ("Corrected", "Date misread", "Claire Durand"),
        ("Corrected", "Counted the box again", "Claire Durand"),
        ("Received", "", "System"),
    ]
    assert [(f.label, f.old, f.new) for f in changes[0].fields] == [
        ("Expiry date", "30/06/2027", "31/07/2027")
    ]
    assert [(f.label, f.old, f.new) for f in changes[1].fields] == [("Vials received", "10", "12")]


def test_a_correction_that_changes_nothing_says_so_and_writes_no_history(admin_user):
    lot = _lot()
    errors = _refused(lot, admin_user, lot_number=" HA-100 ")
    assert errors == {"__all__": ["Nothing was changed: the lot already has these details."]}


def test_changing_only_the_case_of_the_lot_number_is_a_correction(admin_user):
    lot = _lot(lot_number="ha-100")
    assert _correct(lot, admin_user, lot_number="HA-100").lot_number == "HA-100"


def test_a_lot_number_already_received_for_the_product_is_refused_whatever_its_case(admin_user):
    lot = _lot()
    LotFactory(product=lot.product, lot_number="HA-200")
    errors = _refused(lot, admin_user, lot_number="ha-200", quantity=0)
    assert errors["lot_number"] == [f"Lot ha-200 of {lot.product} has already been received."]
    assert set(errors) == {"lot_number", "quantity"}  # found before saving, with the others


def test_a_lot_number_taken_meanwhile_is_refused_at_the_field_by_the_constraint(
    admin_user, monkeypatch
):
    """Received by someone else between the check and the save: the unique constraint refuses
    it, and the refusal still comes at the field (not a server error)."""
    lot = _lot()
    LotFactory(product=lot.product, lot_number="HA-200")
    monkeypatch.setattr("cocktails.services.stock._lot_problems", lambda **kwargs: {})
    errors = _refused(lot, admin_user, lot_number="HA-200")
    assert errors["lot_number"] == [f"Lot HA-200 of {lot.product} has already been received."]


def test_a_lot_number_of_another_product_is_no_clash(admin_user):
    lot = _lot()
    LotFactory(product=ProductFactory(), lot_number="HA-200")
    assert _correct(lot, admin_user, lot_number="HA-200").lot_number == "HA-200"


def test_vials_received_cannot_go_below_the_vials_already_used(admin_user, practitioner):
    lot = _lot()
    _use(lot, practitioner, 4)
    errors = _refused(lot, admin_user, quantity=3)
    assert errors["quantity"] == [
        "4 vial(s) of this lot have already been used: it cannot have been received with fewer."
    ]
    lot.refresh_from_db()
    assert (lot.quantity_received, lot.quantity_left) == (10, 6)


def test_vials_received_may_come_down_to_the_vials_used(admin_user, practitioner):
    lot = _lot()
    _use(lot, practitioner, 4)
    corrected = _correct(lot, admin_user, quantity=4)
    assert (corrected.quantity_received, corrected.quantity_left, corrected.is_exhausted) == (
        4,
        0,
        True,
    )


def test_a_cancelled_use_does_not_count_as_used(admin_user, practitioner):
    lot = _lot()
    usage = _use(lot, practitioner, 4)
    lot_usage_cancel(usage=usage, by=practitioner, reason="Wrong lot scanned")
    assert _correct(lot, admin_user, quantity=1).quantity_left == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"expiry_date": datetime.date(2026, 2, 28)}, "expiry_date", "before the date of receipt"),
        (
            {"received_on": datetime.date(2026, 3, 11)},
            "received_on",
            "cannot be received after today",
        ),
        ({"expiry_date": datetime.date(2036, 3, 2)}, "expiry_date", "more than 10 years"),
        ({"lot_number": "  "}, "lot_number", "Enter the lot number"),
        ({"quantity": 0}, "quantity", "at least 1"),
        ({"reason": "   "}, "reason", "Say why the lot is corrected"),
        ({"reason": "x" * 101}, "reason", "Keep the reason to 100 characters"),
    ],
)
def test_the_receipts_rules_refuse_a_bad_correction_at_the_field(
    admin_user, change, field, message
):
    lot = _lot()
    # A detail changed too, so the refusal is the rule's, not "nothing was changed".
    errors = _refused(lot, admin_user, **{"lot_number": "HA-101"} | change)
    assert message in " ".join(errors[field])
    lot.refresh_from_db()
    assert lot.lot_number == "HA-100"


def test_every_error_of_a_correction_comes_at_once(admin_user):
    errors = _refused(
        _lot(),
        admin_user,
        lot_number="",
        quantity=0,
        received_on=datetime.date(2026, 3, 12),
        reason="",
    )
    assert set(errors) == {"lot_number", "quantity", "received_on", "reason"}


def test_an_expiry_already_past_may_be_corrected_to_the_date_on_the_box(admin_user):
    lot = _lot(received_on=datetime.date(2024, 1, 10), expiry_date=datetime.date(2026, 1, 31))
    corrected = _correct(lot, admin_user, expiry_date=datetime.date(2025, 12, 31))
    assert corrected.expiry_date == datetime.date(2025, 12, 31)
    assert _correct(lot, admin_user, lot_number="HA-OLD").lot_number == "HA-OLD"


def test_a_lot_cannot_have_been_received_after_its_first_use(admin_user, practitioner):
    lot = _lot()
    _use(lot, practitioner, 1, day=5)
    errors = _refused(lot, admin_user, received_on=datetime.date(2026, 3, 6))
    assert errors["received_on"] == [
        "This lot was first used on 05/03/2026: it was received on that day or before."
    ]
    assert _correct(lot, admin_user, received_on=datetime.date(2026, 3, 5)).received_on == (
        datetime.date(2026, 3, 5)
    )


def test_a_recalled_lot_can_be_corrected_and_stays_recalled(admin_user):
    lot = lot_recall(lot=_lot(), reason="Supplier notice 2026-14")
    _correct(lot, admin_user, lot_number="HA-1000")
    lot.refresh_from_db()
    assert lot.lot_number == "HA-1000"
    assert lot.is_recalled and lot.recall_reason == "Supplier notice 2026-14"
    assert [c.what for c in lot_change_history(lot=lot)] == ["Corrected", "Recalled", "Received"]


def test_a_correction_reads_the_lot_afresh_not_the_copy_it_was_given(admin_user, practitioner):
    lot = _lot()
    stale = Lot.objects.get(pk=lot.pk)
    _use(lot, practitioner, 6)
    errors = _refused(stale, admin_user, quantity=5)
    assert "6 vial(s)" in errors["quantity"][0]
    assert _correct(stale, admin_user, quantity=7).quantity_left == 1


# --- The product it was entered under, and who received it ----------------------------------
# The stock moves with the lot; a lot already injected moves only while the records of its use
# stay true (see _product_change_problem).


@pytest.fixture
def lot(catalogue) -> Lot:
    """10 vials of HA 10, lot HA-100, received by nobody recorded."""
    return _lot(product=catalogue.ha_vial)


def _pinned(catalogue, lot: Lot, *, by, patient) -> Cocktail:
    """A patient's cocktail whose version 1 draws its HA 10 from `lot`."""
    return cocktail_create(
        name="Pinned glow",
        indication="facial_rejuvenation",
        total_volume_ml=Decimal("5"),
        parts=[product_part(catalogue.ha_vial, "2", lot=lot)],
        by=by,
        patient=patient,
    )


def _stock(product: Product) -> int:
    return product_list(today=TODAY).get(pk=product.pk).stock


def test_a_lot_moved_to_its_true_product_takes_its_vials_with_it(
    admin_user, practitioner, catalogue, lot
):
    _use(lot, practitioner, 3)  # a use with no cocktail names no product: it stays true
    # 7 left of this lot and 10 of the catalogue's own HA lot; 10 of its Vita C lot.
    assert (_stock(catalogue.ha_vial), _stock(catalogue.c_vial)) == (17, 10)
    corrected = _correct(lot, admin_user, product=catalogue.c_vial)
    lot.refresh_from_db()
    assert lot.product == catalogue.c_vial == corrected.product
    assert (lot.quantity_received, lot.quantity_left) == (10, 7)
    assert (_stock(catalogue.ha_vial), _stock(catalogue.c_vial)) == (10, 17)


def test_the_history_names_the_products_and_the_staff_who_received_the_lot(
    admin_user, practitioner, other_practitioner, catalogue, lot
):
    _correct(lot, admin_user, received_by=practitioner, reason="Sophie took the delivery")
    _correct(lot, admin_user, product=catalogue.c_vial, received_by=other_practitioner)
    latest, first, received = lot_change_history(lot=lot)
    assert [(f.label, f.old, f.new) for f in latest.fields] == [
        ("Product", "Mesolab HA 10", "Mesolab Vita C"),
        ("Received by", "Sophie Martin", "Paul Nguyen"),
    ]
    assert (latest.what, latest.reason, latest.who) == (
        "Corrected",
        "Typed wrong at receipt",
        "Claire Durand",
    )
    assert [(f.label, f.old, f.new) for f in first.fields] == [
        ("Received by", "—", "Sophie Martin")
    ]
    assert received.what == "Received"


def test_only_the_product_or_who_received_it_is_a_correction(admin_user, practitioner, lot):
    assert _correct(lot, admin_user, received_by=practitioner).received_by == practitioner
    # Left out, who received the lot is kept: it cannot be unrecorded.
    assert _correct(lot, admin_user, quantity=9).received_by == practitioner
    with pytest.raises(ValidationError, match="Nothing was changed"):
        _correct(lot, admin_user, product=lot.product, received_by=practitioner)


def test_a_former_colleague_may_be_named_as_having_received_the_lot(
    admin_user, other_practitioner, lot
):
    other_practitioner.is_active = False
    other_practitioner.save()
    assert _correct(lot, admin_user, received_by=other_practitioner).received_by == (
        other_practitioner
    )


def test_the_new_product_must_not_have_this_lot_number_already(admin_user, catalogue, lot):
    LotFactory(product=catalogue.c_vial, lot_number="ha-100")
    # Only the product changed: the clash is the product's.
    errors = _refused(lot, admin_user, product=catalogue.c_vial)
    assert errors == {"product": ["Lot HA-100 of Mesolab Vita C has already been received."]}
    # The number changed too: it is the number's.
    errors = _refused(lot, admin_user, product=catalogue.c_vial, lot_number="VC-001")
    assert errors == {"lot_number": ["Lot VC-001 of Mesolab Vita C has already been received."]}
    lot.refresh_from_db()
    assert lot.product == catalogue.ha_vial


def test_a_clash_under_the_new_product_found_only_by_the_constraint_is_at_the_product(
    admin_user, catalogue, lot, monkeypatch
):
    """Received meanwhile under the new product: the unique constraint refuses the move, and
    the refusal still comes at the field (not a server error)."""
    LotFactory(product=catalogue.c_vial, lot_number="HA-100")
    monkeypatch.setattr("cocktails.services.stock._lot_problems", lambda **kwargs: {})
    errors = _refused(lot, admin_user, product=catalogue.c_vial)
    assert errors == {"product": ["Lot HA-100 of Mesolab Vita C has already been received."]}


def test_a_lot_cannot_be_moved_to_a_withdrawn_product(admin_user, lot):
    withdrawn = ProductFactory(brand="Mesolab", name="Old HA", is_active=False)
    errors = _refused(lot, admin_user, product=withdrawn)
    assert errors["product"] == [
        "Mesolab Old HA has been withdrawn from the catalogue: put it back in the catalogue "
        "before moving a lot to it."
    ]


def test_a_lot_injected_in_a_cocktail_without_the_new_product_keeps_its_product(
    admin_user, practitioner, catalogue, face_glow, lot
):
    """Face glow holds HA 10 and Vita C: its patients' records cannot come to say they
    received lidocaine from this lot."""
    for _ in range(2):
        _use(lot, practitioner, 1, formulation=face_glow.current, volume_ml=Decimal("2"))
    errors = _refused(lot, admin_user, product=catalogue.lido_vial)
    assert errors == {
        "product": [
            "Lot HA-100 was injected 2 times as part of Face glow v1, which contains no Generic "
            "Lidocaine 2%: those records would then claim a product their cocktail does not "
            "hold. If that is what happened, record it on those sessions as an incident; the "
            "lot keeps its product."
        ]
    }
    lot.refresh_from_db()
    assert (lot.product, lot.quantity_left) == (catalogue.ha_vial, 8)


def test_every_cocktail_the_lot_went_into_is_named(
    admin_user, practitioner, catalogue, face_glow, lot
):
    c_only = cocktail_create(
        name="Vitamin boost",
        indication="facial_rejuvenation",
        total_volume_ml=Decimal("3"),
        parts=[product_part(catalogue.ha_vial, "1"), product_part(catalogue.c_vial, "1")],
        by=practitioner,
    )
    _use(lot, practitioner, 1, formulation=face_glow.current)
    _use(lot, practitioner, 1, formulation=c_only.current)
    (message,) = _refused(lot, admin_user, product=catalogue.lido_vial)["product"]
    assert "injected 2 times as part of Face glow v1 and Vitamin boost v1, which contain no" in (
        message
    )


def test_a_lot_injected_in_cocktails_holding_the_new_product_too_may_move(
    admin_user, practitioner, catalogue, face_glow, lot
):
    """Face glow holds Vita C too: the records stay true if the lot really was Vita C."""
    _use(lot, practitioner, 1, formulation=face_glow.current, volume_ml=Decimal("1"))
    assert _correct(lot, admin_user, product=catalogue.c_vial).product == catalogue.c_vial


def test_a_cancelled_use_records_no_injection_and_does_not_hold_the_product(
    admin_user, practitioner, catalogue, face_glow, lot
):
    usage = _use(lot, practitioner, 1, formulation=face_glow.current)
    lot_usage_cancel(usage=usage, by=practitioner, reason="Wrong lot scanned")
    assert _correct(lot, admin_user, product=catalogue.lido_vial).product == catalogue.lido_vial


def test_uses_that_would_not_fit_in_the_new_products_vials_keep_the_product(
    admin_user, practitioner, lot
):
    small = ProductFactory(brand="Mesolab", name="HA 10 mini", volume_ml=Decimal("2"))
    _use(lot, practitioner, 1, volume_ml=Decimal("4.50"))
    _use(lot, practitioner, 2, volume_ml=Decimal("4.00"))  # fits: 2 vials of 2 ml
    errors = _refused(lot, admin_user, product=small)
    assert errors["product"] == [
        "1 recorded use of this lot took more than Mesolab HA 10 mini vials hold (2 ml each): "
        "those records would then be impossible, so the lot keeps its product."
    ]


def test_a_lot_chosen_in_a_cocktail_version_not_yet_used_must_be_changed_there_first(
    admin_user, practitioner, catalogue, patient, lot
):
    _pinned(catalogue, lot, by=practitioner, patient=patient)
    errors = _refused(lot, admin_user, product=catalogue.c_vial)
    assert errors["product"] == [
        "Lot HA-100 is chosen as Mesolab HA 10 in Pinned glow v1: choose another lot there first."
    ]


def test_a_lot_named_in_a_version_given_to_patients_keeps_its_product(
    admin_user, practitioner, catalogue, patient, lot
):
    pinned = _pinned(catalogue, lot, by=practitioner, patient=patient)
    formulation_freeze(formulation=pinned.current)
    (message,) = _refused(lot, admin_user, product=catalogue.c_vial)["product"]
    assert message.startswith(
        "Lot HA-100 is named as Mesolab HA 10 in Pinned glow v1, already given to patients"
    )


def test_a_session_holding_the_lot_as_read_before_it_moved_is_refused(
    admin_user, practitioner, catalogue, lot
):
    """A session checked the lot's product against its cocktail, then the lot was moved
    before it took the vials: the vials are not taken under the old product."""
    as_read = Lot.objects.get(pk=lot.pk)
    _correct(lot, admin_user, product=catalogue.c_vial)
    with pytest.raises(ValidationError) as exc:
        _use(as_read, practitioner, 1)
    assert exc.value.message_dict == {
        "lot": [
            "Lot HA-100 has just been corrected to Mesolab Vita C: check it against the "
            "cocktail and choose it again."
        ]
    }
    lot.refresh_from_db()
    assert (lot.quantity_left, lot.usages.count()) == (10, 0)
