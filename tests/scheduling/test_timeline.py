"""Appointments appear on the patient page's timeline, for receptionists too."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from scheduling.models import Appointment
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory
from treatments.services import session_sign as sign_session

pytestmark = pytest.mark.django_db


def test_appointments_are_on_the_patient_timeline(clinic, patient, receptionist_client):
    appointment = AppointmentFactory(
        patient=patient, practitioner=clinic, start=at(MONDAY + datetime.timedelta(days=1), "10:00")
    )
    page = receptionist_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert reverse("scheduling:appointment", args=[appointment.pk]) in page
    assert appointment.appointment_type.name in page


@pytest.mark.parametrize("count", [1, 6])
def test_patient_page_queries_do_not_grow_with_appointments(
    clinic, patient, practitioner_client, django_assert_num_queries, count
):
    for day in range(count):
        AppointmentFactory(
            patient=patient,
            practitioner=clinic,
            start=at(MONDAY + datetime.timedelta(days=day + 1), "10:00"),
        )
    practitioner_client.get(reverse("patients:detail", args=[patient.pk]))  # warm caches
    with django_assert_num_queries(24):
        practitioner_client.get(reverse("patients:detail", args=[patient.pk]))


def _given_visit(practitioner, admin_user, treatment):
    """A plan's session held by an appointment today at 09:00, logged, signed and the visit
    completed; and the patient's other appointments today: a consultation completed at 08:00
    and a cancelled booking of the same session at 07:00."""
    from tests.treatments import scenarios

    scene = scenarios.clinic(practitioner, admin_user)
    session = scenarios.booked_today(scene.plan, 9, treatment)
    scenarios.record(
        scenarios.start(scene.plan, practitioner, session=session),
        practitioner,
        lots=scenarios.lots(scene.catalogue),
    )
    sign_session(session=session, by=practitioner)
    visit = session.appointments.get()
    visit.status = Appointment.Status.COMPLETED
    visit.save()
    consultation = AppointmentFactory(
        patient=scene.patient,
        practitioner=practitioner,
        start=scenarios.today_at(8),
        status=Appointment.Status.COMPLETED,
    )
    cancelled = AppointmentFactory(
        patient=scene.patient,
        practitioner=practitioner,
        start=scenarios.today_at(7),
        status=Appointment.Status.CANCELLED,
        cancel_reason="Moved to 09:00",
        plan_session=session,
    )
    return scene.patient, session, visit, consultation, cancelled


def test_a_clinician_sees_a_completed_treatment_visit_as_its_session_once(
    practitioner, admin_user, treatment, practitioner_client, receptionist_client
):
    patient, session, visit, consultation, cancelled = _given_visit(
        practitioner, admin_user, treatment
    )
    url = reverse("patients:detail", args=[patient.pk])
    page = practitioner_client.get(url).content.decode()
    assert reverse("treatments:session_detail", args=[session.pk]) in page
    assert reverse("scheduling:appointment", args=[visit.pk]) not in page
    # What the session does not tell stays: a visit without a session, a cancelled booking.
    assert reverse("scheduling:appointment", args=[consultation.pk]) in page
    assert reverse("scheduling:appointment", args=[cancelled.pk]) in page
    # The desk, who does not see sessions, still has the visit.
    desk = receptionist_client.get(url).content.decode()
    assert reverse("scheduling:appointment", args=[visit.pk]) in desk
    assert reverse("treatments:session_detail", args=[session.pk]) not in desk


def test_each_role_gets_one_appointment_source():
    from clinic.roles import ROLE_CAPABILITIES, Role
    from patients.timeline import _SOURCES

    for role, wanted in (
        (Role.RECEPTIONIST, "scheduling.appointments"),
        (Role.PRACTITIONER, "scheduling.visits"),
        (Role.ADMIN, "scheduling.visits"),
    ):
        caps = ROLE_CAPABILITIES[role]
        shown = [key for key, entry in _SOURCES.items() if entry.shown_to(caps)]
        assert [key for key in shown if key.startswith("scheduling.")] == [wanted], role


def test_a_clinician_sees_a_completed_consultation_visit_as_the_consultation_recorded(
    practitioner, other_practitioner, consultation, practitioner_client, receptionist_client
):
    from tests.patients.factories import PatientFactory
    from tests.patients.helpers import log_consultation
    from tests.treatments.scenarios import today_at

    patient = PatientFactory()
    visit, elsewhere = (
        AppointmentFactory(
            patient=patient,
            practitioner=who,
            appointment_type=consultation,
            start=today_at(hour),
            status=Appointment.Status.COMPLETED,
        )
        for who, hour in ((practitioner, 9), (other_practitioner, 11))
    )
    url = reverse("patients:detail", args=[patient.pk])
    before = practitioner_client.get(url).content.decode()
    assert reverse("scheduling:appointment", args=[visit.pk]) in before
    # Dr Martin records the consultation she gave: her visit is that record now; Dr Nguyen's
    # visit, with no record of his that day, stays.
    record = log_consultation(patient, practitioner)
    page = practitioner_client.get(url).content.decode()
    assert reverse("patients:consultation_detail", args=[patient.pk, record.pk]) in page
    assert reverse("scheduling:appointment", args=[visit.pk]) not in page
    assert reverse("scheduling:appointment", args=[elsewhere.pk]) in page
    desk = receptionist_client.get(url).content.decode()
    assert reverse("scheduling:appointment", args=[visit.pk]) in desk
