"""The signed links in patient emails and the pages they open: no login, safe to open (only
the button acts), and a clear page for any link that was altered, expired or overtaken."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from scheduling import services
from scheduling.models import Appointment, OutboxMessage
from scheduling.outbox import links
from scheduling.outbox.links import Action, LinkExpired, LinkInvalid, LinkTarget
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.reminder_scenes import (
    LONG_AGO,
    WEDNESDAY,
    Status,
    book,
    consenting_patient,
    sweep,
)

pytestmark = pytest.mark.django_db
Booking = Appointment.Status


@pytest.fixture
def appointment(clinic, treatment):
    return book(clinic, consenting_patient(), treatment, at(WEDNESDAY, "10:00"), booked_at=LONG_AGO)


def path(action: Action, appointment: Appointment) -> str:
    return links.appointment_link(action, appointment).removeprefix(links.absolute(""))


def state(response) -> str:
    """The page's state, as its template marks it (data-state)."""
    html = response.content.decode()
    marker = 'data-state="'
    return html[html.index(marker) + len(marker) :].split('"', 1)[0]


# The tokens.


def test_a_token_reads_back_what_it_was_made_for(appointment):
    target = LinkTarget(appointment.patient_id, appointment.pk, appointment.start)
    token = links.make_token(Action.CANCEL, target)
    read = links.read_token(Action.CANCEL, token)
    assert (read.patient_id, read.appointment_id) == (appointment.patient_id, appointment.pk)
    assert read.names_time_of(appointment)


def test_a_token_for_one_action_does_not_work_for_another(appointment):
    token = links.make_token(Action.CONFIRM, LinkTarget(appointment.patient_id, appointment.pk,
                                                        appointment.start))  # fmt: skip
    with pytest.raises(LinkInvalid):
        links.read_token(Action.CANCEL, token)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: token.split(":", 1)[1],
        lambda token: "not-a-token",
        lambda token: "",
    ],
)
def test_a_tampered_token_is_refused(appointment, tamper):
    token = links.make_token(Action.CANCEL, LinkTarget(appointment.patient_id, appointment.pk,
                                                       appointment.start))  # fmt: skip
    with pytest.raises(LinkInvalid):
        links.read_token(Action.CANCEL, tamper(token))


def test_a_token_signed_with_another_key_is_refused(appointment, settings):
    forged = signing.dumps(
        {"p": appointment.patient_id, "a": appointment.pk, "s": 0},
        key="someone-elses-key",
        salt="scheduling.outbox.links.cancel",
    )
    with pytest.raises(LinkInvalid):
        links.read_token(Action.CANCEL, forged)


def test_a_token_expires_after_the_configured_days(appointment, settings, time_machine):
    settings.REMINDER_LINK_MAX_AGE_DAYS = 30
    token = links.make_token(Action.STOP, LinkTarget(appointment.patient_id))
    time_machine.move_to(at(MONDAY, "08:00") + datetime.timedelta(days=29))
    assert links.read_token(Action.STOP, token).patient_id == appointment.patient_id
    time_machine.move_to(at(MONDAY, "08:00") + datetime.timedelta(days=31))
    with pytest.raises(LinkExpired):
        links.read_token(Action.STOP, token)


# The pages.


def test_the_confirm_page_asks_first_and_confirms_on_the_button(client, appointment):
    url = path(Action.CONFIRM, appointment)
    page = client.get(url)
    assert page.status_code == 200
    assert state(page) == Booking.BOOKED
    assert "Wednesday 18 March 2026" in page.text
    assert "Treatment session with Sophie Martin" in page.text
    appointment.refresh_from_db()
    assert appointment.status == Booking.BOOKED  # opening the link changed nothing

    done = client.post(url)
    assert done.status_code == 302
    assert done["Location"] == url
    appointment.refresh_from_db()
    assert appointment.status == Booking.CONFIRMED
    again = client.get(url)
    assert state(again) == Booking.CONFIRMED
    assert "Your appointment is confirmed" in again.text
    # A second press changes nothing and still thanks the patient.
    assert client.post(url).status_code == 302


def test_the_cancel_page_frees_the_slot_with_the_reason(client, appointment, clinic):
    url = path(Action.CANCEL, appointment)
    assert state(client.get(url)) == Booking.BOOKED
    assert client.post(url).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Booking.CANCELLED
    assert appointment.cancel_reason == "Cancelled by the patient from the link in an email."
    assert appointment.history.first().history_user is None
    page = client.get(url)
    assert state(page) == "cancelled"
    assert "Your appointment is cancelled" in page.text
    # The time is free again for a booking.
    other = consenting_patient(first_name="Léa", email="lea@example.test")
    book(clinic, other, appointment.appointment_type, appointment.start)


def test_pages_speak_the_patients_language(client, appointment):
    type(appointment.patient).objects.filter(pk=appointment.patient_id).update(
        preferred_language="fr"
    )
    page = client.get(path(Action.CANCEL, appointment))
    assert '<html lang="fr">' in page.text
    assert "Annuler votre rendez-vous ?" in page.text
    assert "mercredi 18 mars 2026" in page.text


def test_an_old_link_does_not_act_on_a_moved_appointment(client, appointment, clinic):
    url = path(Action.CANCEL, appointment)
    services.appointment_move(appointment=appointment, start=at(WEDNESDAY, "15:00"), by=clinic)
    assert state(client.get(url)) == "moved"
    assert client.post(url).status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == Booking.BOOKED


def what_changed(response) -> str:
    """The moved page's sentence on what changed, as the patient reads it."""
    found = re.search(r'data-testid="what-changed">(.*?)</p>', response.content.decode(), re.S)
    return " ".join(found.group(1).split())


@pytest.mark.parametrize(
    ("to_colleague", "hhmm", "heading", "sentence"),
    [
        (
            False,
            "15:00",
            "This appointment has moved",
            "It is now at the time below. Please use the links in the most recent email we sent "
            "you.",
        ),
        (
            True,
            "10:00",
            "This appointment has changed",
            "It is now with Paul Nguyen, at the same time. Please use the links in the most "
            "recent email we sent you.",
        ),
        (
            True,
            "15:00",
            "This appointment has moved",
            "It is now at the time below, with Paul Nguyen. Please use the links in the most "
            "recent email we sent you.",
        ),
    ],
    ids=["time", "practitioner", "both"],
)
def test_an_old_link_says_what_changed_about_the_appointment(
    client, appointment, colleague, receptionist, to_colleague, hhmm, heading, sentence
):
    url = path(Action.CONFIRM, appointment)
    services.appointment_move(
        appointment=appointment,
        start=at(WEDNESDAY, hhmm),
        practitioner=colleague if to_colleague else None,
        by=receptionist,
    )
    page = client.get(url)
    assert state(page) == "moved"
    assert f'<h1 class="h4">{heading}</h1>' in page.text
    assert what_changed(page) == sentence


def test_the_change_is_said_in_the_patients_language(client, appointment, colleague, receptionist):
    type(appointment.patient).objects.filter(pk=appointment.patient_id).update(
        preferred_language="fr"
    )
    url = path(Action.CONFIRM, appointment)
    services.appointment_move(
        appointment=appointment, start=appointment.start, practitioner=colleague, by=receptionist
    )
    page = client.get(url)
    assert "Ce rendez-vous a changé" in page.text
    assert what_changed(page).startswith("Il a désormais lieu avec Paul Nguyen, au même horaire.")


def test_a_link_after_the_appointment_says_it_has_passed(client, appointment, time_machine):
    url = path(Action.CONFIRM, appointment)
    time_machine.move_to(at(WEDNESDAY, "11:00"))
    assert state(client.get(url)) == "past"
    client.post(url)
    appointment.refresh_from_db()
    assert appointment.status == Booking.BOOKED


def test_a_cancelled_appointment_cannot_be_confirmed(client, appointment, clinic):
    services.appointment_cancel(appointment=appointment, reason="Practitioner ill", by=clinic)
    url = path(Action.CONFIRM, appointment)
    page = client.get(url)
    assert state(page) == "cancelled"
    assert "This appointment was cancelled" in page.text
    client.post(url)
    appointment.refresh_from_db()
    assert appointment.status == Booking.CANCELLED


@pytest.mark.parametrize("name", ["link_confirm", "link_cancel", "link_stop"])
@pytest.mark.parametrize(
    ("token", "expected"),
    [("garbage", "invalid"), ("eyJwIjoxfQ:1vAbCd:forged-signature-xyz", "invalid")],
)
def test_bad_links_get_a_clear_page_never_an_error(client, name, token, expected):
    for method in (client.get, client.post):
        response = method(reverse(f"scheduling:{name}", kwargs={"token": token}))
        assert response.status_code == 400
        assert state(response) == expected
        assert "This link does not work" in response.text


def test_an_expired_link_says_so(client, appointment, settings, time_machine):
    url = path(Action.CANCEL, appointment)
    time_machine.move_to(at(MONDAY, "08:00") + datetime.timedelta(days=61))
    response = client.get(url)
    assert response.status_code == 400
    assert "This link has expired" in response.text


def test_a_valid_link_for_a_missing_appointment_gets_the_clear_page(client, appointment):
    gone = LinkTarget(appointment.patient_id, appointment.pk + 1000, appointment.start)
    url = reverse("scheduling:link_cancel", kwargs={"token": links.make_token(Action.CANCEL, gone)})
    assert client.get(url).status_code == 400


def test_stopping_emails_withdraws_consent_and_cancels_what_is_pending(
    client, appointment, time_machine
):
    time_machine.move_to(at(MONDAY, "10:00"))
    sweep()
    assert OutboxMessage.objects.filter(status=Status.PENDING).exists()
    url = links.stop_link(patient_id=appointment.patient_id).removeprefix(links.absolute(""))
    assert state(client.get(url)) == "subscribed"
    assert client.post(url).status_code == 302
    patient = appointment.patient
    patient.refresh_from_db()
    assert not patient.accepts_reminders
    assert patient.reminder_consent_at == LONG_AGO  # both moments are kept
    assert patient.reminder_consent_withdrawn_at == at(MONDAY, "10:00")
    pending = OutboxMessage.objects.filter(status=Status.CANCELLED).get()
    assert pending.reason == "The patient stopped emails with the link in an email."
    assert state(client.get(url)) == "stopped"


def test_one_click_unsubscribe_from_a_mail_provider_needs_no_form(appointment):
    # RFC 8058: the provider POSTs "List-Unsubscribe=One-Click" without any cookie or token.
    provider = Client(enforce_csrf_checks=True)
    url = links.stop_link(patient_id=appointment.patient_id).removeprefix(links.absolute(""))
    response = provider.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 302
    appointment.patient.refresh_from_db()
    assert not appointment.patient.accepts_reminders


def test_the_buttons_work_without_cookies(appointment):
    # A mail app's built-in browser may drop cookies: the signed link alone is enough.
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(path(Action.CONFIRM, appointment)).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Booking.CONFIRMED


def test_when_the_record_cannot_be_saved_the_patient_is_asked_to_call(
    client, appointment, time_machine
):
    time_machine.move_to(at(MONDAY, "10:00"))
    sweep()
    # A record saved long ago with a phone number today's validation refuses.
    type(appointment.patient).objects.filter(pk=appointment.patient_id).update(phone="12")
    url = links.stop_link(patient_id=appointment.patient_id).removeprefix(links.absolute(""))
    response = client.post(url)
    assert response.status_code == 200
    assert "We could not record your answer. Please call us on +33 1 23 45 67 89." in (
        response.text
    )
    # Nothing pending goes out meanwhile.
    assert not OutboxMessage.objects.filter(status=Status.PENDING).exists()
