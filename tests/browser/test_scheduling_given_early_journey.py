"""A session given two weeks early leaves its appointment booked: the front desk sees it on the
today page, cancels it from there with the reason already written, and the board clears."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from scheduling import clock
from scheduling.availability import SeriesSlot
from scheduling.models import Appointment
from scheduling.services import appointment_series_book
from tests.browser.conftest import SCREENSHOTS, VIEWPORTS
from tests.scheduling.conftest import at, give_week
from tests.scheduling.factories import AppointmentTypeFactory, RoomFactory
from tests.treatments.scenarios import clinic as treatment_clinic
from tests.treatments.scenarios import start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Monday morning. Camille's next session was booked for Monday 30 March; she came today.
NOW = datetime.datetime(2026, 3, 16, 9, 30, tzinfo=clock.clinic_tz())
TODAY = NOW.date()


@pytest.fixture
def given_early(time_machine, practitioner, receptionist, admin_user) -> Appointment:
    time_machine.move_to(NOW, tick=True)
    RoomFactory(name="Cabinet 1", position=1)
    treatment = AppointmentTypeFactory(
        name="Treatment session", kind="treatment", duration_minutes=45, gap_after_minutes=15
    )
    give_week(practitioner)
    scene = treatment_clinic(practitioner, admin_user)
    # Her next session, booked for two weeks on; she came today instead.
    slots = [SeriesSlot(at(TODAY + datetime.timedelta(weeks=2), "11:00"))]
    (later,) = appointment_series_book(
        patient=scene.patient,
        practitioner=practitioner,
        appointment_type=treatment,
        slots=slots,
        interval_days=14,
        booked_by=practitioner,
        plan=scene.plan,
    )
    start(scene.plan, practitioner, session=later.plan_session)
    return later


def test_the_desk_cancels_an_appointment_whose_session_was_given_early(
    page: Page, live_server, login, screenshot, given_early
):
    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, "reception")
    page.goto(f"{live_server.url}/scheduling/today/")
    card = page.get_by_test_id("given-early-list")
    expect(card).to_contain_text("Sessions already given")
    row = page.get_by_test_id(f"given-early-{given_early.pk}")
    expect(row).to_contain_text("Camille Roux")
    expect(row).to_contain_text("booked Mon 30 Mar, 11:00")
    expect(row).to_contain_text("given Mon 16 Mar")
    screenshot(page, "scheduling-given-early-today-laptop")

    # On the calendar the appointment is marked, not hidden; its dialog says what to do.
    page.goto(f"{live_server.url}/scheduling/?date=2026-03-30&who=all")
    box = page.get_by_test_id(f"appointment-{given_early.pk}")
    expect(box).to_have_class(re.compile(r"\bis-given-early\b"))
    expect(box).to_contain_text("Session already given")
    screenshot(page, "scheduling-given-early-week-laptop")
    box.click()
    dialog = page.get_by_test_id("appointment-modal")
    expect(dialog.get_by_test_id("given-early")).to_contain_text(
        "Session already given on Monday 16 March 2026"
    )
    page.wait_for_timeout(400)  # the dialog's fade-in, before the picture
    # The viewport only: a full-page capture of a fixed dialog misplaces the backdrop.
    page.screenshot(path=str(SCREENSHOTS / "scheduling-given-early-dialog-laptop.png"))

    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog.get_by_label("Reason")).to_have_value(
        "Session already given on Monday 16 March 2026."
    )
    page.screenshot(path=str(SCREENSHOTS / "scheduling-given-early-cancel-laptop.png"))
    dialog.get_by_role("button", name="Cancel appointment").click()
    expect(dialog).to_contain_text("Cancelled: Camille Roux with Sophie Martin on Monday 30 March")
    given_early.refresh_from_db()
    assert given_early.status == Appointment.Status.CANCELLED
    assert given_early.cancel_reason == "Session already given on Monday 16 March 2026."

    # The desk's list is clear.
    page.goto(f"{live_server.url}/scheduling/today/")
    expect(page.get_by_test_id("today-board")).to_be_visible()
    expect(page.get_by_test_id("given-early-list")).to_have_count(0)


def test_going_back_through_the_calendar_reloads_it_and_keeps_no_copy_in_the_browser(
    page: Page, live_server, login, given_early
):
    """htmx's history cache would keep the diary (patient names) in sessionStorage, and its
    restore re-inserts style attributes the CSP refuses (the autouse fixture fails the test
    on any CSP violation)."""
    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, "reception")
    page.goto(f"{live_server.url}/scheduling/?date=2026-03-30&who=all")
    expect(page.get_by_test_id(f"appointment-{given_early.pk}")).to_be_visible()
    page.get_by_test_id("cal-next").click()
    expect(page.get_by_test_id("cal-title")).to_contain_text("6\N{EN DASH}12 April")
    page.go_back()
    expect(page.get_by_test_id(f"appointment-{given_early.pk}")).to_be_visible()
    expect(page.get_by_test_id("cal-title")).to_contain_text("30 Mar")
    stored = page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
    assert "Camille" not in stored, stored
