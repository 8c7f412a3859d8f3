"""The practitioner's day: their appointments (from the diary scheduling provides), the
session each leads to, and every patient's alerts, in a constant number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from patients.models import Allergy, Consent, ConsentText, Contraindication, Patient
from patients.selectors import ClinicalAlerts
from treatments import diary
from treatments.models import TreatmentPlan, TreatmentSession

SessionStatus = TreatmentSession.Status


def alerts_for_patients(*, patients: Iterable[Patient]) -> dict[int, ClinicalAlerts]:
    """Each patient's clinical alerts (as patient_clinical_alerts gives them), for a list of
    patients in two queries."""
    by_pk = {patient.pk: patient for patient in patients}
    contraindications: dict[int, list[Contraindication]] = defaultdict(list)
    allergies: dict[int, list[Allergy]] = defaultdict(list)
    for item in Contraindication.objects.filter(
        patient_id__in=list(by_pk), resolved_at__isnull=True
    ).order_by("severity", "-recorded_at", "-pk"):
        contraindications[item.patient_id].append(item)
    for allergy in Allergy.objects.filter(
        patient_id__in=list(by_pk), removed_at__isnull=True
    ).select_related("ingredient"):
        allergies[allergy.patient_id].append(allergy)
    return {
        pk: ClinicalAlerts(
            contraindications=contraindications[pk],
            allergies=allergies[pk],
            allergy_notes=patient.allergy_notes,
        )
        for pk, patient in by_pk.items()
    }


def consent_gaps(*, pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (patient id, indication) pairs lack a valid treatment consent: the same rule as
    patients.selectors.patient_has_valid_consent (a patient's own signature made as a minor
    does not count), for many patients in two queries."""
    pairs = set(pairs)
    if not pairs:
        return set()
    texts = list(
        ConsentText.objects.filter(kind=ConsentText.Kind.TREATMENT, superseded_at__isnull=True)
    )
    signatures = (
        Consent.objects.filter(
            patient_id__in={pk for pk, _ in pairs}, text__in=texts, withdrawn_at__isnull=True
        )
        .select_related("patient")
        .only("patient_id", "text_id", "signer", "signed_at", "patient__date_of_birth")
    )
    signed = {
        (consent.patient_id, consent.text_id)
        for consent in signatures
        if consent.signed_as_minor_age is None
    }
    gaps = set()
    for patient_id, indication in pairs:
        required = [text for text in texts if text.indication in ("", indication)]
        if not required or any((patient_id, text.pk) not in signed for text in required):
            gaps.add((patient_id, indication))
    return gaps


@dataclass
class DayItem:
    """One line of the practitioner's day: an appointment (or a session logged without one),
    the session it leads to or the plan to start one from, and the patient's alerts."""

    patient: Patient
    alerts: ClinicalAlerts
    booking: diary.Booking | None = None
    session: TreatmentSession | None = None
    plans: list[TreatmentPlan] = field(default_factory=list)
    consent_missing: bool = False

    @property
    def start(self) -> datetime.datetime | None:
        if self.booking is not None:
            return self.booking.start
        return self.session.performed_at if self.session else None

    @property
    def is_treatment(self) -> bool:
        return self.booking is None or self.booking.is_treatment

    @property
    def blocked(self) -> bool:
        return self.alerts.blocked or self.consent_missing


@dataclass
class DayList:
    day: datetime.date
    items: list[DayItem]
    unsigned: list[TreatmentSession]

    @property
    def treatments(self) -> int:
        return sum(1 for item in self.items if item.is_treatment)


def practitioner_day(*, practitioner: Any, day: datetime.date) -> DayList:
    """The practitioner's appointments on `day` with, for each treatment, its session (the
    plan session the appointment holds, or the one logged today for that patient) or the
    patient's running plans to start one from; sessions logged that day without an
    appointment; and their sessions still unsigned from earlier days. Nine queries."""
    bookings = diary.practitioner_day(practitioner=practitioner, day=day)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    linked_ids = [b.plan_session_id for b in bookings if b.plan_session_id]
    session_rows = TreatmentSession.objects.select_related("plan__patient", "plan__cocktail")
    linked = {s.pk: s for s in session_rows.filter(pk__in=linked_ids)}
    logged = list(
        session_rows.filter(
            practitioner=practitioner, performed_at__gte=start, performed_at__lt=end
        ).exclude(pk__in=linked_ids)
    )
    patients = {b.patient.pk: b.patient for b in bookings}
    patients.update({s.plan.patient_id: s.plan.patient for s in logged})
    plans: dict[int, list[TreatmentPlan]] = defaultdict(list)
    for plan in TreatmentPlan.objects.filter(
        patient_id__in=list(patients), status__in=TreatmentPlan.TREATING
    ).select_related("cocktail"):
        plans[plan.patient_id].append(plan)
    alerts = alerts_for_patients(patients=patients.values())

    items: list[DayItem] = []
    used: set[int] = set()
    for booking in bookings:
        item = DayItem(patient=booking.patient, alerts=alerts[booking.patient.pk], booking=booking)
        if booking.plan_session_id in linked:
            item.session = linked[booking.plan_session_id]
        elif booking.is_treatment:
            # An appointment booked without its plan: the session logged today, if any.
            item.session = next(
                (s for s in logged if s.plan.patient_id == booking.patient.pk and s.pk not in used),
                None,
            )
            item.plans = plans[booking.patient.pk]
        if item.session is not None:
            used.add(item.session.pk)
        items.append(item)
    for session in logged:
        if session.pk not in used:
            patient = session.plan.patient
            items.append(DayItem(patient=patient, alerts=alerts[patient.pk], session=session))
    items.sort(key=lambda item: item.start or start)

    pairs = set()
    for item in items:
        if not item.is_treatment:
            continue
        if item.session is not None and not item.session.is_started:
            pairs.add((item.patient.pk, item.session.plan.indication))
        elif item.session is None:
            pairs.update((item.patient.pk, plan.indication) for plan in item.plans)
    gaps = consent_gaps(pairs=pairs)
    for item in items:
        if item.session is not None and not item.session.is_started:
            item.consent_missing = (item.patient.pk, item.session.plan.indication) in gaps
        elif item.session is None and item.plans:
            item.consent_missing = all((item.patient.pk, p.indication) in gaps for p in item.plans)

    unsigned = list(
        TreatmentSession.objects.filter(
            practitioner=practitioner, status=SessionStatus.IN_PROGRESS, performed_at__lt=start
        )
        .select_related("plan__patient")
        .order_by("performed_at")
    )
    return DayList(day=day, items=items, unsigned=unsigned)
