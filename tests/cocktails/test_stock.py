"""Receiving lots, using them for patients, and the race for the last vial."""

from __future__ import annotations

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from cocktails.models import Lot, LotUsage
from cocktails.services import (
    lot_consume,
    lot_correct,
    lot_recall,
    lot_receive,
    lot_usage_cancel,
)
from tests.cocktails.factories import LotFactory, PatientFactory, ProductFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def test_receiving_a_lot_puts_every_vial_in_stock(admin_user):
    product = ProductFactory()
    lot = lot_receive(
        product=product,
        lot_number=" A123 ",
        expiry_date=timezone.localdate() + datetime.timedelta(days=300),
        quantity=12,
        received_on=timezone.localdate(),
        by=admin_user,
    )
    assert (lot.lot_number, lot.quantity_received, lot.quantity_left) == ("A123", 12, 12)
    assert lot.received_by == admin_user


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"quantity": 0}, "quantity", "at least 1"),
        ({"quantity": -3}, "quantity", "at least 1"),
        ({"expiry_date": datetime.date(2026, 3, 1)}, "expiry_date", "before the date of receipt"),
        (
            {"received_on": datetime.date(2025, 1, 1), "expiry_date": datetime.date(2026, 3, 9)},
            "expiry_date",
            "already expired",
        ),
        (
            {"received_on": datetime.date(2026, 3, 11)},
            "received_on",
            "cannot be received after today",
        ),
        ({"expiry_date": datetime.date(9999, 12, 31)}, "expiry_date", "more than 10 years"),
        ({"expiry_date": datetime.date(2036, 3, 11)}, "expiry_date", "more than 10 years"),
        ({"lot_number": "  "}, "lot_number", "Enter the lot number"),
        ({"lot_number": "dup-1"}, "lot_number", "already been received"),
    ],
)
def test_receiving_bad_lots_is_refused_at_the_field(admin_user, change, field, message):
    product = ProductFactory()
    LotFactory(product=product, lot_number="DUP-1")
    values = {
        "product": product,
        "lot_number": "NEW-1",
        "expiry_date": datetime.date(2027, 1, 1),
        "quantity": 5,
        "received_on": TODAY,
        "by": admin_user,
    } | change
    with time_machine.travel(TODAY), pytest.raises(ValidationError) as exc:
        lot_receive(**values)
    assert message in " ".join(exc.value.message_dict[field])
    assert Lot.objects.count() == 1


def test_the_same_lot_number_may_exist_for_another_product(admin_user):
    LotFactory(lot_number="X1")
    lot = lot_receive(
        product=ProductFactory(),
        lot_number="X1",
        expiry_date=timezone.localdate() + datetime.timedelta(days=30),
        quantity=1,
        received_on=timezone.localdate(),
        by=admin_user,
    )
    assert lot.pk


def test_using_a_lot_decrements_stock_and_writes_the_ledger(practitioner):
    lot = LotFactory(quantity_received=5)
    patient = PatientFactory()
    usage = lot_consume(lot=lot, quantity=2, patient=patient, practitioner=practitioner)
    lot.refresh_from_db()
    assert lot.quantity_left == 3
    assert (usage.lot, usage.patient, usage.practitioner, usage.quantity) == (
        lot,
        patient,
        practitioner,
        2,
    )


def test_a_lot_is_usable_on_its_expiry_date_and_refused_the_day_after(practitioner):
    lot = LotFactory(received_on=datetime.date(2026, 1, 1), expiry_date=TODAY)
    patient = PatientFactory()
    on_expiry = datetime.datetime(2026, 3, 10, 17, 0, tzinfo=datetime.UTC)
    lot_consume(lot=lot, quantity=1, patient=patient, practitioner=practitioner, used_at=on_expiry)
    with pytest.raises(ValidationError) as exc:
        lot_consume(
            lot=lot,
            quantity=1,
            patient=patient,
            practitioner=practitioner,
            used_at=on_expiry + datetime.timedelta(days=1),
        )
    assert exc.value.message_dict["lot"] == [f"Lot {lot.lot_number} expired on 10 Mar 2026."]
    lot.refresh_from_db()
    assert lot.quantity_left == 9
    assert LotUsage.objects.count() == 1


def test_a_late_evening_use_counts_in_the_clinics_time_zone(practitioner):
    """23:30 in Paris on the expiry date is 22:30 UTC the same day, but the next day in UTC+2."""
    lot = LotFactory(received_on=datetime.date(2026, 1, 1), expiry_date=TODAY)
    late = datetime.datetime(2026, 3, 10, 22, 30, tzinfo=datetime.UTC)
    lot_consume(
        lot=lot, quantity=1, patient=PatientFactory(), practitioner=practitioner, used_at=late
    )
    after_midnight_paris = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=datetime.UTC)
    with pytest.raises(ValidationError):
        lot_consume(
            lot=lot,
            quantity=1,
            patient=PatientFactory(),
            practitioner=practitioner,
            used_at=after_midnight_paris,
        )


def test_more_vials_than_are_left_is_refused(practitioner):
    lot = LotFactory(quantity_received=3, quantity_left=1)
    with pytest.raises(ValidationError) as exc:
        lot_consume(lot=lot, quantity=2, patient=PatientFactory(), practitioner=practitioner)
    assert "only 1 vial(s) left" in exc.value.message_dict["lot"][0]
    lot.refresh_from_db()
    assert lot.quantity_left == 1


def test_an_exhausted_lot_is_refused(practitioner):
    lot = LotFactory(quantity_received=3, quantity_left=0)
    with pytest.raises(ValidationError) as exc:
        lot_consume(lot=lot, quantity=1, patient=PatientFactory(), practitioner=practitioner)
    assert exc.value.message_dict["lot"] == [f"Lot {lot.lot_number} has no vials left."]


def test_a_recalled_lot_is_refused(practitioner):
    lot = lot_recall(lot=LotFactory(), reason="Supplier notice 2026-14")
    with pytest.raises(ValidationError) as exc:
        lot_consume(lot=lot, quantity=1, patient=PatientFactory(), practitioner=practitioner)
    assert "recalled" in exc.value.message_dict["lot"][0]


@pytest.mark.parametrize("quantity", [0, -1])
def test_zero_or_negative_vials_are_refused(practitioner, quantity):
    lot = LotFactory()
    with pytest.raises(ValidationError):
        lot_consume(lot=lot, quantity=quantity, patient=PatientFactory(), practitioner=practitioner)
    lot.refresh_from_db()
    assert lot.quantity_left == lot.quantity_received


def test_a_recall_needs_a_reason_and_happens_once():
    lot = LotFactory()
    with pytest.raises(ValidationError):
        lot_recall(lot=lot, reason=" ")
    lot_recall(lot=lot, reason="Notice 7")
    with pytest.raises(ValidationError):
        lot_recall(lot=lot, reason="Again")


def test_cancelling_a_use_puts_the_vials_back_once(practitioner):
    lot = LotFactory(quantity_received=4)
    usage = lot_consume(lot=lot, quantity=3, patient=PatientFactory(), practitioner=practitioner)
    lot_usage_cancel(usage=usage, by=practitioner, reason="Wrong lot scanned")
    lot.refresh_from_db()
    assert lot.quantity_left == 4
    assert usage.is_cancelled and usage.cancelled_by == practitioner
    with pytest.raises(ValidationError):
        lot_usage_cancel(usage=usage, by=practitioner, reason="Again")
    lot.refresh_from_db()
    assert lot.quantity_left == 4


def test_the_database_refuses_a_negative_stock():
    lot = LotFactory(quantity_received=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.filter(pk=lot.pk).update(quantity_left=-1)


# --- Concurrency: real threads, each with its own PostgreSQL connection -------------------------


def _in_thread(target, results: list, *args) -> threading.Thread:
    def run():
        try:
            results.append(target(*args))
        except Exception as exc:  # the outcome is what the test inspects
            results.append(exc)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def _backend_waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _second_waits_for_first(first, second, results: list) -> None:
    """Run `first` in a transaction left open, then `second` in another thread, and let `first`
    commit only once PostgreSQL shows `second` blocked on its row lock, so the two really
    overlap. Their outcomes (or errors) go to `results` in the order they finish."""
    took = threading.Event()
    release = threading.Event()

    def hold():
        with transaction.atomic():
            outcome = first()
            took.set()
            release.wait(timeout=30)
        return outcome

    holder = _in_thread(hold, results)
    holder.start()
    assert took.wait(timeout=30)
    waiter = _in_thread(second, results)
    waiter.start()
    for _ in range(600):  # bounded: 30 s at most
        if _backend_waiting_on_a_lock():
            break
        threading.Event().wait(0.05)
    else:
        release.set()
        pytest.fail("the second session never waited for the first one's lock")
    release.set()
    holder.join(timeout=30)
    waiter.join(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_two_sessions_racing_for_the_last_vial_one_wins(practitioner, other_practitioner):
    """The first session holds the row (its transaction is still open) when the second asks for
    the same last vial; once the first commits, the second must be refused, not oversell."""
    lot = LotFactory(quantity_received=3, quantity_left=1)
    first_patient, second_patient = PatientFactory(), PatientFactory()
    results: list = []

    def first_session():
        return lot_consume(
            lot=Lot.objects.get(pk=lot.pk),
            quantity=1,
            patient=first_patient,
            practitioner=practitioner,
        )

    def second_session():
        return lot_consume(
            lot=Lot.objects.get(pk=lot.pk),
            quantity=1,
            patient=second_patient,
            practitioner=other_practitioner,
        )

    _second_waits_for_first(first_session, second_session, results)

    winners = [r for r in results if isinstance(r, LotUsage)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert winners[0].patient == first_patient
    assert "no vials left" in losers[0].message_dict["lot"][0]
    lot.refresh_from_db()
    assert lot.quantity_left == 0
    assert LotUsage.objects.filter(lot=lot).count() == 1


@pytest.mark.django_db(transaction=True)
def test_many_sessions_at_once_never_use_more_vials_than_the_lot_holds(practitioner):
    lot = LotFactory(quantity_received=3, quantity_left=3)
    patients = [PatientFactory() for _ in range(8)]
    start = threading.Barrier(len(patients))
    results: list = []

    def session(patient):
        start.wait(timeout=30)
        return lot_consume(
            lot=Lot.objects.get(pk=lot.pk), quantity=1, patient=patient, practitioner=practitioner
        )

    threads = [_in_thread(session, results, patient) for patient in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(isinstance(r, LotUsage) for r in results) == 3
    assert sum(isinstance(r, ValidationError) for r in results) == 5
    lot.refresh_from_db()
    assert lot.quantity_left == 0
    assert LotUsage.objects.filter(lot=lot).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_correction_waits_for_a_session_using_the_lot_and_counts_its_vials(
    admin_user, practitioner
):
    """A session has taken 2 vials and not committed yet when the manager corrects the vials
    received: the correction must wait for it, then count those 2 vials as used (reading the
    vials left before the session commits would give them back to the stock)."""
    lot = LotFactory(quantity_received=5)
    results: list = []

    def session():
        return lot_consume(
            lot=Lot.objects.get(pk=lot.pk),
            quantity=2,
            patient=PatientFactory(),
            practitioner=practitioner,
        )

    def correction():
        return lot_correct(
            lot=Lot.objects.get(pk=lot.pk),
            lot_number=lot.lot_number,
            expiry_date=lot.expiry_date,
            received_on=lot.received_on,
            quantity=4,
            reason="Box held 4 vials",
            by=admin_user,
        )

    _second_waits_for_first(session, correction, results)

    assert isinstance(results[-1], Lot), results
    lot.refresh_from_db()
    assert (lot.quantity_received, lot.quantity_left) == (4, 2)
