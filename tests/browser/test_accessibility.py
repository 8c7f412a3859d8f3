"""An automated accessibility check of the main screens, for each role that uses them.

axe-core (bundled by the axe-playwright-python package, so nothing is fetched at test time) is
injected by Playwright into each page, which the app's Content-Security-Policy does not see,
and runs the WCAG 2.1 A and AA rules. Any violation of impact "serious" or "critical" fails the
test, with the rule, what it asks and the selectors of the elements that break it. One browser
page per role goes through all of that role's screens, so the whole module stays quick.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from scheduling import clock
from scheduling.models import Appointment, AppointmentType
from tests.browser.conftest import VIEWPORTS
from tests.scheduling.conftest import give_week
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientFactory,
    RoomFactory,
    TimeOffFactory,
)
from tests.treatments.scenarios import clinic, signed_session, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Wednesday mid-morning: the day has arrivals behind it and appointments ahead.
NOW = datetime.datetime(2026, 3, 18, 10, 50, tzinfo=clock.clinic_tz())

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = {"serious", "critical"}
# htmx marks an element with these classes from its request until the new content has settled.
HTMX_AT_REST = (
    "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
)

# Each screen: its name, its address (formatted with the scene's keys) and the roles that use it.
ADMIN, PRACTITIONER, RECEPTIONIST = "manager", "dr.martin", "reception"
EVERYONE = (ADMIN, PRACTITIONER, RECEPTIONIST)
CLINICAL = (ADMIN, PRACTITIONER)
SCREENS: list[tuple[str, str, tuple[str, ...]]] = [
    ("home", "/", EVERYONE),
    ("patient list", "/patients/", EVERYONE),
    ("patient page", "/patients/{patient}/", EVERYONE),
    ("consultation form", "/patients/{patient}/consultations/new/", CLINICAL),
    ("treatment plan", "/treatments/plans/{plan}/", CLINICAL),
    ("session log form", "/treatments/sessions/{session}/log/", CLINICAL),
    ("today board", "/scheduling/today/", EVERYONE),
    ("day calendar", "/scheduling/day/?who=all", EVERYONE),
    ("week calendar", "/scheduling/?who=all", EVERYONE),
    ("booking form", "/scheduling/book/?practitioner={martin}", EVERYONE),
    ("series form", "/scheduling/series/", EVERYONE),
    ("lot list", "/cocktails/catalogue/lots/", CLINICAL),
    ("lot page", "/cocktails/catalogue/lots/{lot}/", CLINICAL),
    ("cocktail builder", "/cocktails/{cocktail}/edit/", CLINICAL),
    ("reports", "/reports/", (ADMIN,)),
    ("staff", "/staff/", (ADMIN,)),
    ("days off", "/scheduling/days-off/", EVERYONE),
    ("hours", "/scheduling/hours/", EVERYONE),
    ("hours of a practitioner", "/scheduling/hours/{martin}/", EVERYONE),
    ("email switches", "/scheduling/emails/switches/", (ADMIN,)),
]

_axe = Axe()


def axe_failures(page: Page, context: dict[str, Any] | None = None) -> list[str]:
    """The serious and critical WCAG 2.1 A/AA violations on the page as it is now, one
    readable line per rule followed by the selectors of the elements that break it."""
    results = _axe.run(page, context=context, options=AXE_OPTIONS).response
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"]:
            checks = node["any"] + node["all"] + node["none"]
            why = f": {checks[0]['message']}" if checks else ""
            lines.append(f"      {' '.join(str(part) for part in node['target'])}{why}")
    return lines


def audit(page: Page, base_url: str, screens: list[tuple[str, str]]) -> str:
    """Visit each screen and return the report of what axe found on them ('' when nothing)."""
    report = []
    for name, path in screens:
        response = page.goto(base_url + path)
        assert response is not None
        assert response.ok, f"{name} ({path}) answered {response.status}"
        # Let htmx load and settle what the page asks for on load (the booking form's free
        # times): quicker than waiting for the network to stay idle for half a second.
        page.wait_for_function(HTMX_AT_REST)
        failures = axe_failures(page)
        if failures:
            report.append(f"{name} ({path}):\n" + "\n".join(failures))
    return "\n".join(report)


@pytest.fixture
def scene(time_machine, admin_user, practitioner, other_practitioner, receptionist):
    """A clinic day: two practitioners at work, two rooms, the catalogue and a patient with an
    accepted plan, one signed session (so the lot has a recipient) and one started, appointments
    today in the states the board and the calendars draw differently, and a day off ahead."""
    time_machine.move_to(NOW, tick=True)
    treatments = clinic(practitioner, admin_user)
    signed_session(treatments, practitioner)
    session = start(treatments.plan, practitioner)
    rooms = [RoomFactory(name="Cabinet 1", position=1), RoomFactory(name="Cabinet 2", position=2)]
    treatment = AppointmentTypeFactory(name="Treatment session")
    consultation = AppointmentTypeFactory(
        name="Consultation", kind=AppointmentType.Kind.CONSULTATION, duration_minutes=30
    )
    for who in (practitioner, other_practitioner):
        give_week(who)
    today = NOW.date()
    day = [
        (treatments.patient, practitioner, treatment, "09:00", Appointment.Status.COMPLETED),
        (PatientFactory(first_name="Inès", last_name="Benali"), practitioner, consultation,
         "10:30", Appointment.Status.ARRIVED),
        (PatientFactory(first_name="Hugo", last_name="Morel"), other_practitioner, treatment,
         "11:00", Appointment.Status.CONFIRMED),
        (PatientFactory(first_name="Sarah", last_name="Leroy"), other_practitioner, treatment,
         "09:00", Appointment.Status.NO_SHOW),
        (PatientFactory(first_name="Léa", last_name="Laurent"), other_practitioner, consultation,
         "14:00", Appointment.Status.BOOKED),
    ]  # fmt: skip
    for n, (patient, who, kind, hhmm, status) in enumerate(day):
        hours, minutes = (int(part) for part in hhmm.split(":"))
        AppointmentFactory(
            patient=patient,
            practitioner=who,
            room=rooms[n % 2],
            appointment_type=kind,
            start=clock.at(today, datetime.time(hours, minutes)),
            status=status,
        )
    TimeOffFactory(
        practitioner=other_practitioner,
        first_day=today + datetime.timedelta(days=7),
        last_day=today + datetime.timedelta(days=9),
    )
    return SimpleNamespace(
        keys={
            "patient": treatments.patient.pk,
            "plan": treatments.plan.pk,
            "session": session.pk,
            "martin": practitioner.pk,
            "lot": treatments.catalogue.ha_lot.pk,
            "cocktail": treatments.face_glow.pk,
        }
    )


# Every role on a laptop; the clinic manager, who sees every screen, on a tablet too.
@pytest.mark.parametrize(
    ("username", "viewport"), [(username, "laptop") for username in EVERYONE] + [(ADMIN, "tablet")]
)
def test_main_screens_have_no_serious_accessibility_violations(
    page: Page, live_server, login, scene, username, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, username)
    screens = [
        (name, path.format(**scene.keys)) for name, path, roles in SCREENS if username in roles
    ]
    report = audit(page, live_server.url, screens)
    if viewport == "tablet":
        # There the navigation is a menu that opens over the page.
        page.get_by_role("button", name="Open navigation").click()
        expect(page.locator("#sidebar.show:not(.showing)")).to_be_visible()
        if failures := axe_failures(page):
            report += "\nthe navigation menu, open:\n" + "\n".join(failures)
    assert not report, (
        f"axe-core found accessibility violations as {username} on a {viewport}:\n{report}"
    )


def test_login_page_has_no_serious_accessibility_violations(page: Page, live_server):
    page.set_viewport_size(VIEWPORTS["laptop"])
    report = audit(page, live_server.url, [("login", "/accounts/login/")])
    assert not report, f"axe-core found accessibility violations signed out:\n{report}"


def test_the_audit_reports_an_unlabelled_field(page: Page, live_server):
    """The check itself works under the app's CSP: a field without a label, added to a real
    page, is reported with its rule and selector."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        """() => {
            const field = document.createElement('input');
            field.id = 'nameless';
            document.querySelector('form').append(field);
        }"""
    )
    failures = "\n".join(axe_failures(page))
    assert "label: Form elements must have labels" in failures
    assert "#nameless" in failures
