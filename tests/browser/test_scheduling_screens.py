"""The scheduling pages on a laptop and a tablet, with a few weeks of demo appointments, saved
as screenshots for review; each must load cleanly and show its main parts."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from scheduling import clock
from tests.browser.conftest import SCREENSHOTS, VIEWPORTS
from tests.scheduling.factories import PatientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Wednesday mid-morning: the front desk has arrivals behind it and a full day ahead.
NOW = datetime.datetime(2026, 3, 18, 10, 50, tzinfo=clock.clinic_tz())
NAMES = [
    ("Juliette", "Dubois"), ("Camille", "Moreau"), ("Léa", "Laurent"), ("Chloé", "Simon"),
    ("Manon", "Michel"), ("Inès", "Lefebvre"), ("Sarah", "Leroy"), ("Emma", "Roux"),
    ("Louise", "David"), ("Alice", "Bertrand"), ("Hugo", "Morel"), ("Lucas", "Fournier"),
    ("Nathalie", "Girard"), ("Isabelle", "Bonnet"), ("Claire", "Lambert"), ("Anne", "Fontaine"),
]  # fmt: skip

PAGES = [
    ("today", "/scheduling/today/", "today-board"),
    ("day-clinic", "/scheduling/day/?who=all", "cal-grid"),
    ("day-practitioner", "/scheduling/day/?who={martin}", "cal-grid"),
    ("week-clinic", "/scheduling/?who=all", "cal-grid"),
    ("week-practitioner", "/scheduling/?who={martin}", "cal-grid"),
    ("book", "/scheduling/book/?practitioner={martin}", "booking-form"),
    ("series", "/scheduling/series/", "series-form"),
    ("waitlist", "/scheduling/waitlist/", "waitlist-entries"),
    ("days-off", "/scheduling/days-off/", "days-off"),
    ("working-hours", "/scheduling/hours/", "working-hours"),
    ("working-hours-practitioner", "/scheduling/hours/{martin}/", "saved-week"),
]


@pytest.fixture
def demo_clinic(time_machine, seed_demo):
    time_machine.move_to(NOW, tick=True)
    for first, last in NAMES:
        PatientFactory(first_name=first, last_name=last)
    seed_demo()
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="dr.martin")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_scheduling_pages_look_right(page: Page, live_server, screenshot, demo_clinic, viewport):
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("reception")
    page.get_by_label("Password").fill("mesoclinic-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_test_id("panel-today")).to_be_visible()
    screenshot(page, f"scheduling-home-{viewport}")

    for name, path, main in PAGES:
        page.goto(live_server.url + path.format(martin=demo_clinic.pk))
        expect(page.get_by_test_id(main)).to_be_visible()
        page.wait_for_load_state("networkidle")
        # It opens at its top, its tabs and title in view.
        assert page.evaluate("window.scrollY") == 0, f"{name} opened scrolled down"
        screenshot(page, f"scheduling-{name}-{viewport}")

    # A calendar item opens its dialog in place.
    page.goto(f"{live_server.url}/scheduling/day/?who=all")
    page.locator(".cal-event.status-confirmed").first.click()
    expect(page.get_by_test_id("appointment-card")).to_be_visible()
    page.wait_for_timeout(400)  # let the dialog's fade-in finish before the picture
    # The viewport only: a full-page capture of a fixed dialog misplaces the backdrop.
    page.screenshot(path=str(SCREENSHOTS / f"scheduling-dialog-{viewport}.png"))
    assert not errors, errors
