"""The timeline registry: later apps add sources without patients importing them."""

from __future__ import annotations

import datetime

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from clinic.roles import Capability
from patients import timeline
from patients.timeline import TimelineEntry, patient_timeline, register_source
from tests.patients.helpers import a_while_ago, log_consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointments_source():
    """What scheduling will register from its AppConfig.ready(), removed after the test."""
    calls = []

    def appointments(*, patient, limit):
        calls.append(limit)
        start = timezone.now() + datetime.timedelta(days=3)
        return [
            TimelineEntry(when=start, kind="appointment", title="Session booked", icon="calendar3")
        ]

    register_source("test.appointments", appointments, capability=Capability.VIEW_PATIENTS)
    yield calls
    timeline._SOURCES.pop("test.appointments")


def test_patients_registers_its_own_sources():
    # Higher apps register theirs too; the patients app's own are clinical only.
    sources = timeline.registered_sources()
    assert sources["patients.consultations"] == Capability.VIEW_CLINICAL
    assert sources["patients.consents"] == Capability.VIEW_CLINICAL


def test_entries_from_every_source_are_merged_newest_first(
    patient, practitioner, appointments_source
):
    log_consultation(patient, practitioner)
    entries = patient_timeline(patient=patient, user=practitioner)
    assert [entry.kind for entry in entries] == ["appointment", "consultation"]
    assert appointments_source == [50]


def test_receptionists_only_get_sources_their_role_may_see(
    receptionist_client, patient, practitioner, appointments_source
):
    log_consultation(patient, practitioner, pregnancy="absolute")
    page = receptionist_client.get(reverse("patients:detail", args=[patient.pk]))
    assert "Session booked" in page.text
    assert "Consultation" not in page.text


def test_registering_a_key_again_replaces_the_source(patient, practitioner, appointments_source):
    register_source(
        "test.appointments",
        lambda *, patient, limit: [],
        capability=Capability.VIEW_PATIENTS,
    )
    assert patient_timeline(patient=patient, user=practitioner) == []
    assert appointments_source == []


def test_the_limit_keeps_the_newest_entries(patient, practitioner):
    for days in (30, 20, 10):
        consultation = log_consultation(patient, practitioner)
        consultation.consulted_on = a_while_ago(days)
        consultation.save()
    entries = patient_timeline(patient=patient, user=practitioner, limit=2)
    assert [entry.when for entry in entries] == [a_while_ago(10), a_while_ago(20)]


def test_consultation_entries_say_what_was_flagged(patient, practitioner):
    log_consultation(patient, practitioner, keloid="relative")
    (entry,) = patient_timeline(patient=patient, user=practitioner)
    assert entry.badge == "1 relative contraindication"
    assert entry.summary == "Facial rejuvenation (Face)"
    assert entry.url.endswith(f"/consultations/{patient.consultations.get().pk}/")


@pytest.mark.parametrize(
    "when",
    [
        # Winter and summer time in the clinic's zone, a date just after midnight UTC on the
        # clinic's next day, and a plain date.
        datetime.datetime(2026, 1, 5, 8, 7, tzinfo=datetime.UTC),
        datetime.datetime(2026, 7, 14, 21, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 12, 31, 23, 15, tzinfo=datetime.UTC),
        datetime.date(2026, 5, 1),
    ],
)
def test_an_entrys_dates_read_as_the_date_filter_would_print_them(when):
    entry = TimelineEntry(when=when, kind="consultation", title="Consultation")
    shown = "j M Y, H:i" if entry.has_time else "j M Y"
    filters = engines["django"].from_string("{{ when|date:'c' }}|{{ when|date:'" + shown + "' }}")
    assert f"{entry.when_iso}|{entry.when_shown}" == filters.render({"when": when})
