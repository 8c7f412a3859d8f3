"""Reads about plans and their sessions: the lookups pages start from, the plan list, the cost
estimate, and the plan's full summary (its page, and the PDF of issue 8)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from clinic.roles import Capability, can
from cocktails.selectors import formulation_costing
from treatments import diary
from treatments.charts import Chart, outcome_chart
from treatments.measures import Measure, measure_for
from treatments.models import (
    AdverseEvent,
    InjectionPoint,
    Outcome,
    SessionAmendment,
    SessionLot,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.progress import PlanProgress, plan_progress
from treatments.zones import Zone, diagrams_for

if TYPE_CHECKING:
    from clinic.roles import User
    from cocktails.models import Lot
    from patients.models import Patient

CENT = Decimal("0.01")
PlanStatus = TreatmentPlan.Status
SessionStatus = TreatmentSession.Status


def require(user: User, capability: Capability) -> None:
    """403 unless the user's role holds `capability` (lookups check before they read)."""
    if not can(user, capability):
        raise PermissionDenied


# --- Looking records up for a request ---------------------------------------------------------


def plan_get_for_user(*, user: User, pk: int) -> TreatmentPlan:
    """The plan `pk` for a user who may see clinical data: 403 otherwise, 404 if unknown."""
    require(user, Capability.VIEW_CLINICAL)
    try:
        return TreatmentPlan.objects.select_related(
            "patient", "practitioner", "cocktail__current"
        ).get(pk=pk)
    except TreatmentPlan.DoesNotExist:
        raise Http404("No such treatment plan.") from None


def session_get_for_user(*, user: User, pk: int) -> TreatmentSession:
    require(user, Capability.VIEW_CLINICAL)
    try:
        return TreatmentSession.objects.select_related(
            "plan__patient",
            "plan__practitioner",
            "plan__cocktail__current",
            "practitioner",
            "signed_by",
            "formulation__cocktail",
        ).get(pk=pk)
    except TreatmentSession.DoesNotExist:
        raise Http404("No such session.") from None


def adverse_event_get_for_user(*, user: User, pk: int) -> AdverseEvent:
    require(user, Capability.VIEW_CLINICAL)
    try:
        return AdverseEvent.objects.select_related("session__plan__patient").get(pk=pk)
    except AdverseEvent.DoesNotExist:
        raise Http404("No such adverse event.") from None


# --- Plans -------------------------------------------------------------------------------------


class PlanFilter:
    ACTIVE = "active"
    PROPOSED = "proposed"
    MAINTENANCE = "maintenance"
    CLOSED = "closed"
    CHOICES = (
        (ACTIVE, "Under way"),
        (PROPOSED, "Proposed"),
        (MAINTENANCE, "Maintenance"),
        (CLOSED, "Completed or stopped"),
    )
    STATUSES = {
        ACTIVE: (PlanStatus.ACCEPTED, PlanStatus.IN_PROGRESS),
        PROPOSED: (PlanStatus.PROPOSED,),
        MAINTENANCE: (PlanStatus.MAINTENANCE,),
        CLOSED: (PlanStatus.COMPLETED, PlanStatus.STOPPED),
    }


def plan_list(*, user: User, show: str, mine: bool = False) -> QuerySet[TreatmentPlan]:
    """Plans in one PlanFilter group with their sessions counted (one query)."""
    require(user, Capability.VIEW_CLINICAL)
    plans = TreatmentPlan.objects.filter(
        status__in=PlanFilter.STATUSES.get(show, PlanFilter.STATUSES[PlanFilter.ACTIVE])
    ).select_related("patient", "practitioner", "cocktail")
    if mine:
        plans = plans.filter(practitioner=user)
    return _with_session_counts(plans).order_by(
        "patient__last_name", "patient__first_name", "-start_date", "pk"
    )


def _with_session_counts(plans: QuerySet[TreatmentPlan]) -> QuerySet[TreatmentPlan]:
    """`plans` with their signed course and maintenance sessions, and the unsigned ones,
    counted: `signed_initial`, `signed_maintenance`, `open_sessions`."""
    signed = Q(sessions__status=SessionStatus.SIGNED)
    return plans.annotate(
        signed_initial=Count("sessions", filter=signed & Q(sessions__kind="initial")),
        signed_maintenance=Count("sessions", filter=signed & Q(sessions__kind="maintenance")),
        open_sessions=Count("sessions", filter=Q(sessions__status=SessionStatus.IN_PROGRESS)),
    )


def patient_plans(*, patient: Patient, limit: int) -> list[TreatmentPlan]:
    """The patient's plans for their page, at most `limit`: the open ones (proposed,
    running, in maintenance) first, then the completed and stopped, each the latest first,
    with their sessions counted as ``plan_list`` counts them. One query."""
    closed = Case(
        When(status__in=PlanFilter.STATUSES[PlanFilter.CLOSED], then=Value(1)),
        default=Value(0),
    )
    plans = TreatmentPlan.objects.filter(patient=patient).select_related("practitioner", "cocktail")
    return list(
        _with_session_counts(plans)
        .annotate(closed=closed)
        .order_by("closed", "-start_date", "-pk")[:limit]
    )


def plan_counts(*, user: User, mine: bool = False) -> dict[str, int]:
    """How many plans each PlanFilter group holds (one query)."""
    plans = TreatmentPlan.objects.all()
    if mine:
        plans = plans.filter(practitioner=user)
    return plans.aggregate(
        **{
            key: Count("pk", filter=Q(status__in=statuses))
            for key, statuses in PlanFilter.STATUSES.items()
        }
    )


def plan_diagrams(plan: TreatmentPlan) -> list[str]:
    """The injection-map diagrams this plan's areas are drawn on (face first)."""
    return diagrams_for(plan.body_areas)


@dataclass(frozen=True)
class Estimate:
    """What the course costs the patient: per session, the cocktail (product cost of one
    syringe of its current version) plus the clinic's session fee (CLINIC_SESSION_FEE)."""

    sessions: int
    cocktail_cost: Decimal
    session_fee: Decimal
    unpriced: tuple[str, ...] = ()

    @property
    def per_session(self) -> Decimal:
        return self.cocktail_cost + self.session_fee

    @property
    def total(self) -> Decimal:
        return (self.per_session * self.sessions).quantize(CENT)


def plan_estimate(*, plan: TreatmentPlan) -> Estimate:
    """The cost estimate of the course as the plan stands (a few queries: the cocktail's
    components and their prices)."""
    costing = formulation_costing(formulation=plan.cocktail.current)
    return Estimate(
        sessions=plan.initial_sessions,
        cocktail_cost=costing.total,
        session_fee=Decimal(settings.CLINIC_SESSION_FEE).quantize(CENT),
        unpriced=costing.unpriced,
    )


@dataclass
class PlanSummary:
    """Everything about a plan, loaded in a constant number of queries (seven).

    ``sessions`` are the plan's sessions in order, each carrying ``points`` (injection
    sites), ``active_lots`` (SessionLot rows not cancelled, with lot and product),
    ``amendments``, ``adverse_events`` (with their ``lots``), ``number`` (its place among
    the course or maintenance sessions, None while only booked) and ``zone_volumes``.
    """

    plan: TreatmentPlan
    sessions: list[TreatmentSession]
    outcomes: list[Outcome]
    progress: PlanProgress
    measure: Measure | None
    chart: Chart

    @property
    def started_sessions(self) -> list[TreatmentSession]:
        return [s for s in self.sessions if s.is_started]

    @property
    def planned_sessions(self) -> list[TreatmentSession]:
        return [s for s in self.sessions if not s.is_started]

    @property
    def adverse_events(self) -> list[AdverseEvent]:
        return [event for s in self.sessions for event in s.adverse_events.all()]

    @property
    def lots(self) -> list[SessionLot]:
        return [row for s in self.sessions for row in s.active_lots]

    @property
    def recalled_lots(self) -> list[tuple[Lot, list[TreatmentSession]]]:
        """Each lot recalled after this plan's sessions used it, once, with those sessions:
        the summary names them so a reader knows to follow the patient up."""
        found: dict[int, tuple[Lot, list[TreatmentSession]]] = {}
        for session in self.started_sessions:
            for row in session.active_lots:
                if row.lot.is_recalled:
                    _, sessions = found.setdefault(row.lot_id, (row.lot, []))
                    if session not in sessions:
                        sessions.append(session)
        return list(found.values())


def _session_prefetches() -> list[Prefetch]:
    return [
        Prefetch("points", queryset=InjectionPoint.objects.order_by("position", "pk")),
        Prefetch(
            "lots",
            queryset=SessionLot.objects.filter(usage__cancelled_at__isnull=True)
            .select_related("lot__product")
            .order_by("pk"),
            to_attr="active_lots",
        ),
        Prefetch("amendments", queryset=SessionAmendment.objects.select_related("by")),
        Prefetch(
            "adverse_events",
            queryset=AdverseEvent.objects.select_related("recorded_by").prefetch_related("lots"),
        ),
    ]


def _decorate(sessions: list[TreatmentSession]) -> list[TreatmentSession]:
    """Number the started sessions of each kind in order; total each session's zones."""
    counters: dict[str, int] = defaultdict(int)
    for session in sessions:
        if session.is_started:
            counters[session.kind] += 1
            session.number = counters[session.kind]
        else:
            session.number = None
        volumes: dict[str, Decimal] = defaultdict(Decimal)
        for point in session.points.all():
            volumes[point.zone] += point.volume_ml
        session.zone_volumes = [(Zone(zone).label, volume) for zone, volume in volumes.items()]
    return sessions


def plan_sessions(*, plan: TreatmentPlan) -> list[TreatmentSession]:
    """The plan's sessions in order with their sites, lots, amendments and adverse events."""
    sessions = (
        TreatmentSession.objects.filter(plan=plan)
        .select_related("practitioner", "signed_by", "formulation__cocktail")
        .prefetch_related(*_session_prefetches())
    )
    return _decorate(list(sessions))


def plan_summary(*, plan: TreatmentPlan, today: datetime.date | None = None) -> PlanSummary:
    """The plan page's data, and the PDF summary's (issue 8): sessions with their injection
    sites, lots (lot and product), zones, amendments and adverse events (with lots); the
    outcomes; the progress; and the outcome chart. Seven queries, whatever the plan holds;
    `plan` should come from ``plan_get_for_user`` (patient, practitioner and cocktail
    loaded)."""
    sessions = plan_sessions(plan=plan)
    outcomes = list(
        Outcome.objects.filter(plan=plan)
        .select_related("session", "recorded_by")
        .order_by("assessed_on", "pk")
    )
    return PlanSummary(
        plan=plan,
        sessions=sessions,
        outcomes=outcomes,
        progress=plan_progress(plan, sessions, today=today or timezone.localdate()),
        measure=measure_for(plan.indication),
        chart=outcome_chart(indication=plan.indication, outcomes=outcomes, sessions=sessions),
    )


def plan_summaries(
    *, plans: Sequence[TreatmentPlan], today: datetime.date | None = None
) -> list[PlanSummary]:
    """``plan_summary`` for several plans at once (a patient's summary PDF): seven queries
    at most, however many plans, sessions and outcomes. `plans` should have patient,
    practitioner and cocktail loaded."""
    if not plans:
        return []
    ids = [plan.pk for plan in plans]
    by_plan: dict[int, list[TreatmentSession]] = defaultdict(list)
    for session in (
        TreatmentSession.objects.filter(plan_id__in=ids)
        .select_related("practitioner", "signed_by", "formulation__cocktail")
        .prefetch_related(*_session_prefetches())
    ):
        by_plan[session.plan_id].append(session)
    outcomes: dict[int, list[Outcome]] = defaultdict(list)
    for outcome in (
        Outcome.objects.filter(plan_id__in=ids)
        .select_related("session", "recorded_by")
        .order_by("assessed_on", "pk")
    ):
        outcomes[outcome.plan_id].append(outcome)
    today = today or timezone.localdate()
    summaries = []
    for plan in plans:
        sessions = _decorate(by_plan[plan.pk])
        for session in sessions:
            session.plan = plan
        summaries.append(
            PlanSummary(
                plan=plan,
                sessions=sessions,
                outcomes=outcomes[plan.pk],
                progress=plan_progress(plan, sessions, today=today),
                measure=measure_for(plan.indication),
                chart=outcome_chart(
                    indication=plan.indication, outcomes=outcomes[plan.pk], sessions=sessions
                ),
            )
        )
    return summaries


@dataclass(frozen=True)
class TrackStep:
    """One session of the course on the plan page's track."""

    state: str  # "done", "open" (not signed), "booked", "overdue" or "due"
    day: datetime.date | None
    session: TreatmentSession | None = None

    @property
    def label(self) -> str:
        words = {
            "done": "done",
            "open": "not signed yet",
            "booked": "booked",
            "overdue": "overdue since",
            "due": "due",
        }[self.state]
        return f"{words} {self.day:%-d %b}" if self.day else words


def sessions_to_book(summary: PlanSummary, booked_session_ids: Collection[int]) -> int:
    """Course sessions neither given nor held by an appointment, from a loaded summary (no
    query; plan_sessions_to_book is the same count straight from the database)."""
    taken = sum(
        1
        for s in summary.sessions
        if s.kind == TreatmentSession.Kind.INITIAL and (s.is_started or s.pk in booked_session_ids)
    )
    return max(0, summary.plan.initial_sessions - taken)


def course_track(summary: PlanSummary, bookings: dict[int, diary.Booking]) -> list[TrackStep]:
    """The course's sessions in order: those given, then the remaining ones, each with its
    booking if an appointment holds one, else its due date. No query."""
    steps = [
        TrackStep("done" if s.is_signed else "open", s.performed_on, s)
        for s in summary.sessions
        if s.kind == TreatmentSession.Kind.INITIAL and s.is_started
    ][: summary.plan.initial_sessions]
    booked = sorted(
        (
            bookings[s.pk]
            for s in summary.planned_sessions
            if s.kind == TreatmentSession.Kind.INITIAL and s.pk in bookings
        ),
        key=lambda booking: booking.start,
    )
    today = summary.progress.today
    for index, due in enumerate(summary.progress.due_dates):
        if index < len(booked):
            steps.append(TrackStep("booked", timezone.localdate(booked[index].start)))
        else:
            steps.append(TrackStep("overdue" if due < today else "due", due))
    return steps


def session_with_plan(*, session: TreatmentSession) -> tuple[TreatmentSession, list]:
    """The session page: the session (from ``plan_sessions``, so decorated) and its plan's
    sessions, for "session 3 of 6" and the neighbours. Five queries."""
    sessions = plan_sessions(plan=session.plan)
    current = next(s for s in sessions if s.pk == session.pk)
    # Keep the related rows already loaded by session_get_for_user.
    current.plan = session.plan
    return current, sessions


def session_number(*, session: TreatmentSession) -> int:
    """The session's place among its plan's started sessions of its kind (one query)."""
    earlier = TreatmentSession.objects.filter(
        plan_id=session.plan_id, kind=session.kind, status__in=TreatmentSession.STARTED
    ).filter(
        Q(performed_at__lt=session.performed_at)
        | Q(performed_at=session.performed_at, pk__lt=session.pk)
    )
    return earlier.count() + 1
