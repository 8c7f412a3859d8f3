"""The reports page on a laptop and a tablet with the demo data, for review
(artifacts/screenshots/): it loads under the CSP, shows its headline figures and every table,
and a CSV link downloads its table."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from scheduling import clock
from scheduling.reports.selectors import TABLES
from tests.browser.conftest import VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime.datetime(2026, 3, 18, 10, 50, tzinfo=clock.clinic_tz())


@pytest.fixture
def demo_clinic(time_machine, seed_demo):
    time_machine.move_to(NOW, tick=True)
    seed_demo()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_reports_page_looks_right(
    page: Page, live_server, login, screenshot, demo_clinic, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "manager", "mesoclinic-demo")

    page.goto(f"{live_server.url}/reports/")
    expect(page.get_by_test_id("report-headlines")).to_contain_text("No-show rate")
    for slug in TABLES:
        expect(page.get_by_test_id(f"table-{slug}")).to_be_visible()
    screenshot(page, f"reports-{viewport}")

    with page.expect_download() as download:
        page.get_by_test_id("csv-activity").click()
    assert download.value.suggested_filename == "activity-2025-03-to-2026-03.csv"

    page.get_by_label("From").fill("2019-01")
    page.get_by_test_id("report-show").click()
    expect(page.get_by_test_id("report-invalid")).to_be_visible()
    screenshot(page, f"reports-too-long-{viewport}")
