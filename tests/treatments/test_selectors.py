"""The reads other issues build on: a plan's full summary (the PDF export) in a constant
number of queries."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.treatments.scenarios import signed_session
from treatments import services
from treatments.models import AdverseEvent
from treatments.selectors import plan_get_for_user, plan_summary

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sessions", [1, 4])
def test_a_plans_summary_is_read_in_seven_queries(
    scene, practitioner, django_assert_num_queries, sessions
):
    for _ in range(sessions):
        session = signed_session(scene, practitioner)
        services.adverse_event_record(
            session=session,
            by=practitioner,
            kind=AdverseEvent.Kind.SWELLING,
            onset_on=timezone.localdate(),
            severity=AdverseEvent.Severity.MILD,
        )
        services.session_amend(
            session=session, by=practitioner, field="", new_value="Called", reason="Follow-up"
        )
    plan = plan_get_for_user(user=practitioner, pk=scene.plan.pk)
    with django_assert_num_queries(7):
        summary = plan_summary(plan=plan)
        # Everything the PDF reads is loaded: walking it runs no query.
        for session in summary.sessions:
            assert [row.lot.product.name for row in session.active_lots] == ["HA 10", "Vita C"]
            assert len(session.points.all()) == 3
            assert session.zone_volumes
            assert [a.by for a in session.amendments.all()] == [practitioner]
            for event in session.adverse_events.all():
                assert len(event.lots.all()) == 2
        assert summary.progress.done == sessions
        assert not summary.chart.is_empty or not summary.outcomes
    assert len(summary.adverse_events) == sessions
