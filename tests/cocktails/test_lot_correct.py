"""Correcting a lot after receipt: the receipt's rules, the vials already used, the history."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cocktails.models import Lot
from cocktails.selectors import lot_change_history
from cocktails.services import lot_consume, lot_correct, lot_recall, lot_usage_cancel
from tests.cocktails.factories import LotFactory, PatientFactory, ProductFactory

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


def _use(lot: Lot, practitioner, quantity: int, day: int = 5):
    return lot_consume(
        lot=lot,
        quantity=quantity,
        patient=PatientFactory(),
        practitioner=practitioner,
        used_at=datetime.datetime(2026, 3, day, 9, 0, tzinfo=datetime.UTC),
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
