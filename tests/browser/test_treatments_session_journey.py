"""A practitioner opens today's session from the day list, passes the pre-checks, places
injection points by clicking the face diagram, records lots and volumes, and signs. The signed
session, the plan page and the log are saved as screenshots on laptop and tablet."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cocktails.models import LotUsage
from scheduling import clock
from tests.browser.conftest import VIEWPORTS
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, RoomFactory
from tests.treatments.scenarios import clinic, face_points, log_data, lots, start
from treatments import services
from treatments.models import InjectionPoint, Outcome, TreatmentSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Tuesday morning: the first session was two weeks ago, the second is booked at 10:00.
NOW = datetime.datetime(2026, 3, 17, 9, 40, tzinfo=clock.clinic_tz())
# Where to click on the face diagram, as fractions of its width and height.
CLICKS = {
    "forehead": (0.5, 0.22),
    "cheek_r": (0.31, 0.46),
    "cheek_l": (0.69, 0.46),
    "chin": (0.5, 0.64),
}


@pytest.fixture
def today_session(time_machine, practitioner, admin_user):
    time_machine.move_to(NOW - datetime.timedelta(days=14), tick=False)
    scene = clinic(practitioner, admin_user)
    first = start(scene.plan, practitioner)
    services.session_record(
        session=first,
        by=practitioner,
        data=log_data(performed_at=timezone.now()),
        points=face_points(),
        lots=lots(scene.catalogue),
    )
    services.session_sign(session=first, by=practitioner)
    services.outcome_record(
        plan=scene.plan,
        by=practitioner,
        session=TreatmentSession.objects.get(pk=first.pk),
        assessed_on=timezone.localdate(),
        gais_practitioner=3,
        gais_patient=3,
        satisfaction=4,
    )
    time_machine.move_to(NOW, tick=True)
    booked = services.plan_sessions_reserve(
        plan=scene.plan, kind="initial", count=1, booked_session_ids=[]
    )[0]
    AppointmentFactory(
        patient=scene.patient,
        practitioner=practitioner,
        room=RoomFactory(name="Cabinet 1"),
        appointment_type=AppointmentTypeFactory(name="Treatment session", kind="treatment"),
        start=clock.at(NOW.date(), datetime.time(10)),
        status="arrived",
        plan_session=booked,
    )
    return booked


def test_practitioner_logs_and_signs_todays_session(
    page: Page, live_server, login, screenshot, today_session, practitioner
):
    booked = today_session
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, "dr.martin")

    page.goto(f"{live_server.url}/treatments/today/")
    item = page.get_by_test_id("day-item").filter(has_text="Camille Roux")
    expect(item).to_contain_text("Treatment session")
    screenshot(page, "treatments-day-laptop")
    item.get_by_test_id("start-session").click()

    # The pre-checks: consent found, no contraindication; the two attestations ticked.
    expect(page.get_by_test_id("consent-check")).to_contain_text("Valid signed consent")
    page.get_by_label("I have reviewed the contraindications").check()
    page.get_by_label("Before photos are taken").check()
    page.get_by_test_id("start-session-submit").click()
    expect(page.get_by_test_id("session-form")).to_be_visible()
    assert TreatmentSession.objects.get(pk=booked.pk).status == "in_progress"

    # Four sites, placed by clicking the face.
    page.get_by_label("Depth of new sites (mm)").fill("1.5")
    page.get_by_label("Volume of new sites (ml)").fill("0.5")
    face = page.get_by_test_id("map-face").locator("svg")
    box = face.bounding_box()
    for fx, fy in CLICKS.values():
        face.click(position={"x": fx * box["width"], "y": fy * box["height"]})
    sites = page.get_by_test_id("sites").locator("tr:not([hidden])")
    expect(sites).to_have_count(4)
    zones = [sites.nth(i).get_by_role("combobox").input_value() for i in range(4)]
    assert zones == list(CLICKS)
    expect(page.locator("[data-map-editor] .map-point")).to_have_count(4)
    # One site was a misclick: remove it, then correct a volume by keyboard.
    sites.nth(3).get_by_role("button", name="Remove this site").click()
    expect(sites).to_have_count(3)
    page.get_by_label("Site 1 volume").fill("1.0")
    page.get_by_label("Total volume (ml)").fill("2")
    expect(page.locator("[data-volume-check]")).to_contain_text("matches the total")

    # The lots suggested from the cocktail, with the volumes drawn from each.
    lot_rows = page.get_by_test_id("lots").locator("tr")
    expect(lot_rows).to_have_count(2)
    page.get_by_label("Lot 1 volume").fill("2")
    page.locator("label[for='id_pain_score_4']").click()
    page.get_by_label("Needle length (mm)").fill("4")
    screenshot(page, "treatments-session-log-laptop")

    page.get_by_test_id("save-and-sign").click()
    expect(page.get_by_test_id("signed-banner")).to_be_visible()
    session = TreatmentSession.objects.get(pk=booked.pk)
    assert session.is_signed
    assert [(p.zone, str(p.volume_ml)) for p in InjectionPoint.objects.filter(session=session)] == [
        ("forehead", "1.00"),
        ("cheek_r", "0.50"),
        ("cheek_l", "0.50"),
    ]
    # Each point is stored where it was clicked, as fractions of the drawing.
    kept = list(CLICKS.values())[:3]
    for point, (fx, fy) in zip(InjectionPoint.objects.filter(session=session), kept, strict=True):
        assert abs(point.x - fx) < 0.005 and abs(point.y - fy) < 0.005
    assert LotUsage.objects.filter(reference=f"Treatment session #{session.pk}").count() == 2
    expect(page.locator(".injection-map .map-point")).to_have_count(3)
    expect(page.get_by_test_id("session-title")).to_contain_text("Session 2 of 4")
    screenshot(page, "treatments-session-signed-laptop")

    page.set_viewport_size(VIEWPORTS["tablet"])
    page.reload()
    screenshot(page, "treatments-session-signed-tablet")

    page.get_by_role("link", name="Facial rejuvenation plan").click()
    expect(page.get_by_test_id("progress")).to_contain_text("2 of 4 course sessions done")
    assert Outcome.objects.count() == 1
    screenshot(page, "treatments-plan-tablet")
    page.set_viewport_size(VIEWPORTS["laptop"])
    page.reload()
    screenshot(page, "treatments-plan-laptop")
