"""The stories of the demo's past, one course at a time: the plan, its visits booked as they
come (through the diary's `book`), the sessions, reviews and adverse events drafted, and the
states the plan went through. Nothing is written here (see writing.py)."""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cocktails.choices import AREA_REGION, INDICATION_DEFAULTS, Region
from cocktails.models import Cocktail, Product
from patients.models import Allergy, Consultation, Contraindication
from patients.selectors import patient_has_photo_consent, patient_treatment_blockers
from treatments import services
from treatments.demo_history.protocols import (
    ADHERENCE,
    ALLERGY,
    BODY,
    BRUISE,
    CELLULITE,
    CENT,
    DECLINE_REASONS,
    DISCHARGED,
    EVENT_RATE,
    EVENTS,
    FACE_I,
    INFECTION,
    LAPSED,
    LATE,
    LOST,
    NODULE,
    PIGMENT,
    PROTOCOLS,
    SCARS,
    STOP_REASONS,
    Event,
    Protocol,
    between,
    site_points,
    weighted,
)
from treatments.models import TreatmentPlan, TreatmentSession
from treatments.progress import PlanProgress, compute_progress
from treatments.selectors import Estimate, blocking_findings, plan_estimate

Out = Callable[[str], None]
Status = TreatmentPlan.Status
Kind = TreatmentSession.Kind
DAY = datetime.timedelta(days=1)


@dataclass
class Visit:
    """A visit a course asks for, and when the patient came (set by `book`)."""

    patient_id: int
    practitioner: Any
    # The appointment type's kind: "treatment" (a course session), "maintenance", "review".
    kind: str
    wanted: datetime.date
    start: datetime.datetime | None = None
    # The session given at this visit, once written (none for a review).
    session_id: int | None = None

    @property
    def day(self) -> datetime.date:
        """The day the patient came, on the clinic's calendar (once booked)."""
        return timezone.localdate(self.start)


# Finds the time a visit took place and sets its `start`; None when not before today.
Book = Callable[[Visit], datetime.datetime | None]


@dataclass
class SessionDraft:
    visit: Visit
    kind: str
    data: dict[str, Any]
    points: list[services.PointInput]
    # (product, vials, ml drawn)
    draws: list[tuple[Product, int, Decimal]]
    event: Event | None = None


@dataclass
class ReviewDraft:
    day: datetime.date
    # The visit whose session the review follows (None: a baseline before the course).
    after: Visit | None
    gais_practitioner: int | None = None
    gais_patient: int | None = None
    satisfaction: int | None = None
    measure: Decimal | None = None


@dataclass
class Story:
    plan: TreatmentPlan
    created_at: datetime.datetime
    accepted_at: datetime.datetime | None = None
    sessions: list[SessionDraft] = field(default_factory=list)
    reviews: list[ReviewDraft] = field(default_factory=list)
    # (status, when, reason): the plan stopped or discharged in the past.
    ending: tuple[str, datetime.datetime, str] | None = None
    # The estimate the patient accepted.
    estimate: Decimal | None = None
    # (since when, the plan's state): written as its change history.
    states: list[tuple[datetime.datetime, dict[str, Any]]] = field(default_factory=list)


def clinic_time(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone()
    )


class Teller:
    """Tells the stories, one plan at a time, booking each visit as it comes."""

    def __init__(self, *, book: Book, today: datetime.date, out: Out) -> None:
        self.book = book
        self.today = today
        self.now = timezone.now()
        self.out = out
        self.rng = random.Random(1865)  # noqa: S311 (demo data, not security)
        self.templates = {
            cocktail.indication: cocktail
            for cocktail in Cocktail.objects.filter(
                patient__isnull=True, archived_at__isnull=True
            ).order_by("-pk")
        }
        self.parts: dict[int, list[tuple[Product, Decimal]]] = {}
        self.stories: list[Story] = []
        # The last day an absolute contraindication of each patient was resolved.
        self.resolved: dict[int, datetime.date] = {}
        for patient_id, resolved_at in Contraindication.objects.filter(
            severity=Contraindication.Severity.ABSOLUTE, resolved_at__isnull=False
        ).values_list("patient_id", "resolved_at"):
            day = timezone.localdate(resolved_at)
            self.resolved[patient_id] = max(day, self.resolved.get(patient_id, day))
        self.estimates: dict[int, Estimate] = {}
        # Patients allergic to an ingredient of the catalogue: the safety review is theirs.
        self.allergic = set(
            Allergy.objects.filter(removed_at__isnull=True, ingredient__isnull=False).values_list(
                "patient_id", flat=True
            )
        )

    def _parts(self, cocktail: Cocktail) -> list[tuple[Product, Decimal]]:
        """The products of the cocktail's current version and the ml of each in a syringe."""
        if cocktail.pk not in self.parts:
            components = cocktail.current.components.filter(product__isnull=False)
            self.parts[cocktail.pk] = [
                (component.product, component.amount)
                for component in components.select_related("product")
            ]
        return self.parts[cocktail.pk]

    # The plan.

    def tell(self, consultation: Consultation, indication: str, areas: list[str]) -> None:
        rng = self.rng
        patient = consultation.patient
        practitioner = consultation.practitioner
        protocol = PROTOCOLS[indication]
        cocktail = self.templates.get(indication)
        regions = INDICATION_DEFAULTS[indication].regions
        areas = [area for area in areas if AREA_REGION[area] in regions and area in protocol.zones]
        if cocktail is None or not areas:
            return
        proposed = consultation.consulted_on + datetime.timedelta(days=rng.choice((0, 0, 1)))
        created_at = clinic_time(proposed, 18, rng.randrange(0, 50))
        if created_at > self.now:
            return
        # Treatable from a week or two later, or two days after an absolute contraindication
        # was resolved (a cold sore healed).
        earliest = proposed + datetime.timedelta(days=rng.randrange(6, 15))
        if patient.pk in self.resolved:
            earliest = max(earliest, self.resolved[patient.pk] + 2 * DAY)
        # The safety review plan_create runs: a cocktail the patient is allergic to is not
        # proposed (the practitioner would choose another; the demo lets it be).
        if patient.pk in self.allergic and (
            refusals := blocking_findings(formulation_id=cocktail.current_id, patient=patient)
        ):
            self.out(f"no {indication} plan for {patient}: {' '.join(refusals)}")
            return
        plan = TreatmentPlan(
            patient=patient,
            practitioner=practitioner,
            indication=indication,
            body_areas=areas,
            cocktail=cocktail,
            initial_sessions=rng.choice(protocol.sessions),
            interval_days=rng.choice(protocol.intervals),
            maintenance_every_days=rng.choice(protocol.maintenance),
            start_date=earliest,
            notes=consultation.goals.strip(),
            created_by=practitioner,
        )
        story = Story(plan=plan, created_at=created_at)
        self.stories.append(story)
        # Whether the patient may be treated at all (consent signed, nothing absolute open).
        treatable = not patient_treatment_blockers(patient=patient, indication=indication)
        accepted_at = clinic_time(proposed + datetime.timedelta(days=rng.randrange(2, 6)), 17, 10)
        if not treatable or rng.random() < 0.07:
            declined_at = clinic_time(proposed + datetime.timedelta(days=rng.randrange(10, 25)), 12)
            if declined_at < self.now:
                reason = (
                    rng.choice(DECLINE_REASONS)
                    if treatable
                    else "Did not go ahead (consent not signed)."
                )
                story.ending = (Status.STOPPED, declined_at, reason)
            return
        if accepted_at >= self.now:
            return  # still thinking it over: the plan stays proposed
        story.accepted_at = accepted_at
        story.estimate = self._estimate(plan)
        self._course(story, protocol, rng)

    def _estimate(self, plan: TreatmentPlan) -> Decimal:
        """The course's estimate, as plan_accept keeps it (the cocktail's cost read once)."""
        if plan.cocktail_id not in self.estimates:
            self.estimates[plan.cocktail_id] = plan_estimate(plan=plan)
        estimate = self.estimates[plan.cocktail_id]
        return replace(estimate, sessions=plan.initial_sessions).total

    # The visits.

    def _visit(self, story: Story, kind: str, wanted: datetime.date) -> Visit | None:
        plan = story.plan
        visit = Visit(plan.patient_id, plan.practitioner, kind, wanted)
        return visit if self.book(visit) is not None else None

    def _course(self, story: Story, protocol: Protocol, rng: random.Random) -> None:
        plan = story.plan
        photos = patient_has_photo_consent(patient=plan.patient)
        style = {
            "technique": rng.choice(protocol.techniques),
            "needle_gauge": rng.choice(protocol.gauges),
            "pain": rng.randint(*protocol.pain),
        }
        stop_after = rng.randrange(2, plan.initial_sessions) if rng.random() < 0.06 else None
        wanted = plan.start_date
        baseline = None
        if protocol.baseline:
            low, high = protocol.baseline
            baseline = Decimal(rng.randint(low, high))
        given: list[Visit] = []
        for number in range(1, plan.initial_sessions + 1):
            visit = self._visit(story, "treatment", wanted)
            if visit is None:
                return  # the rest of the course is ahead: booked by the scheduling demo
            given.append(visit)
            self._session(story, visit, Kind.INITIAL, protocol, style, photos, rng)
            if number == 1 and baseline is not None:
                story.reviews.append(ReviewDraft(visit.day, None, measure=baseline))
            if number == plan.initial_sessions // 2 + 1 and plan.initial_sessions >= 6:
                story.reviews.append(self._review(visit.day, visit, protocol, baseline, 0.5, rng))
            if stop_after is not None and number == stop_after:
                stopped = clinic_time(visit.day + datetime.timedelta(days=rng.randrange(8, 30)), 11)
                if stopped < self.now:
                    story.ending = (Status.STOPPED, stopped, rng.choice(STOP_REASONS))
                return
            wanted = visit.day + datetime.timedelta(days=plan.interval_days)
        last = given[-1]
        # The results are judged about four weeks after the last session of the course.
        review = self._visit(story, "review", last.day + datetime.timedelta(days=28))
        if review is not None:
            story.reviews.append(self._review(review.day, last, protocol, baseline, 1.0, rng))
        if plan.maintenance_every_days:
            self._maintenance(story, last, protocol, style, photos, baseline, rng)

    def _maintenance(
        self,
        story: Story,
        last: Visit,
        protocol: Protocol,
        style: dict[str, Any],
        photos: bool,
        baseline: Decimal | None,
        rng: random.Random,
    ) -> None:
        plan = story.plan
        cadence = plan.maintenance_every_days
        adherence = weighted(rng, ADHERENCE)
        visits = {LAPSED: rng.randrange(0, 3), DISCHARGED: rng.randrange(1, 4)}.get(adherence, 99)
        late_at = rng.randrange(0, 3)
        for count in range(visits):
            slip = rng.randint(-6, 9)
            if (adherence == LATE and count == late_at) or rng.random() < 0.12:
                slip = rng.randint(36, 60)  # more than 30 days past the date: missed
            due = last.day + datetime.timedelta(days=cadence)
            visit = self._visit(story, "maintenance", due + datetime.timedelta(days=slip))
            if visit is None:
                return
            self._session(story, visit, Kind.MAINTENANCE, protocol, style, photos, rng)
            if count % 3 == 2:
                story.reviews.append(self._review(visit.day, visit, protocol, baseline, 1.1, rng))
            last = visit
        if adherence == DISCHARGED:
            discharged = clinic_time(last.day + datetime.timedelta(days=14), 12)
            if discharged < self.now:
                story.ending = (Status.COMPLETED, discharged, "")
        elif adherence == LAPSED:
            # Months after the missed date, the practitioner closes the plan.
            due = last.day + datetime.timedelta(days=cadence)
            closed = clinic_time(due + datetime.timedelta(days=rng.randint(90, 150)), 12)
            if closed < self.now:
                story.ending = (Status.STOPPED, closed, LOST)

    def _session(
        self,
        story: Story,
        visit: Visit,
        kind: str,
        protocol: Protocol,
        style: dict[str, Any],
        photos: bool,
        rng: random.Random,
    ) -> None:
        plan = story.plan
        ml, depth = between(rng, *protocol.ml_per_zone), between(rng, *protocol.depth)
        points = []
        for region in Region:
            zones = tuple(
                zone
                for area in plan.body_areas
                if AREA_REGION[area] == region
                for zone in protocol.zones[area]
            )
            if zones:
                points += site_points(region, zones, ml, depth, rng)
        total = sum((point.volume_ml for point in points), Decimal(0))
        parts = self._parts(plan.cocktail)
        syringe = sum((ml for _, ml in parts), Decimal(0)) or Decimal(1)
        draws = []
        for product, part in parts:
            drawn = (part * total / syringe).quantize(CENT)
            if drawn <= 0:
                continue
            vials = max(1, math.ceil(drawn / product.volume_ml))
            draws.append((product, vials, drawn))
        held = sum((vials * product.volume_ml for product, vials, _ in draws), Decimal(0))
        if held < total:  # one more vial of the main product: never more injected than drawn
            product, vials, drawn = draws[0]
            draws[0] = (product, vials + math.ceil((total - held) / product.volume_ml), drawn)
        pain = max(0, min(10, style["pain"] + rng.randint(-1, 1)))
        numbing = protocol.numbing and pain >= 3
        performed_at = visit.start + datetime.timedelta(minutes=5)
        reactions = [reaction for reaction in protocol.reactions if rng.random() < 0.6] or [
            protocol.reactions[0]
        ]
        data = {
            "performed_at": performed_at,
            "antiseptic": TreatmentSession.Antiseptic.CHLORHEXIDINE,
            "numbing_cream": "Lidocaine/prilocaine 5%" if numbing else "",
            "numbing_minutes": 30 if numbing else None,
            "technique": style["technique"],
            "needle_gauge": style["needle_gauge"],
            "needle_length_mm": Decimal(protocol.needle_mm),
            "total_volume_ml": total,
            "pain_score": pain,
            "reactions": reactions,
            "photos_taken": photos,
        }
        event = None
        if rng.random() < EVENT_RATE:
            event = weighted(rng, EVENTS[plan.indication])
        story.sessions.append(SessionDraft(visit, kind, data, points, draws, event))

    def _review(
        self,
        day: datetime.date,
        after: Visit,
        protocol: Protocol,
        baseline: Decimal | None,
        progress: float,
        rng: random.Random,
    ) -> ReviewDraft:
        """A review `progress` of the way through the result (1: the end of the course)."""
        weights = list(protocol.gais)
        if progress < 1:  # half-way, the result is still coming
            weights = [weights[0] // 2, weights[1], weights[2] + weights[0] // 2, weights[3] * 2, 1]
        practitioner = rng.choices(range(1, 6), weights)[0]
        # Patients mostly see it as the practitioner does, a little better or worse.
        patient = max(1, min(5, practitioner + rng.choice((-1, 0, 0, 0, 0, 1))))
        measure = None
        if baseline is not None:
            low, high = protocol.change
            share = rng.uniform(low, high) * min(progress, 1) * (4 - practitioner) / 2
            decimals = 1 if protocol is PROTOCOLS[BODY] else 0
            measure = round(baseline * Decimal(1 + share), decimals)
            if protocol is PROTOCOLS[CELLULITE]:
                measure = max(Decimal(1), min(Decimal(15), measure))
            elif protocol is PROTOCOLS[SCARS]:
                measure = max(Decimal(0), min(Decimal(13), measure))
        return ReviewDraft(
            day,
            after,
            gais_practitioner=practitioner,
            gais_patient=patient,
            satisfaction=max(1, min(5, 6 - patient + rng.choice((-1, 0, 0)))),
            measure=measure,
        )


def vary_events(stories: list[Story], today: datetime.date, rng: random.Random) -> None:
    """Chance alone may leave out the rare events a practice still sees in a year and a half
    (a severe allergic reaction, a pigmentation that stayed, a nodule, an infection): the
    demo has one of each, after a session of the right indication; and one bruise still
    healing, after a session of the last few days."""
    drafts = [(story.plan.indication, draft) for story in stories for draft in story.sessions]
    # Within the reports' default period (the last twelve months), not too recent.
    since, until = today - datetime.timedelta(days=330), today - datetime.timedelta(days=60)
    recent = today - datetime.timedelta(days=4), today - datetime.timedelta(days=2)
    wanted = (
        (ALLERGY, FACE_I, (since, until)),
        (PIGMENT, FACE_I, (since, until)),
        (NODULE, CELLULITE, (since, until)),
        (INFECTION, BODY, (since, until)),
        (BRUISE, None, recent),
    )
    for event, indication, (first, last) in wanted:
        during = [
            (kind, draft)
            for kind, draft in drafts
            if first <= draft.visit.day <= last and indication in (None, kind)
        ]
        if any(draft.event is event for _, draft in during):
            continue
        candidates = [draft for _, draft in during if draft.event is None]
        if candidates:
            rng.choice(candidates).event = event


def plan_states(
    story: Story, today: datetime.date
) -> list[tuple[datetime.datetime, dict[str, Any]]]:
    """The plan's states from proposed to today, each with when it began: what the services
    would have written along the way (plan_accept, plan_refresh after each signed session,
    plan_stop, plan_complete). The state after a session is plan_refresh's rule, with the
    same arithmetic (compute_progress)."""
    plan = story.plan
    state: dict[str, Any] = {
        "status": Status.PROPOSED,
        "accepted_at": None,
        "accepted_estimate": None,
        "completed_at": None,
        "stopped_at": None,
        "stop_reason": "",
        "next_maintenance_on": None,
    }
    states = [(story.created_at, dict(state))]
    if story.accepted_at is not None:
        state |= {
            "status": Status.ACCEPTED,
            "accepted_at": story.accepted_at,
            "accepted_estimate": story.estimate,
        }
        states.append((story.accepted_at, dict(state)))
    # The sessions signed so far, as plan_refresh reads them after each signature.
    given: list[tuple[str, str, datetime.date]] = []

    def progress(status: str) -> PlanProgress:
        return compute_progress(
            status=status,
            initial_sessions=plan.initial_sessions,
            interval_days=plan.interval_days,
            maintenance_every_days=plan.maintenance_every_days,
            start_date=plan.start_date,
            sessions=given,
            today=today,
        )

    for draft in story.sessions:
        given.append((draft.kind, TreatmentSession.Status.SIGNED, draft.visit.day))
        signed_at = draft.visit.start + datetime.timedelta(minutes=40)
        status = Status.IN_PROGRESS if state["status"] == Status.ACCEPTED else state["status"]
        if status == Status.IN_PROGRESS and progress(status).remaining == 0:
            status = Status.MAINTENANCE if plan.maintenance_every_days else Status.COMPLETED
        fields: dict[str, Any] = {"status": status, "next_maintenance_on": None}
        if status == Status.COMPLETED and state["completed_at"] is None:
            fields["completed_at"] = signed_at
        if status == Status.MAINTENANCE:
            fields["next_maintenance_on"] = progress(status).next_maintenance
        if any(state[name] != value for name, value in fields.items()):
            state |= fields
            states.append((signed_at, dict(state)))
    if story.ending is not None:
        status, when, reason = story.ending
        if status == Status.STOPPED:
            state |= {"status": status, "stopped_at": when, "stop_reason": reason}
        elif state["status"] == Status.MAINTENANCE:
            state |= {"status": status, "completed_at": when}
        if state["status"] == status:
            state["next_maintenance_on"] = None
            states.append((when, dict(state)))
    return states
