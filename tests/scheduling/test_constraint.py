"""PostgreSQL's exclusion constraints: the last word on double booking, even under concurrency."""

from __future__ import annotations

import datetime
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction

from scheduling.availability import SlotUnavailable
from scheduling.models import Appointment
from scheduling.services import appointment_book
from tests.scheduling.concurrency import against_an_open_transaction
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory, PatientFactory

TUESDAY = MONDAY + datetime.timedelta(days=1)
THREADS = 24


def scene(practitioner, room, appointment_type, start, **extra):
    return AppointmentFactory(
        practitioner=practitioner,
        room=room,
        appointment_type=appointment_type,
        start=start,
        **extra,
    )


@pytest.mark.django_db
class TestTheConstraintItself:
    """Rows written straight to the table, past every check in Python."""

    def test_the_same_practitioner_cannot_overlap(self, clinic, rooms, treatment):
        scene(clinic, rooms[0], treatment, at(TUESDAY, "10:00"))
        with pytest.raises(IntegrityError, match="appointment_no_practitioner_overlap"):
            scene(clinic, rooms[1], treatment, at(TUESDAY, "10:30"))

    def test_the_same_room_cannot_overlap(self, clinic, other_practitioner, rooms, treatment):
        scene(clinic, rooms[0], treatment, at(TUESDAY, "10:00"))
        with pytest.raises(IntegrityError, match="appointment_no_room_overlap"):
            scene(other_practitioner, rooms[0], treatment, at(TUESDAY, "10:44"))

    def test_the_gap_after_counts_as_occupied(self, clinic, rooms, treatment):
        scene(clinic, rooms[0], treatment, at(TUESDAY, "10:00"))  # blocks until 11:00
        with pytest.raises(IntegrityError):
            scene(clinic, rooms[1], treatment, at(TUESDAY, "10:55"))

    def test_back_to_back_after_the_gap_is_allowed(
        self, clinic, other_practitioner, rooms, treatment
    ):
        scene(clinic, rooms[0], treatment, at(TUESDAY, "10:00"))
        scene(clinic, rooms[0], treatment, at(TUESDAY, "11:00"))
        scene(other_practitioner, rooms[1], treatment, at(TUESDAY, "10:00"))
        assert Appointment.objects.count() == 3

    @pytest.mark.parametrize("status", ["cancelled", "no_show"])
    def test_released_appointments_do_not_hold_their_slot(self, clinic, rooms, treatment, status):
        scene(clinic, rooms[0], treatment, at(TUESDAY, "10:00"), status=status, cancel_reason="x")
        scene(clinic, rooms[0], treatment, at(TUESDAY, "10:00"))
        assert Appointment.objects.count() == 2

    def test_model_validation_reports_the_overlap(self, clinic, rooms, treatment, patient):
        scene(clinic, rooms[0], treatment, at(TUESDAY, "10:00"))
        start = at(TUESDAY, "10:30")
        second = Appointment(
            patient=patient,
            practitioner=clinic,
            room=rooms[1],
            appointment_type=treatment,
            start=start,
            end=start + treatment.duration,
            occupied_until=start + treatment.duration + treatment.gap_after,
        )
        with pytest.raises(ValidationError) as refused:
            second.validate_constraints()
        assert refused.value.messages == ["The practitioner already has an appointment then."]

    def test_reactivating_a_cancelled_appointment_over_a_new_one_fails(
        self, clinic, rooms, treatment
    ):
        old = scene(
            clinic, rooms[0], treatment, at(TUESDAY, "10:00"), status="cancelled", cancel_reason="x"
        )
        scene(clinic, rooms[0], treatment, at(TUESDAY, "10:00"))
        old.status = "booked"
        with pytest.raises(IntegrityError):
            old.save()


def _run_at_once(count: int, attempt) -> list[object]:
    """Start `count` threads, each on its own database connection, and release them together."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = attempt(index)
        except Exception as error:  # the test counts every outcome, errors included
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_slot_exactly_one_succeeds(clinic, treatment, rooms):
    """24 receptionists press "Book" for Tuesday 10:00 at the same instant, each with its own
    connection and its own patient: one gets the slot, every other one gets a readable refusal
    with alternatives, and never a database error."""
    patients = [PatientFactory() for _ in range(THREADS)]
    start = at(TUESDAY, "10:00")

    def attempt(index: int) -> Appointment:
        return appointment_book(
            patient=patients[index],
            practitioner=clinic,
            appointment_type=treatment,
            start=start,
            room=rooms[0],
            booked_by=clinic,
        )

    results = _run_at_once(THREADS, attempt)
    outcomes = Counter(type(result).__name__ for result in results)
    assert outcomes == {"Appointment": 1, "SlotUnavailable": THREADS - 1}
    assert Appointment.objects.count() == 1
    for refusal in results:
        if isinstance(refusal, SlotUnavailable):
            assert refusal.alternatives, "every refusal offers other times"


@pytest.mark.django_db(transaction=True)
def test_concurrent_raw_inserts_are_stopped_by_the_database(clinic, treatment, rooms):
    """The same race with the Python checks out of the way: only the constraint stands."""
    patients = [PatientFactory() for _ in range(THREADS)]

    def attempt(index: int) -> Appointment:
        with transaction.atomic():
            return scene(
                clinic, rooms[index % 2], treatment, at(TUESDAY, "10:00"), patient=patients[index]
            )

    results = _run_at_once(THREADS, attempt)
    outcomes = Counter(_refused_by(result) for result in results)
    # Two inserts may each wait on the other's row in the constraint's check: PostgreSQL then
    # aborts one of them as a deadlock, which refuses it just the same.
    assert outcomes["Appointment"] == 1
    assert outcomes["overlap"] + outcomes["deadlock"] == THREADS - 1
    assert Appointment.objects.count() == 1


def _refused_by(result: object) -> str:
    if isinstance(result, IntegrityError) and "overlap" in str(result):
        return "overlap"
    if isinstance(result, OperationalError) and result.__cause__.pgcode == "40P01":
        return "deadlock"
    return type(result).__name__


def _book_ten_oclock_against(competitor, *, clinic, treatment, rooms, patient) -> None:
    """Book Tuesday 10:00 in room 1 for `clinic` while `competitor` holds its transaction open
    (`against_an_open_transaction`): our booking must end in the usual refusal, with the next
    free time."""

    def ours() -> None:
        appointment_book(
            patient=patient,
            practitioner=clinic,
            appointment_type=treatment,
            start=at(TUESDAY, "10:00"),
            room=rooms[0],
            booked_by=clinic,
        )

    with pytest.raises(SlotUnavailable) as refused:
        against_an_open_transaction(competitor, ours)
    assert refused.value.message_dict == {
        "start": ["Someone else has just booked this time. Choose another one."]
    }
    assert refused.value.alternatives[0].start == at(TUESDAY, "11:00")


@pytest.mark.django_db(transaction=True)
def test_a_slot_taken_between_check_and_insert_becomes_a_message_with_alternatives(
    clinic, treatment, rooms, patient
):
    """Another connection inserts 10:00 and holds its transaction open. Our booking's own check
    cannot see that row yet, so it reaches the INSERT, which waits on the constraint; when the
    other transaction commits, the IntegrityError must come back as SlotUnavailable."""

    def competitor(holding: threading.Event, go_on: threading.Event) -> None:
        with transaction.atomic():
            scene(clinic, rooms[0], treatment, at(TUESDAY, "10:00"), patient=PatientFactory())
            holding.set()
            go_on.wait(timeout=30)

    _book_ten_oclock_against(
        competitor, clinic=clinic, treatment=treatment, rooms=rooms, patient=patient
    )
    assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_booking_that_deadlocks_with_another_becomes_a_message_with_alternatives(
    clinic, other_practitioner, treatment, rooms, patient
):
    """Two overlapping inserts can each wait on the other's uncommitted row in an exclusion
    constraint's check: PostgreSQL then aborts one of them ("deadlock detected"). The one
    aborted has lost the slot, and must hear so like any other booking a moment too late.

    The competitor holds room 1 at 10:00 (another practitioner). Our booking of room 1 for
    `clinic` waits on it; the competitor then takes `clinic` at 10:00 in room 2, which waits on
    ours. Its deadlock_timeout is longer, so ours is the transaction PostgreSQL aborts."""

    def competitor(holding: threading.Event, go_on: threading.Event) -> None:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL deadlock_timeout = '20s'")
            scene(other_practitioner, rooms[0], treatment, at(TUESDAY, "10:00"))
            holding.set()
            go_on.wait(timeout=30)
            scene(clinic, rooms[1], treatment, at(TUESDAY, "10:00"))

    _book_ten_oclock_against(
        competitor, clinic=clinic, treatment=treatment, rooms=rooms, patient=patient
    )
    assert set(Appointment.objects.values_list("practitioner", "room")) == {
        (other_practitioner.pk, rooms[0].pk),
        (clinic.pk, rooms[1].pk),
    }
