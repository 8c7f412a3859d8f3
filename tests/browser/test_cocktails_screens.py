"""The catalogue, a lot's traceability page and the builder on laptop and tablet, with the demo
catalogue: screenshots for review, and the essentials visible at each size."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from cocktails.models import Cocktail, Ingredient, Lot
from cocktails.services import formulation_freeze, lot_consume
from tests.browser.conftest import VIEWPORTS
from tests.cocktails.factories import AllergyFactory, PatientFactory
from tests.cocktails.scenarios import make_catalogue, make_face_glow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(admin_user, practitioner, other_practitioner, seed_demo):
    """The demo catalogue, stock and templates, and a few patients who received a lot."""
    seed_demo()
    User = get_user_model()
    lot = Lot.objects.get(lot_number="HA24-118")
    glow = Cocktail.objects.get(name="Face glow")
    people = [("Camille", "Lefèvre"), ("Julien", "Moreau"), ("Inès", "Girard")]
    for n, (first, last) in enumerate(people):
        patient = PatientFactory(first_name=first, last_name=last)
        lot_consume(
            lot=lot,
            quantity=1,
            patient=patient,
            practitioner=User.objects.get(username="dr.martin" if n % 2 else "dr.nguyen"),
            used_at=timezone.now() - datetime.timedelta(days=20 - 6 * n, hours=3),
            formulation=glow.current,
            volume_ml="1",
            reference=f"Session {101 + n}",
        )
    formulation_freeze(formulation=glow.current)
    camille = PatientFactory(first_name="Camille", last_name="Durand")
    AllergyFactory(patient=camille, ingredient=Ingredient.objects.get(name="Lidocaine"))
    return {"lot": lot, "glow": glow, "camille": camille}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_catalogue_lot_and_builder_pages(
    page: Page, live_server, login, screenshot, demo, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "manager")

    page.goto(f"{live_server.url}/cocktails/catalogue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingredients")
    expect(page.get_by_role("cell", name="Phosphatidylcholine")).to_be_visible()
    screenshot(page, f"cocktails-ingredients-{viewport}")

    page.get_by_role("link", name="Products").first.click()
    expect(page.get_by_text("Low stock").first).to_be_visible()
    screenshot(page, f"cocktails-products-{viewport}")

    page.get_by_role("link", name="Stock & lots").first.click()
    expect(page.get_by_text("Expires in 18 days")).to_be_visible()
    screenshot(page, f"cocktails-stock-{viewport}")

    page.goto(f"{live_server.url}/cocktails/catalogue/lots/{demo['lot'].pk}/")
    recipients = page.get_by_test_id("recipients")
    expect(recipients.get_by_role("row")).to_have_count(4)
    expect(recipients).to_contain_text("Camille Lefèvre")
    expect(page.get_by_role("link", name="Export recipients (CSV)")).to_be_visible()
    screenshot(page, f"cocktails-lot-{viewport}")

    page.goto(f"{live_server.url}/cocktails/{demo['glow'].pk}/edit/")
    expect(page.get_by_text("saving makes version 2")).to_be_visible()
    page.locator("[name=components-0-amount]").fill("0.5")
    page.locator("[name=components-0-amount]").blur()
    checks = page.get_by_test_id("builder-checks")
    expect(checks.get_by_test_id("check-warning").first).to_contain_text("below the usual")
    expect(checks.get_by_label("I have reviewed")).to_be_visible()
    screenshot(page, f"cocktails-builder-warnings-{viewport}")

    page.goto(
        f"{live_server.url}/cocktails/new/?template={demo['glow'].pk}&patient={demo['camille'].pk}"
    )
    expect(page.get_by_test_id("builder-checks")).to_contain_text("Allergic to")
    # Opened for a patient: the picker shows them chosen.
    expect(page.get_by_test_id("picked-patient")).to_have_text("Camille Durand")
    screenshot(page, f"cocktails-builder-{viewport}")


# The sizes the patient picker is reviewed at: a small laptop screen and a tablet held upright.
PICKER_VIEWPORTS = {
    "laptop": {"width": 1366, "height": 768},
    "tablet": {"width": 820, "height": 1180},
}


@pytest.mark.parametrize("viewport", list(PICKER_VIEWPORTS))
def test_the_builder_and_booking_pickers_open_alike(
    page: Page, live_server, login, screenshot, practitioner, viewport
):
    """The builder's "For patient" is the booking page's search picker: type, see the patients
    who match (with what tells namesakes apart), pick one."""
    make_face_glow(make_catalogue(), practitioner)
    for last_name, born, phone in (
        ("Lefèvre", datetime.date(1986, 3, 14), "+33 6 12 34 56 78"),
        ("Lefebvre", datetime.date(1979, 11, 2), "+33 7 98 76 54 32"),
    ):
        PatientFactory(first_name="Camille", last_name=last_name, date_of_birth=born, phone=phone)
    PatientFactory(first_name="Hugo", last_name="Bernard")
    page.set_viewport_size(PICKER_VIEWPORTS[viewport])
    login(page, "dr.martin")

    for name, path in (("builder", "/cocktails/new/"), ("booking", "/scheduling/book/")):
        page.goto(f"{live_server.url}{path}")
        picker = page.get_by_test_id("patient-picker")
        picker.get_by_label("Search a patient").fill("camille")
        expect(picker.get_by_role("button", name="Camille")).to_have_count(2)
        expect(picker).not_to_contain_text("Hugo")
        screenshot(page, f"patient-picker-{name}-open-{viewport}")

    page.goto(f"{live_server.url}/cocktails/new/")
    picker = page.get_by_test_id("patient-picker")
    picker.get_by_label("Search a patient").fill("lefebvre")
    picker.get_by_role("button", name="Camille Lefebvre").click()
    expect(page.get_by_test_id("picked-patient")).to_have_text("Camille Lefebvre")
    expect(page.get_by_test_id("builder-checks")).to_contain_text("No known allergy.")
    screenshot(page, f"patient-picker-builder-picked-{viewport}")
