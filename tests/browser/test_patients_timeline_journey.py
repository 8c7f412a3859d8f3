"""A practitioner opens a patient a year into her treatment: her plans are on the overview,
and the timeline leads back, page by page, to her first consultation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from patients.timeline import TimelineEntry
from tests.browser.conftest import VIEWPORTS
from tests.patients.helpers import a_while_ago, log_consultation
from tests.treatments.scenarios import clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_plans_and_the_oldest_entries_are_a_click_away(
    page: Page, live_server, login, screenshot, practitioner, admin_user
):
    scene = clinic(practitioner, admin_user)
    # 80 consultations, one a week: more than the overview's 30 and the full timeline's 50.
    for week in range(80):
        consultation = log_consultation(scene.patient, practitioner)
        consultation.consulted_on = a_while_ago(7 * week + 3)
        consultation.save()
    first = a_while_ago(7 * 79 + 3)
    first_shown = TimelineEntry(when=first, kind="consultation", title="").when_shown

    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, "dr.martin")
    page.goto(f"{live_server.url}{reverse('patients:detail', args=[scene.patient.pk])}")
    card = page.get_by_test_id("patient-plans")
    expect(card.get_by_role("link", name="Facial rejuvenation")).to_be_visible()
    expect(card).to_contain_text("Accepted")
    expect(card).to_contain_text("0 / 4 sessions")
    screenshot(page, "patients-overview-plans-laptop")

    page.get_by_test_id("timeline-older").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Camille Roux")
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("li")).to_have_count(50)
    expect(page.get_by_text("Older entries follow.")).to_be_visible()
    page.get_by_test_id("timeline-older").click()
    # The rest, down to the first consultation and the consent signed before it.
    expect(timeline).to_contain_text(first_shown)
    expect(timeline.locator("li").last).to_contain_text("Signed “General consent”")
    expect(page.get_by_text("The start of the record.")).to_be_visible()
    expect(page.get_by_test_id("timeline-older")).to_have_count(0)
    page.set_viewport_size(VIEWPORTS["tablet"])
    screenshot(page, "patients-timeline-last-page-tablet")
    page.get_by_role("link", name="Newest").click()
    # Back at the top: the plan proposed today, the latest consultation, more to come.
    expect(timeline.locator("li").first).to_contain_text("Facial rejuvenation plan")
    expect(timeline).to_contain_text(
        TimelineEntry(when=a_while_ago(3), kind="consultation", title="").when_shown
    )
    expect(page.get_by_text("Older entries follow.")).to_be_visible()
