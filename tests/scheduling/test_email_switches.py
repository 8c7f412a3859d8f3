"""The clinic manager's email switches: the page, switching a kind off and on, and what the
outbox then sends (the real sweep and send tasks, run in-process)."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core import mail
from django.urls import reverse

from clinic.roles import Role
from scheduling.models import MessageKindSwitch, OutboxMessage
from scheduling.outbox.selectors import SWITCHED_OFF
from scheduling.outbox.services import message_kind_switch
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.reminder_scenes import (
    LONG_AGO,
    THURSDAY,
    WEDNESDAY,
    Kind,
    Status,
    book,
    consenting_patient,
    reminder_rows,
    rows,
    sweep,
)

pytestmark = pytest.mark.django_db
LIST = reverse("scheduling:email_switches:list")


def switch_url(kind: str) -> str:
    return reverse("scheduling:email_switches:switch", args=[kind])


def post_switch(client, kind: str, state: str):
    """Switch as the page's button does; the page it lands on, with its message."""
    return client.post(switch_url(kind), {"state": state}, follow=True)


def move_to(time_machine, when: datetime.datetime, *signed_in) -> None:
    """Move the clock; each (client, user) signs in again, its session idle for too long."""
    time_machine.move_to(when, tick=False)
    for client, user in signed_in:
        client.force_login(user)


def said(page) -> list[str]:
    return [str(message) for message in page.context["messages"]]


def row_of(page, kind: str):
    return next(row for row in page.context["rows"] if row.kind == kind)


@pytest.fixture
def waiting(practitioner):
    """Make `count` reminders waiting to be sent, each about its own appointment."""
    hours = itertools.count()
    return lambda count: reminder_rows(practitioner, hours, count, status=Status.PENDING)


@pytest.fixture
def juliette(db):
    return consenting_patient()


# Who may.


def test_only_the_clinic_manager_sees_the_switches(role_clients, client, frozen_now):
    for role, role_client in role_clients.items():
        expected = 200 if role is Role.ADMIN else 403
        assert role_client.get(LIST).status_code == expected, role
    anonymous = client.get(LIST)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.RECEPTIONIST])
def test_staff_who_are_not_the_manager_cannot_switch_a_kind(role_clients, frozen_now, role):
    response = role_clients[role].post(switch_url(Kind.APPOINTMENT_REMINDER), {"state": "off"})
    assert response.status_code == 403
    assert MessageKindSwitch.objects.get(kind=Kind.APPOINTMENT_REMINDER).is_enabled


def test_anonymous_switching_is_sent_to_login(client, frozen_now):
    response = client.post(switch_url(Kind.APPOINTMENT_REMINDER), {"state": "off"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert MessageKindSwitch.objects.get(kind=Kind.APPOINTMENT_REMINDER).is_enabled


def test_a_get_does_not_switch_anything(admin_client, frozen_now):
    response = admin_client.get(switch_url(Kind.APPOINTMENT_REMINDER), {"state": "off"})
    assert response.status_code == 405
    assert MessageKindSwitch.objects.get(kind=Kind.APPOINTMENT_REMINDER).is_enabled


def test_the_navigation_and_the_emails_page_link_the_switches_for_the_manager_only(
    admin_client, receptionist_client, frozen_now
):
    link = f'href="{LIST}"'
    assert link in admin_client.get(reverse("home")).text
    assert link in admin_client.get(reverse("scheduling:outbox")).text
    assert link not in receptionist_client.get(reverse("home")).text
    assert link not in receptionist_client.get(reverse("scheduling:outbox")).text


def test_the_emails_page_sends_the_manager_to_the_switches_to_turn_a_kind_back_on(
    admin_client, receptionist_client, admin_user, frozen_now
):
    message_kind_switch(kind=Kind.APPOINTMENT_REMINDER, enabled=False, by=admin_user)
    for client in (admin_client, receptionist_client):
        page = client.get(reverse("scheduling:outbox")).text
        notice = page.split('data-testid="switched-off"')[1].split("</div>\n</div>")[0]
        assert "Appointment reminder" in notice
        assert "back office" not in notice
    manager_notice = admin_client.get(reverse("scheduling:outbox")).text
    assert f'back on under <a href="{LIST}">Email switches</a>' in manager_notice


# The page.


def test_the_page_lists_every_kind_with_when_it_goes_its_state_and_waiting_emails(
    admin_client, waiting, frozen_now, settings
):
    settings.REMINDER_LEAD_HOURS = [24.0, 1.0]
    settings.REMINDER_AFTERCARE_HOURS_AFTER = 36
    waiting(3)
    MessageKindSwitch.objects.filter(kind=Kind.RESULTS_REVIEW).update(is_enabled=False)
    page = admin_client.get(LIST)
    assert [row.kind for row in page.context["rows"]] == list(Kind)
    reminders = row_of(page, Kind.APPOINTMENT_REMINDER)
    # The figures are the settings', read when the page is shown.
    assert (
        reminders.when == "24 and 1 hour before each appointment, unless it was booked after that."
    )
    assert row_of(page, Kind.AFTERCARE_CHECK_IN).when.startswith(
        "36 hours after a signed treatment session"
    )
    assert (reminders.is_enabled, reminders.waiting) == (True, 3)
    assert row_of(page, Kind.CONFIRMATION).waiting == 0
    # Never switched off: no change to show.
    assert row_of(page, Kind.CONFIRMATION).changed_at is None
    assert not row_of(page, Kind.RESULTS_REVIEW).is_enabled
    html = page.text
    for kind in Kind:
        assert kind.label in html
    reminder_row = html.split(f'data-testid="switch-{Kind.APPOINTMENT_REMINDER}"')[1]
    assert "24 and 1 hour before each appointment" in reminder_row.split("</tr>")[0]
    assert "Switch off" in reminder_row.split("</tr>")[0]
    results_row = html.split(f'data-testid="switch-{Kind.RESULTS_REVIEW}"')[1].split("</tr>")[0]
    assert "Switch on" in results_row
    confirmation_row = html.split(f'data-testid="switch-{Kind.CONFIRMATION}"')[1]
    assert "No change recorded" in confirmation_row.split("</tr>")[0]


def test_the_page_says_who_changed_a_kind_last_and_when(admin_client, admin_user, time_machine):
    time_machine.move_to(at(MONDAY, "09:30"), tick=False)
    post_switch(admin_client, Kind.MAINTENANCE_DUE, "off")
    page = admin_client.get(LIST)
    row = row_of(page, Kind.MAINTENANCE_DUE)
    assert (row.changed_at, row.changed_by) == (at(MONDAY, "09:30"), admin_user)
    cell = page.text.split(f'data-testid="switch-{Kind.MAINTENANCE_DUE}"')[1].split("</tr>")[0]
    assert "16 Mar 2026, 09:30" in cell
    assert "Claire Durand" in cell


@pytest.mark.parametrize("size", [2, 12])
def test_the_page_runs_a_constant_number_of_queries(
    admin_client, admin_user, waiting, frozen_now, django_assert_num_queries, size
):
    waiting(size)
    message_kind_switch(kind=Kind.CONFIRMATION, enabled=False, by=admin_user)
    message_kind_switch(kind=Kind.CONFIRMATION, enabled=True, by=admin_user)
    # The session (4), user and roles (2); the switches with what their history says (1), the
    # versions that last changed them with who did (1), the waiting emails by kind (1).
    with django_assert_num_queries(9):
        page = admin_client.get(LIST)
    assert row_of(page, Kind.APPOINTMENT_REMINDER).waiting == size


# Switching off.


def test_switching_off_cancels_the_waiting_emails_and_says_how_many(
    admin_client, waiting, frozen_now
):
    made = waiting(3)
    page = post_switch(admin_client, Kind.APPOINTMENT_REMINDER, "off")
    assert said(page) == [
        "Appointment reminder emails are off. The 3 waiting emails of this kind will not be sent."
    ]
    assert not row_of(page, Kind.APPOINTMENT_REMINDER).is_enabled
    assert row_of(page, Kind.APPOINTMENT_REMINDER).waiting == 0
    for message in made:
        message.refresh_from_db()
        assert (message.status, message.reason) == (Status.CANCELLED, SWITCHED_OFF)


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (
            1,
            "Appointment reminder emails are off. The 1 waiting email of this kind will not be "
            "sent.",
        ),
        (0, "Appointment reminder emails are off. None was waiting to be sent."),
    ],
)
def test_the_message_counts_the_waiting_emails(admin_client, waiting, frozen_now, count, message):
    waiting(count)
    # Another kind's waiting email is no concern of this switch.
    other = waiting(1)[0]
    OutboxMessage.objects.filter(pk=other.pk).update(kind=Kind.CONFIRMATION, lead=None)
    assert said(post_switch(admin_client, Kind.APPOINTMENT_REMINDER, "off")) == [message]
    assert OutboxMessage.objects.get(pk=other.pk).status == Status.PENDING


def test_switching_a_kind_to_the_state_it_is_in_changes_nothing(admin_client, frozen_now):
    versions = MessageKindSwitch.history.filter(kind=Kind.CONFIRMATION).count()
    page = post_switch(admin_client, Kind.CONFIRMATION, "on")
    assert said(page) == ["Booking confirmation emails were already on."]
    assert MessageKindSwitch.history.filter(kind=Kind.CONFIRMATION).count() == versions


def test_the_switch_is_kept_in_the_history_with_who_made_it(admin_client, admin_user, frozen_now):
    post_switch(admin_client, Kind.AFTERCARE_CHECK_IN, "off")
    post_switch(admin_client, Kind.AFTERCARE_CHECK_IN, "on")
    switch = MessageKindSwitch.objects.get(kind=Kind.AFTERCARE_CHECK_IN)
    assert (switch.is_enabled, switch.changed_by) == (True, admin_user)
    versions = MessageKindSwitch.history.filter(kind=Kind.AFTERCARE_CHECK_IN)
    off, on = list(versions.order_by("history_id"))[-2:]
    assert (off.is_enabled, off.changed_by, off.history_user) == (False, admin_user, admin_user)
    assert (on.is_enabled, on.changed_by, on.history_user) == (True, admin_user, admin_user)
    assert on.history_date == at(MONDAY, "08:00")


def test_a_kind_without_a_row_is_on_and_can_be_switched_off(admin_client, frozen_now):
    MessageKindSwitch.objects.filter(kind=Kind.RESULTS_REVIEW).delete()
    assert row_of(admin_client.get(LIST), Kind.RESULTS_REVIEW).is_enabled
    post_switch(admin_client, Kind.RESULTS_REVIEW, "off")
    assert not MessageKindSwitch.objects.get(kind=Kind.RESULTS_REVIEW).is_enabled


@pytest.mark.parametrize("kind", ["nonsense", "CONFIRMATION", "a" * 300])
def test_an_unknown_kind_gets_a_clear_message(admin_client, frozen_now, kind):
    switches = list(MessageKindSwitch.objects.values_list("kind", "is_enabled"))
    page = post_switch(admin_client, kind, "off")
    assert page.status_code == 200
    assert said(page) == [f"There is no kind of patient email called “{kind[:60]}”."]
    assert list(MessageKindSwitch.objects.values_list("kind", "is_enabled")) == switches


@pytest.mark.parametrize("data", [{}, {"state": "maybe"}])
def test_a_switch_without_on_or_off_gets_a_clear_message(admin_client, frozen_now, data):
    page = admin_client.post(switch_url(Kind.CONFIRMATION), data, follow=True)
    assert said(page) == ["Choose whether to switch this kind of email on or off."]
    assert MessageKindSwitch.objects.get(kind=Kind.CONFIRMATION).is_enabled


# What the outbox then sends.


def test_a_waiting_email_of_a_kind_switched_off_is_not_sent_by_the_sweep(
    admin_client, clinic, juliette, treatment, time_machine
):
    book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"))
    sweep()
    assert rows() == [(Kind.CONFIRMATION, Status.PENDING, rows()[0][2])]
    time_machine.move_to(at(MONDAY, "08:05"), tick=False)
    page = post_switch(admin_client, Kind.CONFIRMATION, "off")
    assert "The 1 waiting email of this kind will not be sent." in said(page)[0]
    # Its time comes, then the reminders': the sweep sends these, never the confirmation.
    time_machine.move_to(at(MONDAY, "10:00"), tick=False)
    sweep()
    sweep()
    assert [email.subject.startswith("Reminder") for email in mail.outbox] == [True]
    confirmation = OutboxMessage.objects.get(kind=Kind.CONFIRMATION)
    assert (confirmation.status, confirmation.reason) == (Status.CANCELLED, SWITCHED_OFF)


def test_switching_on_says_only_what_is_due_from_now_on_goes_and_sends_nothing_old(
    admin_client, admin_user, clinic, juliette, treatment, time_machine
):
    post_switch(admin_client, Kind.CONFIRMATION, "off")
    book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"))
    sweep()
    # The confirmation would have gone at 08:10, while the kind was off.
    move_to(time_machine, at(MONDAY, "09:00"), (admin_client, admin_user))
    page = post_switch(admin_client, Kind.CONFIRMATION, "on")
    assert said(page) == [
        "Booking confirmation emails are on again. Only those due from now on will go: none "
        "whose time came while they were off is sent."
    ]
    sweep()
    time_machine.move_to(at(MONDAY, "09:30"), tick=False)
    sweep()
    assert not mail.outbox
    assert not OutboxMessage.objects.filter(kind=Kind.CONFIRMATION).exists()
    # What is booked from now on is confirmed as usual.
    book(clinic, juliette, treatment, at(THURSDAY, "10:00"))
    time_machine.move_to(at(MONDAY, "09:40"), tick=False)
    sweep()
    [email] = mail.outbox
    assert "Thursday 19 March at 10:00" in email.subject


def test_a_switch_made_in_the_back_office_follows_the_same_rule(
    admin_client, admin_user, clinic, juliette, treatment, time_machine
):
    book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"), booked_at=LONG_AGO)
    switch = MessageKindSwitch.objects.get(kind=Kind.APPOINTMENT_REMINDER)
    change = reverse("admin:scheduling_messagekindswitch_change", args=[switch.pk])
    admin_client.post(change, {"is_enabled": ""})
    # The 48-hour reminder's time (Monday 10:00) comes while reminders are off.
    move_to(time_machine, at(MONDAY, "12:00"), (admin_client, admin_user))
    sweep()
    admin_client.post(change, {"is_enabled": "on"})
    sweep()
    assert not mail.outbox
    assert [(row.lead, row.status) for row in OutboxMessage.objects.all()] == [
        (datetime.timedelta(hours=2), Status.PENDING)
    ]
    # The page names who switched it in the back office, from the history.
    row = row_of(admin_client.get(LIST), Kind.APPOINTMENT_REMINDER)
    assert (row.changed_at, row.changed_by) == (at(MONDAY, "12:00"), admin_user)


def test_switching_off_in_the_back_office_cancels_the_waiting_emails_at_once(
    admin_client, admin_user, waiting, frozen_now
):
    waiting(2)
    switch = MessageKindSwitch.objects.get(kind=Kind.APPOINTMENT_REMINDER)
    change = reverse("admin:scheduling_messagekindswitch_change", args=[switch.pk])
    assert admin_client.post(change, {"is_enabled": ""}).status_code == 302
    # No sweep has run: the service cancelled them, as the app's page does.
    assert (
        list(OutboxMessage.objects.values_list("status", "reason"))
        == [(Status.CANCELLED, SWITCHED_OFF)] * 2
    )
    switch.refresh_from_db()
    assert (switch.is_enabled, switch.changed_by) == (False, admin_user)


def test_a_switch_added_in_the_back_office_goes_through_the_service(
    admin_client, admin_user, frozen_now
):
    MessageKindSwitch.objects.filter(kind=Kind.RESULTS_REVIEW).delete()
    response = admin_client.post(
        reverse("admin:scheduling_messagekindswitch_add"), {"kind": Kind.RESULTS_REVIEW}
    )
    assert response.status_code == 302
    switch = MessageKindSwitch.objects.get(kind=Kind.RESULTS_REVIEW)
    assert (switch.is_enabled, switch.changed_by) == (False, admin_user)
