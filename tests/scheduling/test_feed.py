"""The private calendar feed: parsed back with icalendar, no clinical detail, revocable."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from scheduling.models import CalendarFeed
from scheduling.services import calendar_feed_revoke, calendar_feed_rotate
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + datetime.timedelta(days=1)


def fetch(feed: CalendarFeed):
    """As a calendar app would: no session, no cookies."""
    return Client().get(reverse("scheduling:feed", kwargs={"token": feed.token}))


def test_the_feed_lists_the_practitioners_appointments_in_utc(
    clinic, other_practitioner, treatment, rooms
):
    patient = PatientFactory(first_name="Juliette", last_name="Dubois")
    AppointmentFactory(
        practitioner=clinic,
        patient=patient,
        appointment_type=treatment,
        room=rooms[1],
        start=at(TUESDAY, "10:00"),
        note="Allergic to lidocaine, prefers mornings",
    )
    # Across the spring change: 10:00 in Paris is 08:00 UTC on 30 March.
    AppointmentFactory(
        practitioner=clinic,
        appointment_type=treatment,
        start=at(datetime.date(2026, 3, 30), "10:00"),
    )
    AppointmentFactory(
        practitioner=clinic, start=at(TUESDAY, "15:00"), status="cancelled", cancel_reason="x"
    )
    AppointmentFactory(practitioner=other_practitioner, start=at(TUESDAY, "10:00"))

    response = fetch(calendar_feed_rotate(practitioner=clinic))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]

    calendar = Calendar.from_ical(response.content)
    events = sorted(calendar.walk("VEVENT"), key=lambda event: event.decoded("dtstart"))
    assert str(calendar["x-wr-calname"]) == "Mesoclinic: Sophie Martin"
    assert [event.decoded("dtstart") for event in events] == [
        datetime.datetime(2026, 3, 17, 9, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 30, 8, 0, tzinfo=datetime.UTC),
    ]
    first = events[0]
    assert first.decoded("dtend") == datetime.datetime(2026, 3, 17, 9, 45, tzinfo=datetime.UTC)
    assert str(first["summary"]) == "Treatment session \N{MIDDLE DOT} J.D."
    assert str(first["location"]) == "Cabinet 2, Mesoclinic"
    text = response.content.decode()
    for private in ("Juliette", "Dubois", "lidocaine", "prefers mornings", "DESCRIPTION"):
        assert private not in text


def test_a_new_address_kills_the_old_one_and_revoking_kills_both(clinic):
    old = calendar_feed_rotate(practitioner=clinic)
    old_token = old.token
    new = calendar_feed_rotate(practitioner=clinic)
    assert new.token != old_token
    assert Client().get(reverse("scheduling:feed", kwargs={"token": old_token})).status_code == 404
    assert fetch(new).status_code == 200
    calendar_feed_revoke(practitioner=clinic)
    assert fetch(new).status_code == 404


def test_a_deactivated_practitioner_has_no_feed(clinic):
    feed = calendar_feed_rotate(practitioner=clinic)
    clinic.is_active = False
    clinic.save()
    assert fetch(feed).status_code == 404


def test_a_practitioner_manages_only_their_own_address(
    practitioner_client, practitioner, other_practitioner
):
    page = practitioner_client.get(reverse("scheduling:feed_settings")).content.decode()
    assert "Sophie Martin" in page and "Paul Nguyen" not in page
    response = practitioner_client.post(reverse("scheduling:feed_rotate", args=[practitioner.pk]))
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(practitioner=practitioner)
    assert feed.url in practitioner_client.get(reverse("scheduling:feed_settings")).content.decode()
    assert (
        practitioner_client.post(
            reverse("scheduling:feed_rotate", args=[other_practitioner.pk])
        ).status_code
        == 404
    )
    assert (
        practitioner_client.post(
            reverse("scheduling:feed_revoke", args=[other_practitioner.pk])
        ).status_code
        == 404
    )
    practitioner_client.post(reverse("scheduling:feed_revoke", args=[practitioner.pk]))
    assert not CalendarFeed.objects.exists()


def test_the_clinic_manager_manages_every_practitioners_address(
    admin_client, practitioner, other_practitioner
):
    page = admin_client.get(reverse("scheduling:feed_settings")).content.decode()
    assert "Sophie Martin" in page and "Paul Nguyen" in page
    admin_client.post(reverse("scheduling:feed_rotate", args=[other_practitioner.pk]))
    assert CalendarFeed.objects.filter(practitioner=other_practitioner).exists()


def test_a_receptionist_cannot_create_feeds(receptionist_client, practitioner):
    response = receptionist_client.post(reverse("scheduling:feed_rotate", args=[practitioner.pk]))
    assert response.status_code == 403
    assert not CalendarFeed.objects.exists()
