"""The clinic manager exports the summaries of an indication: starts the batch, watches it
being built by a real Celery worker, and downloads the zip."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.conftest import VIEWPORTS
from tests.treatments.courses import make_clinic, make_courses
from treatments.exports.models import ExportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PATIENTS = (("Amélie", "Rousseau"), ("Aurélien", "Picard"), ("Zoé", "Lambert"), ("Inès", "Faure"))


def test_manager_builds_watches_and_downloads_a_batch_of_summaries(
    page: Page, live_server, login, screenshot, celery_worker, admin_user, practitioner, settings
):
    # The batch is built by a worker process, into the media folder the live server serves.
    celery_worker(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    clinic = make_clinic(admin=admin_user, practitioner=practitioner)
    plans = make_courses(
        clinic, practitioner=practitioner, names=PATIENTS, sessions=2, reviews=False
    )
    page.set_default_timeout(15_000)
    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, "manager")

    # One plan's summary is a menu away on its page.
    page.goto(f"{live_server.url}/treatments/plans/{plans[0].pk}/")
    page.get_by_test_id("summary-pdf").click()
    menu = page.locator(".dropdown-menu.show")
    expect(menu.get_by_role("link", name="This plan")).to_have_attribute(
        "href", f"/treatments/plans/{plans[0].pk}/summary.pdf"
    )
    expect(menu.get_by_role("link", name="All plans of Amélie Rousseau")).to_be_visible()
    screenshot(page, "treatments-plan-summary-menu-laptop")

    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", name="Exports")).to_be_visible()
    expect(page.get_by_text("No batch export yet.")).to_be_visible()
    batch = page.get_by_test_id("batch-export")
    batch.get_by_label("Indication").select_option(label="Facial rejuvenation")
    screenshot(page, "treatments-exports-laptop")
    batch.get_by_role("button", name="Build the zip").click()

    # The job page follows the build by itself: queued or building, then ready.
    expect(page.locator(".alert-success")).to_contain_text("Export of 4 summaries started")
    progress = page.get_by_test_id("export-progress")
    first_state = progress.get_attribute("data-status")
    assert first_state in {"pending", "running", "ready"}
    screenshot(page, "treatments-export-progress-laptop")
    expect(progress).to_have_attribute("data-status", "ready", timeout=90_000)
    expect(page.get_by_test_id("export-count")).to_have_text("4 summaries")
    screenshot(page, "treatments-export-ready-laptop")

    with page.expect_download() as info:
        page.get_by_test_id("download-zip").click()
    download = info.value
    job = ExportJob.objects.get()
    assert download.suggested_filename == job.download_name
    with zipfile.ZipFile(download.path()) as archive:
        pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
        assert len(pdfs) == 4
        text = "\n".join(
            PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text() for name in pdfs
        )
    for first, last in PATIENTS:
        assert f"{first} {last}" in text

    # The export log, on a tablet too.
    page.goto(f"{live_server.url}/treatments/exports/")
    log = page.get_by_test_id("export-log")
    expect(log.get_by_role("link", name=f"#{job.pk}")).to_be_visible()
    expect(log.get_by_text("Ready")).to_be_visible()
    page.set_viewport_size(VIEWPORTS["tablet"])
    screenshot(page, "treatments-exports-tablet")
    page.goto(f"{live_server.url}/treatments/exports/{job.pk}/")
    screenshot(page, "treatments-export-ready-tablet")
