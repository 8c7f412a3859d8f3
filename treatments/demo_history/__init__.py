"""The demo practice's past treatments, for `manage.py seed_demo`: a course for each
consultation of the patients demo, from the plan proposed after it to today.

A course here is a story, told the way it happened: the plan proposed the evening after the
consultation (or declined), accepted a few days later, the course sessions at the plan's
interval, a review about four weeks after the last one, then maintenance at the plan's
cadence, kept by most patients, late or given up by some, closed by the practitioner for a
few; a course stopped half-way now and then. Sessions carry what a practitioner logs
(injection sites, lots taken from stock that was in date that day, pain, reactions), reviews
their GAIS scores and the indication's measure, and a few sessions an adverse event.

The diary is scheduling's: this module does not import it. The scheduling demo calls
`seed(out, book=…)`, and `book` finds the time each visit took place (a free slot of the
practitioner, in their hours, on or soon after the day the course wanted; the no-shows and
cancellations before it are the diary's business). A visit it cannot place before today
ends the story there: the rest of the course is booked ahead by the scheduling demo.

Everything is written in bulk, with its change history (a plan with one version per change of
state, as plan_accept, plan_refresh, plan_stop and plan_complete would have left them),
because a year and a half of it through the services would make `make run` wait; only the
adverse events, a few dozen, go through theirs. It obeys the same rules, and
tests/treatments/test_demo.py holds it to the services' own checks: a course the plan form
accepts and a cocktail the safety review allows the patient, the state plan_refresh keeps,
the consents signed before the first session, no open absolute contraindication, a log
complete enough to sign, lots received before and in date on the day of use, stock and ledger
in agreement (the lots of the past are used up), reviews as outcome_record takes them.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.utils import timezone

from patients.models import Consultation
from treatments.demo_history.stories import Book, Out, Teller, Visit, vary_events
from treatments.demo_history.writing import (
    date_formulations,
    write_plans,
    write_reviews,
    write_sessions,
)
from treatments.models import TreatmentPlan


def seed(out: Out, *, book: Book) -> None:
    """Tell a course for each consultation of a patient with no plan yet. Each visit `book`
    placed has its `session_id` set once the session is written."""
    today = timezone.localdate()
    users = get_user_model().objects.in_bulk(["manager"], field_name="username")
    planned = set(TreatmentPlan.objects.values_list("patient_id", flat=True).distinct())
    consultations = (
        Consultation.objects.filter(patient__archived_at__isnull=True, consulted_on__lt=today)
        .exclude(patient_id__in=planned)
        .select_related("patient", "practitioner")
        .prefetch_related("concerns")
        .order_by("consulted_on", "pk")
    )
    teller = Teller(book=book, today=today, out=out)
    told: set[tuple[int, str]] = set()
    for consultation in consultations:
        areas: dict[str, list[str]] = defaultdict(list)
        for concern in consultation.concerns.all():
            areas[concern.indication].append(concern.area)
        for indication, chosen in areas.items():
            if (consultation.patient_id, indication) in told:
                continue
            told.add((consultation.patient_id, indication))
            teller.tell(consultation, indication, chosen)
    stories = teller.stories
    vary_events(stories, today, teller.rng)
    write_plans(stories, today)
    write_sessions(stories, users.get("manager"), teller.rng)
    write_reviews(stories)
    date_formulations()
    sessions = sum(len(story.sessions) for story in stories)
    out(f"told {len(stories)} courses of the past, {sessions} sessions signed")


__all__ = ["Book", "Visit", "seed"]
