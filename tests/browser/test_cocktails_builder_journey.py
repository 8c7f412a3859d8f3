"""A practitioner adjusts a clinic template for a patient, is refused an ingredient the patient
is allergic to, removes it and saves: rows come and go without a page reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cocktails.models import Cocktail
from tests.browser.conftest import VIEWPORTS
from tests.cocktails.factories import AllergyFactory, PatientFactory
from tests.cocktails.scenarios import make_catalogue, make_face_glow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_practitioner_builds_a_patient_cocktail_from_a_template_and_is_refused_an_allergen(
    page: Page, live_server, login, screenshot, practitioner, viewport
):
    catalogue = make_catalogue()
    template = make_face_glow(catalogue, practitioner)
    camille = PatientFactory(first_name="Camille", last_name="Lefèvre")
    AllergyFactory(patient=camille, ingredient=catalogue.lidocaine)
    PatientFactory(first_name="Hugo", last_name="Bernard")

    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "dr.martin")
    page.goto(f"{live_server.url}/cocktails/")
    row = page.get_by_role("row").filter(has_text="Face glow")
    row.get_by_role("link", name="Use for a patient").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Build a cocktail")
    expect(page.get_by_label("Name")).to_have_value("Face glow")
    checks = page.get_by_test_id("builder-checks")
    expect(checks).to_contain_text("No safety problem found")
    expect(checks).to_contain_text("€18.00")
    # A clinic template has no lots: they are chosen once the cocktail is for a patient.
    expect(page.locator("[name=components-0-lot]")).to_be_hidden()

    # The patient is found by typing, not in a list of every patient.
    picker = page.get_by_label("For patient")
    expect(picker.get_by_role("button")).to_have_count(0)
    search = picker.get_by_label("Search a patient")
    search.fill("lefev")
    expect(picker.get_by_role("button")).to_have_count(1)
    # Enter in the search does not submit the builder (it would save before a patient is picked).
    form = page.locator("#cocktail-form")
    form.evaluate(
        "(form) => { window.__onSubmit = (event) => { window.__submitted = true;"
        " event.preventDefault(); }; form.addEventListener('submit', window.__onSubmit); }"
    )
    search.press("Enter")
    expect(picker.get_by_role("button")).to_have_count(1)
    assert page.evaluate("window.__submitted") is None
    form.evaluate("(form) => form.removeEventListener('submit', window.__onSubmit)")
    picker.get_by_role("button", name="Camille Lefèvre").click()
    expect(page.get_by_test_id("picked-patient")).to_have_text("Camille Lefèvre")
    expect(checks).to_contain_text("Allergic to")
    expect(checks).to_contain_text("Test lidocaine")
    expect(page.locator("[name=components-0-lot]")).to_be_visible()
    page.get_by_label("Name").fill("Face glow for Camille")

    # Add a row without a reload: a marker set on the page survives the htmx swap.
    page.evaluate("window.__stillHere = true")
    page.get_by_role("button", name="Add component").click()
    third = page.get_by_label("Component 3", exact=True)
    expect(third).to_be_visible()
    third.select_option(label="Test lidocaine (%)")
    expect(page.locator("[name=components-2-unit]")).to_have_value("%")
    page.locator("[name=components-2-amount]").fill("0.5")
    page.locator("[name=components-2-amount]").blur()
    expect(checks.get_by_test_id("check-refusal")).to_contain_text(
        "Refused: the patient is allergic to Test lidocaine."
    )
    assert page.evaluate("window.__stillHere") is True

    page.get_by_role("button", name="Save cocktail").click()
    refused_row = page.locator("fieldset.component-row.has-errors")
    expect(refused_row).to_contain_text("Refused: the patient is allergic to Test lidocaine.")
    screenshot(page, f"cocktails-builder-refused-{viewport}")
    assert not Cocktail.objects.filter(patient=camille).exists()

    page.evaluate("window.__stillHere = true")
    page.get_by_role("button", name="Remove component 3").click()
    expect(page.get_by_label("Component 3", exact=True)).to_have_count(0)
    expect(checks).to_contain_text("No safety problem found")
    assert page.evaluate("window.__stillHere") is True

    page.get_by_role("button", name="Save cocktail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Face glow for Camille")
    expect(page.locator(".page-kicker")).to_contain_text("Cocktail for Camille Lefèvre")
    expect(page.get_by_text("Face glow for Camille saved.")).to_be_visible()
    screenshot(page, f"cocktails-builder-saved-{viewport}")

    saved = Cocktail.objects.get(patient=camille)
    assert saved.template == template
    assert saved.current.components.count() == 2
