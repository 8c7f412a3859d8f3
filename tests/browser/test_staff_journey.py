"""The clinic manager adds a receptionist; the invitation's link sets her password; she signs
in. Screenshots of the Staff pages on a laptop and a tablet."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.conftest import VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "violet-harbour-lantern-42"


def test_manager_invites_a_receptionist_who_sets_a_password_and_signs_in(
    page: Page, live_server, login, screenshot, admin_user, practitioner
):
    login(page, "manager")
    page.get_by_role("link", name="Staff").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    expect(page.get_by_test_id("staff-dr.martin")).to_contain_text("Practitioner")

    page.get_by_test_id("staff-add").click()
    form = page.get_by_test_id("staff-add-form")
    form.get_by_label("First name").fill("Chloé")
    form.get_by_label("Last name").fill("Petit")
    form.get_by_label("Email").fill("not-an-email")
    form.get_by_label("Role").select_option(label="Receptionist")
    form.get_by_role("button", name="Add and send the invitation").click()
    expect(form.locator(".invalid-feedback")).to_contain_text("valid email")
    expect(form.get_by_label("Last name")).to_have_value("Petit")
    form.get_by_label("Email").fill("chloe.petit@example.test")
    form.get_by_role("button", name="Add and send the invitation").click()
    expect(page.locator(".alert-success")).to_contain_text("their username is chloe.petit")
    expect(page.get_by_test_id("invitation-resend")).to_be_visible()

    (message,) = mail.outbox
    link = re.search(r"https?://\S+", message.body).group(0)
    assert link.startswith(live_server.url)

    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the password").click()
    login(page, "chloe.petit", NEW_PASSWORD)
    expect(page.locator(".role-badge")).to_have_text("Receptionist")
    expect(page.get_by_role("link", name="Staff")).to_have_count(0)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_staff_screens(
    page: Page, live_server, login, screenshot, admin_user, receptionist, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "manager")
    page.goto(f"{live_server.url}/staff/")
    expect(page.get_by_test_id("staff-reception")).to_be_visible()
    screenshot(page, f"staff-list-{viewport}")
    page.goto(f"{live_server.url}/staff/add/")
    page.get_by_label("First name").fill("Chloé")
    page.get_by_role("button", name="Add and send the invitation").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    screenshot(page, f"staff-add-error-{viewport}")
    page.goto(f"{live_server.url}/staff/{receptionist.pk}/")
    page.get_by_label("Last name").fill("Moreau")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.get_by_label("Active").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("deactivated")
    screenshot(page, f"staff-detail-{viewport}")
