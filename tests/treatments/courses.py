"""Courses of treatment for the export tests, built through the real services (consent,
plan, pre-checks, session log with lots taken from stock, signing, adverse event, reviews),
so a summary shows what the pages would have recorded. Shared by the PDF, CSV and batch
tests, the access table and the browser journey."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from patients.models import Consent, ConsentText, Patient
from patients.services import consent_sign, consent_text_publish
from tests.cocktails.factories import LotFactory
from tests.cocktails.scenarios import make_catalogue, make_face_glow
from tests.patients.factories import PatientFactory
from treatments import services
from treatments.models import AdverseEvent, TreatmentPlan, TreatmentSession
from treatments.services import LotInput, PointInput

FACE_SITES = (
    # (zone, x, y): positions as fractions of the face diagram, near each zone's centre.
    ("forehead", 0.50, 0.20),
    ("cheek_r", 0.36, 0.43),
    ("cheek_l", 0.64, 0.43),
)


def make_clinic(*, admin: Any, practitioner: Any) -> SimpleNamespace:
    """The cocktails tests' catalogue and "Face glow" cocktail, a deep lot of each of its two
    products, and the general treatment consent, published."""
    catalogue = make_catalogue()
    today = timezone.localdate()
    deep = {
        "received_on": today - datetime.timedelta(days=800),
        "expiry_date": today + datetime.timedelta(days=400),
        "quantity_received": 400,
    }
    return SimpleNamespace(
        ha_lot=LotFactory(product=catalogue.ha_vial, lot_number="HA-7781", **deep),
        c_lot=LotFactory(product=catalogue.c_vial, lot_number="VC-2209", **deep),
        cocktail=make_face_glow(catalogue, practitioner),
        consent=consent_text_publish(
            kind=ConsentText.Kind.TREATMENT,
            title="General treatment consent",
            body="I consent to mesotherapy injections.",
            by=admin,
        ),
    )


def make_plan(
    clinic: SimpleNamespace,
    *,
    practitioner: Any,
    patient: Patient | None = None,
    **course: Any,
) -> TreatmentPlan:
    """A proposed facial rejuvenation plan: four sessions two weeks apart from next week,
    unless `course` says otherwise (any argument of plan_create)."""
    defaults = {
        "indication": "facial_rejuvenation",
        "body_areas": ["face"],
        "initial_sessions": 4,
        "interval_days": 14,
        "maintenance_every_days": None,
        "start_date": timezone.localdate() + datetime.timedelta(days=7),
    }
    return services.plan_create(
        patient=patient or PatientFactory(),
        practitioner=practitioner,
        cocktail=clinic.cocktail,
        by=practitioner,
        **{**defaults, **course},
    )


def _at(day: datetime.date, hour: int = 10, minute: int = 30) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def make_course(
    clinic: SimpleNamespace,
    *,
    practitioner: Any,
    patient: Patient | None = None,
    sessions: int = 2,
    days_apart: int = 14,
    notes: str = "",
    long_note_session: int | None = None,
    adverse_event: bool = True,
    reviews: bool = True,
    plan_notes: str = "A fresher look; patient prefers late-morning sessions.",
) -> TreatmentPlan:
    """A facial rejuvenation plan with `sessions` signed sessions `days_apart` days apart,
    the last one a week ago; the first followed by a bruise, and two reviews. `notes` go
    into every session's notes, or only into session `long_note_session` (0-based)."""
    patient = patient or PatientFactory()
    consent = consent_sign(
        patient=patient,
        text=clinic.consent,
        signed_name=patient.full_name,
        witnessed_by=practitioner,
    )
    first_day = timezone.localdate() - datetime.timedelta(days=7 + days_apart * (sessions - 1))
    # Signed at the consultation, before the first session.
    Consent.objects.filter(pk=consent.pk).update(
        signed_at=_at(first_day - datetime.timedelta(days=3))
    )
    plan = make_plan(
        clinic,
        practitioner=practitioner,
        patient=patient,
        initial_sessions=max(1, min(sessions, 5)),
        interval_days=days_apart,
        maintenance_every_days=120,
        start_date=first_day,
        notes=plan_notes,
    )
    plan = services.plan_accept(plan=plan, by=practitioner)
    signed: list[TreatmentSession] = []
    for index in range(sessions):
        session = services.session_start(
            # The course's patient signed no photo consent: no before photos are recorded.
            plan=plan,
            by=practitioner,
            contraindications_reviewed=True,
            photos_taken=False,
        )
        session_notes = notes if long_note_session in (None, index) else ""
        performed_at = _at(first_day + datetime.timedelta(days=days_apart * index))
        # Pre-checks passed just before, that day (the service stamps the time of the call).
        TreatmentSession.objects.filter(pk=session.pk).update(
            started_at=performed_at - datetime.timedelta(minutes=5)
        )
        session.refresh_from_db()
        session = services.session_record(
            session=session,
            by=practitioner,
            data={
                "performed_at": performed_at,
                "antiseptic": TreatmentSession.Antiseptic.CHLORHEXIDINE,
                "numbing_cream": "Lidocaine/prilocaine 5%",
                "numbing_minutes": 20,
                "technique": TreatmentSession.Technique.NAPPAGE,
                "needle_gauge": 32,
                "needle_length_mm": Decimal("4"),
                "total_volume_ml": Decimal("3.00"),
                "pain_score": 3,
                "reactions": ["redness"],
                "notes": session_notes,
            },
            points=[
                PointInput(
                    diagram="face",
                    zone=zone,
                    depth_mm=Decimal("1.5"),
                    volume_ml=Decimal("1.00"),
                    x=x,
                    y=y,
                )
                for zone, x, y in FACE_SITES
            ],
            lots=[
                LotInput(lot=clinic.ha_lot, vials=1, volume_ml=Decimal("2")),
                LotInput(lot=clinic.c_lot, vials=1, volume_ml=Decimal("1")),
            ],
        )
        signed.append(services.session_sign(session=session, by=practitioner))
    if adverse_event and signed:
        services.adverse_event_record(
            session=signed[0],
            by=practitioner,
            kind=AdverseEvent.Kind.BRUISING,
            onset_on=signed[0].performed_on + datetime.timedelta(days=1),
            severity=AdverseEvent.Severity.MILD,
            treatment="Arnica gel and cold compresses.",
            outcome=AdverseEvent.Outcome.RESOLVED,
            resolved_on=signed[0].performed_on + datetime.timedelta(days=6),
            lots=[clinic.ha_lot],
        )
    if reviews and signed:
        services.outcome_record(
            plan=plan, by=practitioner, assessed_on=first_day, gais_practitioner=4, gais_patient=4
        )
        services.outcome_record(
            plan=plan,
            by=practitioner,
            assessed_on=signed[-1].performed_on,
            session=signed[-1],
            gais_practitioner=2,
            gais_patient=3,
            satisfaction=4,
        )
    plan.refresh_from_db()
    return plan


def make_courses(
    clinic: SimpleNamespace, *, practitioner: Any, names: Iterable[tuple[str, str]], **course: Any
) -> list[TreatmentPlan]:
    """One course (as make_course makes it) for each (first name, last name)."""
    return [
        make_course(
            clinic,
            practitioner=practitioner,
            patient=PatientFactory(first_name=first, last_name=last),
            **course,
        )
        for first, last in names
    ]
