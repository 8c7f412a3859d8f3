"""The other treatment pages on laptop and tablet, for review (artifacts/screenshots/): the plan
list, a proposed plan with its estimate, blocked pre-checks, the review form, and a scar plan
whose log offers the face and the body diagrams."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cocktails.choices import BodyArea, Indication
from patients.models import Contraindication
from tests.browser.conftest import VIEWPORTS
from tests.treatments.scenarios import accepted_plan, clinic, consenting_patient, start
from treatments.models import TreatmentPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pages(practitioner, admin_user):
    scene = clinic(practitioner, admin_user)
    proposed = consenting_patient(witness=admin_user, first_name="Inès", last_name="Benali")
    plan = accepted_plan(patient=proposed, practitioner=practitioner, cocktail=scene.face_glow)
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        status="proposed", accepted_at=None, accepted_estimate=None
    )
    Contraindication.objects.create(
        patient=scene.patient, kind="pregnancy", severity="absolute", recorded_by=practitioner
    )
    scene.face_glow.indication = Indication.SCARS
    scene.face_glow.save(update_fields=["indication"])
    scarred = consenting_patient(witness=admin_user, first_name="Olumide", last_name="Adeyemi")
    scars = accepted_plan(
        patient=scarred,
        practitioner=practitioner,
        cocktail=scene.face_glow,
        indication=Indication.SCARS,
        body_areas=[BodyArea.FACE, BodyArea.BACK],
        maintenance_every_days=None,
    )
    return {"blocked": scene.plan, "proposed": plan, "scars": start(scars, practitioner)}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_treatment_pages_look_right(page: Page, live_server, login, screenshot, pages, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "dr.martin")

    page.goto(f"{live_server.url}/treatments/?who=all&show=proposed")
    expect(page.get_by_test_id("plan-table")).to_contain_text("Inès Benali")
    screenshot(page, f"treatments-plan-list-{viewport}")

    page.goto(f"{live_server.url}/treatments/plans/{pages['proposed'].pk}/")
    expect(page.get_by_test_id("estimate")).to_contain_text("Estimate for the patient")
    screenshot(page, f"treatments-plan-proposed-{viewport}")

    page.goto(f"{live_server.url}/treatments/plans/{pages['blocked'].pk}/sessions/new/")
    expect(page.get_by_test_id("treatment-blocked")).to_be_visible()
    expect(page.get_by_test_id("start-session-submit")).to_be_disabled()
    screenshot(page, f"treatments-precheck-blocked-{viewport}")

    page.goto(f"{live_server.url}/treatments/sessions/{pages['scars'].pk}/log/")
    expect(page.get_by_test_id("map-face")).to_be_visible()
    page.get_by_role("button", name="Body").click()
    expect(page.get_by_test_id("map-body")).to_be_visible()
    expect(page.get_by_test_id("map-face")).to_be_hidden()
    # By keyboard: Tab to a zone, Enter adds a site there (no position: a ring on the map).
    page.locator('[data-map-editor] [data-zone="upper_back"]').focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("sites").locator("tr:not([hidden])")).to_have_count(1)
    expect(page.locator(".map-point.is-anchored")).to_have_count(1)
    screenshot(page, f"treatments-log-body-{viewport}")

    page.goto(f"{live_server.url}/treatments/plans/{pages['blocked'].pk}/outcomes/new/")
    expect(page.get_by_test_id("outcome-form")).to_be_visible()
    screenshot(page, f"treatments-review-form-{viewport}")
