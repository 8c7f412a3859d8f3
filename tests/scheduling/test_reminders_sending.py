"""Sending patient emails: what an email holds, in which language, and what happens when the
mail server is down, refuses, or another worker is already sending the same message."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from patients.models import Allergy
from scheduling import services
from scheduling.models import AppointmentType, OutboxMessage
from scheduling.outbox import links
from scheduling.outbox.services import (
    outbox_record_failure,
    outbox_resend,
    outbox_send,
    outbox_sweep,
)
from scheduling.tasks import send_outbox_message
from tests.integration.smtp import free_port
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentTypeFactory
from tests.scheduling.reminder_scenes import (
    LONG_AGO,
    WEDNESDAY,
    Kind,
    Status,
    book,
    committed,
    consenting_patient,
    sweep,
)

pytestmark = pytest.mark.django_db
DASH = "\N{EN DASH}"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.CLINIC_SITE_URL = "https://clinic.example"


@pytest.fixture
def reminded(clinic, treatment, time_machine):
    """Juliette, booked long ago for Wednesday 10:00; it is Monday 10:00: her 48-hour reminder
    is due."""
    juliette = consenting_patient()
    appointment = book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"), booked_at=LONG_AGO)
    time_machine.move_to(at(MONDAY, "10:00"))
    return appointment


def test_the_reminder_is_html_and_text_with_the_appointment_the_links_and_an_ics(reminded):
    sweep()
    [email] = mail.outbox
    message = OutboxMessage.objects.get(kind=Kind.APPOINTMENT_REMINDER, status=Status.SENT)
    assert email.to == ["juliette@example.test"]
    assert email.subject == "Reminder: your appointment on Wednesday 18 March at 10:00"
    html = email.alternatives[0][0]
    for body in (email.body, html):
        assert "Hello Juliette," in body
        assert f"Wednesday 18 March 2026, 10:00{DASH}10:45" in body
        assert "Treatment session with Sophie Martin" in body
        assert "12 rue des Lilas, 75011 Paris" in body
        assert "without make-up" in body
    assert email.alternatives[0][1] == "text/html"
    # One-click links for the patient, each signed for this appointment and this time.
    for action in (links.Action.CONFIRM, links.Action.CANCEL):
        url = links.appointment_link(action, reminded)
        assert url.startswith(f"https://clinic.example/scheduling/my/{action}/")
        assert url in email.body
        assert url.replace("&", "&amp;") in html
    stop = links.stop_link(patient_id=reminded.patient_id)
    assert stop in email.body
    assert email.extra_headers["List-Unsubscribe"] == f"<{stop}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The same Message-ID on every attempt, so a copy delivered twice shows once.
    assert email.extra_headers["Message-ID"] == f"<outbox-{message.pk}@clinic.example>"

    [(filename, content, mimetype)] = email.attachments
    assert (filename, mimetype) == ("appointment.ics", "text/calendar")
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("dtstart") == reminded.start
    assert event.decoded("dtend") == reminded.end
    assert str(event["uid"]) == f"appointment-{reminded.pk}@mesoclinic"
    assert "12 rue des Lilas" in str(event["location"])


def test_a_confirmed_appointment_is_reminded_without_a_confirm_button(reminded, clinic):
    services.appointment_transition(appointment=reminded, status="confirmed", by=clinic)
    sweep()
    [email] = mail.outbox
    assert "/my/confirm/" not in email.body
    assert "You have confirmed this appointment" in email.body
    assert "/my/cancel/" in email.body


def test_emails_go_in_the_patients_language(clinic, treatment, time_machine):
    camille = consenting_patient(
        first_name="Camille", email="camille@example.test", preferred_language="fr"
    )
    book(clinic, camille, treatment, at(WEDNESDAY, "10:00"), booked_at=LONG_AGO)
    time_machine.move_to(at(MONDAY, "10:00"))
    sweep()
    [email] = mail.outbox
    assert email.subject == "Rappel : votre rendez-vous du mercredi 18 mars à 10:00"
    html = email.alternatives[0][0]
    for body in (email.body, html):
        assert "Bonjour Camille," in body
        assert f"mercredi 18 mars 2026, 10:00{DASH}10:45" in body
        assert "Séance de soin avec Sophie Martin" in body
        assert "Annuler ce rendez-vous" in body
    assert '<html lang="fr">' in html
    [event] = icalendar.Calendar.from_ical(email.attachments[0][1]).walk("VEVENT")
    assert str(event["summary"]).startswith("Séance de soin")


def test_emails_say_nothing_clinical(clinic, time_machine):
    # Everything the clinic knows about Juliette's health, and a type whose name says it.
    juliette = consenting_patient(
        current_medications="Warfarin 5 mg",
        allergy_notes="Lidocaine",
        previous_treatments="Botox 2024",
    )
    Allergy.objects.create(patient=juliette, substance="Procaine", reaction="Hives")
    hair = AppointmentTypeFactory(
        name="Hair loss PRP session", kind=AppointmentType.Kind.TREATMENT, duration_minutes=45
    )
    appointment = book(clinic, juliette, hair, at(WEDNESDAY, "10:00"), booked_at=LONG_AGO)
    type(appointment).objects.filter(pk=appointment.pk).update(note="Alopecia, 3rd session")
    time_machine.move_to(at(MONDAY, "10:00"))
    sweep()
    time_machine.move_to(at(MONDAY, "10:10"))
    [email] = mail.outbox
    everything = " ".join(
        [email.subject, email.body, email.alternatives[0][0], str(email.attachments[0][1])]
    ).lower()
    for secret in ("warfarin", "lidocaine", "botox", "procaine", "hives", "hair", "prp",
                   "alopecia", "3rd session"):  # fmt: skip
        assert secret not in everything


def test_when_the_mail_server_is_down_in_process_the_email_fails_with_the_reason(
    reminded, settings
):
    # No broker (development, these tests): nobody would retry later, so it fails at once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    sweep()
    message = OutboxMessage.objects.get(
        kind=Kind.APPOINTMENT_REMINDER, lead__gt=datetime.timedelta(hours=3)
    )
    assert message.status == Status.FAILED
    assert message.attempts == 1
    assert message.reason == "The mail server could not be reached (Connection refused)."


def test_a_failing_send_is_retried_with_a_doubling_backoff_then_failed(reminded, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BACKOFF_SECONDS = 10
    settings.OUTBOX_REQUEUE_AFTER_SECONDS = 300
    outbox_sweep()  # plans and queues; nothing runs (its commit is the test's)
    message = OutboxMessage.objects.get(status=Status.PENDING, due_at=at(MONDAY, "10:00"))
    down = ConnectionRefusedError(111, "Connection refused")
    first = outbox_record_failure(message_id=message.pk, error=down)
    second = outbox_record_failure(message_id=message.pk, error=down)
    assert (first.final, first.retry_in, second.final, second.retry_in) == (False, 10, False, 20)
    message.refresh_from_db()
    # The sweep leaves it to the retry, and only queues it again if the retry never comes.
    assert message.requeue_after == at(MONDAY, "10:00") + datetime.timedelta(seconds=20 + 300)
    assert (message.status, message.attempts) == (Status.PENDING, 2)
    assert outbox_record_failure(message_id=message.pk, error=down).final
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 3)


def test_an_address_the_server_refuses_fails_at_once(reminded, smtp_server):
    smtp_server.refuse("juliette@example.test")
    sweep()
    message = OutboxMessage.objects.get(due_at=at(MONDAY, "10:00"))
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.reason == (
        "The mail server refused the address (550 5.1.1 No such mailbox here)."
    )
    assert not smtp_server.messages


def test_a_real_smtp_server_receives_the_reminder(reminded, smtp_server):
    sweep()
    [received] = smtp_server.messages
    assert received["To"] == "juliette@example.test"
    assert received["Subject"] == "Reminder: your appointment on Wednesday 18 March at 10:00"
    assert {part.get_content_type() for part in received.walk()} >= {
        "text/plain",
        "text/html",
        "text/calendar",
    }


def test_an_unexpected_error_marks_the_message_failed_for_staff(reminded):
    outbox_sweep()
    message = OutboxMessage.objects.get(status=Status.PENDING, due_at=at(MONDAY, "10:00"))
    send_outbox_message.on_failure(
        RuntimeError("template broke"), "task-id", (message.pk,), {}, None
    )
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.reason == "Unexpected error while sending: RuntimeError('template broke')"


def test_a_sent_message_is_never_sent_again(reminded):
    sweep()
    message = OutboxMessage.objects.get(status=Status.SENT)
    assert outbox_send(message_id=message.pk) == "skipped"
    assert send_outbox_message.delay(message.pk).get() == "skipped"
    assert len(mail.outbox) == 1


def test_a_message_not_yet_due_is_not_sent(reminded):
    outbox_sweep()
    later = OutboxMessage.objects.get(status=Status.PENDING, lead=datetime.timedelta(hours=2))
    assert outbox_send(message_id=later.pk) == "skipped"
    assert not mail.outbox


def test_a_failed_message_can_be_sent_again_by_staff(reminded, settings, receptionist):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    sweep()
    message = OutboxMessage.objects.get(status=Status.FAILED)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with committed():
        outbox_resend(message=message, by=receptionist)
    message.refresh_from_db()
    assert (message.status, message.reason, message.resent_by) == (Status.SENT, "", receptionist)
    assert len(mail.outbox) == 1


def test_only_failed_messages_are_sent_again_and_never_after_the_appointment(
    reminded, receptionist, time_machine
):
    sweep()
    sent = OutboxMessage.objects.get(status=Status.SENT)
    with pytest.raises(ValidationError, match="Only an email that failed can be sent again"):
        outbox_resend(message=sent, by=receptionist)
    OutboxMessage.objects.filter(pk=sent.pk).update(status=Status.FAILED, sent_at=None)
    time_machine.move_to(at(WEDNESDAY, "10:30"))
    with pytest.raises(ValidationError, match="Not sent again: The appointment has already begun"):
        outbox_resend(message=sent, by=receptionist)
