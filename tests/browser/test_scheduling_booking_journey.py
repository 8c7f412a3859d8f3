"""The booking page's free times follow the patient: picking a patient who is already booked
elsewhere takes that time off the list, and changing the patient puts it back."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from scheduling import clock
from tests.browser.conftest import VIEWPORTS
from tests.scheduling.conftest import at, give_week
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientFactory,
    RoomFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime.datetime(2026, 3, 16, 8, 0, tzinfo=clock.clinic_tz())
TUESDAY = datetime.date(2026, 3, 17)


def test_free_times_refresh_when_the_patient_changes(
    page: Page,
    live_server,
    login,
    screenshot,
    time_machine,
    practitioner,
    other_practitioner,
    receptionist,
):
    time_machine.move_to(NOW, tick=True)
    RoomFactory(name="Cabinet 1", position=1)
    RoomFactory(name="Cabinet 2", position=2)
    treatment = AppointmentTypeFactory(
        name="Treatment session", kind="treatment", duration_minutes=45, gap_after_minutes=15
    )
    give_week(practitioner)
    give_week(other_practitioner)
    juliette = PatientFactory(first_name="Juliette", last_name="Dubois")
    # Juliette already sees Dr Nguyen on Tuesday at 10:00.
    AppointmentFactory(
        patient=juliette,
        practitioner=other_practitioner,
        appointment_type=treatment,
        start=at(TUESDAY, "10:00"),
    )

    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, "reception")
    page.goto(
        f"{live_server.url}/scheduling/book/"
        f"?practitioner={practitioner.pk}&type={treatment.pk}&start=2026-03-17T09:00"
    )
    free = page.get_by_test_id("free-times")
    ten = free.locator('[data-fill-time="10:00"]')
    expect(ten).to_have_count(1)

    picker = page.get_by_test_id("patient-picker")
    picker.get_by_label("Search a patient").fill("juliette")
    picker.get_by_role("button", name="Juliette Dubois").click()
    expect(page.get_by_test_id("picked-patient")).to_have_text("Juliette Dubois")
    expect(ten).to_have_count(0)
    expect(free.locator('[data-fill-time="11:00"]')).to_have_count(1)
    screenshot(page, "scheduling-book-free-times-patient-laptop")

    page.get_by_role("button", name="Change").click()
    expect(ten).to_have_count(1)
