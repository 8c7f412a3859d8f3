"""Ready-made treatment scenes for tests and browser journeys: a consenting patient, a plan
they accepted, and the log of a session, all through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from cocktails.choices import BodyArea, Indication
from patients import services as patient_services
from patients.models import Consent, ConsentText
from tests.cocktails.scenarios import make_catalogue, make_face_glow
from tests.patients.factories import PatientFactory
from treatments import services
from treatments.models import TreatmentPlan, TreatmentSession
from treatments.services import LotInput, PointInput


def _current_text(kind: str, title: str, witness: Any) -> ConsentText:
    return ConsentText.objects.filter(
        kind=kind, indication="", superseded_at__isnull=True
    ).first() or patient_services.consent_text_publish(
        kind=kind, title=title, body="I agree.", by=witness
    )


def sign_photo_consent(patient: Any, *, witness: Any) -> None:
    """The patient signs the clinic's (current) photo consent."""
    text = _current_text(ConsentText.Kind.PHOTO, "Photo consent", witness)
    patient_services.consent_sign(
        patient=patient, text=text, signed_name=patient.full_name, witnessed_by=witness
    )


def consenting_patient(*, witness: Any, photos: bool = True, **names: str) -> Any:
    """A patient who signed the clinic's (current) general treatment consent and, unless
    `photos` is False, its photo consent."""
    text = _current_text(ConsentText.Kind.TREATMENT, "General consent", witness)
    patient = PatientFactory(**names)
    consent = patient_services.consent_sign(
        patient=patient, text=text, signed_name=patient.full_name, witnessed_by=witness
    )
    # Signed at the consultation, long before any session a test logs.
    Consent.objects.filter(pk=consent.pk).update(
        signed_at=timezone.now() - datetime.timedelta(days=730)
    )
    if photos:
        sign_photo_consent(patient, witness=witness)
    return patient


def accepted_plan(
    *, patient: Any, practitioner: Any, cocktail: Any, **course: Any
) -> TreatmentPlan:
    values = {
        "indication": Indication.FACIAL_REJUVENATION,
        "body_areas": [BodyArea.FACE, BodyArea.NECK],
        "initial_sessions": 4,
        "interval_days": 14,
        "maintenance_every_days": 120,
        "start_date": timezone.localdate(),
        **course,
    }
    plan = services.plan_create(
        patient=patient, practitioner=practitioner, cocktail=cocktail, by=practitioner, **values
    )
    return services.plan_accept(plan=plan, by=practitioner)


def clinic(practitioner: Any, admin: Any) -> SimpleNamespace:
    """The catalogue, a Face glow template, and a consenting patient with an accepted plan."""
    catalogue = make_catalogue()
    face_glow = make_face_glow(catalogue, practitioner)
    patient = consenting_patient(witness=admin, first_name="Camille", last_name="Roux")
    plan = accepted_plan(patient=patient, practitioner=practitioner, cocktail=face_glow)
    return SimpleNamespace(catalogue=catalogue, face_glow=face_glow, patient=patient, plan=plan)


def start(
    plan: TreatmentPlan,
    by: Any,
    session: TreatmentSession | None = None,
    *,
    at: datetime.datetime | None = None,
) -> TreatmentSession:
    """Pass the pre-checks of a session; `at` dates them in the past (the service stamps the
    time of the call), for a scene whose session was given earlier."""
    started = services.session_start(
        plan=plan, by=by, session=session, contraindications_reviewed=True, photos_taken=True
    )
    if at is not None:
        TreatmentSession.objects.filter(pk=started.pk).update(started_at=at, performed_at=at)
        started.refresh_from_db()
    return started


def log_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "performed_at": timezone.now(),
        "antiseptic": "chlorhexidine",
        "numbing_cream": "",
        "numbing_minutes": None,
        "technique": "nappage",
        "needle_gauge": 30,
        "needle_length_mm": Decimal("4"),
        "total_volume_ml": Decimal("1.50"),
        "pain_score": 3,
        "reactions": ["redness"],
        "reaction_notes": "",
        "aftercare": "No make-up for 12 hours.",
        "notes": "",
    }
    data.update(overrides)
    return data


def face_points(*volumes: str) -> list[PointInput]:
    zones = ("forehead", "cheek_r", "cheek_l", "neck", "chin", "glabella")
    return [
        PointInput(
            diagram="face",
            zone=zones[index % len(zones)],
            depth_mm=Decimal("1.5"),
            volume_ml=Decimal(volume),
            x=0.3 + 0.05 * index,
            y=0.4,
        )
        for index, volume in enumerate(volumes or ("0.5", "0.5", "0.5"))
    ]


def lots(catalogue: SimpleNamespace, ha_vials: int = 1, c_vials: int = 1) -> list[LotInput]:
    return [
        LotInput(lot=catalogue.ha_lot, vials=ha_vials, volume_ml=Decimal("2")),
        LotInput(lot=catalogue.c_lot, vials=c_vials, volume_ml=Decimal("1")),
    ]


def record(
    session: TreatmentSession,
    by: Any,
    *,
    lots: list[LotInput],
    points: list[PointInput] | None = None,
    **data: Any,
) -> TreatmentSession:
    """Log `session` with valid fields (`data` overrides them) and three face sites."""
    return services.session_record(
        session=session,
        by=by,
        data=log_data(**data),
        points=face_points() if points is None else points,
        lots=lots,
    )


def signed_session(scene: SimpleNamespace, by: Any, **data: Any) -> TreatmentSession:
    """A complete session of the scene's plan, logged and signed through the services (its
    pre-checks passed at `performed_at`, when given)."""
    started = start(scene.plan, by, at=data.get("performed_at"))
    session = record(started, by, lots=lots(scene.catalogue), **data)
    return services.session_sign(session=session, by=by)


def today_at(hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(hour)))


def booked_today(plan: TreatmentPlan, hour: int, appointment_type: Any) -> TreatmentSession:
    """A session of `plan` held by an appointment today at `hour`, as scheduling books it."""
    from tests.scheduling.factories import AppointmentFactory

    session = services.plan_sessions_reserve(
        plan=plan, kind="initial", count=1, booked_session_ids=[]
    )[0]
    AppointmentFactory(
        patient=plan.patient,
        practitioner=plan.practitioner,
        appointment_type=appointment_type,
        start=today_at(hour),
        plan_session=session,
    )
    return session
