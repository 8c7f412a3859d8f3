"""What the benchmark requests: each main page, at addresses chosen from the seeded data so
that every request does real work (a busy day, a patient with a course, the busiest lot)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, Count, Value, When
from django.urls import reverse

from clinic.management.commands.seed_scale import PRACTITIONER_PREFIX
from cocktails.models import Lot
from scheduling import clock
from scheduling.models import Appointment
from treatments.models import TreatmentPlan

# How many different addresses each page rotates through under load.
VARIANTS = 20


@dataclass(frozen=True)
class Page:
    name: str
    urls: list[str]


@dataclass(frozen=True)
class World:
    practitioner: AbstractBaseUser
    busy_day: datetime.date
    plans: list[TreatmentPlan]
    lot: Lot


def bench_practitioner() -> AbstractBaseUser:
    return (
        get_user_model()
        .objects.filter(username__startswith=PRACTITIONER_PREFIX)
        .order_by("username")
        .first()
    )


def world() -> World:
    practitioner = bench_practitioner()
    today = clock.local_today()
    # The practitioner's recent weekday with the most treatment sessions booked: the day list
    # and the week calendar at their worst.
    recent = (
        Appointment.objects.filter(
            practitioner=practitioner,
            plan_session__isnull=False,
            start__lt=clock.now(),
        )
        .order_by("-start")
        .values_list("start", flat=True)[:300]
    )
    days: dict[datetime.date, int] = {}
    for start in recent:
        day = clock.local(start).date()
        days[day] = days.get(day, 0) + 1
    busy_day = max(days, key=days.__getitem__) if days else today
    # Plans mid-course (signed sessions and sessions still to come: the page at its fullest),
    # the longest first.
    mid_course = Case(When(status="in_progress", then=Value(0)), default=Value(1))
    plans = list(
        TreatmentPlan.objects.filter(practitioner=practitioner)
        .annotate(n=Count("sessions"), later=mid_course)
        .order_by("later", "-n", "pk")[:VARIANTS]
    )
    lot = Lot.objects.annotate(n=Count("usages")).order_by("-n", "pk").first()
    return World(practitioner=practitioner, busy_day=busy_day, plans=plans, lot=lot)


def pages(w: World) -> list[Page]:
    """The pages loaded over HTTP, in the order of the results table."""
    patients = [plan.patient_id for plan in w.plans]
    names = sorted({plan.patient.last_name for plan in w.plans})
    day = w.busy_day.isoformat()
    return [
        Page(
            "Patient search",
            [f"{reverse('patients:list')}?{urlencode({'q': name})}" for name in names],
        ),
        Page("Patient page", [reverse("patients:detail", args=[pk]) for pk in patients]),
        Page(
            "Practitioner's day list",
            [f"{reverse('treatments:today')}?date={day}&who={w.practitioner.pk}"],
        ),
        Page(
            "Clinic week calendar (all practitioners)",
            [f"{reverse('scheduling:week')}?date={day}&who=all"],
        ),
        Page("Plan page", [reverse("treatments:plan_detail", args=[p.pk]) for p in w.plans]),
        Page(
            "Lot page with its recipients",
            [reverse("cocktails:catalogue:lot_detail", args=[w.lot.pk])],
        ),
    ]
