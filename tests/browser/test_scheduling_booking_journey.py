"""The booking page's free times follow the patient: picking a patient who is already booked
elsewhere takes that time off the list, and changing the patient puts it back. Enter in the
patient search searches; it does not submit the booking."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from scheduling.models import Appointment
from tests.browser.conftest import VIEWPORTS
from tests.scheduling.conftest import at
from tests.scheduling.factories import (
    AppointmentFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TUESDAY = datetime.date(2026, 3, 17)


def test_free_times_refresh_when_the_patient_changes(
    page: Page,
    live_server,
    login,
    screenshot,
    practitioner,
    other_practitioner,
    two_practitioner_week,
):
    treatment, juliette = two_practitioner_week.treatment, two_practitioner_week.juliette
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


def test_enter_in_the_patient_search_searches_without_submitting_the_booking(
    page: Page, live_server, login, practitioner, two_practitioner_week
):
    treatment = two_practitioner_week.treatment
    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, "reception")
    page.goto(
        f"{live_server.url}/scheduling/book/"
        f"?practitioner={practitioner.pk}&type={treatment.pk}&start=2026-03-17T10:00"
    )
    posted: list[str] = []
    page.on(
        "request", lambda request: posted.append(request.url) if request.method == "POST" else None
    )
    # A reload would lose this marker.
    page.evaluate("window.__stillHere = true")

    picker = page.get_by_test_id("patient-picker")
    search = picker.get_by_label("Search a patient")
    search.press_sequentially("juliette")
    search.press("Enter")

    expect(picker.get_by_role("button", name="Juliette Dubois")).to_be_visible()
    assert posted == []
    assert page.evaluate("window.__stillHere") is True
    expect(page.locator(".is-invalid, .invalid-feedback")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(search).to_have_value("juliette")
    assert not Appointment.objects.exists()
