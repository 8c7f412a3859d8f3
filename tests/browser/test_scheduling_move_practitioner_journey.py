"""Dr Martin is off sick: the receptionist opens Juliette's appointment from the clinic's day,
gives it to Dr Nguyen in the move dialog (its free times follow the practitioner chosen), and
finds it in Dr Nguyen's column."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from scheduling.models import Appointment
from tests.browser.conftest import SCREENSHOTS
from tests.scheduling.conftest import at
from tests.scheduling.factories import (
    AppointmentFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TUESDAY = datetime.date(2026, 3, 17)
# The laptop at the desk (its usual 768 pixels high) and the tablet.
SIZES = {"laptop": {"width": 1366, "height": 768}, "tablet": {"width": 820, "height": 1180}}


@pytest.mark.parametrize("size", list(SIZES))
def test_the_desk_gives_an_appointment_to_the_other_practitioner(
    page: Page,
    live_server,
    login,
    practitioner,
    other_practitioner,
    receptionist,
    two_practitioner_week,
    size,
):
    treatment, juliette = two_practitioner_week.treatment, two_practitioner_week.juliette
    appointment = AppointmentFactory(
        patient=juliette,
        practitioner=practitioner,
        appointment_type=treatment,
        start=at(TUESDAY, "10:00"),
    )
    # Dr Martin is booked at 11:00; Dr Nguyen is free then.
    AppointmentFactory(
        practitioner=practitioner, appointment_type=treatment, start=at(TUESDAY, "11:00")
    )

    page.set_viewport_size(SIZES[size])
    login(page, "reception")
    page.goto(f"{live_server.url}/scheduling/day/?date=2026-03-17&who=all")
    expect(page.get_by_test_id("cal-head-0")).to_contain_text("Sophie Martin")
    expect(page.get_by_test_id("cal-head-1")).to_contain_text("Paul Nguyen")
    page.get_by_test_id("cal-col-0").get_by_test_id(f"appointment-{appointment.pk}").click()
    dialog = page.get_by_test_id("appointment-modal")
    dialog.get_by_role("link", name="Move").click()

    chooser = dialog.get_by_label("With")
    expect(chooser).to_have_value(str(practitioner.pk))
    free = dialog.get_by_test_id("move-free-times")
    expect(free.locator('[data-fill-time="09:00"]')).to_have_count(1)
    expect(free.locator('[data-fill-time="11:00"]')).to_have_count(0)

    chooser.select_option(label="Paul Nguyen")
    eleven = free.locator('[data-fill-time="11:00"]')
    expect(eleven).to_have_count(1)
    eleven.click()
    expect(dialog.get_by_label("New time")).to_have_value("11:00")
    # However long the list of free times, the dialog scrolls and its buttons stay in view.
    expect(dialog.get_by_role("button", name="Move here")).to_be_in_viewport()
    page.wait_for_timeout(400)  # the dialog's fade-in, before the picture
    # The viewport only: a full-page capture of a fixed dialog misplaces the backdrop.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"scheduling-move-practitioner-{size}.png"))

    dialog.get_by_role("button", name="Move here").click()
    expect(dialog).to_contain_text(
        "Moved: Juliette Dubois with Paul Nguyen on Tuesday 17 March at 11:00"
    )
    appointment.refresh_from_db()
    assert (appointment.practitioner, appointment.start) == (
        other_practitioner,
        at(TUESDAY, "11:00"),
    )
    assert appointment.history.first().history_user == receptionist
    assert appointment.status == Appointment.Status.BOOKED

    # The calendar behind the dialog refreshed: Juliette is in Dr Nguyen's column now…
    dialog.get_by_role("button", name="Close").click()
    nguyen = page.get_by_test_id("cal-col-1")
    expect(nguyen.get_by_test_id(f"appointment-{appointment.pk}")).to_contain_text("Juliette")
    expect(
        page.get_by_test_id("cal-col-0").get_by_test_id(f"appointment-{appointment.pk}")
    ).to_have_count(0)
    # …and on Dr Nguyen's own day.
    page.goto(f"{live_server.url}/scheduling/day/?date=2026-03-17&who={other_practitioner.pk}")
    expect(page.get_by_test_id(f"appointment-{appointment.pk}")).to_contain_text("Juliette")
    page.screenshot(path=str(SCREENSHOTS / f"scheduling-move-practitioner-day-{size}.png"))
