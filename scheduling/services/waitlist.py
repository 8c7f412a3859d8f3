"""Writes for the waitlist: patients waiting for a time to free up, until booked or withdrawn."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from scheduling import clock
from scheduling.models import Appointment, AppointmentType, WaitlistEntry
from scheduling.services._common import check_patient_bookable, check_practitioner

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from patients.models import Patient

    User = AbstractBaseUser


@transaction.atomic
def waitlist_add(
    *,
    patient: Patient,
    practitioner: User | None,
    appointment_type: AppointmentType,
    earliest_day: datetime.date,
    latest_day: datetime.date,
    note: str = "",
    added_by: User,
) -> WaitlistEntry:
    check_patient_bookable(patient=patient, appointment_type=appointment_type)
    if practitioner is not None:
        check_practitioner(practitioner)
    if latest_day < earliest_day:
        raise ValidationError({"latest_day": "The last day must be on or after the first day."})
    if latest_day < clock.local_today():
        raise ValidationError({"latest_day": "That period is already over."})
    return WaitlistEntry.objects.create(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        earliest_day=earliest_day,
        latest_day=latest_day,
        note=note,
        added_by=added_by,
    )


def _waitlist_close(
    *, entry: WaitlistEntry, status: str, appointment: Appointment | None = None
) -> WaitlistEntry:
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if appointment is not None and appointment.patient_id != entry.patient_id:
        raise ValidationError("This waitlist entry is for another patient.")
    if entry.status != WaitlistEntry.Status.WAITING:
        raise ValidationError("This waitlist entry is already closed.")
    entry.status = status
    entry.appointment = appointment
    entry.closed_at = clock.now()
    entry.save(update_fields=["status", "appointment", "closed_at"])
    return entry


@transaction.atomic
def waitlist_withdraw(*, entry: WaitlistEntry) -> WaitlistEntry:
    return _waitlist_close(entry=entry, status=WaitlistEntry.Status.WITHDRAWN)
