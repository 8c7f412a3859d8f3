"""Treatment records written straight to their tables, for setting scenes in tests (the rules
live in the services: use them when the rule is what is tested)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from cocktails.choices import BodyArea, Indication, Region
from tests.patients.factories import PatientFactory
from treatments.models import (
    AdverseEvent,
    InjectionPoint,
    Outcome,
    TreatmentPlan,
    TreatmentSession,
)


class PlanFactory(factory.django.DjangoModelFactory):
    """An accepted facial plan; pass `practitioner` and `cocktail`."""

    class Meta:
        model = TreatmentPlan

    patient = factory.SubFactory(PatientFactory)
    indication = Indication.FACIAL_REJUVENATION
    body_areas = factory.LazyFunction(lambda: [BodyArea.FACE.value])
    initial_sessions = 4
    interval_days = 14
    maintenance_every_days = 120
    start_date = factory.LazyFunction(timezone.localdate)
    status = TreatmentPlan.Status.ACCEPTED
    accepted_at = factory.LazyFunction(timezone.now)
    created_by = factory.SelfAttribute("practitioner")


class SessionFactory(factory.django.DjangoModelFactory):
    """A signed course session of `plan`, without lots (see the services for those)."""

    class Meta:
        model = TreatmentSession

    kind = TreatmentSession.Kind.INITIAL
    status = TreatmentSession.Status.SIGNED
    practitioner = factory.SelfAttribute("plan.practitioner")
    performed_at = factory.LazyFunction(timezone.now)
    started_at = factory.SelfAttribute("performed_at")
    contraindications_reviewed = True
    consent_verified = True
    photos_taken = True
    technique = TreatmentSession.Technique.NAPPAGE
    needle_gauge = 30
    needle_length_mm = Decimal("4")
    total_volume_ml = Decimal("1.00")
    pain_score = 3
    aftercare = "No make-up for 12 hours."
    signed_at = factory.LazyAttribute(
        lambda s: s.performed_at + datetime.timedelta(minutes=30) if s.status == "signed" else None
    )
    signed_by = factory.LazyAttribute(lambda s: s.practitioner if s.status == "signed" else None)


class PointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InjectionPoint

    diagram = Region.FACE
    zone = "forehead"
    x = 0.5
    y = 0.22
    depth_mm = Decimal("1.5")
    volume_ml = Decimal("0.25")


class AdverseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdverseEvent

    kind = AdverseEvent.Kind.BRUISING
    severity = AdverseEvent.Severity.MILD
    onset_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SelfAttribute("session.practitioner")


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    assessed_on = factory.LazyFunction(timezone.localdate)
    gais_practitioner = 3
    gais_patient = 2
    recorded_by = factory.SelfAttribute("plan.practitioner")
