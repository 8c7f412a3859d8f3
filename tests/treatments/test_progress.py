"""Where a course stands: sessions done, overdue and to come, and the next maintenance date,
on the clinic's calendar days (daylight-saving changes included)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.treatments.factories import PlanFactory, SessionFactory
from tests.treatments.scenarios import signed_session
from treatments import services
from treatments.models import TreatmentPlan
from treatments.progress import compute_progress, plan_progress
from treatments.selectors import plans_maintenance_due, sessions_signed_on

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
d = datetime.date


MONDAY = d(2026, 3, 16)


def _progress(sessions, *, status="in_progress", today=MONDAY, **course):
    values = {
        "initial_sessions": 4,
        "interval_days": 14,
        "maintenance_every_days": 90,
        "start_date": d(2026, 2, 2),
    }
    values.update(course)
    return compute_progress(status=status, sessions=sessions, today=today, **values)


def signed(*days):
    return [("initial", "signed", day) for day in days]


def test_a_course_on_time():
    progress = _progress(signed(d(2026, 2, 2), d(2026, 2, 16), d(2026, 3, 2)))
    assert (progress.done, progress.overdue, progress.upcoming) == (3, 0, 1)
    assert progress.next_due == d(2026, 3, 16)
    assert not progress.next_due_overdue
    # Maintenance is projected from the last session still to come.
    assert progress.next_maintenance == d(2026, 3, 16) + datetime.timedelta(days=90)
    assert progress.maintenance_projected


def test_sessions_missed_are_overdue_and_the_rest_follow_the_last_one_done():
    progress = _progress(signed(d(2026, 2, 2)), today=d(2026, 3, 10))
    # Due 16 Feb and 2 Mar (both past), then 16 Mar.
    assert progress.due_dates == (d(2026, 2, 16), d(2026, 3, 2), d(2026, 3, 16))
    assert (progress.done, progress.overdue, progress.upcoming) == (1, 2, 1)
    assert progress.next_due_overdue


def test_a_late_session_moves_the_rest_of_the_course():
    progress = _progress(signed(d(2026, 2, 2), d(2026, 3, 9)), today=d(2026, 3, 10))
    assert progress.due_dates == (d(2026, 3, 23), d(2026, 4, 6))
    assert progress.overdue == 0


def test_nothing_is_overdue_before_the_patient_accepts():
    progress = _progress([], status="proposed", today=d(2026, 4, 1))
    assert progress.next_due == d(2026, 2, 2)
    assert progress.overdue == 0


def test_in_maintenance_the_next_date_follows_the_last_session_of_any_kind():
    sessions = signed(d(2026, 1, 5), d(2026, 1, 19), d(2026, 2, 2), d(2026, 2, 16))
    sessions.append(("maintenance", "signed", d(2026, 5, 18)))
    progress = _progress(sessions, status="maintenance", today=d(2026, 6, 1))
    assert progress.maintenance_done == 1
    assert progress.next_maintenance == d(2026, 8, 16)
    assert not progress.maintenance_projected
    assert not progress.maintenance_overdue
    late = _progress(sessions, status="maintenance", today=d(2026, 9, 1))
    assert late.maintenance_overdue


def test_a_course_without_maintenance_has_no_maintenance_date():
    progress = _progress(signed(d(2026, 2, 2)), maintenance_every_days=None)
    assert progress.next_maintenance is None


def test_unsigned_and_booked_sessions_are_not_done():
    sessions = [("initial", "in_progress", d(2026, 3, 2)), ("initial", "planned", None)]
    progress = _progress(sessions, today=d(2026, 2, 1))
    assert (progress.done, progress.in_progress) == (0, 1)


@given(
    done=st.integers(min_value=0, max_value=8),
    total=st.integers(min_value=1, max_value=8),
    offset=st.integers(min_value=-200, max_value=200),
)
def test_every_course_session_is_done_overdue_or_to_come(done, total, offset):
    days = [d(2026, 1, 5) + datetime.timedelta(days=7 * index) for index in range(done)]
    progress = _progress(
        signed(*days),
        initial_sessions=total,
        interval_days=7,
        today=d(2026, 3, 1) + datetime.timedelta(days=offset),
    )
    assert progress.done + progress.overdue + progress.upcoming == total
    assert 0 <= progress.percent_done <= 100


# The same on real sessions, across the spring daylight-saving change (29 March 2026).


@pytest.mark.django_db
def test_a_session_just_after_midnight_counts_on_its_local_day(practitioner, admin_user):
    plan = PlanFactory(
        practitioner=practitioner,
        cocktail=_template(practitioner),
        interval_days=7,
        start_date=d(2026, 3, 22),
        status=TreatmentPlan.Status.IN_PROGRESS,
    )
    # 00:30 on Sunday 29 March in Paris is still 28 March in UTC.
    performed = datetime.datetime(2026, 3, 29, 0, 30, tzinfo=PARIS)
    assert performed.astimezone(datetime.UTC).date() == d(2026, 3, 28)
    session = SessionFactory(plan=plan, performed_at=performed)
    assert session.performed_on == d(2026, 3, 29)
    progress = plan_progress(plan, [session], today=d(2026, 3, 30))
    assert progress.next_due == d(2026, 4, 5)


@pytest.mark.django_db
def test_maintenance_dates_keep_their_day_across_the_clock_change(
    scene, practitioner, time_machine
):
    services.plan_update(
        plan=scene.plan, by=practitioner, initial_sessions=1, maintenance_every_days=14
    )
    # Signed at 18:00 on Friday 27 March (UTC+1); due two weeks later, on a CEST Friday.
    time_machine.move_to(datetime.datetime(2026, 3, 27, 18, 0, tzinfo=PARIS), tick=False)
    signed_session(
        scene, practitioner, performed_at=datetime.datetime(2026, 3, 27, 17, 0, tzinfo=PARIS)
    )
    scene.plan.refresh_from_db()
    assert scene.plan.status == TreatmentPlan.Status.MAINTENANCE
    assert scene.plan.next_maintenance_on == d(2026, 4, 10)
    assert list(plans_maintenance_due(on_or_before=d(2026, 4, 9))) == []
    assert list(plans_maintenance_due(on_or_before=d(2026, 4, 10))) == [scene.plan]


@pytest.mark.django_db
def test_sessions_signed_on_a_day_use_the_clinics_day(practitioner):
    plan = PlanFactory(practitioner=practitioner, cocktail=_template(practitioner))
    late = SessionFactory(
        plan=plan, performed_at=datetime.datetime(2026, 3, 29, 23, 30, tzinfo=PARIS)
    )
    early = SessionFactory(
        plan=plan, performed_at=datetime.datetime(2026, 3, 29, 0, 15, tzinfo=PARIS)
    )
    SessionFactory(plan=plan, performed_at=datetime.datetime(2026, 3, 30, 0, 15, tzinfo=PARIS))
    SessionFactory(
        plan=plan,
        status="in_progress",
        performed_at=datetime.datetime(2026, 3, 29, 10, 0, tzinfo=PARIS),
    )
    assert list(sessions_signed_on(day=d(2026, 3, 29))) == [early, late]


def _template(practitioner):
    from tests.cocktails.scenarios import make_catalogue, make_face_glow

    return make_face_glow(make_catalogue(), practitioner)
