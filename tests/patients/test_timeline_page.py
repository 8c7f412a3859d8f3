"""The full timeline: every entry of a patient's record, 50 a page, reached from the overview
once the overview's 30 are not everything."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from tests.patients.helpers import a_while_ago, log_consultation

pytestmark = pytest.mark.django_db


def consultations(patient, practitioner, count: int) -> list[datetime.date]:
    """`count` consultations on as many days, the latest ten days ago; their days, newest
    first."""
    days = [a_while_ago(10 + index) for index in range(count)]
    for day in days:
        consultation = log_consultation(patient, practitioner)
        consultation.consulted_on = day
        consultation.save()
    return days


def shown_days(page) -> list[str]:
    return [
        line.split('datetime="')[1][:10]
        for line in page.text.splitlines()
        if '<time class="text-muted small' in line
    ]


def test_the_overview_links_to_older_entries_once_it_cannot_show_them_all(
    practitioner_client, patient, practitioner
):
    days = consultations(patient, practitioner, 31)
    page = practitioner_client.get(reverse("patients:detail", args=[patient.pk]))
    assert shown_days(page) == [day.isoformat() for day in days[:30]]
    assert 'data-testid="timeline-older"' in page.text
    # The link asks for what is older than the 30th entry: the 31st.
    href = page.text.split('data-testid="timeline-older"')[0].rsplit('href="', 1)[1]
    older = practitioner_client.get(href.split('"')[0].replace("&amp;", "&"))
    assert shown_days(older) == [days[30].isoformat()]


def test_an_overview_that_shows_everything_has_no_older_link(
    practitioner_client, patient, practitioner
):
    consultations(patient, practitioner, 30)
    page = practitioner_client.get(reverse("patients:detail", args=[patient.pk]))
    assert len(shown_days(page)) == 30
    assert "timeline-older" not in page.text
    assert reverse("patients:timeline", args=[patient.pk]) in page.text  # "Full timeline"


def test_the_full_timeline_pages_through_every_entry(practitioner_client, patient, practitioner):
    days = consultations(patient, practitioner, 62)
    url = reverse("patients:timeline", args=[patient.pk])
    first = practitioner_client.get(url)
    assert first.status_code == 200
    assert shown_days(first) == [day.isoformat() for day in days[:50]]
    assert "Newest</a>" not in first.text
    older = first.context["page"].older
    second = practitioner_client.get(url, {"before": older.isoformat()})
    assert shown_days(second) == [day.isoformat() for day in days[50:]]
    assert second.context["page"].older is None
    assert "Newest</a>" in second.text
    assert "The start of the record." in second.text


def test_a_before_typed_wrong_shows_the_newest_entries(practitioner_client, patient, practitioner):
    days = consultations(patient, practitioner, 2)
    url = reverse("patients:timeline", args=[patient.pk])
    for before in ("yesterday", "2026-13-01", "", "0001-01-01T00:00:00+14:00"):
        page = practitioner_client.get(url, {"before": before})
        assert page.status_code == 200
        assert shown_days(page) == [day.isoformat() for day in days]


def test_a_before_whose_plus_arrived_as_a_space_still_reads(
    practitioner_client, patient, practitioner
):
    days = consultations(patient, practitioner, 3)
    before = datetime.datetime.combine(days[1], datetime.time(12)).isoformat() + "+01:00"
    url = reverse("patients:timeline", args=[patient.pk])
    page = practitioner_client.get(f"{url}?before={before}")  # "+" unescaped: a space
    assert shown_days(page) == [day.isoformat() for day in days[1:]]


def test_the_receptionist_sees_no_clinical_entry(receptionist_client, patient, practitioner):
    consultations(patient, practitioner, 2)
    page = receptionist_client.get(reverse("patients:timeline", args=[patient.pk]))
    assert page.status_code == 200
    assert "Consultation" not in page.text
    assert "Nothing on the timeline yet." in page.text


def test_only_staff_who_see_patients_open_it(client, no_role_user, patient):
    url = reverse("patients:timeline", args=[patient.pk])
    assert client.get(url).status_code == 302
    client.force_login(no_role_user)
    assert client.get(url).status_code == 403


def test_opening_it_is_audited(practitioner_client, patient, practitioner):
    practitioner_client.get(reverse("patients:timeline", args=[patient.pk]))
    event = AuditEvent.objects.get(patient_id=patient.pk, action=AuditEvent.Action.VIEW)
    assert event.what == "patient timeline"
    assert event.user == practitioner


@pytest.mark.parametrize("count", [3, 60])
def test_the_full_timeline_runs_a_constant_number_of_queries(
    practitioner_client, patient, practitioner, django_assert_num_queries, count
):
    consultations(patient, practitioner, count)
    url = reverse("patients:timeline", args=[patient.pk])
    # Session, user and roles (3), the patient, the sources (consultations, their concerns and
    # contraindications, consents, plans, sessions, appointments: 7), the alerts (2), the
    # audit entry, and the session's refresh (3: savepoint, update, release).
    with django_assert_num_queries(17):
        page = practitioner_client.get(url, {"before": "2100-01-01T00:00:00+00:00"})
    assert len(shown_days(page)) == min(count, 50)
