"""Each role signs in through Chromium and sees a home page for that role."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("username", "fixture", "role_label"),
    [
        ("manager", "admin_user", "Clinic manager"),
        ("dr.martin", "practitioner", "Practitioner"),
        ("reception", "receptionist", "Receptionist"),
    ],
)
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_each_role_signs_in_and_sees_its_home(
    request, page: Page, login, screenshot, username, fixture, role_label, viewport
):
    request.getfixturevalue(fixture)
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, username)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good")
    if viewport == "laptop":
        expect(page.get_by_test_id("current-user")).to_be_visible()
        expect(page.locator(".role-badge")).to_have_text(role_label)
    back_office = page.get_by_role("link", name="Back office")
    if username == "manager":
        expect(back_office.first).to_be_attached()
    else:
        expect(back_office).to_have_count(0)
    screenshot(page, f"home-{username}-{viewport}")


def test_wrong_password_shows_the_error_on_the_form(
    page: Page, live_server, practitioner, screenshot
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("dr.martin")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".alert-danger, .invalid-feedback").first).to_contain_text(
        "correct username and password"
    )
    screenshot(page, "login-error")
