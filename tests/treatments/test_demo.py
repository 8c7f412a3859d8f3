"""seed_demo's treatments part: plans in every state, sessions through the real services, and
the practice's past (treatments/demo_history.py), written in bulk but by the same rules."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from cocktails.models import Lot, LotUsage
from patients.models import Consent, Contraindication
from patients.selectors import consent_texts_required
from scheduling import clock
from scheduling.models import Appointment
from treatments.measures import measure_for
from treatments.models import (
    AdverseEvent,
    InjectionPoint,
    Outcome,
    SessionLot,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.services import plan_refresh, sign_problems
from treatments.services.plans import _check_course

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
    aurelien = plans.get(patient__first_name="Aurélien", indication="hair_restoration")
    assert aurelien.next_maintenance_on is not None

    signed = TreatmentSession.objects.filter(status="signed").prefetch_related("points", "lots")
    assert len(signed) >= 500
    assert all(session.points.all() and session.lots.all() for session in signed)
    assert not TreatmentSession.objects.filter(status="in_progress").exists()
    # Stock and the ledger agree with the sessions.
    assert LotUsage.objects.count() == SessionLot.objects.count()
    assert InjectionPoint.objects.filter(x__isnull=False).exists()
    # A few adverse events of every severity and of several kinds, one still going on.
    events = AdverseEvent.objects.all()
    assert {event.severity for event in events} == set(AdverseEvent.Severity.values)
    assert len({event.kind for event in events}) >= 5
    assert events.filter(outcome=AdverseEvent.Outcome.ONGOING).exists()
    assert Outcome.objects.filter(measure__isnull=False).exists()
    # The running plans' remaining sessions are booked, each appointment holding one.
    assert Appointment.objects.filter(plan_session__isnull=False).exists()
    # Each story reads in order: consultation, plan proposed, the consents it needs signed
    # and the plan accepted, then the sessions.
    for plan in plans.exclude(accepted_at=None).select_related("patient"):
        first = plan.sessions.filter(status="signed").order_by("performed_at").first()
        consulted = plan.patient.consultations.order_by("consulted_on").first()
        needed = consent_texts_required(indication=plan.indication)
        consents = Consent.objects.filter(patient=plan.patient, text__in=needed)
        assert consulted.consulted_on <= plan.created_at.date(), plan
        assert plan.created_at < plan.accepted_at, plan
        assert {consent.text_id for consent in consents} == {text.pk for text in needed}, plan
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
    _the_past_obeys_the_rules_the_services_apply()


def _the_past_obeys_the_rules_the_services_apply() -> None:
    """The past is written in bulk: each record must still be one the services would have
    written, the state of each plan the one they keep, every record in the change history."""
    today = timezone.localdate()
    # Plans: a course the plan form accepts, and the state plan_refresh keeps from its sessions.
    plans = list(TreatmentPlan.objects.select_related("patient", "cocktail"))
    assert len(plans) >= 100
    for plan in plans:
        problems = _check_course(
            patient=plan.patient,
            indication=plan.indication,
            body_areas=plan.body_areas,
            cocktail=plan.cocktail,
            initial_sessions=plan.initial_sessions,
            interval_days=plan.interval_days,
            maintenance_every_days=plan.maintenance_every_days,
        )
        assert not problems, (plan, problems)
        kept = (plan.status, plan.next_maintenance_on)
        with transaction.atomic():
            refreshed = plan_refresh(plan=TreatmentPlan.objects.get(pk=plan.pk))
            assert (refreshed.status, refreshed.next_maintenance_on) == kept, plan
            transaction.set_rollback(True)
    statuses = Counter(plan.status for plan in plans)
    assert statuses["maintenance"] >= 30 and statuses["completed"] >= 10, statuses

    # Sessions: complete enough to sign, given after the consent and with nothing absolute
    # open, from lots in date that day and received before.
    sessions = list(
        TreatmentSession.objects.filter(status="signed")
        .select_related("plan__patient", "formulation")
        .prefetch_related("points")
    )
    absolute = list(Contraindication.objects.filter(severity="absolute"))
    for session in sessions:
        assert sign_problems(session) == [], session
        assert session.signed_at > session.performed_at >= session.started_at, session
        for item in absolute:
            if item.patient_id == session.plan.patient_id:
                assert not (
                    item.recorded_at <= session.performed_at
                    and (item.resolved_at is None or item.resolved_at > session.performed_at)
                ), (session, item)
    for usage in LotUsage.objects.select_related("lot"):
        used_on = clock.local(usage.used_at).date()
        assert usage.lot.received_on <= used_on <= usage.lot.expiry_date, usage
    for lot in Lot.objects.prefetch_related("usages"):
        used = sum(usage.quantity for usage in lot.usages.all() if not usage.is_cancelled)
        assert lot.quantity_left == lot.quantity_received - used, lot
    # Lots of the past were used up; the shelf still raises the demo's stock alerts.
    assert Lot.objects.filter(expiry_date__lt=today, quantity_left=0).count() >= 10

    # Reviews: as outcome_record takes them.
    for outcome in Outcome.objects.select_related("plan", "session"):
        assert outcome.assessed_on <= today
        if outcome.session is not None:
            assert outcome.session.plan_id == outcome.plan_id
            assert outcome.assessed_on >= outcome.session.performed_on
        measure = measure_for(outcome.plan.indication)
        if outcome.measure is not None:
            assert measure.minimum <= outcome.measure <= measure.maximum, outcome

    # Every record of the past has its creation entry in the change history.
    for model in (TreatmentPlan, TreatmentSession, InjectionPoint, SessionLot, LotUsage, Lot):
        history = model.history.model.objects.filter(history_type="+")
        assert set(history.values_list("id", flat=True)) >= set(
            model.objects.values_list("pk", flat=True)
        ), model
    # ...dated when it happened, not when the demo was seeded.
    first = TreatmentSession.history.model.objects.order_by("history_date").first()
    assert first.history_date < clock.now() - datetime.timedelta(days=300)
