"""Dr Martin will be at a congress on Wednesday: the receptionist records the day off, is told
Juliette's appointment that day needs moving, moves it to Thursday with the appointment
dialog from the day off's page, and sees the list empty."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from scheduling.models import TimeOff
from tests.browser.conftest import SCREENSHOTS, VIEWPORTS, move_clash_with_dialog
from tests.scheduling.conftest import at
from tests.scheduling.factories import AppointmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEDNESDAY = datetime.date(2026, 3, 18)
THURSDAY = datetime.date(2026, 3, 19)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_desk_records_a_day_off_and_moves_the_appointment_it_clashes_with(
    page: Page,
    live_server,
    login,
    screenshot,
    practitioner,
    other_practitioner,
    receptionist,
    two_practitioner_week,
    viewport,
):
    treatment, juliette = two_practitioner_week.treatment, two_practitioner_week.juliette
    appointment = AppointmentFactory(
        patient=juliette,
        practitioner=practitioner,
        appointment_type=treatment,
        start=at(WEDNESDAY, "10:00"),
    )
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "reception")
    page.goto(f"{live_server.url}/scheduling/")
    page.get_by_role("link", name="Days off").click()
    expect(page.get_by_test_id("days-off")).to_contain_text("No day off or closure is coming up")

    # A slip first: the last day before the first. The page says so at the field and keeps
    # what was typed.
    form = page.get_by_test_id("time-off-form")
    expect(form.get_by_label("Who")).not_to_contain_text("Whole clinic")
    form.get_by_label("Who").select_option(label="Sophie Martin")
    form.get_by_label("First day").fill("2026-03-18")
    form.get_by_label("Last day").fill("2026-03-17")
    form.get_by_label("Reason").fill("congress")
    form.get_by_role("button", name="Record").click()
    form = page.get_by_test_id("time-off-form")
    expect(form).to_contain_text("The last day must be on or after the first day.")
    expect(form.get_by_label("Reason")).to_have_value("congress")
    screenshot(page, f"scheduling-days-off-errors-{viewport}")

    form.get_by_label("Last day").fill("")
    form.get_by_role("button", name="Record").click()
    expect(page.locator(".messages")).to_contain_text(
        "Sophie Martin is off on Wednesday 18 March 2026 (congress): recorded. "
        "1 booked appointment needs moving"
    )
    clashes = page.get_by_test_id("time-off-clashes")
    row = clashes.get_by_test_id(f"clash-{appointment.pk}")
    expect(row).to_contain_text("Juliette Dubois")
    expect(row).to_contain_text("10:00")
    page.wait_for_load_state("networkidle")
    screenshot(page, f"scheduling-day-off-clashes-{viewport}")

    # The clinic's day marks it too.
    day_off_page = page.url
    page.goto(f"{live_server.url}/scheduling/day/?date=2026-03-18&who=all")
    box = page.get_by_test_id(f"appointment-{appointment.pk}")
    expect(box).to_have_class(re.compile(r"\bis-on-day-off\b"))
    expect(box).to_contain_text("On a day off: move it")
    screenshot(page, f"scheduling-day-off-calendar-{viewport}")
    page.goto(day_off_page)
    clashes = page.get_by_test_id("time-off-clashes")

    # Move it with the appointment's own dialog (Thursday at 10:00): the list behind empties.
    move_clash_with_dialog(
        page,
        clashes,
        appointment.pk,
        day="2026-03-19",
        said="Moved: Juliette Dubois with Sophie Martin on Thursday 19 March",
    )
    appointment.refresh_from_db()
    assert appointment.start == at(THURSDAY, "10:00")
    assert TimeOff.objects.get().history.get().history_user == receptionist
    page.screenshot(path=str(SCREENSHOTS / f"scheduling-day-off-moved-{viewport}.png"))

    # The list of days off says so too.
    page.get_by_role("link", name="Days off").first.click()
    expect(page.get_by_test_id("clash-count")).to_have_text("None booked")
    screenshot(page, f"scheduling-days-off-{viewport}")


def test_the_today_board_marks_an_appointment_on_a_day_off(
    page: Page, live_server, login, screenshot, practitioner, receptionist, two_practitioner_week
):
    """Dr Martin is off sick today: the board says so next to Juliette's 10:00."""
    appointment = AppointmentFactory(
        patient=two_practitioner_week.juliette,
        practitioner=practitioner,
        appointment_type=two_practitioner_week.treatment,
        start=at(datetime.date(2026, 3, 16), "10:00"),
    )
    today = datetime.date(2026, 3, 16)
    TimeOff.objects.create(
        practitioner=practitioner, first_day=today, last_day=today, reason="sick"
    )
    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, "reception")
    page.goto(f"{live_server.url}/scheduling/today/")
    expect(page.get_by_test_id(f"day-off-{appointment.pk}")).to_have_text(
        "On Sophie Martin's day off (sick)"
    )
    screenshot(page, "scheduling-today-day-off-laptop")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_practitioner_back_early_is_bookable_again_from_that_day(
    page: Page, live_server, login, screenshot, practitioner, receptionist, two_practitioner_week,
    viewport,
):  # fmt: skip
    """Dr Martin, off sick Monday to Thursday, is back on Wednesday: the desk says so on the
    day off's page, and the week shows her free from Wednesday."""
    off = TimeOff.objects.create(
        practitioner=practitioner,
        first_day=datetime.date(2026, 3, 16),
        last_day=THURSDAY,
        reason="sick",
    )
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "reception")
    page.goto(f"{live_server.url}/scheduling/days-off/{off.pk}/")
    card = page.get_by_test_id("back-early")
    card.get_by_label("Back on").fill("2026-03-15")
    card.get_by_role("button", name="Save the day back").click()
    card = page.get_by_test_id("back-early")
    expect(card).to_contain_text("Back on today at the earliest.")
    expect(card.get_by_label("Back on")).to_have_value("2026-03-15")
    card.get_by_label("Back on").fill("2026-03-18")
    screenshot(page, f"scheduling-day-off-back-early-{viewport}")
    card.get_by_role("button", name="Save the day back").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Sophie Martin's day off: back on Wednesday 18 March, who can be booked from then on."
    )
    expect(page.locator(".page-subtitle")).to_contain_text("Monday 16 March")
    expect(page.locator(".page-subtitle")).to_contain_text("Tuesday 17 March")
    off.refresh_from_db()
    assert off.last_day == datetime.date(2026, 3, 17)
