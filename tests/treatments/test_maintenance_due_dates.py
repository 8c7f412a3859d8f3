"""The past maintenance due dates (maintenance_due_dates, for the reports) follow the rule that
keeps a plan's next maintenance date: the last one a plan has set is the date its page and the
reminders use, as plan_refresh stores it."""

from __future__ import annotations

import datetime

import pytest

from tests.cocktails.scenarios import make_catalogue, make_face_glow
from tests.scheduling.reports.scenes import NOW, at
from tests.treatments.factories import PlanFactory, SessionFactory
from treatments.models import TreatmentPlan, TreatmentSession
from treatments.selectors import maintenance_due_dates
from treatments.services.plans import plan_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(time_machine, practitioner, admin_user):
    time_machine.move_to(NOW, tick=False)
    return PlanFactory(
        practitioner=practitioner,
        cocktail=make_face_glow(make_catalogue(), by=admin_user),
        initial_sessions=3,
        maintenance_every_days=45,
        status=TreatmentPlan.Status.IN_PROGRESS,
    )


def _dates(plan: TreatmentPlan) -> list[datetime.date]:
    rows = maintenance_due_dates(before=datetime.date(2027, 1, 1)).filter(plan=plan)
    return [row.due_on for row in rows.order_by("performed_at") if row.due_on]


def test_no_date_before_the_course_is_complete(plan):
    SessionFactory(plan=plan, performed_at=at(2025, 10, 1))
    SessionFactory(plan=plan, performed_at=at(2025, 10, 15))
    plan_refresh(plan=plan)
    assert plan.next_maintenance_on is None
    assert _dates(plan) == []


def test_the_last_date_set_is_the_plans_next_maintenance(plan):
    SessionFactory(plan=plan, performed_at=at(2025, 10, 1))
    SessionFactory(plan=plan, performed_at=at(2025, 10, 15))
    # Just after midnight in Paris, still 2 November in UTC.
    SessionFactory(plan=plan, performed_at=at(2025, 11, 3, 0, 30))
    plan_refresh(plan=plan)
    assert plan.status == TreatmentPlan.Status.MAINTENANCE
    assert _dates(plan) == [plan.next_maintenance_on] == [datetime.date(2025, 12, 18)]

    SessionFactory(plan=plan, performed_at=at(2026, 1, 5), kind=TreatmentSession.Kind.MAINTENANCE)
    plan_refresh(plan=plan)
    assert _dates(plan) == [datetime.date(2025, 12, 18), plan.next_maintenance_on]
    assert plan.next_maintenance_on == datetime.date(2026, 2, 19)


def test_sessions_from_before_are_counted_and_after_are_not_read(plan):
    for day in (1, 10, 20):
        SessionFactory(plan=plan, performed_at=at(2025, 10, day))
    SessionFactory(plan=plan, performed_at=at(2026, 1, 5), kind=TreatmentSession.Kind.MAINTENANCE)
    plan_refresh(plan=plan)
    rows = maintenance_due_dates(before=datetime.date(2026, 1, 5)).filter(plan=plan)
    assert [row.due_on for row in rows if row.due_on] == [datetime.date(2025, 12, 4)]
