"""The home page's today panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_a_practitioner_sees_their_own_day(practitioner_client, clinic, other_practitioner):
    AppointmentFactory(
        practitioner=clinic, start=at(MONDAY, "10:00"), patient=PatientFactory(first_name="Mine")
    )
    AppointmentFactory(
        practitioner=other_practitioner,
        start=at(MONDAY, "10:00"),
        patient=PatientFactory(first_name="Theirs"),
    )
    html = practitioner_client.get(reverse("home")).content.decode()
    assert "Your day" in html
    assert "Mine" in html and "Theirs" not in html


def test_the_front_desk_sees_what_is_next_for_the_clinic(
    receptionist_client, clinic, other_practitioner
):
    AppointmentFactory(
        practitioner=clinic, start=at(MONDAY, "10:00"), patient=PatientFactory(first_name="Mine")
    )
    AppointmentFactory(
        practitioner=other_practitioner,
        start=at(MONDAY, "11:00"),
        patient=PatientFactory(first_name="Theirs"),
    )
    AppointmentFactory(
        practitioner=clinic,
        start=at(MONDAY, "15:00"),
        status="cancelled",
        cancel_reason="x",
        patient=PatientFactory(first_name="Cancelled"),
    )
    html = receptionist_client.get(reverse("home")).content.decode()
    assert "Next at the clinic today" in html
    assert "Mine" in html and "Theirs" in html and "Cancelled" not in html


def test_a_role_without_booking_gets_no_panel(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get(reverse("home")).status_code == 403


def test_the_panel_runs_a_constant_number_of_queries(
    receptionist_client, clinic, django_assert_num_queries
):
    AppointmentFactory(practitioner=clinic, start=at(MONDAY, "09:00"))
    receptionist_client.get(reverse("home"))
    # Session, user, roles, the patients panel's counts, today's appointments, and which of
    # their patients have treatment on hold.
    with django_assert_num_queries(6) as small:
        receptionist_client.get(reverse("home"))
    for hour in range(10, 18):
        AppointmentFactory(practitioner=clinic, start=at(MONDAY, f"{hour}:00"))
    with django_assert_num_queries(len(small.captured_queries)):
        html = receptionist_client.get(reverse("home")).content.decode()
    assert "and 1 more" in html
