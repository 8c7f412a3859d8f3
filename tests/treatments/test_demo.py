"""seed_demo's treatments part: plans in every state, sessions through the real services."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from cocktails.models import LotUsage
from patients.models import Consent
from scheduling.models import Appointment
from treatments.models import (
    AdverseEvent,
    InjectionPoint,
    Outcome,
    SessionLot,
    TreatmentPlan,
    TreatmentSession,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_plans_in_every_state_with_signed_sessions_and_follow_up():
    # One seed for every check: seeding is slow, and test_seed_demo checks it is idempotent.
    call_command("seed_demo", stdout=StringIO())
    plans = TreatmentPlan.objects.all()
    assert {plan.status for plan in plans} == set(TreatmentPlan.Status.values)
    assert {plan.indication for plan in plans} == {
        "facial_rejuvenation",
        "hair_restoration",
        "cellulite",
        "scars",
        "body_contouring",
    }
    assert plans.get(indication="hair_restoration").next_maintenance_on is not None

    signed = TreatmentSession.objects.filter(status="signed").prefetch_related("points", "lots")
    assert len(signed) >= 10
    assert all(session.points.all() and session.lots.all() for session in signed)
    assert not TreatmentSession.objects.filter(status="in_progress").exists()
    # Stock and the ledger agree with the sessions.
    assert LotUsage.objects.count() == SessionLot.objects.count()
    assert InjectionPoint.objects.filter(x__isnull=False).exists()
    assert AdverseEvent.objects.count() == 1
    assert Outcome.objects.filter(measure__isnull=False).exists()
    # The running plans' remaining sessions are booked, each appointment holding one.
    assert Appointment.objects.filter(plan_session__isnull=False).exists()
    # Each story reads in order: consultation, plan proposed, consent signed and plan
    # accepted, then the sessions.
    for plan in plans.exclude(accepted_at=None).select_related("patient"):
        first = plan.sessions.filter(status="signed").order_by("performed_at").first()
        consulted = plan.patient.consultations.order_by("consulted_on").first()
        consents = Consent.objects.filter(patient=plan.patient, text__kind="treatment")
        assert consulted.consulted_on <= plan.created_at.date(), plan
        assert plan.created_at < plan.accepted_at, plan
        assert all(consent.signed_at < plan.accepted_at for consent in consents), plan
        if first is not None:
            assert plan.accepted_at < first.performed_at, plan
    # Two sites of a session are never drawn on top of each other.
    for session in signed:
        sites = [(p.diagram, p.x, p.y) for p in session.points.all() if p.x is not None]
        for i, (diagram, x, y) in enumerate(sites):
            for other, x2, y2 in sites[i + 1 :]:
                if other == diagram:
                    assert abs(x - x2) + abs(y - y2) >= 0.04, (session, x, y, x2, y2)
