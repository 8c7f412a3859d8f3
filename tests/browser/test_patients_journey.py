"""A practitioner finds a patient, logs a consultation that flags pregnancy and sees the
block on the patient page; the list and the patient page are captured on laptop and tablet."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clinic.demo import DEMO_PASSWORD
from patients.demo import MORE_PATIENTS, PEOPLE
from patients.models import Contraindication, Patient
from patients.screening import QUESTIONS
from tests.browser.conftest import VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(live_server, seed_demo):
    seed_demo()


def test_practitioner_logs_a_pregnancy_and_sees_treatment_blocked(
    page: Page, live_server, login, screenshot, demo_data
):
    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, "dr.martin", DEMO_PASSWORD)
    page.get_by_role("link", name="Patients").first.click()
    page.get_by_role("searchbox", name="Search patients").fill("oceane perr")
    results = page.get_by_test_id("patient-results")
    expect(results).to_contain_text("1 patient")
    results.get_by_role("link", name="Perrin Océane").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Océane Perrin")
    expect(page.get_by_test_id("treatment-blocked")).to_have_count(0)

    page.get_by_role("link", name="New consultation").click()
    form = page.get_by_test_id("consultation-form")
    form.locator("label[for=id_concern_facial_rejuvenation_0]").click()  # Face
    form.locator("label[for=id_expectations_realistic_0]").click()  # Realistic
    form.locator("label[for=id_pain_tolerance_4]").click()
    form.get_by_label("Goals").fill("Fresher look before the summer")
    for question in QUESTIONS:
        answer = 1 if question.key == "pregnancy" else 0
        form.locator(f"label[for=id_{question.key}_{answer}]").click()
    # The severity and note of a "yes" appear once it is ticked.
    form.get_by_label("Note about: Is the patient pregnant or breastfeeding?").fill(
        "Pregnant, 10 weeks"
    )
    # The background on record, brought up to date at the visit.
    form.get_by_label("Current medications").fill("Folic acid")
    screenshot(page, "patients-consultation-form-laptop")
    form.get_by_role("button", name="Save consultation").click()

    blocked = page.get_by_test_id("treatment-blocked")
    expect(blocked).to_be_visible()
    expect(blocked).to_contain_text("Pregnancy or breastfeeding")
    expect(page.get_by_test_id("readiness").filter(visible=True)).to_contain_text(
        "Not ready for treatment"
    )
    expect(page.get_by_test_id("timeline")).to_contain_text("Absolute contraindication")
    screenshot(page, "patients-journey-blocked-laptop")
    assert Patient.objects.get(last_name="Perrin").current_medications == "Folic acid"

    patient = Patient.objects.get(first_name="Océane", last_name="Perrin")
    item = patient.contraindications.get()
    assert item.severity == Contraindication.Severity.ABSOLUTE
    assert item.note == "Pregnant, 10 weeks"

    # The goals were misheard: corrected from the consultation, with the reason.
    consultation = patient.consultations.get()
    page.goto(f"{live_server.url}/patients/{patient.pk}/consultations/{consultation.pk}/")
    page.get_by_role("link", name="Correct").click()
    edit = page.get_by_test_id("consultation-edit-form")
    edit.get_by_label("Goals").fill("Fresher look before the wedding in June")
    edit.get_by_label("Reason for the correction").fill("Goals misheard")
    screenshot(page, "patients-consultation-correct-laptop")
    edit.get_by_role("button", name="Save the correction").click()
    expect(page.locator(".alert-success")).to_contain_text("was corrected")
    expect(page.get_by_text("Fresher look before the wedding in June")).to_be_visible()
    page.get_by_role("link", name="Change history").click()
    expect(page.get_by_test_id("change-history")).to_contain_text("Reason: Goals misheard")
    screenshot(page, "patients-history-correction-laptop")
    consultation.refresh_from_db()
    assert consultation.goals == "Fresher look before the wedding in June"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_patient_list_and_page_look_right(
    page: Page, live_server, login, screenshot, demo_data, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "dr.martin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/patients/")
    # The hand-written demo patients and the made-up ones of the practice's past.
    expect(page.get_by_test_id("patient-results")).to_contain_text(
        f"{len(PEOPLE) + MORE_PATIENTS} patients"
    )
    screenshot(page, f"patients-list-{viewport}")

    blocked = Patient.objects.get(last_name="Lefèvre")
    page.goto(f"{live_server.url}/patients/{blocked.pk}/")
    expect(page.get_by_test_id("treatment-blocked")).to_be_visible()
    screenshot(page, f"patients-detail-{viewport}")

    allergic = Patient.objects.get(last_name="Dubois")
    page.goto(f"{live_server.url}/patients/{allergic.pk}/")
    expect(page.get_by_test_id("allergy-chips")).to_be_visible()
    screenshot(page, f"patients-detail-allergy-{viewport}")


def test_receptionist_sees_contact_but_no_clinical_data(
    page: Page, live_server, login, screenshot, demo_data
):
    page.set_viewport_size(VIEWPORTS["tablet"])
    login(page, "reception", DEMO_PASSWORD)
    blocked = Patient.objects.get(last_name="Lefèvre")
    page.goto(f"{live_server.url}/patients/?q=lefevre")
    expect(page.get_by_test_id("patient-results")).not_to_contain_text("Blocked")
    page.goto(f"{live_server.url}/patients/{blocked.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Camille Lefèvre")
    expect(page.get_by_test_id("clinical-alerts")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Pregnan")
    expect(page.get_by_role("link", name="New consultation")).to_have_count(0)
    screenshot(page, "patients-detail-receptionist-tablet")


def test_receptionist_is_warned_of_a_duplicate_with_a_link(
    page: Page, live_server, login, screenshot, demo_data
):
    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, "reception", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/patients/new/")
    page.get_by_label("First name").fill("camille")
    page.get_by_label("Last name").fill("LEFEVRE")
    page.get_by_label("Date of birth").fill("1991-04-12")
    page.get_by_label("Phone").first.fill("06 12")
    page.get_by_role("button", name="Add patient").click()
    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_contain_text("Camille Lefèvre, born 12 April 1991")
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    screenshot(page, "patients-create-duplicate-laptop")
    assert Patient.objects.filter(last_name__iexact="lefevre").count() == 0
