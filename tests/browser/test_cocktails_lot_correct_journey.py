"""The manager corrects a lot typed wrong at receipt: a refusal at its field first (fewer vials
than already used, or a product its cocktail does not hold), then the correction, listed in the
lot's history and its full history. The form, the lot page with its history and the full
history are captured on laptop and tablet."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from cocktails.models import Cocktail, Lot
from cocktails.services import lot_consume
from tests.browser.conftest import VIEWPORTS
from tests.cocktails.factories import PatientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

User = get_user_model()


@pytest.fixture
def used_lot(admin_user, practitioner, seed_demo) -> Lot:
    seed_demo()
    lot = Lot.objects.get(lot_number="HA24-118")
    # Read again: the seed may have put back every table (tests/demo.py).
    practitioner = User.objects.get(username=practitioner.username)
    _give_two_patients(lot, practitioner, quantity=2, first_session=201)
    return lot


def _give_two_patients(lot: Lot, practitioner, *, quantity: int, first_session: int, **extra):
    """Record `quantity` vials of `lot` used for Camille Lefèvre and Julien Moreau, in the last
    few days, in sessions numbered from `first_session`."""
    for n, (first, last) in enumerate([("Camille", "Lefèvre"), ("Julien", "Moreau")]):
        lot_consume(
            lot=lot,
            quantity=quantity,
            patient=PatientFactory(first_name=first, last_name=last),
            practitioner=practitioner,
            used_at=timezone.now() - datetime.timedelta(days=3 - n, hours=2),
            reference=f"Session {first_session + n}",
            **extra,
        )


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


@pytest.fixture
def lot_in_face_glow(admin_user, practitioner, other_practitioner, seed_demo) -> Lot:
    """HA24-061 injected twice with the Face glow template (which holds Vitamin C 100 but no
    lidocaine); Dr Nguyen has left the clinic. (HA24-118 is chosen in the demo patients'
    cocktails: its product could not change at all.)"""
    seed_demo()
    # Read again: the seed may have put back every table (tests/demo.py).
    practitioner = User.objects.get(username=practitioner.username)
    other_practitioner = User.objects.get(username=other_practitioner.username)
    other_practitioner.is_active = False
    other_practitioner.save()
    lot = Lot.objects.get(lot_number="HA24-061")
    face_glow = Cocktail.objects.get(name="Face glow", patient__isnull=True)
    _give_two_patients(
        lot,
        practitioner,
        quantity=1,
        first_session=301,
        formulation=face_glow.current,
        volume_ml=Decimal("1"),
    )
    return lot


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_manager_moves_a_lot_to_the_product_on_its_box(
    page: Page, live_server, login, screenshot, lot_in_face_glow, viewport
):
    """A product the lot's cocktail does not hold is refused at its field; the one it does
    hold is accepted, with who really received the lot, and both show in the history."""
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "manager")
    page.goto(f"{live_server.url}/cocktails/catalogue/lots/{lot_in_face_glow.pk}/correct/")
    form = page.get_by_test_id("lot-correct-form")
    expect(form.get_by_label("Product")).to_have_value(str(lot_in_face_glow.product_id))
    received_by = form.get_by_label("Received by")
    expect(received_by.locator("optgroup[label='Former staff'] option")).to_have_text(
        ["Paul Nguyen"]
    )
    form.get_by_label("Product").select_option(label="Generic Lidocaine 2%")
    received_by.select_option(label="Sophie Martin")
    form.get_by_label("Reason for the correction").fill("Box label read again")
    form.get_by_role("button", name="Save the correction").click()

    form = page.get_by_test_id("lot-correct-form")
    expect(form).to_contain_text("which contains no Generic Lidocaine 2%")
    expect(form.get_by_label("Product")).to_have_class(re.compile("is-invalid"))
    expect(form.get_by_label("Received by")).to_have_value(
        str(User.objects.get(username="dr.martin").pk)
    )
    screenshot(page, f"cocktails-lot-correct-product-refused-{viewport}")

    form.get_by_label("Product").select_option(label="Mesolab Vitamin C 100")
    form.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_role("status")).to_contain_text("Lot HA24-061 corrected")
    expect(page.locator(".page-kicker")).to_contain_text("Vitamin C 100")
    history = page.get_by_test_id("change-history")
    expect(history.locator("ins", has_text="Mesolab Vitamin C 100")).to_be_visible()
    expect(history.locator("ins", has_text="Sophie Martin")).to_be_visible()
    screenshot(page, f"cocktails-lot-history-product-{viewport}")

    page.get_by_role("link", name="Full history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of lot HA24-061")
    expect(page.get_by_test_id("change-history")).to_contain_text("Box label read again")
    screenshot(page, f"cocktails-lot-full-history-{viewport}")
