"""Hand-built records for the report's figures, each written straight to its table (the rules
that made them are the services', tested elsewhere), so every figure has a known answer.

The clinic is in Paris and today is Wednesday 18 March 2026: the reports read January to March
2026. Times are the clinic's wall clock; several sit just after midnight on the 1st, when UTC
still shows the month before.
"""

from __future__ import annotations

import datetime
from typing import Any

from patients.models import Consultation
from scheduling import clock
from scheduling.models import Appointment, AppointmentType
from tests.patients.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory
from tests.treatments.factories import (
    AdverseEventFactory,
    OutcomeFactory,
    PlanFactory,
    SessionFactory,
)
from treatments.models import TreatmentPlan, TreatmentSession

NOW = clock.at(datetime.date(2026, 3, 18), datetime.time(10, 0))
TODAY = NOW.date()
JAN, FEB, MAR = (datetime.date(2026, month, 1) for month in (1, 2, 3))
MAINTENANCE = TreatmentSession.Kind.MAINTENANCE


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """That wall-clock time in Paris."""
    return clock.at(datetime.date(year, month, day), datetime.time(hour, minute))


def plan(practitioner: Any, cocktail: Any, *, created: datetime.datetime, **fields: Any):
    """A plan proposed at `created` (the column is stamped on save: set afterwards)."""
    made = PlanFactory(practitioner=practitioner, cocktail=cocktail, **fields)
    TreatmentPlan.objects.filter(pk=made.pk).update(created_at=created)
    return made


def consult(patient: Any, practitioner: Any, day: datetime.date) -> Consultation:
    return Consultation.objects.create(
        patient=patient,
        practitioner=practitioner,
        consulted_on=day,
        expectations_realistic=Consultation.Realistic.YES,
        pain_tolerance=5,
    )


def appointment(practitioner: Any, start: datetime.datetime, status: str, **fields: Any):
    if status == Appointment.Status.CANCELLED:
        fields.setdefault("cancel_reason", "Patient unwell")
        fields.setdefault("cancelled_at", start - datetime.timedelta(days=1))
    return AppointmentFactory(practitioner=practitioner, start=start, status=status, **fields)


def activity(martin: Any, nguyen: Any, cocktail: Any) -> dict[str, Any]:
    """Plans, sessions and first consultations in January to March, and some just outside."""
    face = plan(martin, cocktail, created=at(2026, 1, 10), indication="facial_rejuvenation")
    hair = plan(
        martin, cocktail, created=at(2026, 3, 1, 0, 15), indication="hair_restoration"
    )  # 23:15 UTC on 28 February: March in Paris
    cellulite = plan(nguyen, cocktail, created=at(2026, 2, 15), indication="cellulite")
    # 22:50 UTC on 31 December: still 2025 in Paris too, outside the period.
    old = plan(martin, cocktail, created=at(2025, 12, 31, 23, 50), indication="scars")

    sessions = {
        "jan_last_minute": SessionFactory(plan=face, performed_at=at(2026, 1, 31, 23, 30)),
        # 23:30 UTC on 31 January: February in Paris.
        "feb_first_minutes": SessionFactory(plan=face, performed_at=at(2026, 2, 1, 0, 30)),
        "mar": SessionFactory(plan=hair, performed_at=at(2026, 3, 5)),
        "feb_nguyen": SessionFactory(plan=cellulite, performed_at=at(2026, 2, 10)),
    }
    # Not counted: being logged, and given before the period.
    SessionFactory(plan=face, performed_at=at(2026, 3, 10), status="in_progress")
    SessionFactory(plan=old, performed_at=at(2025, 12, 15))

    # First consultations: B in January (again in February), C twice on one February day
    # (one patient), D with Paul Nguyen in March; A first came in December.
    a, b, c, d = (PatientFactory() for _ in range(4))
    consult(a, martin, datetime.date(2025, 12, 20))
    consult(a, martin, datetime.date(2026, 1, 5))
    consult(b, martin, datetime.date(2026, 1, 7))
    consult(b, martin, datetime.date(2026, 2, 3))
    consult(c, martin, datetime.date(2026, 2, 10))
    consult(c, martin, datetime.date(2026, 2, 10))
    consult(d, nguyen, datetime.date(2026, 3, 2))
    return {"plans": (face, hair, cellulite, old), "sessions": sessions}


def appointments(martin: Any, nguyen: Any) -> None:
    """February: two attended, one cancelled, one no-show (Martin), one attended (Nguyen).
    March: one no-show just after midnight on the 1st, one still booked for next week."""
    status = Appointment.Status
    appointment(martin, at(2026, 2, 2, 9), status.COMPLETED)
    appointment(martin, at(2026, 2, 3, 9), status.ARRIVED)  # came, not closed by the desk
    appointment(martin, at(2026, 2, 4, 9), status.CANCELLED)
    appointment(martin, at(2026, 2, 5, 9), status.NO_SHOW)
    appointment(nguyen, at(2026, 2, 5, 9), status.COMPLETED)
    # 23:30 UTC on 28 February: a March appointment in Paris.
    appointment(martin, at(2026, 3, 1, 0, 30), status.NO_SHOW)
    appointment(martin, at(2026, 3, 24, 9), status.BOOKED)
    # Outside the period.
    appointment(martin, at(2025, 12, 20, 9), status.NO_SHOW)


def maintenance_kind() -> AppointmentType:
    return AppointmentTypeFactory(name="Maintenance session", kind=AppointmentType.Kind.MAINTENANCE)


def _course(practitioner: Any, cocktail: Any, days: list[datetime.datetime], **fields: Any):
    """A plan in maintenance whose course (as many sessions as `days`) was signed then."""
    fields.setdefault("maintenance_every_days", 30)
    fields.setdefault("status", TreatmentPlan.Status.MAINTENANCE)
    course = PlanFactory(
        practitioner=practitioner, cocktail=cocktail, initial_sessions=len(days), **fields
    )
    for day in days:
        SessionFactory(plan=course, performed_at=day)
    return course


def maintenance(martin: Any, nguyen: Any, cocktail: Any) -> dict[str, Any]:
    """Plans whose maintenance (every 30 days after the last session) falls due in January,
    February or March, kept or not; expected counts in MAINTENANCE_EXPECTED."""
    visit = maintenance_kind()
    status = Appointment.Status
    plans: dict[str, Any] = {}
    # Due 14 January; a maintenance visit booked for 5 February (22 days later): kept.
    plans["booked"] = _course(martin, cocktail, [at(2025, 12, 1), at(2025, 12, 15)])
    appointment(
        martin, at(2026, 2, 5), status.BOOKED, patient=plans["booked"].patient,
        appointment_type=visit,
    )  # fmt: skip
    # Due 19 January; nothing booked, nothing given: missed.
    plans["missed"] = _course(martin, cocktail, [at(2025, 12, 1), at(2025, 12, 20)])
    # Due 21 January; the visit booked was cancelled, then one 40 days late: missed.
    plans["cancelled"] = _course(martin, cocktail, [at(2025, 12, 5), at(2025, 12, 22)])
    appointment(
        martin, at(2026, 1, 20), status.CANCELLED, patient=plans["cancelled"].patient,
        appointment_type=visit,
    )  # fmt: skip
    appointment(
        martin, at(2026, 3, 2), status.COMPLETED, patient=plans["cancelled"].patient,
        appointment_type=visit,
    )  # fmt: skip
    # Due 9 February; the maintenance session given on 20 February: kept. That session sets
    # the next date, 22 March: not come yet.
    plans["given"] = _course(nguyen, cocktail, [at(2026, 1, 1), at(2026, 1, 10)])
    SessionFactory(plan=plans["given"], performed_at=at(2026, 2, 20), kind=MAINTENANCE)
    # Due 12 March, nothing yet: still open (30 days run to 11 April).
    plans["open"] = _course(martin, cocktail, [at(2026, 2, 1), at(2026, 2, 10)])
    # Due 1 March at 00:30's day... set by a session at 00:30 on 30 January in Paris
    # (23:30 UTC on the 29th): due 1 March, not 28 February. Kept by a visit on 25 February.
    plans["midnight"] = _course(martin, cocktail, [at(2026, 1, 10), at(2026, 1, 30, 0, 30)])
    appointment(
        martin, at(2026, 2, 25), status.COMPLETED, patient=plans["midnight"].patient,
        appointment_type=visit,
    )  # fmt: skip
    # Due 30 January (every 90 days from 1 November), but seen again on 1 December, 60 days
    # early: that date never came due; the next one, 1 March, is open.
    plans["early"] = _course(martin, cocktail, [at(2025, 11, 1)], maintenance_every_days=90)
    SessionFactory(plan=plans["early"], performed_at=at(2025, 12, 1), kind=MAINTENANCE)
    # Due 20 February, but the plan was completed on 10 February: not due.
    plans["completed"] = _course(
        martin, cocktail, [at(2026, 1, 6), at(2026, 1, 21)], status="completed",
        completed_at=at(2026, 2, 10),
    )  # fmt: skip
    # Stopped on 25 February, after its date (3 February) was missed: due, missed.
    plans["stopped"] = _course(
        martin, cocktail, [at(2025, 12, 20), at(2026, 1, 4)], status="stopped",
        stopped_at=at(2026, 2, 25), stop_reason="Moved away",
    )  # fmt: skip
    # A course not finished (2 of 3 sessions): no maintenance due.
    unfinished = PlanFactory(
        practitioner=martin, cocktail=cocktail, initial_sessions=3, maintenance_every_days=30,
        status=TreatmentPlan.Status.IN_PROGRESS,
    )  # fmt: skip
    SessionFactory(plan=unfinished, performed_at=at(2025, 12, 1))
    SessionFactory(plan=unfinished, performed_at=at(2025, 12, 15))
    # Maintenance "as needed" (no interval): never due.
    _course(martin, cocktail, [at(2025, 12, 1)], maintenance_every_days=None)
    return plans


# month: (came due, kept, missed, still open, kept %)
MAINTENANCE_EXPECTED = {
    JAN: (3, 1, 2, 0, 33.3),  # booked, missed, cancelled
    FEB: (2, 1, 1, 0, 50.0),  # given (Nguyen), stopped
    MAR: (3, 1, 0, 2, 100.0),  # midnight; open, early
}


def safety(martin: Any, nguyen: Any, cocktail: Any) -> None:
    """Sessions with adverse events, and reviews with GAIS scores, in and out of the period."""
    face = PlanFactory(practitioner=martin, cocktail=cocktail, indication="facial_rejuvenation")
    hair = PlanFactory(practitioner=nguyen, cocktail=cocktail, indication="hair_restoration")
    jan = SessionFactory(plan=face, performed_at=at(2026, 1, 12))
    feb = SessionFactory(plan=face, performed_at=at(2026, 2, 1, 0, 30))  # February in Paris
    SessionFactory(plan=face, performed_at=at(2026, 2, 20))
    SessionFactory(plan=hair, performed_at=at(2026, 3, 3))
    hair_mar = SessionFactory(plan=hair, performed_at=at(2026, 3, 10))
    before = SessionFactory(plan=face, performed_at=at(2025, 12, 10))
    # January: two mild bruises; February: a severe nodule, found in March (counted with its
    # session); March: a moderate swelling (Nguyen). December's is outside.
    AdverseEventFactory(session=jan, kind="bruising", severity="mild")
    AdverseEventFactory(session=jan, kind="bruising", severity="mild")
    AdverseEventFactory(
        session=feb, kind="nodule", severity="severe", onset_on=datetime.date(2026, 3, 2)
    )
    AdverseEventFactory(session=hair_mar, kind="swelling", severity="moderate")
    AdverseEventFactory(session=before, kind="infection", severity="severe")
    # Reviews in the period: face (practitioner, patient) = (1, 2), (3, 4), (2, none);
    # hair (5, 3). One in December is outside.
    OutcomeFactory(plan=face, assessed_on=datetime.date(2026, 1, 20), gais_practitioner=1,
                   gais_patient=2)  # fmt: skip
    OutcomeFactory(plan=face, assessed_on=datetime.date(2026, 2, 28), gais_practitioner=3,
                   gais_patient=4)  # fmt: skip
    OutcomeFactory(plan=face, assessed_on=datetime.date(2026, 3, 1), gais_practitioner=2,
                   gais_patient=None)  # fmt: skip
    OutcomeFactory(plan=hair, assessed_on=datetime.date(2026, 3, 15), gais_practitioner=5,
                   gais_patient=3)  # fmt: skip
    OutcomeFactory(plan=face, assessed_on=datetime.date(2025, 12, 30), gais_practitioner=5,
                   gais_patient=5)  # fmt: skip
