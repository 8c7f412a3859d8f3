"""Dr Martin will stop at 16:00 on Tuesdays: the clinic manager shortens her Tuesday
afternoon, slips first (the page says so at the field), saves, is told Juliette's 16:30
appointment now falls outside the hours, moves it with the appointment dialog from the same
page, and sees the list empty."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from scheduling.models import WorkingHours
from tests.browser.conftest import SCREENSHOTS, VIEWPORTS, move_clash_with_dialog
from tests.scheduling.conftest import at, en
from tests.scheduling.factories import AppointmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TUESDAY = datetime.date(2026, 3, 17)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_manager_shortens_tuesday_and_moves_the_appointment_left_outside(
    page: Page,
    live_server,
    login,
    screenshot,
    admin_user,
    practitioner,
    two_practitioner_week,
    viewport,
):
    appointment = AppointmentFactory(
        patient=two_practitioner_week.juliette,
        practitioner=practitioner,
        appointment_type=two_practitioner_week.treatment,
        start=at(TUESDAY, "16:30"),
    )
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "manager")
    page.goto(f"{live_server.url}/scheduling/")
    page.get_by_role("link", name="Hours", exact=True).click()
    row = page.get_by_test_id(f"hours-row-{practitioner.pk}")
    expect(row).to_contain_text(en("Mon-Fri 09:00-12:30, 14:00-18:30; Sat-Sun off"))
    screenshot(page, f"scheduling-working-hours-journey-{viewport}")

    row.get_by_role("link", name="Set hours").click()
    expect(page.get_by_role("heading", name="Sophie Martin's week")).to_be_visible()
    expect(page.get_by_test_id("no-clashes")).to_be_visible()

    # A slip first: 13:00 for 16:00. The page says so at the field and keeps what was typed.
    form = page.get_by_test_id("hours-form")
    form.get_by_label("Tuesday, block 2, to").fill("13:00")
    form.get_by_label("Saturday, block 1, from").fill("09:00")
    form.get_by_label("Saturday, block 1, to").fill("12:00")
    form.get_by_role("button", name="Save the week").click()
    form = page.get_by_test_id("hours-form")
    tuesday_end = form.get_by_label("Tuesday, block 2, to")
    expect(tuesday_end).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(form.get_by_test_id("hours-tuesday")).to_contain_text("The end must be after the start.")
    expect(tuesday_end).to_have_value("13:00")
    expect(form.get_by_label("Saturday, block 1, to")).to_have_value("12:00")
    assert not WorkingHours.objects.filter(practitioner=practitioner, weekday=5).exists()
    screenshot(page, f"scheduling-working-hours-errors-{viewport}")

    tuesday_end.fill("16:00")
    form.get_by_role("button", name="Save the week").click()
    expect(page.locator(".messages")).to_contain_text(
        "Sophie Martin's hours are saved. 1 booked appointment falls outside them"
    )
    expect(page.get_by_test_id("week-summary")).to_have_text(
        en(
            "Mon 09:00-12:30, 14:00-18:30; Tue 09:00-12:30, 14:00-16:00; "
            "Wed-Fri 09:00-12:30, 14:00-18:30; Sat 09:00-12:00; Sun off"
        )
    )
    clashes = page.get_by_test_id("hours-clashes")
    row = clashes.get_by_test_id(f"clash-{appointment.pk}")
    expect(row).to_contain_text("Juliette Dubois")
    expect(row).to_contain_text("16:30")
    expect(page.get_by_test_id("change-history")).to_contain_text(en("Saturday 09:00-12:00"))
    page.wait_for_load_state("networkidle")
    screenshot(page, f"scheduling-working-hours-clashes-{viewport}")

    # Move it with the appointment's own dialog (Tuesday at 10:00): the list behind empties.
    move_clash_with_dialog(
        page,
        clashes,
        appointment.pk,
        day="2026-03-17",
        said="Moved: Juliette Dubois with Sophie Martin on Tuesday 17 March",
    )
    appointment.refresh_from_db()
    assert appointment.start == at(TUESDAY, "10:00")
    page.screenshot(path=str(SCREENSHOTS / f"scheduling-working-hours-moved-{viewport}.png"))
