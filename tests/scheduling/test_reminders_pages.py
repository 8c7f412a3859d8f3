"""The staff side of patient emails: the list with its filters, resending a failed email, the
patient page's panel, and the back office."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core import mail
from django.urls import reverse

from clinic.roles import Role
from scheduling.models import MessageKindSwitch
from tests.scheduling.reminder_scenes import (
    REFUSED,
    Kind,
    Status,
    committed,
    consenting_patient,
    reminder_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def emails(practitioner, frozen_now):
    """Make `count` reminders, each about its own appointment with Dr Martin tomorrow."""
    hours = itertools.count()
    return lambda count, **extra: reminder_rows(practitioner, hours, count, **extra)


@pytest.fixture
def url():
    return reverse("scheduling:outbox")


@pytest.mark.parametrize("role", list(Role))
def test_every_role_that_books_sees_the_emails(role_clients, frozen_now, url, role, emails):
    [failed] = emails(1, status=Status.FAILED)
    page = role_clients[role].get(url)
    assert page.status_code == 200
    assert failed.patient.full_name in page.text
    assert REFUSED in page.text
    assert "Appointment reminder, 2 hours before" in page.text
    assert "Send again" in page.text


def test_the_list_filters_by_status_and_patient(receptionist_client, frozen_now, url, emails):
    sent = emails(2)
    [failed] = emails(1, status=Status.FAILED)
    page = receptionist_client.get(url, {"status": "failed"})
    assert failed.patient.full_name in page.text
    assert sent[0].patient.full_name not in page.text
    assert page.context["counts"] == {Status.FAILED: 1, Status.PENDING: 0}
    mine = receptionist_client.get(url, {"patient": sent[1].patient_id})
    assert [row.pk for row in mine.context["rows"]] == [sent[1].pk]
    assert mine.context["patient"] == sent[1].patient


@pytest.mark.parametrize("query", [{"status": "nonsense"}, {"patient": "x"}, {"page": "-3"}])
def test_odd_filters_fall_back_to_the_whole_list(
    receptionist_client, frozen_now, url, query, emails
):
    emails(1)
    page = receptionist_client.get(url, query)
    assert page.status_code == 200
    assert len(page.context["rows"]) == 1


def test_the_list_pages_without_counting_everything(receptionist_client, frozen_now, url, emails):
    emails(51)
    first = receptionist_client.get(url)
    assert len(first.context["rows"]) == 50
    assert first.context["has_next"]
    second = receptionist_client.get(url, {"page": 2})
    assert len(second.context["rows"]) == 1
    assert not second.context["has_next"]


def test_empty_lists_say_so(receptionist_client, frozen_now, url):
    assert (
        "No failed email: everything went out."
        in receptionist_client.get(url, {"status": "failed"}).text
    )
    assert "No email to patients yet." in receptionist_client.get(url).text


@pytest.mark.parametrize("size", [2, 8])
@pytest.mark.parametrize(
    ("query", "queries"),
    # The session (read, then its refresh: 4), user and roles (2), rows (1), why the failed
    # rows shown would not be sent again (1), counts (1), kinds switched off (1); a patient
    # filter reads the patient too.
    [({}, 10), ({"status": "failed"}, 10), ({"patient": "me"}, 11)],
)
def test_the_list_runs_a_constant_number_of_queries(
    receptionist_client, frozen_now, url, django_assert_num_queries, size, query, queries, emails
):
    someone = consenting_patient()
    emails(size, status=Status.FAILED, patient=someone)
    emails(size)
    if query.get("patient") == "me":
        query = {"patient": someone.pk}
    with django_assert_num_queries(queries):
        assert receptionist_client.get(url, query).status_code == 200


def test_a_receptionist_sends_a_failed_email_again(
    receptionist_client, receptionist, frozen_now, emails
):
    [failed] = emails(1, status=Status.FAILED)
    back = reverse("patients:detail", args=[failed.patient_id])
    with committed():
        response = receptionist_client.post(
            reverse("scheduling:outbox_resend", args=[failed.pk]), {"next": back}
        )
    assert response.status_code == 302
    assert response["Location"] == back
    failed.refresh_from_db()
    assert (failed.status, failed.resent_by, failed.resent_at) == (
        Status.SENT,
        receptionist,
        frozen_now,
    )
    assert [message.to for message in mail.outbox] == [[failed.patient.email]]


@pytest.mark.parametrize("change", ["over", "cancelled"])
def test_a_failed_email_that_would_not_be_sent_again_offers_no_resend(
    receptionist_client, frozen_now, url, emails, time_machine, receptionist, change
):
    [stale, live] = emails(2, status=Status.FAILED)
    if change == "over":
        # The day after the first appointment, still before the second one.
        time_machine.move_to(stale.appointment.start + datetime.timedelta(minutes=30), tick=False)
        receptionist_client.force_login(receptionist)
    else:
        stale.appointment.status = "cancelled"
        stale.appointment.cancel_reason = "Patient unwell"
        stale.appointment.save()
    resend = reverse("scheduling:outbox_resend", args=[stale.pk])
    for page in (
        receptionist_client.get(url, {"status": "failed"}).text,
        receptionist_client.get(reverse("patients:detail", args=[stale.patient_id])).text,
    ):
        assert resend not in page
        assert "Not to be sent again:" in page
    listed = receptionist_client.get(url, {"status": "failed"}).text
    assert reverse("scheduling:outbox_resend", args=[live.pk]) in listed
    assert listed.count('data-testid="outbox-not-resendable"') == 1


def test_resending_what_did_not_fail_is_refused_with_a_message(
    receptionist_client, frozen_now, url, emails
):
    [sent] = emails(1)
    response = receptionist_client.post(
        reverse("scheduling:outbox_resend", args=[sent.pk]),
        {"next": "https://elsewhere.example/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{url}?status=failed"
    assert "Only an email that failed can be sent again." in response.text
    assert not mail.outbox


@pytest.mark.parametrize(
    "back", ["https://elsewhere.example/", "//elsewhere.example/", "Ñoño 山田", "\x00", "a" * 3000]
)
def test_resend_only_goes_back_to_a_page_of_this_site(receptionist_client, emails, url, back):
    [failed] = emails(1, status=Status.FAILED)
    response = receptionist_client.post(
        reverse("scheduling:outbox_resend", args=[failed.pk]), {"next": back}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}?status=failed"


def test_the_patient_page_shows_the_patients_emails(receptionist_client, frozen_now, emails):
    someone = consenting_patient()
    emails(2, patient=someone)
    [failed] = emails(1, status=Status.FAILED, patient=someone)
    page = receptionist_client.get(reverse("patients:detail", args=[someone.pk]))
    assert 'data-testid="patient-emails"' in page.text
    assert REFUSED in page.text
    assert reverse("scheduling:outbox_resend", args=[failed.pk]) in page.text
    assert f"{reverse('scheduling:outbox')}?patient={someone.pk}" in page.text


@pytest.mark.parametrize("size", [1, 8])
@pytest.mark.parametrize(("failed", "queries"), [(False, 10), (True, 11)])
def test_the_emails_panel_costs_the_patient_page_one_query_and_one_for_failed_emails(
    receptionist_client, emails, django_assert_num_queries, size, failed, queries
):
    someone = consenting_patient()
    emails(size, patient=someone)
    if failed:
        emails(size, status=Status.FAILED, patient=someone)
    # Session (4), user and roles (2), the patient (1), appointments on the timeline (1),
    # the emails panel (1), the audit entry for the view (1); with failed emails shown, why
    # each would or would not be sent again (1: its rules are one large CASE, about 13 ms).
    with django_assert_num_queries(queries):
        page = receptionist_client.get(reverse("patients:detail", args=[someone.pk]))
    assert page.text.count('data-testid="patient-emails"') == 1


def test_the_patient_page_says_when_a_patient_gets_no_email(receptionist_client, patient):
    page = receptionist_client.get(reverse("patients:detail", args=[patient.pk]))
    assert "No email yet. The patient has not agreed to appointment emails." in page.text


def test_the_back_office_lists_emails_and_switches_kinds(admin_client, frozen_now, emails):
    [failed] = emails(1, status=Status.FAILED)
    assert admin_client.get(reverse("admin:scheduling_outboxmessage_changelist")).status_code == 200
    switches = admin_client.get(reverse("admin:scheduling_messagekindswitch_changelist"))
    assert "Appointment reminder" in switches.text
    assert "Booking confirmation" in switches.text
    with committed():
        admin_client.post(
            reverse("admin:scheduling_outboxmessage_changelist"),
            {"action": "send_again", "_selected_action": [failed.pk]},
        )
    failed.refresh_from_db()
    assert failed.status == Status.SENT
    switch = MessageKindSwitch.objects.get(kind=Kind.CONFIRMATION)
    admin_client.post(
        reverse("admin:scheduling_messagekindswitch_change", args=[switch.pk]),
        {"is_enabled": ""},
    )
    switch.refresh_from_db()
    assert not switch.is_enabled


def test_the_list_says_which_kinds_of_email_the_clinic_switched_off(
    receptionist_client, frozen_now, url, emails
):
    emails(2)
    assert 'data-testid="switched-off"' not in receptionist_client.get(url).text
    MessageKindSwitch.objects.update_or_create(
        kind=Kind.APPOINTMENT_REMINDER, defaults={"is_enabled": False}
    )
    MessageKindSwitch.objects.update_or_create(
        kind=Kind.CONFIRMATION, defaults={"is_enabled": True}
    )
    page = receptionist_client.get(url).text
    notice = page.split('data-testid="switched-off"')[1].split("</div>")[0]
    assert "Switched off by the clinic: <strong>Appointment reminder</strong>." in notice
    assert "Booking confirmation" not in notice
