"""Writes for series: several sessions proposed and booked in one action, or none, from a
treatment plan or not."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from scheduling import clock, selectors
from scheduling.availability import Availability, Proposal, SeriesSlot, SlotUnavailable
from scheduling.models import Appointment, AppointmentSeries, AppointmentType, Room
from scheduling.services._common import (
    _check_type,
    _Overlap,
    _save_all,
    check_patient_bookable,
    check_practitioner,
)
from treatments.models import TreatmentSession
from treatments.services import plan_sessions_reserve

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from patients.models import Patient
    from treatments.models import TreatmentPlan

    User = AbstractBaseUser

MAX_SERIES = 24


class SeriesUnavailable(ValidationError):
    """Some sessions of a series cannot be booked: nothing was. `rows` maps the position of
    each refused session (1-based) to its SlotUnavailable."""

    def __init__(self, rows: dict[int, SlotUnavailable]) -> None:
        positions = ", ".join(str(position) for position in sorted(rows))
        super().__init__(
            f"Nothing was booked: session {positions} cannot take the time chosen."
            if len(rows) == 1
            else f"Nothing was booked: sessions {positions} cannot take the times chosen."
        )
        self.rows = rows


def series_propose(
    *,
    patient: Patient,
    practitioner: User,
    appointment_type: AppointmentType,
    first_start: datetime.datetime,
    count: int,
    interval_days: int,
    room: Room | None = None,
) -> list[Proposal]:
    """Propose a slot for each of `count` sessions (see Availability.propose_series).

    Issue 5 calls this from a plan with the plan's remaining sessions and interval; see
    `appointment_series_book` for the hook.
    """
    check_patient_bookable(patient=patient, appointment_type=appointment_type)
    check_practitioner(practitioner)
    _check_series_size(count=count, interval_days=interval_days)
    if first_start < clock.now():
        raise ValidationError({"first_start": "That time has already passed."})
    last = first_start + datetime.timedelta(days=(count - 1) * interval_days + 28)
    availability = Availability.around(
        practitioner=practitioner, first=first_start, last=last, patient=patient
    )
    return availability.propose_series(
        first_start=first_start,
        count=count,
        interval_days=interval_days,
        appointment_type=appointment_type,
        room=room,
    )


def _check_series_size(*, count: int, interval_days: int) -> None:
    if not 1 <= count <= MAX_SERIES:
        raise ValidationError({"count": f"Book between 1 and {MAX_SERIES} sessions at once."})
    if not 1 <= interval_days <= 365:
        raise ValidationError({"interval_days": "The interval is between 1 and 365 days."})


@transaction.atomic
def appointment_series_book(
    *,
    patient: Patient,
    practitioner: User,
    appointment_type: AppointmentType,
    slots: Sequence[SeriesSlot],
    interval_days: int,
    booked_by: User,
    note: str = "",
    plan: TreatmentPlan | None = None,
) -> list[Appointment]:
    """Book every session of a series, or none (SeriesUnavailable says which sessions failed).

    With a `plan`, the series books that plan's sessions: course sessions for a treatment
    type, maintenance sessions for a maintenance type. Each appointment is linked to a plan
    session (`plan_session`): first the plan's booked sessions whose appointment was
    cancelled, then new ones; never more course sessions than the course has left. It all
    happens in this transaction: a refused series leaves no plan session behind.
    """
    check_patient_bookable(patient=patient, appointment_type=appointment_type)
    check_practitioner(practitioner)
    _check_type(appointment_type)
    _check_series_size(count=len(slots), interval_days=interval_days)
    if plan is not None:
        _check_plan(plan=plan, patient=patient, appointment_type=appointment_type)
    out_of_order = {
        position: SlotUnavailable(
            {"start": f"Session {position} must come after session {position - 1}."},
            alternatives=[],
        )
        for position, (before, after) in enumerate(itertools.pairwise(slots), start=2)
        if after.start <= before.start
    }
    if out_of_order:
        raise SeriesUnavailable(out_of_order)
    availability = Availability.around(
        practitioner=practitioner, first=slots[0].start, last=slots[-1].start, patient=patient
    )
    claimed, refused = availability.claim_all(slots, appointment_type)
    if refused:
        raise SeriesUnavailable(refused)
    sessions = (
        _reserve_plan_sessions(plan=plan, appointment_type=appointment_type, count=len(slots))
        if plan is not None
        else [None] * len(slots)
    )
    series = AppointmentSeries.objects.create(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        count=len(slots),
        interval_days=interval_days,
        booked_by=booked_by,
        plan=plan,
    )
    appointments = []
    for position, (slot, session) in enumerate(zip(claimed, sessions, strict=True), start=1):
        appointment = slot.appointment(
            patient=patient,
            practitioner=practitioner,
            appointment_type=appointment_type,
            note=note,
            booked_by=booked_by,
            series=series,
            series_position=position,
            plan_session=session,
        )
        appointment._history_user = booked_by
        appointments.append(appointment)
    try:
        _save_all(appointments)
    except _Overlap as error:
        # Someone booked one of these times between our check and our insert: check again
        # against what is committed now, so the page can say which session to change.
        fresh = Availability.around(
            practitioner=practitioner, first=slots[0].start, last=slots[-1].start, patient=patient
        )
        _, refused = fresh.claim_all(slots, appointment_type)
        raise SeriesUnavailable(
            refused
            or {
                1: SlotUnavailable(
                    {"start": "Someone else has just booked one of these times."}, alternatives=[]
                )
            }
        ) from error
    return appointments


def _check_plan(
    *, plan: TreatmentPlan, patient: Patient, appointment_type: AppointmentType
) -> None:
    if plan.patient_id != patient.pk:
        raise ValidationError({"patient": "This plan is for another patient."})
    if not appointment_type.is_treatment:
        raise ValidationError(
            {"appointment_type": "A plan books treatment or maintenance sessions."}
        )


def _reserve_plan_sessions(
    *, plan: TreatmentPlan, appointment_type: AppointmentType, count: int
) -> list[TreatmentSession]:
    kind = (
        TreatmentSession.Kind.MAINTENANCE
        if appointment_type.kind == AppointmentType.Kind.MAINTENANCE
        else TreatmentSession.Kind.INITIAL
    )
    return plan_sessions_reserve(
        plan=plan,
        kind=kind,
        count=count,
        booked_session_ids=selectors.plan_booked_session_ids(plan=plan),
    )
