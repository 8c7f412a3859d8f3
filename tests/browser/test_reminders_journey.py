"""Patient emails in the browser: the front desk finds a failed email and sends it again; a
patient opens the links of a received reminder (confirm, cancel) and the cancelled slot is free
in the receptionist's calendar. Screenshots of the outbox, the patient pages and the rendered
emails, on a laptop and a tablet."""

from __future__ import annotations

import datetime
import re
from email.message import EmailMessage

import pytest
from playwright.sync_api import Page, expect

from scheduling import clock
from scheduling.models import Appointment, OutboxMessage
from scheduling.outbox.services import outbox_sweep
from tests.browser.conftest import VIEWPORTS
from tests.scheduling.conftest import at, give_week
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Wednesday morning; the appointments are tomorrow, booked weeks ago: reminders are due.
NOW = datetime.datetime(2026, 3, 18, 9, 5, tzinfo=clock.clinic_tz())
TOMORROW = datetime.date(2026, 3, 19)
PATIENTS = [
    # first name, last name, email, language, time tomorrow
    ("Juliette", "Dubois", "juliette.dubois@example.test", "en", "10:00"),
    ("Camille", "Moreau", "camille.moreau@exemple.test", "fr", "11:00"),
    ("Léa", "Laurent", "lea.laurent@example.test", "en", "14:00"),
    ("Chloé", "Simon", "chloe.simon@exemple.test", "fr", "15:00"),
]
REFUSED = "camille.moreau@exemple.test"


@pytest.fixture
def reminded(time_machine, practitioner, receptionist, smtp_server, live_server, settings):
    """Four patients' reminders went out through the mail server; it refused Camille's."""
    time_machine.move_to(NOW, tick=True)
    settings.CLINIC_SITE_URL = live_server.url
    give_week(practitioner)
    treatment = AppointmentTypeFactory(name="Hair PRP session", kind="treatment")
    appointments = {}
    for first, last, email, language, hhmm in PATIENTS:
        patient = PatientFactory(
            first_name=first,
            last_name=last,
            email=email,
            preferred_language=language,
            reminder_consent_at=NOW - datetime.timedelta(days=90),
        )
        appointments[first] = AppointmentFactory(
            patient=patient,
            practitioner=practitioner,
            appointment_type=treatment,
            start=at(TOMORROW, hhmm),
        )
    Appointment.objects.update(
        created_at=NOW - datetime.timedelta(days=21), updated_at=NOW - datetime.timedelta(days=21)
    )
    smtp_server.refuse(REFUSED)
    outbox_sweep()
    assert len(smtp_server.messages) == 3
    return appointments


def received(smtp_server, to: str) -> EmailMessage:
    return next(message for message in smtp_server.messages if message["To"] == to)


def link(message: EmailMessage, kind: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(rf"https?://\S+/my/{kind}/\S+/", text).group(0)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_front_desk_sends_a_failed_email_again(
    page: Page, login, screenshot, live_server, reminded, smtp_server, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "reception")
    page.goto(f"{live_server.url}/scheduling/today/")
    page.get_by_role("link", name="Emails", exact=True).click()
    outbox = page.get_by_test_id("outbox")
    expect(outbox).to_contain_text("Juliette Dubois")
    expect(page.locator(".outbox-filters")).to_contain_text("Failed 1")
    screenshot(page, f"reminders-outbox-{viewport}")

    page.get_by_role("link", name=re.compile("^Failed")).click()
    row = page.get_by_test_id("outbox-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Camille Moreau")
    expect(row.get_by_test_id("outbox-reason")).to_contain_text(
        "The mail server refused the address (550 5.1.1 No such mailbox here)."
    )
    screenshot(page, f"reminders-outbox-failed-{viewport}")

    # The mailbox works again: the receptionist sends the email from the list.
    smtp_server.accept(REFUSED)
    row.get_by_role("button", name="Send again").click()
    expect(page.locator(".messages")).to_contain_text(
        "The appointment reminder to Camille Moreau is on its way again."
    )
    expect(page.get_by_test_id("outbox-empty")).to_contain_text("No failed email")
    # (A long non-ASCII subject is folded onto its own header line, hence the strip.)
    subject = str(received(smtp_server, REFUSED)["Subject"]).strip()
    assert subject == "Rappel : votre rendez-vous du jeudi 19 mars à 11:00"
    message = OutboxMessage.objects.get(patient__email=REFUSED, lead=datetime.timedelta(hours=48))
    assert message.status == OutboxMessage.Status.SENT

    # The patient's page shows her emails too.
    page.goto(f"{live_server.url}/patients/{message.patient_id}/")
    panel = page.get_by_test_id("patient-emails")
    expect(panel).to_contain_text("Appointment reminder, 48 hours before")
    expect(panel).to_contain_text("Sent")
    screenshot(page, f"reminders-patient-page-{viewport}")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_patient_confirms_from_the_reminder(
    page: Page, screenshot, reminded, smtp_server, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    email = received(smtp_server, "juliette.dubois@example.test")
    # The email as the patient's mail app shows it.
    page.set_content(email.get_body(preferencelist=("html",)).get_content())
    expect(page.get_by_role("link", name="I will be there")).to_be_visible()
    screenshot(page, f"reminders-email-reminder-{viewport}")
    french = received(smtp_server, "chloe.simon@exemple.test")
    page.set_content(french.get_body(preferencelist=("html",)).get_content())
    expect(page.get_by_role("link", name="Je serai présent(e)")).to_be_visible()
    screenshot(page, f"reminders-email-reminder-fr-{viewport}")

    page.goto(link(email, "confirm"))
    expect(page.get_by_role("heading")).to_have_text("Confirm your appointment")
    expect(page.get_by_test_id("patient-visit")).to_contain_text("Thursday 19 March 2026")
    screenshot(page, f"reminders-link-confirm-{viewport}")
    page.get_by_role("button", name="Yes, I will be there").click()
    expect(page.get_by_role("heading")).to_have_text("Your appointment is confirmed")
    screenshot(page, f"reminders-link-confirmed-{viewport}")
    assert (
        reminded["Juliette"].__class__.objects.get(pk=reminded["Juliette"].pk).status == "confirmed"
    )

    page.goto(link(email, "stop-emails"))
    expect(page.get_by_role("heading")).to_have_text("Stop emails from Mesoclinic?")
    screenshot(page, f"reminders-link-stop-{viewport}")
    page.goto(link(email, "cancel")[:-12] + "tampered123/")
    expect(page.get_by_role("heading")).to_have_text("This link does not work")
    screenshot(page, f"reminders-link-invalid-{viewport}")


def test_a_patient_cancels_from_the_email_and_the_slot_is_free_for_the_front_desk(
    page: Page, login, screenshot, live_server, reminded, smtp_server
):
    page.set_viewport_size(VIEWPORTS["laptop"])
    appointment = reminded["Léa"]
    calendar = f"{live_server.url}/scheduling/day/?date={TOMORROW.isoformat()}&who=all"
    email = received(smtp_server, "lea.laurent@example.test")

    page.goto(link(email, "cancel"))
    expect(page.get_by_role("heading")).to_have_text("Cancel your appointment?")
    screenshot(page, "reminders-link-cancel-laptop")
    page.get_by_role("button", name="Cancel my appointment").click()
    expect(page.get_by_role("heading")).to_have_text("Your appointment is cancelled")
    screenshot(page, "reminders-link-cancelled-laptop")

    login(page, "reception")
    page.goto(calendar)
    expect(page.get_by_test_id(f"appointment-{reminded['Juliette'].pk}")).to_be_visible()
    expect(page.get_by_test_id(f"appointment-{appointment.pk}")).to_have_count(0)
    page.goto(f"{live_server.url}/scheduling/waitlist/")
    expect(page.get_by_test_id("freed-slots")).to_contain_text("Thu 19 Mar, 14:00")
