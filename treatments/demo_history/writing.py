"""Writing the demo's past: the plans and their change of state, the lots delivered over the
months, the sessions with their sites, lots and ledger rows, the reviews and adverse events;
in bulk, each with its change history, dated as it happened."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from typing import Any

from django.db.models import F, Min
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clinic.demo import Backdating, history_in_bulk
from cocktails.models import Formulation, Lot, LotUsage
from cocktails.services import cocktail_freeze_current
from treatments import services
from treatments.demo_history.stories import SessionDraft, Story, clinic_time, plan_states
from treatments.models import (
    AdverseEvent,
    InjectionPoint,
    Outcome,
    SessionLot,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.services.sessions import DEFAULT_AFTERCARE, injection_point

# How each product's lots are named: the supplier's prefix, then the year and month received.
LOT_PREFIXES = {
    "Hyaluronic acid 10": "HA",
    "Polyrevitalising complex": "PR",
    "Vitamin C 100": "VC",
    "Scar repair": "MSL-SC",
    "Hair complex": "CAP-HC",
    "Biotin 5": "CAP-B5",
    "Drainage botanicals": "SIL-DB",
    "Organic silicon 0.5%": "SIL-OS",
    "PC/DC lipolytic": "SIL-PC",
    "Lidocaine 2%": "LID",
}


def deliveries(drafts: list[SessionDraft], manager: Any, rng: random.Random) -> dict[int, Lot]:
    """The lots delivered over the year, just enough for its sessions: each product's draws in
    order fill a lot (a box of 20 to 40 vials, in date for about a year after it arrived)
    before the next one comes; a draw the lot's expiry would not cover waits for the next.
    Written used up: the vials left on the shelf today are the cocktails demo's. Returns
    each draw's lot, by `id` of the (draft, index) pair."""
    by_product: dict[int, list[tuple[datetime.date, SessionDraft, int]]] = defaultdict(list)
    for draft in drafts:
        day = draft.visit.day
        for index, (product, _, _) in enumerate(draft.draws):
            by_product[product.pk].append((day, draft, index))
    taken = {
        (product_id, number.lower())
        for product_id, number in Lot.objects.values_list("product_id", "lot_number")
    }
    lots: list[Lot] = []
    chosen: dict[tuple[int, int], Lot] = {}
    for rows in by_product.values():
        rows.sort(key=lambda row: (row[0], row[1].visit.start))
        current: Lot | None = None
        room = 0
        for day, draft, index in rows:
            product, vials, _ = draft.draws[index]
            if current is None or vials > room or day > current.expiry_date:
                received = day - datetime.timedelta(days=rng.randrange(3, 12))
                prefix = LOT_PREFIXES.get(product.name, product.name[:3].upper())
                number = f"{prefix}-{received:%y%m}"
                suffix = 2
                while (product.pk, number.lower()) in taken:
                    number, suffix = f"{prefix}-{received:%y%m}-{suffix}", suffix + 1
                taken.add((product.pk, number.lower()))
                current = Lot(
                    product=product,
                    lot_number=number,
                    received_on=received,
                    expiry_date=received + datetime.timedelta(days=rng.randrange(300, 420)),
                    quantity_received=0,
                    quantity_left=0,
                    received_by=manager,
                )
                current._history_user = manager
                current._history_date = clinic_time(received, 9, 30)
                room = rng.randrange(20, 41)
                lots.append(current)
            current.quantity_received += vials
            room -= vials
            chosen[id(draft), index] = current
    bulk_create_with_history(lots, Lot, batch_size=500)
    return chosen


def write_sessions(stories: list[Story], manager: Any, rng: random.Random) -> None:
    drafts = [(story, draft) for story in stories for draft in story.sessions]
    if not drafts:
        return
    cocktails = {story.plan.cocktail_id: story.plan.cocktail for story in stories if story.sessions}
    formulations = {
        pk: cocktail_freeze_current(cocktail=cocktail) for pk, cocktail in cocktails.items()
    }
    rows = []
    for story, draft in drafts:
        data = dict(draft.data)
        photos = data.pop("photos_taken")
        performed_at = data["performed_at"]
        practitioner = story.plan.practitioner
        session = TreatmentSession(
            plan=story.plan,
            kind=draft.kind,
            status=TreatmentSession.Status.SIGNED,
            practitioner=practitioner,
            started_at=performed_at - datetime.timedelta(minutes=5),
            contraindications_reviewed=True,
            consent_verified=True,
            photos_taken=photos,
            formulation=formulations[story.plan.cocktail_id],
            aftercare=DEFAULT_AFTERCARE,
            signed_at=performed_at + datetime.timedelta(minutes=35),
            signed_by=practitioner,
            **data,
        )
        rows.append(session)
    sessions = TreatmentSession.objects.bulk_create(rows, batch_size=500)
    for (_, draft), session in zip(drafts, sessions, strict=True):
        draft.visit.session_id = session.pk
    # The rows were made now: dated as the session was.
    ids = [session.pk for session in sessions]
    TreatmentSession.objects.filter(pk__in=ids).update(
        created_at=F("started_at"), updated_at=F("signed_at")
    )
    # Their change history: signed by the practitioner who gave them (one entry: a session
    # logged weeks ago is not replayed edit by edit).
    history_in_bulk(TreatmentSession, ids, date="signed_at", user="practitioner")

    points = []
    for (_, draft), session in zip(drafts, sessions, strict=True):
        for position, point in enumerate(draft.points):
            points.append(injection_point(session, position, point))
    InjectionPoint.objects.bulk_create(points, batch_size=1000)
    history_in_bulk(
        InjectionPoint,
        [point.pk for point in points],
        date="session__signed_at",
        user="session__practitioner",
    )

    lots = deliveries([draft for _, draft in drafts], manager, rng)
    usages, links = [], []
    for (story, draft), session in zip(drafts, sessions, strict=True):
        for index, (_, vials, drawn) in enumerate(draft.draws):
            usage = LotUsage(
                lot=lots[id(draft), index],
                quantity=vials,
                volume_ml=drawn,
                patient_id=story.plan.patient_id,
                practitioner=session.practitioner,
                used_at=session.performed_at,
                formulation=session.formulation,
                reference=f"Treatment session #{session.pk}",
            )
            usages.append(usage)
            links.append((session, usage, vials, drawn))
    LotUsage.objects.bulk_create(usages, batch_size=1000)
    usage_ids = [usage.pk for usage in usages]
    LotUsage.objects.filter(pk__in=usage_ids).update(recorded_at=F("used_at"))
    history_in_bulk(LotUsage, usage_ids, date="used_at", user="practitioner")
    session_lots = []
    for session, usage, vials, drawn in links:
        row = SessionLot(session=session, lot=usage.lot, vials=vials, volume_ml=drawn, usage=usage)
        session_lots.append(row)
    SessionLot.objects.bulk_create(session_lots, batch_size=1000)
    history_in_bulk(
        SessionLot,
        [row.pk for row in session_lots],
        date="usage__used_at",
        user="usage__practitioner",
    )

    # Adverse events, through the service (it checks the dates and links the session's lots).
    dates = Backdating()
    for (_, draft), session in zip(drafts, sessions, strict=True):
        if draft.event is None:
            continue
        kind, severity, onset, lasting, treatment = draft.event
        onset_on = session.performed_on + datetime.timedelta(days=rng.randint(*onset))
        if onset_on >= timezone.localdate():
            continue
        resolved_on = onset_on + datetime.timedelta(days=rng.randint(*lasting))
        ongoing = resolved_on >= timezone.localdate()
        outcome = AdverseEvent.Outcome.ONGOING if ongoing else AdverseEvent.Outcome.RESOLVED
        if kind == AdverseEvent.Kind.HYPERPIGMENTATION and not ongoing:
            outcome = AdverseEvent.Outcome.SEQUELAE
        event = services.adverse_event_record(
            session=session,
            by=session.practitioner,
            kind=kind,
            onset_on=onset_on,
            severity=severity,
            treatment=treatment,
            outcome=outcome,
            resolved_on=None if ongoing else resolved_on,
        )
        when = clinic_time(onset_on, 18)
        dates.add(event, created=when, by=session.practitioner, recorded_at=when)
    dates.save()


def write_reviews(stories: list[Story]) -> None:
    """The reviews, in bulk with their change history, each as outcome_record would take it:
    dated by today and not before the session it follows, the measure in its scale's range,
    at least one rating."""
    rows = []
    for story in stories:
        plan = story.plan
        for review in story.reviews:
            rows.append(
                Outcome(
                    plan=plan,
                    session_id=review.after.session_id if review.after else None,
                    assessed_on=review.day,
                    gais_practitioner=review.gais_practitioner,
                    gais_patient=review.gais_patient,
                    satisfaction=review.satisfaction,
                    measure=review.measure,
                    recorded_by_id=plan.practitioner_id,
                )
            )
    Outcome.objects.bulk_create(rows, batch_size=500)
    # Recorded the evening of the review (auto_now_add stamped them now).
    for row in rows:
        row.recorded_at = clinic_time(row.assessed_on, 18, 30)
    Outcome.objects.bulk_update(rows, ["recorded_at"], batch_size=200)
    history_in_bulk(Outcome, [row.pk for row in rows], date="recorded_at", user="recorded_by")


def write_plans(stories: list[Story], today: datetime.date) -> None:
    """The plans in their state today, and their change history from the day proposed."""
    history = TreatmentPlan.history.model  # type: ignore[attr-defined]
    rows, plans = [], []
    for story in stories:
        plan = story.plan
        states = plan_states(story, today)
        for field_name, value in states[-1][1].items():
            setattr(plan, field_name, value)
        story.states = states
        plans.append(plan)
    TreatmentPlan.objects.bulk_create(plans, batch_size=500)
    for story in stories:
        plan = story.plan
        plan.created_at, plan.updated_at = story.created_at, story.states[-1][0]
        for number, (when, state) in enumerate(story.states):
            version = {
                field.attname: getattr(plan, field.attname) for field in history.tracked_fields
            }
            rows.append(
                history(
                    **(version | state),
                    history_date=when,
                    history_type="~" if number else "+",
                    history_user_id=plan.practitioner_id,
                )
            )
    # auto_now_add stamped them now: dated as proposed and last changed.
    TreatmentPlan.objects.bulk_update(plans, ["created_at", "updated_at"], batch_size=200)
    history.objects.bulk_create(rows, batch_size=500)


def date_formulations() -> None:
    """A cocktail version is frozen when a session first injects it, and was written before:
    the services stamped both "now", the demo's sessions began months ago."""
    first_uses = dict(
        TreatmentSession.objects.filter(formulation__isnull=False)
        .values("formulation_id")
        .annotate(first=Min("started_at"))
        .values_list("formulation_id", "first")
    )
    dates = Backdating()
    formulations = Formulation.objects.filter(pk__in=list(first_uses)).select_related("cocktail")
    for formulation in formulations.prefetch_related("components"):
        first = first_uses[formulation.pk]
        if formulation.frozen_at is None or formulation.frozen_at <= first:
            continue
        written = min(formulation.created_at, first - datetime.timedelta(days=7))
        dates.add(
            formulation,
            created=written,
            changed=first,
            frozen_at=first,
            created_at=written,
            updated_at=first,
        )
        for component in formulation.components.all():
            dates.add(component, created=written)
        if formulation.cocktail.created_at > written:
            dates.add(formulation.cocktail, created=written, created_at=written)
    dates.save()
