"""The treatment-based patient emails: maintenance due, aftercare check-in, results review.

Plans and sessions are made through the treatments services (a course of four sessions,
maintenance every 120 days); the sweep runs as beat would, on the scheduling tests' clock
(Monday 16 March 2026, 08:00 in Paris), moved by time-machine.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from scheduling.models import AppointmentType, MessageKindSwitch, OutboxMessage
from scheduling.outbox.services import message_kind_switch
from tests.cocktails.scenarios import make_catalogue, make_face_glow
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory
from tests.scheduling.reminder_scenes import LONG_AGO, Kind, Status, rows, sweep
from tests.treatments import scenarios
from tests.treatments.factories import PlanFactory, SessionFactory
from treatments import services as treatment_services
from treatments.models import TreatmentPlan
from treatments.selectors.booking import plans_maintenance_due, sessions_signed_on

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + datetime.timedelta(days=1)
# Everything the clinic knows about the treatment, none of which may reach an email.
CLINICAL = ("face glow", "rejuvenation", "nappage", "chlorhexidine", "no make-up for 12 hours")


@pytest.fixture
def scene(clinic, admin_user):
    """Dr Martin's clinic, and Camille, who agreed to emails, with an accepted facial plan."""
    scene = scenarios.clinic(clinic, admin_user)
    type(scene.patient).objects.filter(pk=scene.patient.pk).update(
        email="camille@example.test", reminder_consent_at=LONG_AGO
    )
    scene.patient.refresh_from_db()
    scene.practitioner = clinic
    return scene


def sign(scene, minutes_ago: int = 20):
    return scenarios.signed_session(
        scene,
        scene.practitioner,
        performed_at=at(MONDAY, "08:00") - datetime.timedelta(minutes=minutes_ago),
    )


def finish_course(scene) -> TreatmentPlan:
    """Sign the four sessions of the course: the plan moves on to maintenance."""
    for index in range(scene.plan.initial_sessions):
        sign(scene, minutes_ago=20 + 5 * (scene.plan.initial_sessions - index))
    scene.plan.refresh_from_db()
    assert scene.plan.status == TreatmentPlan.Status.MAINTENANCE
    return scene.plan


def switch(kind: str, *, on: bool) -> None:
    MessageKindSwitch.objects.update_or_create(kind=kind, defaults={"is_enabled": on})


def withdraw(patient) -> None:
    type(patient).objects.filter(pk=patient.pk).update(
        reminder_consent_withdrawn_at=at(MONDAY, "07:00")
    )


def all_text(email) -> str:
    return f"{email.subject}\n{email.body}\n{email.alternatives[0][0]}".lower()


# Aftercare check-in.


def test_the_aftercare_check_in_goes_once_the_day_after_a_signed_session(scene, time_machine):
    session = sign(scene)
    assert list(sessions_signed_on(day=MONDAY)) == [session]
    sweep()
    sweep()
    assert rows(kind=Kind.AFTERCARE_CHECK_IN) == [
        (Kind.AFTERCARE_CHECK_IN, Status.PENDING, f"session:{session.pk}")
    ]
    message = OutboxMessage.objects.get()
    assert (message.session, message.plan, message.due_at) == (
        session,
        scene.plan,
        at(TUESDAY, "07:40"),
    )
    assert not mail.outbox

    time_machine.move_to(at(TUESDAY, "07:40"))
    sweep()
    sweep()
    [email] = mail.outbox
    assert email.to == ["camille@example.test"]
    assert email.subject.startswith("How are you since your session at ")
    for body in (email.body, email.alternatives[0][0]):
        assert "Hello Camille," in body
        assert "Monday 16 March" in body
        assert "avoid make-up, saunas, swimming pools and strong sun" in body
    for word in CLINICAL:
        assert word not in all_text(email)
    assert OutboxMessage.objects.get().status == Status.SENT


def test_the_aftercare_check_in_is_in_french_for_a_french_speaking_patient(scene, time_machine):
    type(scene.patient).objects.filter(pk=scene.patient.pk).update(preferred_language="fr")
    sign(scene)
    time_machine.move_to(at(TUESDAY, "09:00"))
    sweep()
    [email] = mail.outbox
    assert email.subject.startswith("Comment allez-vous depuis votre séance chez ")
    assert "Bonjour Camille," in email.body
    assert "lundi 16 mars" in email.body
    assert "évitez le maquillage" in email.body


def test_no_aftercare_check_in_once_the_plan_is_stopped(scene, time_machine):
    sign(scene)
    sweep()
    treatment_services.plan_stop(plan=scene.plan, reason="Moved abroad", by=scene.practitioner)
    time_machine.move_to(at(TUESDAY, "09:00"))
    sweep()
    assert not mail.outbox
    message = OutboxMessage.objects.get()
    assert (message.status, message.reason) == (Status.CANCELLED, "The plan was closed.")


def test_no_aftercare_check_in_without_consent_or_when_switched_off(scene, time_machine):
    switch(Kind.AFTERCARE_CHECK_IN, on=False)
    sign(scene)
    sweep()
    assert not OutboxMessage.objects.exists()

    switch(Kind.AFTERCARE_CHECK_IN, on=True)
    withdraw(scene.patient)
    time_machine.move_to(at(TUESDAY, "09:00"))
    sweep()
    assert not OutboxMessage.objects.exists()
    assert not mail.outbox


def test_consent_withdrawn_after_planning_cancels_the_check_in(scene, time_machine):
    sign(scene)
    sweep()
    withdraw(scene.patient)
    time_machine.move_to(at(TUESDAY, "09:00"))
    sweep()
    assert not mail.outbox
    assert OutboxMessage.objects.get().status == Status.CANCELLED


# Maintenance due.


def maintenance_scene(scene, time_machine) -> tuple[TreatmentPlan, datetime.date]:
    """The course done on Monday; the clock moved to 14 days before the maintenance date."""
    plan = finish_course(scene)
    due_on = plan.next_maintenance_on
    time_machine.move_to(at(due_on - datetime.timedelta(days=14), "08:00"))
    mail.outbox.clear()
    return plan, due_on


def test_maintenance_due_goes_once_14_days_before_the_date(scene, time_machine):
    plan, due_on = maintenance_scene(scene, time_machine)
    assert list(plans_maintenance_due(on_or_before=due_on)) == [plan]
    sweep()
    sweep()
    message = OutboxMessage.objects.get(kind=Kind.MAINTENANCE_DUE)
    assert message.key == f"plan:{plan.pk}@{due_on.isoformat()}"
    assert (message.plan, message.status) == (plan, Status.PENDING)
    assert message.due_at == at(due_on - datetime.timedelta(days=14), "09:00")

    time_machine.move_to(at(due_on - datetime.timedelta(days=14), "09:00"))
    sweep()
    sweep()
    [email] = [m for m in mail.outbox if "maintenance" in m.subject]
    assert email.subject == f"Time to book your maintenance session (around {due_on:%-d} July)"
    assert "you have no appointment for it yet" in email.body
    for word in CLINICAL:
        assert word not in all_text(email)
    assert OutboxMessage.objects.filter(kind=Kind.MAINTENANCE_DUE).count() == 1


def test_maintenance_due_stops_once_a_maintenance_appointment_is_booked(scene, time_machine):
    _, due_on = maintenance_scene(scene, time_machine)
    sweep()
    AppointmentFactory(
        patient=scene.patient,
        practitioner=scene.practitioner,
        appointment_type=AppointmentTypeFactory(
            name="Maintenance session", kind=AppointmentType.Kind.MAINTENANCE
        ),
        start=at(due_on, "10:00"),
    )
    time_machine.move_to(at(due_on - datetime.timedelta(days=14), "09:00"))
    sweep()
    sweep()
    assert not [m for m in mail.outbox if "maintenance" in m.subject]
    message = OutboxMessage.objects.get(kind=Kind.MAINTENANCE_DUE)
    assert (message.status, message.reason) == (
        Status.CANCELLED,
        "A maintenance appointment is booked.",
    )


def test_no_maintenance_due_for_a_closed_plan_without_consent_or_switched_off(scene, time_machine):
    plan, _ = maintenance_scene(scene, time_machine)
    switch(Kind.MAINTENANCE_DUE, on=False)
    sweep()
    assert not OutboxMessage.objects.filter(kind=Kind.MAINTENANCE_DUE).exists()

    switch(Kind.MAINTENANCE_DUE, on=True)
    sweep()
    treatment_services.plan_complete(plan=plan, by=scene.practitioner)
    sweep()
    message = OutboxMessage.objects.get(kind=Kind.MAINTENANCE_DUE)
    assert (message.status, message.reason) == (Status.CANCELLED, "The plan was closed.")


def test_no_maintenance_due_for_a_patient_who_withdrew(scene, time_machine):
    maintenance_scene(scene, time_machine)
    withdraw(scene.patient)
    sweep()
    assert not OutboxMessage.objects.filter(kind=Kind.MAINTENANCE_DUE).exists()


# Results review.


def test_the_results_review_goes_once_four_weeks_after_the_last_session(scene, time_machine):
    plan = finish_course(scene)
    sweep()
    message = OutboxMessage.objects.get(kind=Kind.RESULTS_REVIEW)
    assert message.key == f"plan:{plan.pk}/results@{MONDAY.isoformat()}"
    # About the last of the four sessions (performed at 07:20, 07:25, 07:30 and 07:35).
    assert (message.plan, message.event_at) == (plan, at(MONDAY, "07:35"))
    assert message.due_at == at(MONDAY + datetime.timedelta(weeks=4), "09:00")

    time_machine.move_to(at(MONDAY + datetime.timedelta(weeks=4), "09:00"))
    mail.outbox.clear()
    sweep()
    sweep()
    [email] = [m for m in mail.outbox if m.subject.startswith("Time to review your results")]
    assert "your last session of the course, on Monday 16 March" in email.body
    for word in CLINICAL:
        assert word not in all_text(email)
    assert OutboxMessage.objects.filter(kind=Kind.RESULTS_REVIEW).count() == 1


def test_no_results_review_for_a_stopped_plan_without_consent_or_switched_off(scene, time_machine):
    plan = finish_course(scene)
    switch(Kind.RESULTS_REVIEW, on=False)
    sweep()
    assert not OutboxMessage.objects.filter(kind=Kind.RESULTS_REVIEW).exists()

    switch(Kind.RESULTS_REVIEW, on=True)
    sweep()
    treatment_services.plan_stop(plan=plan, reason="Patient moved away", by=scene.practitioner)
    time_machine.move_to(at(MONDAY + datetime.timedelta(weeks=4), "09:00"))
    sweep()
    message = OutboxMessage.objects.get(kind=Kind.RESULTS_REVIEW)
    assert (message.status, message.reason) == (Status.CANCELLED, "The plan was closed.")
    assert not [m for m in mail.outbox if "results" in m.subject]


def test_no_results_review_for_a_patient_who_withdrew(scene):
    finish_course(scene)
    withdraw(scene.patient)
    sweep()
    assert not OutboxMessage.objects.exists()


# Switched back on, a kind does not send what came due while it was off.


def _aftercare_due(scene, time_machine) -> datetime.datetime:
    sign(scene)
    return at(TUESDAY, "09:00")


def _maintenance_due(scene, time_machine) -> datetime.datetime:
    _, due_on = maintenance_scene(scene, time_machine)
    return at(due_on - datetime.timedelta(days=14), "10:00")


def _results_due(scene, time_machine) -> datetime.datetime:
    finish_course(scene)
    return at(MONDAY + datetime.timedelta(weeks=4), "10:00")


@pytest.mark.parametrize(
    ("kind", "scene_until_due"),
    [
        (Kind.AFTERCARE_CHECK_IN, _aftercare_due),
        (Kind.MAINTENANCE_DUE, _maintenance_due),
        (Kind.RESULTS_REVIEW, _results_due),
    ],
)
def test_a_kind_switched_back_on_does_not_send_what_came_due_while_it_was_off(
    scene, admin_user, time_machine, kind, scene_until_due
):
    message_kind_switch(kind=kind, enabled=False, by=admin_user)
    # Each kind looks back a while (LOOKBACK) for what it has not sent yet: the email whose
    # time came an hour ago is still in reach.
    later = scene_until_due(scene, time_machine)
    sweep()
    time_machine.move_to(later)
    sweep()
    message_kind_switch(kind=kind, enabled=True, by=admin_user)
    sweep()
    sweep()
    assert not OutboxMessage.objects.filter(kind=kind).exists()


# The sweep's cost.


@pytest.mark.parametrize("count", [2, 8])
def test_planning_the_treatment_emails_runs_a_constant_number_of_queries(
    clinic, django_assert_num_queries, count
):
    face_glow = make_face_glow(make_catalogue(), clinic)
    today = MONDAY
    for index in range(count):
        patient = PatientFactory(
            first_name=f"P{index}", email=f"p{index}@example.test", reminder_consent_at=LONG_AGO
        )
        plan = PlanFactory(
            patient=patient,
            practitioner=clinic,
            cocktail=face_glow,
            status=TreatmentPlan.Status.MAINTENANCE,
            next_maintenance_on=today + datetime.timedelta(days=14),
        )
        SessionFactory(plan=plan, performed_at=at(MONDAY, "07:00"))
    # Cancel what is stale (3), the switches (1); per kind its plan query, then for each of
    # the three kinds that plans something one insert batch (4); the due scan (3).
    with django_assert_num_queries(3 + 1 + 6 + 3 * 4 + 3):
        report = sweep()
    # Each patient: a maintenance due, an aftercare check-in and a results review, none due.
    assert (report.planned, report.queued) == (3 * count, 0)
