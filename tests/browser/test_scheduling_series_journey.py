"""A receptionist books a 6-session hair restoration course in one go, moves one session from
the week view, and the week view is saved as a screenshot."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from scheduling import clock
from scheduling.models import Appointment, AppointmentSeries
from tests.browser.conftest import VIEWPORTS
from tests.scheduling.conftest import at, give_week
from tests.scheduling.factories import AppointmentTypeFactory, PatientFactory, RoomFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Wednesday morning; the course starts next Tuesday and runs across the change to summer time.
NOW = datetime.datetime(2026, 3, 18, 9, 20, tzinfo=clock.clinic_tz())
FIRST = datetime.date(2026, 3, 24)


@pytest.fixture
def clinic(time_machine, practitioner, receptionist):
    time_machine.move_to(NOW, tick=True)
    RoomFactory(name="Cabinet 1", position=1)
    RoomFactory(name="Cabinet 2", position=2)
    AppointmentTypeFactory(
        name="Treatment session", kind="treatment", duration_minutes=45, gap_after_minutes=15
    )
    AppointmentTypeFactory(
        name="Consultation", kind="consultation", duration_minutes=30, gap_after_minutes=10
    )
    give_week(practitioner)
    return PatientFactory(first_name="Juliette", last_name="Dubois")


def test_receptionist_books_a_hair_course_and_moves_a_session(
    page: Page, live_server, login, screenshot, clinic, practitioner
):
    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, "reception")
    page.goto(f"{live_server.url}/scheduling/series/")

    # Find the patient without leaving the page.
    page.get_by_label("Search a patient").fill("dubo")
    page.get_by_role("button", name="Juliette Dubois").click()
    expect(page.get_by_test_id("picked-patient")).to_have_text("Juliette Dubois")

    page.get_by_label("Practitioner").select_option(label="Sophie Martin")
    page.get_by_label("Type").select_option(label="Treatment session")
    page.get_by_role("button", name="Hair restoration").click()
    expect(page.get_by_label("Sessions")).to_have_value("8")
    page.get_by_label("Sessions").fill("6")
    page.get_by_label("Every (days)").fill("7")
    page.get_by_label("First session").fill(FIRST.isoformat())
    page.get_by_label("Time").fill("10:00")
    page.get_by_test_id("propose").click()

    proposals = page.get_by_test_id("proposals")
    expect(proposals).to_contain_text("6 sessions")
    expect(proposals).to_contain_text("All free")
    for position in range(1, 7):
        expect(page.get_by_test_id(f"session-row-{position}")).to_contain_text("Free")
    assert not Appointment.objects.exists()
    screenshot(page, "scheduling-series-proposed-laptop")

    page.get_by_test_id("confirm-series").click()
    page.wait_for_url("**/scheduling/?date=2026-03-24*")
    expect(page.locator(".messages")).to_contain_text("Booked 6 sessions for Juliette Dubois")
    series = AppointmentSeries.objects.get()
    appointments = list(series.appointments.order_by("start"))
    assert [clock.local(a.start).strftime("%a %H:%M") for a in appointments] == ["Tue 10:00"] * 6

    # Move the first session to Wednesday afternoon from the calendar's dialog.
    first = appointments[0]
    page.get_by_test_id(f"appointment-{first.pk}").click()
    dialog = page.get_by_test_id("appointment-modal")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("session 1 of 6")
    dialog.get_by_role("link", name="Move").click()
    dialog.get_by_label("New day").fill("2026-03-25")
    dialog.get_by_label("New time").fill("14:00")
    dialog.get_by_role("button", name="Move here").click()
    expect(dialog).to_contain_text(
        "Moved: Juliette Dubois with Sophie Martin on Wednesday 25 March at 14:00"
    )
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".modal-backdrop")).to_have_count(0)

    # The calendar refreshed behind the dialog: the session now sits on Wednesday at 14:00.
    moved = page.get_by_test_id(f"appointment-{first.pk}")
    expect(moved).to_contain_text("14:00")
    expect(
        page.locator('.cal-col[data-day="2026-03-25"]').get_by_test_id(f"appointment-{first.pk}")
    ).to_be_visible()
    first.refresh_from_db()
    assert first.start == at(datetime.date(2026, 3, 25), "14:00")
    assert Appointment.objects.count() == 6
    screenshot(page, "scheduling-week-after-series-laptop")
