"""The practitioner's day: their appointments, each patient's alerts, one click into the log."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import Allergy, Contraindication
from tests.patients.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory
from tests.treatments.scenarios import (
    accepted_plan,
    booked_today,
    consenting_patient,
    start,
    today_at,
)

pytestmark = pytest.mark.django_db
URL = reverse("treatments:today")


@pytest.fixture
def treatment(db):
    return AppointmentTypeFactory(name="Treatment session", kind="treatment")


def test_a_booked_plan_session_opens_its_pre_checks_in_one_click(
    scene, practitioner, practitioner_client, treatment
):
    session = booked_today(scene.plan, 9, treatment)
    html = practitioner_client.get(URL).content.decode()
    assert reverse("treatments:session_start", args=[session.pk]) in html
    assert "Start the session" in html
    start(scene.plan, practitioner, session=session)
    html = practitioner_client.get(URL).content.decode()
    assert reverse("treatments:session_log", args=[session.pk]) in html


def test_alerts_and_blocks_show_beside_the_patient(
    scene, practitioner, practitioner_client, treatment
):
    Contraindication.objects.create(
        patient=scene.patient, kind="pregnancy", severity="absolute", recorded_by=practitioner
    )
    Allergy.objects.create(patient=scene.patient, substance="Latex", recorded_by=practitioner)
    AppointmentFactory(
        patient=scene.patient,
        practitioner=practitioner,
        appointment_type=treatment,
        start=today_at(9),
    )
    unconsented = PatientFactory(first_name="Nadia", last_name="Sans")
    accepted_plan(patient=unconsented, practitioner=practitioner, cocktail=scene.face_glow)
    AppointmentFactory(
        patient=unconsented,
        practitioner=practitioner,
        appointment_type=treatment,
        start=today_at(11),
    )
    response = practitioner_client.get(URL)
    first, second = response.context["day_list"].items
    assert first.blocked and first.alerts.blocked
    assert second.consent_missing and not second.alerts.blocked
    html = response.content.decode()
    assert "Pregnancy or breastfeeding" in html
    assert "Latex" in html
    assert "Consent missing" in html


def test_a_session_logged_without_an_appointment_is_on_the_list(
    scene, practitioner, practitioner_client
):
    session = start(scene.plan, practitioner)
    items = practitioner_client.get(URL).context["day_list"].items
    assert [item.session for item in items] == [session]
    assert items[0].booking is None


def test_sessions_left_unsigned_on_earlier_days_are_recalled(
    scene, practitioner, practitioner_client
):
    session = start(scene.plan, practitioner)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    type(session).objects.filter(pk=session.pk).update(performed_at=yesterday)
    response = practitioner_client.get(URL)
    assert response.context["day_list"].unsigned == [session]
    assert "1 earlier session not signed yet" in response.content.decode()


def test_a_manager_chooses_whose_day_to_see(
    scene, practitioner, other_practitioner, admin_client, treatment
):
    patient = consenting_patient(witness=practitioner)
    AppointmentFactory(
        patient=patient,
        practitioner=other_practitioner,
        appointment_type=treatment,
        start=today_at(9),
    )
    response = admin_client.get(f"{URL}?who={other_practitioner.pk}")
    assert response.context["practitioner"] == other_practitioner
    assert [item.patient for item in response.context["day_list"].items] == [patient]
    # A bad value falls back to a practitioner's list, never an error page.
    assert admin_client.get(f"{URL}?who=abc&date=not-a-date").status_code == 200


def test_a_consent_the_patient_signed_as_a_minor_leaves_a_gap(practitioner):
    from treatments.selectors import consent_gaps

    # 18 today, she signed two years ago (consenting_patient), at 16: not in force.
    today = timezone.localdate()
    born = today.replace(year=today.year - 19) + datetime.timedelta(days=10)
    minor_then = consenting_patient(witness=practitioner, date_of_birth=born)
    adult = consenting_patient(witness=practitioner)
    pairs = {(minor_then.pk, "facial_rejuvenation"), (adult.pk, "facial_rejuvenation")}
    assert consent_gaps(pairs=pairs) == {(minor_then.pk, "facial_rejuvenation")}


def test_a_visit_booked_apart_from_the_course_starts_a_session_of_the_plan_alike(
    scene, practitioner, practitioner_client, treatment
):
    # Booked at the desk rather than from the plan: the day offers the plan's next session,
    # with the same words and the same warning as for a session the course booked.
    AppointmentFactory(
        patient=scene.patient,
        practitioner=practitioner,
        appointment_type=treatment,
        start=today_at(9),
    )
    html = practitioner_client.get(URL).content.decode()
    begin = reverse("treatments:session_begin", args=[scene.plan.pk])
    button = html.split(f'href="{begin}"')[1].split("</a>")[0]
    assert "Start the session" in button
    Contraindication.objects.create(
        patient=scene.patient, kind="pregnancy", severity="absolute", recorded_by=practitioner
    )
    html = practitioner_client.get(URL).content.decode()
    button = html.split(f'href="{begin}"')[1].split("</a>")[0]
    assert "Review the blocks" in button


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31", "2026-02-30", "soon"])
def test_a_day_out_of_the_diary_shows_today(practitioner_client, typed):
    response = practitioner_client.get(URL, {"date": typed})
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
