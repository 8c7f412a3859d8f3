"""The export URLs' rows of the access table (merged by tests/treatments/access.py).

Summary PDFs: admins and practitioners; batch exports and the sessions CSV: admins only;
receptionists get 403 on every export."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from cocktails.models import LotUsage
from tests.access_rule import ADMIN_ONLY, CLINICAL, Rule
from tests.patients.factories import PatientFactory
from treatments.exports.models import ExportJob
from treatments.models import (
    AdverseEvent,
    InjectionPoint,
    SessionLot,
    TreatmentPlan,
    TreatmentSession,
)

RULES: dict[str, Rule] = {
    "treatments:plan_summary_pdf": Rule(ok=CLINICAL, kwargs=lambda w: {"pk": w.export_plan.pk}),
    "treatments:patient_summary_pdf": Rule(
        ok=CLINICAL, kwargs=lambda w: {"patient_pk": w.export_plan.patient_id}
    ),
    "treatments:exports:list": Rule(ok=ADMIN_ONLY),
    "treatments:exports:sessions_csv": Rule(ok=ADMIN_ONLY),
    "treatments:exports:detail": Rule(ok=ADMIN_ONLY, kwargs=lambda w: {"pk": w.export_job.pk}),
    "treatments:exports:progress": Rule(ok=ADMIN_ONLY, kwargs=lambda w: {"pk": w.export_job.pk}),
    "treatments:exports:download": Rule(ok=ADMIN_ONLY, kwargs=lambda w: {"pk": w.export_job.pk}),
}


def _signed_course(world: Any) -> TreatmentPlan:
    """A plan with one signed session, a site, a lot and an adverse event, written directly
    (the URL walk runs this for every test: the services' checks are tested elsewhere). On
    the cocktail and lot of the cocktails app's world."""
    practitioner = world.practitioner
    now = timezone.now()
    session_at = now - datetime.timedelta(days=10)
    plan = TreatmentPlan.objects.create(
        patient=PatientFactory(first_name="Élise", last_name="Garnier"),
        practitioner=practitioner,
        indication="facial_rejuvenation",
        body_areas=["face"],
        cocktail=world.cocktail,
        initial_sessions=3,
        interval_days=14,
        maintenance_every_days=120,
        start_date=timezone.localdate(session_at),
        status=TreatmentPlan.Status.IN_PROGRESS,
        accepted_at=session_at,
        created_by=practitioner,
    )
    session = TreatmentSession.objects.create(
        plan=plan,
        status=TreatmentSession.Status.SIGNED,
        practitioner=practitioner,
        performed_at=session_at,
        started_at=session_at,
        formulation=world.cocktail.current,
        technique=TreatmentSession.Technique.NAPPAGE,
        needle_gauge=32,
        needle_length_mm=Decimal("4"),
        total_volume_ml=Decimal("1"),
        pain_score=2,
        aftercare="No make-up for 12 hours.",
        signed_at=session_at,
        signed_by=practitioner,
    )
    InjectionPoint.objects.create(
        session=session, diagram="face", zone="forehead", depth_mm=1, volume_ml=1, x=0.5, y=0.2
    )
    usage = LotUsage.objects.create(
        lot=world.lot,
        quantity=1,
        volume_ml=1,
        patient=plan.patient,
        practitioner=practitioner,
        used_at=session_at,
        formulation=world.cocktail.current,
    )
    SessionLot.objects.create(session=session, lot=world.lot, vials=1, volume_ml=1, usage=usage)
    AdverseEvent.objects.create(
        session=session,
        kind=AdverseEvent.Kind.BRUISING,
        onset_on=timezone.localdate(session_at),
        severity=AdverseEvent.Severity.MILD,
        recorded_by=practitioner,
    )
    return plan


def populate_world(world: Any) -> None:
    """A signed course to export, and a finished batch with its (tiny) zip on disk."""
    world.export_plan = _signed_course(world)
    name = default_storage.save("exports/world.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    now = timezone.now()
    world.export_job = ExportJob.objects.create(
        created_by=world.admin,
        indication="facial_rejuvenation",
        status=ExportJob.Status.READY,
        total=1,
        done=1,
        file=name,
        size=22,
        started_at=now,
        finished_at=now,
        expires_at=now + datetime.timedelta(days=7),
    )
