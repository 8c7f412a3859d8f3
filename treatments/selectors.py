"""Reads for treatment pages, and for the apps and issues built on top of treatments.

Each page's read runs a constant number of queries, whatever the number of sessions, points,
lots or outcomes. Entry points meant for other code:

- ``plan_summary(plan=)``: a plan with everything about its sessions, for the plan page and
  the PDF summary (issue 8);
- ``plans_maintenance_due(on_or_before=)`` and ``sessions_signed_on(day=)``: what the
  reminders (issue 7) send about;
- ``plans_for_booking()`` and ``plan_for_booking(user=, pk=)``: what the scheduling app's
  "book a plan" needs, without clinical detail.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from clinic.roles import Capability, can
from cocktails.choices import Indication
from cocktails.composition import Severity
from cocktails.models import Cocktail, Formulation, Lot, Product
from cocktails.selectors import formulation_findings, usable_stock_filter
from patients.models import Allergy, Consent, ConsentText, Contraindication, Patient
from patients.selectors import ClinicalAlerts
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

CENT = Decimal("0.01")
PlanStatus = TreatmentPlan.Status
SessionStatus = TreatmentSession.Status


def _require(user: User, capability: Capability) -> None:
    if not can(user, capability):
        raise PermissionDenied


# --- Looking records up for a request ---------------------------------------------------------


def plan_get_for_user(*, user: User, pk: int) -> TreatmentPlan:
    """The plan `pk` for a user who may see clinical data: 403 otherwise, 404 if unknown."""
    _require(user, Capability.VIEW_CLINICAL)
    try:
        return TreatmentPlan.objects.select_related(
            "patient", "practitioner", "cocktail__current"
        ).get(pk=pk)
    except TreatmentPlan.DoesNotExist:
        raise Http404("No such treatment plan.") from None


def session_get_for_user(*, user: User, pk: int) -> TreatmentSession:
    _require(user, Capability.VIEW_CLINICAL)
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
    _require(user, Capability.VIEW_CLINICAL)
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
    _require(user, Capability.VIEW_CLINICAL)
    plans = TreatmentPlan.objects.filter(
        status__in=PlanFilter.STATUSES.get(show, PlanFilter.STATUSES[PlanFilter.ACTIVE])
    ).select_related("patient", "practitioner", "cocktail")
    if mine:
        plans = plans.filter(practitioner=user)
    signed = Q(sessions__status=SessionStatus.SIGNED)
    return plans.annotate(
        signed_initial=Count("sessions", filter=signed & Q(sessions__kind="initial")),
        signed_maintenance=Count("sessions", filter=signed & Q(sessions__kind="maintenance")),
        open_sessions=Count("sessions", filter=Q(sessions__status=SessionStatus.IN_PROGRESS)),
    ).order_by("patient__last_name", "patient__first_name", "-start_date", "pk")


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


def patient_plans(*, patient: Patient) -> QuerySet[TreatmentPlan]:
    return TreatmentPlan.objects.filter(patient=patient).select_related("cocktail")


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
    from cocktails.selectors import formulation_costing

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


# --- What a session may use -------------------------------------------------------------------


def session_cocktail_choices(*, plan: TreatmentPlan) -> QuerySet[Cocktail]:
    """Cocktails a session of `plan` may inject: the plan's, the patient's own and the clinic
    templates for the same indication, none archived."""
    return (
        Cocktail.objects.filter(indication=plan.indication, archived_at__isnull=True)
        .filter(Q(patient__isnull=True) | Q(patient_id=plan.patient_id))
        .select_related("current")
        .order_by("patient_id", "name")
    )


def allowed_products(*, formulation: Formulation) -> dict[int, Product]:
    """Products whose lots may go into `formulation`: its product components, and for an
    ingredient-only component, every active product carrying that ingredient. Two queries."""
    components = list(formulation.components.all())
    product_ids = {c.product_id for c in components if c.product_id}
    ingredient_ids = {c.ingredient_id for c in components if c.ingredient_id}
    products = Product.objects.filter(
        Q(pk__in=product_ids) | Q(components__ingredient_id__in=ingredient_ids, is_active=True)
    ).distinct()
    return {product.pk: product for product in products}


def session_lot_choices(*, formulation: Formulation, extra_ids: Collection[int] = ()) -> list[Lot]:
    """Lots to offer in the session log: usable lots (in date, not recalled, vials left) of
    the products the cocktail is made of, soonest expiry first; plus `extra_ids` (lots the
    log already holds). Three queries."""
    products = allowed_products(formulation=formulation)
    today = timezone.localdate()
    return list(
        Lot.objects.filter(
            (Q(product_id__in=list(products)) & usable_stock_filter(today) & Q(quantity_left__gt=0))
            | Q(pk__in=list(extra_ids))
        )
        .select_related("product")
        .order_by("product__brand", "product__name", "expiry_date", "lot_number")
    )


def lot_suggestions(*, formulation: Formulation, lots: list[Lot]) -> list[dict[str, Any]]:
    """A first guess at a session's lots: for each product of the cocktail, its soonest-
    expiring usable lot (`lots` as session_lot_choices gives them), the ml the recipe draws
    and the vials that takes. One query: the version's components."""
    suggestions = []
    for component in formulation.components.all():
        if component.product_id is None:
            continue
        lot = next((lot for lot in lots if lot.product_id == component.product_id), None)
        if lot is None:
            continue
        vials = max(1, math.ceil(component.amount / lot.product.volume_ml))
        suggestions.append(
            {"lot": lot.pk, "vials": vials, "volume_ml": component.amount.quantize(CENT)}
        )
    return suggestions


def blocking_findings(*, formulation_id: int | None, patient: Patient) -> list[str]:
    """The cocktail safety review's refusals that forbid injecting it into `patient` today
    (an allergy, a lipolytic on the face). The version's own lot choices are left out: a
    session records the lots it really uses, and those are checked when they are taken."""
    if formulation_id is None:
        return []
    formulation = Formulation(pk=formulation_id)
    return [
        finding.message
        for finding in formulation_findings(formulation=formulation, patient=patient)
        if finding.severity is Severity.REFUSE and finding.kind != "lot"
    ]


def session_warnings(*, formulation: Formulation, patient: Patient) -> list[str]:
    """The review's warnings (unusual concentrations and the like), shown, not blocking."""
    return [
        finding.message
        for finding in formulation_findings(formulation=formulation, patient=patient)
        if finding.severity is not Severity.REFUSE
    ]


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


def plan_for_booking(*, user: User, pk: int) -> TreatmentPlan:
    """A plan as the front desk books it: patient, practitioner, course. Plans carry no
    clinical notes at this level, so anyone who books appointments may read them."""
    _require(user, Capability.BOOK_APPOINTMENTS)
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


# --- The practitioner's day -------------------------------------------------------------------


def alerts_for_patients(*, patients: Iterable[Patient]) -> dict[int, ClinicalAlerts]:
    """Each patient's clinical alerts (as patient_clinical_alerts gives them), for a list of
    patients in two queries."""
    by_pk = {patient.pk: patient for patient in patients}
    contraindications: dict[int, list[Contraindication]] = defaultdict(list)
    allergies: dict[int, list[Allergy]] = defaultdict(list)
    for item in Contraindication.objects.filter(
        patient_id__in=list(by_pk), resolved_at__isnull=True
    ).order_by("severity", "-recorded_at", "-pk"):
        contraindications[item.patient_id].append(item)
    for allergy in Allergy.objects.filter(
        patient_id__in=list(by_pk), removed_at__isnull=True
    ).select_related("ingredient"):
        allergies[allergy.patient_id].append(allergy)
    return {
        pk: ClinicalAlerts(
            contraindications=contraindications[pk],
            allergies=allergies[pk],
            allergy_notes=patient.allergy_notes,
        )
        for pk, patient in by_pk.items()
    }


def consent_gaps(*, pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (patient id, indication) pairs lack a valid treatment consent: the same rule as
    patients.selectors.patient_has_valid_consent, for many patients in two queries."""
    pairs = set(pairs)
    if not pairs:
        return set()
    texts = list(
        ConsentText.objects.filter(kind=ConsentText.Kind.TREATMENT, superseded_at__isnull=True)
    )
    signed = set(
        Consent.objects.filter(
            patient_id__in={pk for pk, _ in pairs}, text__in=texts, withdrawn_at__isnull=True
        ).values_list("patient_id", "text_id")
    )
    gaps = set()
    for patient_id, indication in pairs:
        required = [text for text in texts if text.indication in ("", indication)]
        if not required or any((patient_id, text.pk) not in signed for text in required):
            gaps.add((patient_id, indication))
    return gaps


@dataclass
class DayItem:
    """One line of the practitioner's day: an appointment (or a session logged without one),
    the session it leads to or the plan to start one from, and the patient's alerts."""

    patient: Patient
    alerts: ClinicalAlerts
    booking: diary.Booking | None = None
    session: TreatmentSession | None = None
    plans: list[TreatmentPlan] = field(default_factory=list)
    consent_missing: bool = False

    @property
    def start(self) -> datetime.datetime | None:
        if self.booking is not None:
            return self.booking.start
        return self.session.performed_at if self.session else None

    @property
    def is_treatment(self) -> bool:
        return self.booking is None or self.booking.is_treatment

    @property
    def blocked(self) -> bool:
        return self.alerts.blocked or self.consent_missing


@dataclass
class DayList:
    day: datetime.date
    items: list[DayItem]
    unsigned: list[TreatmentSession]

    @property
    def treatments(self) -> int:
        return sum(1 for item in self.items if item.is_treatment)


def practitioner_day(*, practitioner: Any, day: datetime.date) -> DayList:
    """The practitioner's appointments on `day` with, for each treatment, its session (the
    plan session the appointment holds, or the one logged today for that patient) or the
    patient's running plans to start one from; sessions logged that day without an
    appointment; and their sessions still unsigned from earlier days. Nine queries."""
    bookings = diary.practitioner_day(practitioner=practitioner, day=day)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    linked_ids = [b.plan_session_id for b in bookings if b.plan_session_id]
    session_rows = TreatmentSession.objects.select_related("plan__patient", "plan__cocktail")
    linked = {s.pk: s for s in session_rows.filter(pk__in=linked_ids)}
    logged = list(
        session_rows.filter(
            practitioner=practitioner, performed_at__gte=start, performed_at__lt=end
        ).exclude(pk__in=linked_ids)
    )
    patients = {b.patient.pk: b.patient for b in bookings}
    patients.update({s.plan.patient_id: s.plan.patient for s in logged})
    plans: dict[int, list[TreatmentPlan]] = defaultdict(list)
    for plan in TreatmentPlan.objects.filter(
        patient_id__in=list(patients), status__in=TreatmentPlan.TREATING
    ).select_related("cocktail"):
        plans[plan.patient_id].append(plan)
    alerts = alerts_for_patients(patients=patients.values())

    items: list[DayItem] = []
    used: set[int] = set()
    for booking in bookings:
        item = DayItem(patient=booking.patient, alerts=alerts[booking.patient.pk], booking=booking)
        if booking.plan_session_id in linked:
            item.session = linked[booking.plan_session_id]
        elif booking.is_treatment:
            # An appointment booked without its plan: the session logged today, if any.
            item.session = next(
                (s for s in logged if s.plan.patient_id == booking.patient.pk and s.pk not in used),
                None,
            )
            item.plans = plans[booking.patient.pk]
        if item.session is not None:
            used.add(item.session.pk)
        items.append(item)
    for session in logged:
        if session.pk not in used:
            patient = session.plan.patient
            items.append(DayItem(patient=patient, alerts=alerts[patient.pk], session=session))
    items.sort(key=lambda item: item.start or start)

    pairs = set()
    for item in items:
        if not item.is_treatment:
            continue
        if item.session is not None and not item.session.is_started:
            pairs.add((item.patient.pk, item.session.plan.indication))
        elif item.session is None:
            pairs.update((item.patient.pk, plan.indication) for plan in item.plans)
    gaps = consent_gaps(pairs=pairs)
    for item in items:
        if item.session is not None and not item.session.is_started:
            item.consent_missing = (item.patient.pk, item.session.plan.indication) in gaps
        elif item.session is None and item.plans:
            item.consent_missing = all((item.patient.pk, p.indication) in gaps for p in item.plans)

    unsigned = list(
        TreatmentSession.objects.filter(
            practitioner=practitioner, status=SessionStatus.IN_PROGRESS, performed_at__lt=start
        )
        .select_related("plan__patient")
        .order_by("performed_at")
    )
    return DayList(day=day, items=items, unsigned=unsigned)


def indication_label(value: str) -> str:
    return Indication(value).label
