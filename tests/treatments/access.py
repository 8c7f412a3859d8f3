"""What every treatments URL answers to each role; merged into tests/access.py.

Clinical pages: admins and practitioners; receptionists never. The rows of the plan and
session pages stand in until the treatments tests land on main; the export rows are kept in
tests/treatments/export_access.py.
"""

from __future__ import annotations

from typing import Any

from tests.access_rule import CLINICAL, Rule
from tests.treatments import export_access


def _plan(w: Any) -> dict[str, int]:
    return {"pk": w.export_plan.pk}


def _session(w: Any) -> dict[str, int]:
    return {"pk": w.treatment_session.pk}


RULES: dict[str, Rule] = {
    "treatments:plan_list": Rule(ok=CLINICAL),
    "treatments:today": Rule(ok=CLINICAL),
    "treatments:plan_create": Rule(ok=CLINICAL),
    "treatments:plan_detail": Rule(ok=CLINICAL, kwargs=_plan),
    "treatments:plan_edit": Rule(ok=CLINICAL, kwargs=_plan),
    "treatments:plan_accept": Rule(ok_status=405, no_role=405, kwargs=_plan),
    "treatments:plan_complete": Rule(ok_status=405, no_role=405, kwargs=_plan),
    "treatments:plan_stop": Rule(ok=CLINICAL, kwargs=_plan),
    "treatments:session_begin": Rule(ok=CLINICAL, kwargs=lambda w: {"plan_pk": w.export_plan.pk}),
    "treatments:outcome_create": Rule(ok=CLINICAL, kwargs=lambda w: {"plan_pk": w.export_plan.pk}),
    "treatments:session_detail": Rule(ok=CLINICAL, kwargs=_session),
    # POST-only actions answer 405 to a GET before asking for the role.
    # A signed session: its start and log pages send on to the session's page.
    "treatments:session_start": Rule(ok=CLINICAL, ok_status=302, kwargs=_session),
    "treatments:session_log": Rule(ok=CLINICAL, ok_status=302, kwargs=_session),
    "treatments:session_sign": Rule(ok_status=405, no_role=405, kwargs=_session),
    "treatments:session_amend": Rule(ok=CLINICAL, kwargs=_session),
    "treatments:adverse_event_create": Rule(
        ok=CLINICAL, kwargs=lambda w: {"session_pk": w.treatment_session.pk}
    ),
    "treatments:adverse_event_edit": Rule(ok=CLINICAL, kwargs=lambda w: {"pk": w.adverse_event.pk}),
    **export_access.RULES,
}


def populate_world(world: Any) -> None:
    """Add to `world` the records this app's URLs with parameters need: a signed course
    (``export_plan``), its session and adverse event, and a finished batch export."""
    export_access.populate_world(world)
    world.treatment_session = world.export_plan.sessions.get()
    world.adverse_event = world.treatment_session.adverse_events.get()
