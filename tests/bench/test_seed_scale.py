"""The benchmark's seeding at a tiny scale (so the command keeps working as the models move),
and the query counts of the benchmarked pages on that data at two sizes."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from bench import targets
from clinic.management.commands.seed_scale import LONG_COURSE
from cocktails.models import LotUsage
from patients.models import Consultation, Patient
from scheduling.models import Appointment, OutboxMessage
from treatments.models import InjectionPoint, TreatmentPlan, TreatmentSession

pytestmark = pytest.mark.django_db


def seed(patients: int) -> None:
    call_command("seed_scale", patients=patients, verbosity=0)
    # The seeding relies on deferred foreign keys; check them now, as a commit would.
    connection.check_constraints()


def test_seeding_fills_every_table_in_the_issue_proportions() -> None:
    seed(40)
    assert Patient.objects.count() == 40
    # Each patient and consultation has the creation entry its service would have written.
    for model in (Patient, Consultation):
        created = model.history.filter(history_type="+")
        assert created.count() == model.objects.count() == 40
        assert not created.filter(history_user__isnull=True).exists()
    first = Patient.objects.order_by("pk").first()
    assert first.history.get().last_name == first.last_name
    # 10 appointments a patient, 6 sessions a patient on average (a few courses run past
    # the seeded window and are cut short).
    assert Appointment.objects.count() == 400
    sessions = TreatmentSession.objects.count()
    assert 100 <= sessions <= 400
    signed = TreatmentSession.objects.filter(status=TreatmentSession.Status.SIGNED)
    assert signed.exists()
    assert InjectionPoint.objects.count() >= 3 * signed.count()
    assert LotUsage.objects.count() >= signed.count()
    # Every plan session has exactly one appointment, and past ones are signed.
    assert Appointment.objects.filter(plan_session__isnull=False).count() == sessions
    assert not TreatmentPlan.objects.filter(status="in_progress", sessions__isnull=True).exists()
    # Plans were proposed before they were accepted, and none in the future (a summary PDF
    # prints both dates).
    assert not TreatmentPlan.objects.filter(created_at__gt=F("accepted_at")).exists()
    assert not TreatmentPlan.objects.filter(created_at__gt=timezone.now()).exists()
    # The outbox's history: a sent reminder before each completed appointment of a patient
    # who accepts them.
    reminded = Appointment.objects.filter(
        status="completed", patient__reminder_consent_at__isnull=False
    )
    assert reminded.exists()
    assert OutboxMessage.objects.filter(status="sent").count() == reminded.count()
    # The first patient's long history: a course and its maintenance, signed session by session.
    longest = TreatmentPlan.objects.annotate(n=Count("sessions")).order_by("-n").first()
    assert longest.n == LONG_COURSE
    assert longest.sessions.filter(kind="maintenance", status="signed").count() == LONG_COURSE - 10


def test_seeded_data_stays_usable_by_the_application() -> None:
    seed(20)
    # The sequences were moved past the copied ids: the ORM inserts after them.
    patient = Patient.objects.create(
        first_name="Nina", last_name="Ajout", date_of_birth="1990-01-01"
    )
    assert patient.pk > Patient.objects.exclude(pk=patient.pk).order_by("-pk").first().pk


def test_seeding_refuses_a_database_that_has_patients() -> None:
    seed(10)
    with pytest.raises(CommandError, match="already has patients"):
        call_command("seed_scale", patients=10, verbosity=0)


def test_floor_views_are_not_mounted_by_default() -> None:
    with pytest.raises(Resolver404):
        resolve("/bench/constant/")


@pytest.mark.parametrize(
    ("page", "queries"),
    [
        ("Patient search", 5),
        ("Patient page", 26),
        ("Practitioner's day list", 11),
        ("Clinic week calendar (all practitioners)", 7),
        ("Plan page", 17),
        ("Lot page with its recipients", 7),
    ],
)
@pytest.mark.parametrize("patients", [15, 45])
def test_benchmarked_pages_run_the_same_queries_at_two_sizes(
    page: str, queries: int, patients: int, django_assert_num_queries
) -> None:
    seed(patients)
    world = targets.world()
    url = next(p for p in targets.pages(world) if p.name == page).urls[0]
    client = Client()
    client.force_login(world.practitioner)
    # As under load: the session's idle refresh was written by an earlier request.
    client.get(url)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
