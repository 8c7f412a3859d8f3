"""The timeline registry: later apps add sources without patients importing them."""

from __future__ import annotations

import datetime

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from clinic.roles import Capability
from patients import timeline
from patients.timeline import TimelineEntry, register_source
from tests.patients.helpers import a_while_ago, log_consultation

pytestmark = pytest.mark.django_db


def patient_timeline(*, patient, user, limit=50):
    """The timeline's first page, as the patient page reads it."""
    return timeline.timeline_page(patient=patient, user=user, limit=limit).entries


@pytest.fixture
def appointments_source():
    """What scheduling will register from its AppConfig.ready(), removed after the test."""
    calls = []

    def appointments(*, patient, limit, before=None):
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
    # One more than the page holds: it tells whether anything is older.
    assert appointments_source == [51]


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
        lambda *, patient, limit, before=None: [],
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


# --- Paging: the full timeline asks for what is older than the last entry it showed ----------


@pytest.fixture
def moments():
    """A source of entries at given moments (aware datetimes), honouring limit and before as
    a real source does; removed after the test."""
    shown: list[datetime.datetime] = []

    def entries(*, patient, limit, before=None):
        older = sorted((m for m in shown if before is None or m < before), reverse=True)
        return [TimelineEntry(when=m, kind="appointment", title=m.isoformat()) for m in older][
            :limit
        ]

    register_source("test.moments", entries, capability=Capability.VIEW_PATIENTS)
    yield shown
    timeline._SOURCES.pop("test.moments")


def _walk(patient, user, limit):
    """Every page of the timeline, following `older` from the newest."""
    pages, before = [], None
    while True:
        page = timeline.timeline_page(patient=patient, user=user, limit=limit, before=before)
        pages.append([entry.when for entry in page.entries])
        if page.older is None:
            return pages
        assert len(pages) < 50, "the pages never end"
        before = page.older


def test_the_pages_hold_every_entry_once_newest_first(patient, practitioner, moments):
    start = timezone.now()
    moments.extend(start - datetime.timedelta(hours=hours) for hours in range(23))
    pages = _walk(patient, practitioner, limit=5)
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    walked = [when for page in pages for when in page]
    assert walked == sorted(moments, reverse=True)


def test_entries_sharing_the_moment_at_a_cut_all_go_to_the_next_page(
    patient, practitioner, moments
):
    start = timezone.now()
    # Five entries, then three at one moment straddling the cut after the sixth.
    moments.extend(start - datetime.timedelta(hours=hours) for hours in range(5))
    moments.extend([start - datetime.timedelta(hours=9)] * 3)
    moments.append(start - datetime.timedelta(hours=12))
    pages = _walk(patient, practitioner, limit=6)
    assert [len(page) for page in pages] == [5, 4]
    assert sorted(when for page in pages for when in page) == sorted(moments)


def test_a_page_that_holds_everything_has_nothing_older(patient, practitioner, moments):
    moments.extend(timezone.now() - datetime.timedelta(days=days) for days in range(4))
    page = timeline.timeline_page(patient=patient, user=practitioner, limit=4)
    assert len(page.entries) == 4
    assert page.older is None


def test_a_dated_entry_sorts_at_its_days_midnight_across_pages(patient, practitioner, moments):
    # Consultations carry a date: one on the day of an entry at 09:00, one the day before.
    day = a_while_ago(10)
    for consulted_on in (day, day - datetime.timedelta(days=1)):
        consultation = log_consultation(patient, practitioner)
        consultation.consulted_on = consulted_on
        consultation.save()
    nine = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    moments.extend([nine, nine + datetime.timedelta(hours=1)])
    pages = _walk(patient, practitioner, limit=1)
    # 10:00, 09:00, then the consultation of that day (after 09:00's cut), then the day before.
    assert pages == [
        [nine + datetime.timedelta(hours=1)],
        [nine],
        [day],
        [day - datetime.timedelta(days=1)],
    ]


def test_a_cut_at_midnight_leaves_that_days_dated_entries_for_the_next_page(patient, practitioner):
    day = a_while_ago(3)
    for consulted_on in (day, day - datetime.timedelta(days=1)):
        consultation = log_consultation(patient, practitioner)
        consultation.consulted_on = consulted_on
        consultation.save()
    midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    page = timeline.timeline_page(patient=patient, user=practitioner, before=midnight)
    assert [entry.when for entry in page.entries] == [day - datetime.timedelta(days=1)]
    later = timeline.timeline_page(
        patient=patient, user=practitioner, before=midnight + datetime.timedelta(seconds=1)
    )
    assert [entry.when for entry in later.entries] == [day, day - datetime.timedelta(days=1)]
