"""What every treatments URL answers to each role; merged into tests/access.py.

Treatment records are clinical: receptionists get 403 everywhere. POST-only actions answer a
GET with 405 before any check.
"""

from __future__ import annotations

from typing import Any

from clinic.roles import Role
from tests.access_rule import CLINICAL, Rule
from tests.treatments import export_access

POST_ONLY = {"ok_status": 405, "no_role": 405}


def _pk(name: str):
    def kwargs(world: Any) -> dict[str, Any]:
        return {"pk": getattr(world, name).pk}

    return kwargs


def _plan(world: Any) -> dict[str, Any]:
    return {"plan_pk": world.plan.pk}


RULES: dict[str, Rule] = {
    "treatments:plan_list": Rule(ok=CLINICAL),
    "treatments:today": Rule(ok=CLINICAL),
    "treatments:plan_create": Rule(ok=CLINICAL),
    "treatments:plan_detail": Rule(ok=CLINICAL, kwargs=_pk("plan")),
    "treatments:plan_edit": Rule(ok=CLINICAL, kwargs=_pk("plan")),
    "treatments:plan_accept": Rule(kwargs=_pk("plan"), **POST_ONLY),
    "treatments:plan_complete": Rule(kwargs=_pk("plan"), **POST_ONLY),
    "treatments:plan_stop": Rule(ok=CLINICAL, kwargs=_pk("plan")),
    "treatments:session_begin": Rule(ok=CLINICAL, kwargs=_plan),
    "treatments:outcome_create": Rule(ok=CLINICAL, kwargs=_plan),
    "treatments:session_detail": Rule(ok=CLINICAL, kwargs=_pk("signed_session")),
    "treatments:session_start": Rule(ok=CLINICAL, kwargs=_pk("booked_session")),
    # Only the practitioner giving a session logs it: others are sent to its record.
    "treatments:session_log": Rule(
        ok=CLINICAL, kwargs=_pk("open_session"), special={Role.ADMIN: 302}
    ),
    "treatments:session_sign": Rule(kwargs=_pk("open_session"), **POST_ONLY),
    "treatments:session_amend": Rule(ok=CLINICAL, kwargs=_pk("signed_session")),
    "treatments:adverse_event_create": Rule(
        ok=CLINICAL, kwargs=lambda w: {"session_pk": w.signed_session.pk}
    ),
    "treatments:adverse_event_edit": Rule(ok=CLINICAL, kwargs=_pk("adverse_event")),
    # Summary PDFs, batch exports and the sessions CSV (tests/treatments/export_access.py).
    **export_access.RULES,
}


def populate_world(world: Any) -> None:
    """A plan of the patients app's patient, with a signed session (sites, an adverse event,
    a review), a session being logged and a booked one."""
    from tests.treatments.factories import (
        AdverseEventFactory,
        OutcomeFactory,
        PlanFactory,
        PointFactory,
        SessionFactory,
    )
    from treatments.models import TreatmentSession

    world.plan = PlanFactory(
        patient=world.patient,
        practitioner=world.practitioner,
        cocktail=world.cocktail,
        status="in_progress",
    )
    world.signed_session = SessionFactory(plan=world.plan)
    PointFactory(session=world.signed_session)
    world.adverse_event = AdverseEventFactory(session=world.signed_session)
    OutcomeFactory(plan=world.plan, session=world.signed_session)
    world.open_session = SessionFactory(plan=world.plan, status="in_progress")
    world.booked_session = TreatmentSession.objects.create(plan=world.plan)
    export_access.populate_world(world)
