from __future__ import annotations

import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

VIEWPORTS = {
    "laptop": {"width": 1366, "height": 850},
    "tablet": {"width": 820, "height": 1180},
}


@pytest.fixture(autouse=True)
def _no_csp_violations(page: Page):
    """Fail any journey during which the browser blocked something under the CSP."""
    blocked: list[str] = []

    def watch(message) -> None:
        if "Content Security Policy" in message.text:
            where = message.location
            blocked.append(
                f"{message.text.split('.')[0]} at {where.get('url')}:{where.get('lineNumber')}"
            )

    page.on("console", watch)
    yield
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under artifacts/screenshots/ (git-ignored) for review."""

    def take(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(live_server):
    """Sign in through the real login form."""

    def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")

    return sign_in


@pytest.fixture
def two_practitioner_week(time_machine, practitioner, other_practitioner, receptionist):
    """Monday 16 March 2026, 08:00: Dr Martin and Dr Nguyen both work the week, two rooms, a
    45-minute treatment type, and Juliette Dubois, a patient with nothing booked yet."""
    from scheduling import clock
    from tests.scheduling.conftest import give_week
    from tests.scheduling.factories import AppointmentTypeFactory, PatientFactory, RoomFactory

    time_machine.move_to(datetime.datetime(2026, 3, 16, 8, 0, tzinfo=clock.clinic_tz()), tick=True)
    RoomFactory(name="Cabinet 1", position=1)
    RoomFactory(name="Cabinet 2", position=2)
    treatment = AppointmentTypeFactory(
        name="Treatment session", kind="treatment", duration_minutes=45, gap_after_minutes=15
    )
    give_week(practitioner)
    give_week(other_practitioner)
    juliette = PatientFactory(first_name="Juliette", last_name="Dubois")
    return SimpleNamespace(treatment=treatment, juliette=juliette)


def move_clash_with_dialog(page: Page, clashes: Locator, pk: int, *, day: str, said: str) -> None:
    """Move appointment `pk` listed in `clashes` (a list of appointments to move) to 10:00 on
    `day` (YYYY-MM-DD) with the appointment's own dialog, check the dialog says `said`, close
    it, and see the list reload empty."""
    clashes.get_by_test_id(f"clash-{pk}").get_by_role("link", name="Move").click()
    dialog = page.get_by_test_id("appointment-modal")
    expect(dialog.get_by_test_id("appointment-move")).to_be_visible()
    dialog.get_by_label("New day").fill(day)
    dialog.get_by_label("New day").dispatch_event("change")
    ten = dialog.get_by_test_id("move-free-times").locator('[data-fill-time="10:00"]')
    expect(ten).to_have_count(1)
    ten.click()
    dialog.get_by_role("button", name="Move here").click()
    expect(dialog).to_contain_text(said)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".modal-backdrop")).to_have_count(0)

    # The list behind the dialog reloaded: nothing left to move.
    expect(clashes.get_by_test_id(f"clash-{pk}")).to_have_count(0)
    expect(page.get_by_test_id("no-clashes")).to_be_visible()
    expect(page.get_by_test_id("clash-total")).to_have_text("0")
