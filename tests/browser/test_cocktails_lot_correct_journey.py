"""The manager corrects a lot typed wrong at receipt: a refusal at its field first (fewer vials
than already used), then the correction, listed in the lot's history. The form and the lot
page with its history are captured on laptop and tablet."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from cocktails.models import Lot
from cocktails.services import lot_consume
from tests.browser.conftest import VIEWPORTS
from tests.cocktails.factories import PatientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def used_lot(admin_user, practitioner) -> Lot:
    call_command("seed_demo", stdout=StringIO())
    lot = Lot.objects.get(lot_number="HA24-118")
    for n, (first, last) in enumerate([("Camille", "Lefèvre"), ("Julien", "Moreau")]):
        lot_consume(
            lot=lot,
            quantity=2,
            patient=PatientFactory(first_name=first, last_name=last),
            practitioner=practitioner,
            used_at=timezone.now() - datetime.timedelta(days=3 - n, hours=2),
            reference=f"Session {201 + n}",
        )
    return lot


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_manager_corrects_a_mistyped_lot(
    page: Page, live_server, login, screenshot, used_lot, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "manager")
    page.goto(f"{live_server.url}/cocktails/catalogue/lots/{used_lot.pk}/")
    page.get_by_role("link", name="Correct this lot").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct lot HA24-118")

    form = page.get_by_test_id("lot-correct-form")
    expect(form.get_by_label("Lot number")).to_have_value("HA24-118")
    form.get_by_label("Lot number").fill("HA24-181")
    form.get_by_label("Vials received").fill("3")
    form.get_by_label("Reason for the correction").fill("Digits swapped at receipt")
    form.get_by_role("button", name="Save the correction").click()

    # Refused at its field, with what was typed still there.
    form = page.get_by_test_id("lot-correct-form")
    expect(form).to_contain_text("4 vial(s) of this lot have already been used")
    expect(form.get_by_label("Lot number")).to_have_value("HA24-181")
    expect(form.get_by_label("Reason for the correction")).to_have_value(
        "Digits swapped at receipt"
    )
    form.get_by_label("Vials received").fill(str(used_lot.quantity_received))
    screenshot(page, f"cocktails-lot-correct-form-{viewport}")
    form.get_by_role("button", name="Save the correction").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("HA24-181")
    expect(page.get_by_role("status")).to_contain_text("Lot HA24-181 corrected")
    history = page.get_by_test_id("change-history")
    expect(history).to_contain_text("Corrected")
    expect(history).to_contain_text("Digits swapped at receipt")
    expect(history).to_contain_text("Claire Durand")
    expect(history.locator("del", has_text="HA24-118")).to_be_visible()
    expect(history.locator("ins", has_text="HA24-181")).to_be_visible()
    screenshot(page, f"cocktails-lot-history-{viewport}")

    used_lot.refresh_from_db()
    assert (used_lot.lot_number, used_lot.quantity_left) == (
        "HA24-181",
        used_lot.quantity_received - 4,
    )
