"""The front desk's today board: a no-show asks first, can be undone when the patient walks in
late, a quick action refused because the board was stale says so and refreshes it, and a
treatment whose patient may not be treated now is marked on hold, among those running late
too."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from patients.models import Contraindication
from scheduling import clock
from scheduling.models import Appointment
from tests.browser.conftest import SCREENSHOTS, VIEWPORTS
from tests.patients.factories import ContraindicationFactory
from tests.scheduling.conftest import at, give_week
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientFactory,
    RoomFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime.datetime(2026, 3, 16, 9, 30, tzinfo=clock.clinic_tz())


@pytest.fixture
def late_patient(time_machine, practitioner, receptionist) -> Appointment:
    time_machine.move_to(NOW, tick=True)
    give_week(practitioner)
    return AppointmentFactory(
        practitioner=practitioner,
        patient=PatientFactory(first_name="Juliette", last_name="Dubois"),
        appointment_type=AppointmentTypeFactory(name="Consultation", duration_minutes=30),
        room=RoomFactory(name="Cabinet 1", position=1),
        start=at(NOW.date(), "09:00"),
    )


def test_the_desk_marks_a_no_show_undoes_it_and_is_told_when_the_board_was_stale(
    page: Page, live_server, login, screenshot, late_patient
):
    page.set_viewport_size(VIEWPORTS["tablet"])
    login(page, "reception")
    page.goto(f"{live_server.url}/scheduling/today/")
    row = page.get_by_test_id(f"today-row-{late_patient.pk}")
    no_show = row.get_by_test_id(f"no-show-{late_patient.pk}")

    # Dismissing the question changes nothing.
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    no_show.click()
    expect(no_show).to_be_visible()
    assert asked == ["Mark Juliette Dubois as a no-show?"]
    assert Appointment.objects.get(pk=late_patient.pk).status == "booked"

    page.once("dialog", lambda dialog: dialog.accept())
    no_show.click()
    after_all = row.get_by_role("button", name="Arrived after all")
    expect(after_all).to_be_visible()
    expect(row.get_by_test_id(f"no-show-{late_patient.pk}")).to_have_count(0)
    screenshot(page, "scheduling-today-no-show-tablet")
    # She walks in after all.
    after_all.click()
    expect(row.get_by_role("button", name="Start treatment")).to_be_visible()
    assert Appointment.objects.get(pk=late_patient.pk).status == "arrived"

    # Another tab cancels a second appointment; this board still offers "Arrived".
    other = AppointmentFactory(
        practitioner=late_patient.practitioner,
        patient=PatientFactory(first_name="Camille", last_name="Roux"),
        appointment_type=late_patient.appointment_type,
        room=late_patient.room,
        start=at(NOW.date(), "11:00"),
    )
    page.reload()
    Appointment.objects.filter(pk=other.pk).update(status="cancelled", cancel_reason="Rang")
    page.get_by_test_id(f"arrived-{other.pk}").click()
    board = page.get_by_test_id("today-board")
    expect(board.get_by_role("alert")).to_contain_text(
        "Camille Roux: A cancelled appointment cannot be marked arrived."
    )
    expect(page.get_by_test_id(f"arrived-{other.pk}")).to_have_count(0)
    screenshot(page, "scheduling-today-refused-tablet")


def test_the_desk_sees_a_treatment_on_hold_on_the_board_and_in_the_dialog(
    page: Page, live_server, login, screenshot, time_machine, practitioner, receptionist
):
    time_machine.move_to(NOW, tick=True)
    give_week(practitioner)
    room = RoomFactory(name="Cabinet 1", position=1)
    patient = PatientFactory(first_name="Juliette", last_name="Dubois")
    held = AppointmentFactory(
        practitioner=practitioner,
        patient=patient,
        appointment_type=AppointmentTypeFactory(name="Treatment session", duration_minutes=45),
        room=room,
        start=at(NOW.date(), "09:15"),
    )
    # Recorded after the booking, which would be refused now.
    ContraindicationFactory(
        patient=patient,
        recorded_by=practitioner,
        kind=Contraindication.Kind.PREGNANCY,
        severity=Contraindication.Severity.ABSOLUTE,
    )
    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, "reception")
    page.goto(f"{live_server.url}/scheduling/today/")
    row = page.get_by_test_id(f"today-row-{held.pk}")
    expect(row.get_by_test_id(f"on-hold-{held.pk}")).to_have_text("Treatment on hold")
    # She is late: the desk calls her, and sees the mark in that list too.
    late = page.get_by_test_id("late").get_by_test_id(f"late-{held.pk}")
    expect(late).to_contain_text("15 minutes late")
    expect(late.get_by_test_id(f"late-on-hold-{held.pk}")).to_have_text("Treatment on hold")
    screenshot(page, "scheduling-today-on-hold-laptop")
    # On a tablet the line wraps: the mark stays whole inside it.
    page.set_viewport_size(VIEWPORTS["tablet"])
    line, mark = late.bounding_box(), late.get_by_test_id(f"late-on-hold-{held.pk}").bounding_box()
    assert line and mark and mark["x"] + mark["width"] <= line["x"] + line["width"]
    screenshot(page, "scheduling-today-on-hold-tablet")
    page.set_viewport_size(VIEWPORTS["laptop"])

    row.get_by_role("link", name="Juliette Dubois").click()
    modal = page.get_by_test_id("appointment-modal")
    expect(modal.get_by_test_id("on-hold")).to_contain_text(
        "a practitioner must review the record before any injection"
    )
    expect(modal).not_to_contain_text("Pregnancy")
    page.wait_for_function(
        "() => getComputedStyle(document.getElementById('appointment-modal')).opacity === '1'"
    )
    # The viewport only: a full-page capture of a fixed dialog misplaces the backdrop.
    page.screenshot(path=str(SCREENSHOTS / "scheduling-today-on-hold-dialog-laptop.png"))

    page.goto(f"{live_server.url}/scheduling/day/?who=all")
    box = page.get_by_test_id(f"appointment-{held.pk}")
    expect(box).to_have_class(re.compile(r"\bis-on-hold\b"))
    expect(box).to_contain_text("Treatment on hold")
    screenshot(page, "scheduling-day-on-hold-laptop")

    # And on the home page, in what is next at the clinic today.
    page.goto(f"{live_server.url}/")
    panel = page.get_by_test_id("panel-today")
    badge = panel.get_by_test_id(f"panel-on-hold-{held.pk}")
    expect(badge).to_have_text("Treatment on hold")
    expect(badge).to_be_visible()
    screenshot(page, "scheduling-home-on-hold-laptop")
