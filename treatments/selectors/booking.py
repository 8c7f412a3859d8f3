"""Reads for other apps: what scheduling needs to book a plan's sessions (no clinical
detail), and what the reminders (issue 7) send about."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, Count, DateField, F, Q, QuerySet, When, Window
from django.db.models.expressions import RowRange
from django.db.models.functions import TruncDate
from django.db.models.lookups import GreaterThanOrEqual
from django.http import Http404
from django.utils import timezone

from clinic.lib.orm import AddDays
from clinic.roles import Capability
from treatments.models import TreatmentPlan, TreatmentSession
from treatments.progress import plan_progress
from treatments.selectors.plans import require

if TYPE_CHECKING:
    from clinic.roles import User

PlanStatus = TreatmentPlan.Status
SessionStatus = TreatmentSession.Status


# --- Booking (for scheduling) -----------------------------------------------------------------


def plan_sessions_to_book(*, plan: TreatmentPlan, booked_session_ids: Collection[int]) -> int:
    """Course sessions neither given nor held by an appointment (one query)."""
    booked = set(booked_session_ids)
    taken = sum(
        1
        for pk, status in plan.sessions.filter(kind=TreatmentSession.Kind.INITIAL).values_list(
            "pk", "status"
        )
        if status in TreatmentSession.STARTED or pk in booked
    )
    return max(0, plan.initial_sessions - taken)


def plan_booking_refusal(plan: TreatmentPlan) -> str | None:
    """Why no session of `plan` can be booked now, or None when it can: the one rule the
    booking service applies and the booking page shows up front (no query)."""
    if plan.is_treating:
        return None
    if plan.status == PlanStatus.PROPOSED:
        return "The patient has not accepted this plan yet."
    return f"This plan is {plan.get_status_display().lower()}: no more sessions can be booked."


def plan_for_booking(*, user: User, pk: int) -> TreatmentPlan:
    """A plan as the front desk books it: patient, practitioner, course. Plans carry no
    clinical notes at this level, so anyone who books appointments may read them."""
    require(user, Capability.BOOK_APPOINTMENTS)
    try:
        return TreatmentPlan.objects.select_related("patient", "practitioner").get(pk=pk)
    except TreatmentPlan.DoesNotExist:
        raise Http404("No such treatment plan.") from None


@dataclass(frozen=True)
class BookingDefaults:
    """What the series form starts from when a plan's sessions are booked."""

    maintenance: bool
    count: int
    interval_days: int
    first_day: datetime.date
    to_book: int


def plan_booking_defaults(
    *, plan: TreatmentPlan, booked_session_ids: Collection[int], maintenance: bool
) -> BookingDefaults:
    """The course sessions left to book at the plan's interval, from the next due date; or,
    for maintenance, about six months of sessions at the maintenance cadence. Two queries."""
    today = timezone.localdate()
    sessions = list(plan.sessions.only("kind", "status", "performed_at"))
    progress = plan_progress(plan, sessions, today=today)
    to_book = plan_sessions_to_book(plan=plan, booked_session_ids=booked_session_ids)
    if maintenance:
        cadence = plan.maintenance_every_days or 90
        first = progress.next_maintenance or today + datetime.timedelta(days=cadence)
        count = max(1, min(6, round(182 / cadence)))
        return BookingDefaults(True, count, cadence, max(first, today), to_book)
    first = progress.due_dates[-to_book] if to_book and progress.due_dates else today
    return BookingDefaults(False, max(to_book, 1), plan.interval_days, max(first, today), to_book)


def plans_for_booking() -> QuerySet[TreatmentPlan]:
    """Accepted plans still running, with their course sessions given (`sessions_given`)
    and held by planned sessions (`sessions_planned`): one query."""
    return (
        TreatmentPlan.objects.filter(status__in=TreatmentPlan.TREATING)
        .select_related("patient", "practitioner")
        .annotate(
            sessions_given=Count(
                "sessions",
                filter=Q(sessions__kind="initial", sessions__status__in=TreatmentSession.STARTED),
            ),
        )
        .order_by("start_date", "pk")
    )


# --- For reminders (issue 7) ------------------------------------------------------------------


def plans_maintenance_due(*, on_or_before: datetime.date) -> QuerySet[TreatmentPlan]:
    """Plans in maintenance whose next maintenance session is due on or before the day,
    soonest first, with patient and practitioner: one query on a partial index. The date is
    kept by the services from the signed sessions (`TreatmentPlan.next_maintenance_on`)."""
    return (
        TreatmentPlan.objects.filter(
            status=PlanStatus.MAINTENANCE, next_maintenance_on__lte=on_or_before
        )
        .select_related("patient", "practitioner")
        .order_by("next_maintenance_on", "pk")
    )


def maintenance_due_on() -> AddDays:
    """The maintenance due date a signed session sets once the course is complete: the
    plan's maintenance interval after the session's day on the clinic's calendar."""
    local_day = TruncDate("performed_at", tzinfo=timezone.get_default_timezone())
    return AddDays(local_day, F("plan__maintenance_every_days"))


def maintenance_due_dates(*, before: datetime.date, plans: Q | None = None) -> QuerySet:
    """The signed sessions of plans with a maintenance interval, given before `before` (the
    clinic's midnight), each annotated with `due_on`, the maintenance due date it set (None
    if it set none). `plans`, a condition on the plan, narrows the plans read. One query,
    reading the sessions of each plan in order.

    The rule is the one that keeps `TreatmentPlan.next_maintenance_on` (``compute_progress``
    in treatments/progress.py): once every session of the course is signed, the next
    maintenance falls due `maintenance_every_days` after the last signed session, of either
    kind. Applied after each signed session it gives the past due dates too: a session sets
    one when, counting it, the plan has at least `initial_sessions` signed course sessions.

    The date is a window function: filter on it, then read the sessions chosen again by
    `pk__in` to count them (a query filtered on a window cannot be grouped). A date stands
    until the plan's next signed session, or until the plan is completed or stopped: what to
    make of that is the caller's to say.
    """
    clinic_tz = timezone.get_default_timezone()
    # Later sessions set no earlier date and change nothing for the earlier sessions; plans
    # still in their course (accepted, in progress: plan_refresh keeps that status while
    # course sessions are missing) have set none.
    signed = TreatmentSession.objects.filter(
        status=SessionStatus.SIGNED,
        plan__maintenance_every_days__isnull=False,
        plan__status__in=(PlanStatus.MAINTENANCE, PlanStatus.COMPLETED, PlanStatus.STOPPED),
        performed_at__lt=datetime.datetime.combine(before, datetime.time(), clinic_tz),
    )
    if plans is not None:
        signed = signed.filter(plan__in=TreatmentPlan.objects.filter(plans))
    course_signed = Window(
        Count("pk", filter=Q(kind=TreatmentSession.Kind.INITIAL)),
        partition_by=[F("plan_id")],
        order_by=[F("performed_at").asc(), F("pk").asc()],
        frame=RowRange(start=None, end=0),
    )
    return signed.annotate(
        # Worked out only for the sessions that set a date.
        due_on=Case(
            When(
                GreaterThanOrEqual(course_signed, F("plan__initial_sessions")),
                then=maintenance_due_on(),
            ),
            output_field=DateField(),
        ),
    )


def sessions_signed_on(*, day: datetime.date) -> QuerySet[TreatmentSession]:
    """Sessions performed on `day` (clinic time) and signed, with plan, patient and
    practitioner: what an aftercare check-in is sent about. One query."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    return (
        TreatmentSession.objects.filter(
            status=SessionStatus.SIGNED, performed_at__gte=start, performed_at__lt=end
        )
        .select_related("plan__patient", "practitioner")
        .order_by("performed_at", "pk")
    )
