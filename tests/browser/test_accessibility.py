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
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Locator, Page, expect

from patients.models import Contraindication
from patients.services import photo_upload
from scheduling import clock
from scheduling.models import Appointment, AppointmentType, OutboxMessage
from scheduling.outbox.links import Action, LinkTarget, make_token
from tests.browser.conftest import VIEWPORTS
from tests.patients.factories import AllergyFactory, ContraindicationFactory
from tests.patients.helpers import jpeg_with_gps, log_consultation, upload
from tests.scheduling.conftest import give_week
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientFactory,
    RoomFactory,
    TimeOffFactory,
    WaitlistEntryFactory,
)
from tests.treatments.factories import AdverseEventFactory
from tests.treatments.scenarios import clinic, signed_session, start
from treatments.exports.models import ExportJob

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
    ("password change", "/accounts/password/", EVERYONE),
    ("password changed", "/accounts/password/done/", EVERYONE),
    # Patients.
    ("patient list", "/patients/", EVERYONE),
    ("new patient form", "/patients/new/", EVERYONE),
    ("patient page", "/patients/{patient}/", EVERYONE),
    ("patient details form", "/patients/{patient}/details/", EVERYONE),
    ("patient clinical form", "/patients/{patient}/clinical/", CLINICAL),
    ("patient history", "/patients/{patient}/history/", CLINICAL),
    ("patient timeline", "/patients/{patient}/timeline/", CLINICAL),
    ("consultation form", "/patients/{patient}/consultations/new/", CLINICAL),
    ("consultation", "/patients/{patient}/consultations/{consultation}/", CLINICAL),
    ("consultation edit", "/patients/{patient}/consultations/{consultation}/edit/", CLINICAL),
    (
        "contraindication resolve",
        "/patients/{patient}/contraindications/{contraindication}/resolve/",
        CLINICAL,
    ),
    ("allergy form", "/patients/{patient}/allergies/new/", CLINICAL),
    ("allergy remove", "/patients/{patient}/allergies/{allergy}/remove/", CLINICAL),
    ("consent form", "/patients/{patient}/consents/new/", CLINICAL),
    ("consent", "/patients/{patient}/consents/{consent}/", CLINICAL),
    ("consent withdraw", "/patients/{patient}/consents/{consent}/withdraw/", CLINICAL),
    ("photos", "/patients/{patient}/photos/", CLINICAL),
    ("photo upload", "/patients/{patient}/photos/new/", CLINICAL),
    ("photo compare", "/patients/{patient}/photos/compare/", CLINICAL),
    ("photo remove", "/patients/{patient}/photos/{photo}/remove/", CLINICAL),
    # Treatments.
    ("treatment plans", "/treatments/", CLINICAL),
    ("treatments today", "/treatments/today/", CLINICAL),
    ("new plan form", "/treatments/plans/new/?patient={patient}", CLINICAL),
    ("treatment plan", "/treatments/plans/{plan}/", CLINICAL),
    ("plan edit", "/treatments/plans/{plan}/edit/", CLINICAL),
    ("plan stop", "/treatments/plans/{plan}/stop/", CLINICAL),
    ("session pre-checks", "/treatments/plans/{plan}/sessions/new/", CLINICAL),
    ("outcome form", "/treatments/plans/{plan}/outcomes/new/", CLINICAL),
    # Only the practitioner giving the session logs it: the manager is sent to its record.
    ("session log form", "/treatments/sessions/{session}/log/", (PRACTITIONER,)),
    ("session in progress", "/treatments/sessions/{session}/", CLINICAL),
    ("signed session", "/treatments/sessions/{signed}/", CLINICAL),
    ("session amend", "/treatments/sessions/{signed}/amend/", CLINICAL),
    ("adverse event form", "/treatments/sessions/{signed}/adverse-events/new/", CLINICAL),
    ("adverse event edit", "/treatments/adverse-events/{adverse_event}/", CLINICAL),
    ("summary exports", "/treatments/exports/", (ADMIN,)),
    ("summary export", "/treatments/exports/{export}/", (ADMIN,)),
    # Scheduling.
    ("today board", "/scheduling/today/", EVERYONE),
    ("day calendar", "/scheduling/day/?who=all", EVERYONE),
    ("week calendar", "/scheduling/?who=all", EVERYONE),
    ("booking form", "/scheduling/book/?practitioner={martin}", EVERYONE),
    ("series form", "/scheduling/series/", EVERYONE),
    ("appointment page", "/scheduling/appointments/{appointment}/", EVERYONE),
    ("appointment move page", "/scheduling/appointments/{appointment}/move/", EVERYONE),
    ("appointment cancel page", "/scheduling/appointments/{appointment}/cancel/", EVERYONE),
    ("waitlist", "/scheduling/waitlist/", EVERYONE),
    ("days off", "/scheduling/days-off/", EVERYONE),
    ("day off", "/scheduling/days-off/{time_off}/", EVERYONE),
    ("hours", "/scheduling/hours/", EVERYONE),
    ("hours of a practitioner", "/scheduling/hours/{martin}/", EVERYONE),
    ("calendar feed", "/scheduling/calendar-feed/", CLINICAL),
    ("email outbox", "/scheduling/emails/", EVERYONE),
    ("email switches", "/scheduling/emails/switches/", (ADMIN,)),
    # Cocktails and the catalogue.
    ("cocktail list", "/cocktails/", CLINICAL),
    ("new cocktail", "/cocktails/new/", CLINICAL),
    ("cocktail", "/cocktails/{cocktail}/", CLINICAL),
    ("cocktail builder", "/cocktails/{cocktail}/edit/", CLINICAL),
    ("cocktail version", "/cocktails/versions/{formulation}/", CLINICAL),
    ("ingredient list", "/cocktails/catalogue/", CLINICAL),
    ("new ingredient", "/cocktails/catalogue/ingredients/new/", (ADMIN,)),
    ("ingredient edit", "/cocktails/catalogue/ingredients/{ingredient}/", (ADMIN,)),
    ("product list", "/cocktails/catalogue/products/", CLINICAL),
    ("new product", "/cocktails/catalogue/products/new/", (ADMIN,)),
    ("product", "/cocktails/catalogue/products/{product}/", CLINICAL),
    ("product edit", "/cocktails/catalogue/products/{product}/edit/", (ADMIN,)),
    ("lot list", "/cocktails/catalogue/lots/", CLINICAL),
    ("lot receive", "/cocktails/catalogue/lots/receive/", (ADMIN,)),
    ("lot page", "/cocktails/catalogue/lots/{lot}/", CLINICAL),
    ("lot correct", "/cocktails/catalogue/lots/{lot}/correct/", (ADMIN,)),
    ("lot history", "/cocktails/catalogue/lots/{lot}/history/", CLINICAL),
    # The clinic manager's.
    ("reports", "/reports/", (ADMIN,)),
    ("reports of a practitioner", "/reports/?practitioner={martin}", (ADMIN,)),
    ("staff", "/staff/", (ADMIN,)),
    ("staff invite form", "/staff/add/", (ADMIN,)),
    ("staff member", "/staff/{receptionist}/", (ADMIN,)),
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


def settle_resize(page: Page, viewport: str) -> None:
    """Resize the page to `viewport` and let it lay itself out again: the window's resize
    handlers (clinic.js makes tables that now scroll sideways reachable by keyboard) run on the
    next animation frame."""
    page.set_viewport_size(VIEWPORTS[viewport])
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def audit(
    page: Page, base_url: str, screens: list[tuple[str, str]], viewports: tuple[str, ...]
) -> str:
    """Visit each screen and return the report of what axe found on them ('' when nothing).

    Each screen is loaded once, at the first of `viewports`, and checked at each of them in
    turn, resized in place: a second visit would cost the page load again for the same page."""
    report = []
    for name, path in screens:
        settle_resize(page, viewports[0])
        response = page.goto(base_url + path)
        assert response is not None
        assert response.ok, f"{name} ({path}) answered {response.status}"
        # Let htmx load and settle what the page asks for on load (the booking form's free
        # times): quicker than waiting for the network to stay idle for half a second.
        page.wait_for_function(HTMX_AT_REST)
        for viewport in viewports:
            if viewport != viewports[0]:
                settle_resize(page, viewport)
            if failures := axe_failures(page):
                report.append(f"{name} ({path}) on a {viewport}:\n" + "\n".join(failures))
    return "\n".join(report)


@pytest.fixture
def scene(time_machine, admin_user, practitioner, other_practitioner, receptionist):
    """A clinic day: two practitioners at work, two rooms, the catalogue and a patient with an
    accepted plan, one signed session (so the lot has a recipient) and one started, appointments
    today in the states the board and the calendars draw differently (one of them late, its
    treatment on hold), and a day off ahead."""
    time_machine.move_to(NOW, tick=True)
    treatments = clinic(practitioner, admin_user)
    signed = signed_session(treatments, practitioner)
    session = start(treatments.plan, practitioner)
    camille = treatments.patient
    # The clinical record's other parts, so their pages (and the history) have something.
    visit = log_consultation(
        camille, practitioner, **{Contraindication.Kind.ANTICOAGULANTS: "relative"}
    )
    allergy = AllergyFactory(patient=camille, recorded_by=practitioner)
    photo = photo_upload(
        patient=camille,
        by=practitioner,
        upload=upload(jpeg_with_gps()),
        kind="before",
        area="face",
        angle="front",
        taken_on=NOW.date(),
    )
    adverse_event = AdverseEventFactory(session=signed)
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
    # Late for a treatment that cannot go ahead: her pregnancy was recorded after the booking.
    manon = PatientFactory(first_name="Manon", last_name="Petit")
    held = AppointmentFactory(
        patient=manon,
        practitioner=other_practitioner,
        room=rooms[0],
        appointment_type=treatment,
        start=clock.at(today, datetime.time(10)),
    )
    ContraindicationFactory(
        patient=manon,
        recorded_by=other_practitioner,
        kind=Contraindication.Kind.PREGNANCY,
        severity=Contraindication.Severity.ABSOLUTE,
    )
    time_off = TimeOffFactory(
        practitioner=other_practitioner,
        first_day=today + datetime.timedelta(days=7),
        last_day=today + datetime.timedelta(days=9),
    )
    ahead = Appointment.objects.get(patient__last_name="Morel")
    WaitlistEntryFactory(
        patient=PatientFactory(first_name="Chloé", last_name="Simon"),
        appointment_type=treatment,
        earliest_day=today,
        latest_day=today + datetime.timedelta(days=14),
    )
    # The outbox draws a failed email with its reason and a resend button.
    OutboxMessage.objects.create(
        patient=ahead.patient,
        kind=OutboxMessage.Kind.APPOINTMENT_REMINDER,
        key=f"a11y-{ahead.pk}",
        appointment=ahead,
        event_at=ahead.start,
        practitioner=ahead.practitioner,
        due_at=NOW - datetime.timedelta(hours=1),
        status=OutboxMessage.Status.FAILED,
        reason="The mail server could not be reached (Connection refused).",
    )
    # A batch that failed: a finished state, so its page does not poll for progress.
    export = ExportJob.objects.create(
        created_by=admin_user,
        indication="facial_rejuvenation",
        status=ExportJob.Status.FAILED,
        error="The disk is full.",
        started_at=NOW,
        finished_at=NOW,
    )
    return SimpleNamespace(
        keys={
            "patient": camille.pk,
            "plan": treatments.plan.pk,
            "session": session.pk,
            "signed": signed.pk,
            "martin": practitioner.pk,
            "receptionist": receptionist.pk,
            "lot": treatments.catalogue.ha_lot.pk,
            "ingredient": treatments.catalogue.ha.pk,
            "product": treatments.catalogue.ha_lot.product_id,
            "cocktail": treatments.face_glow.pk,
            "formulation": treatments.face_glow.current_id,
            "consultation": visit.pk,
            "contraindication": visit.contraindications.get().pk,
            "allergy": allergy.pk,
            "consent": camille.consents.first().pk,
            "photo": photo.pk,
            "adverse_event": adverse_event.pk,
            "appointment": ahead.pk,
            "held": held.pk,
            "time_off": time_off.pk,
            "export": export.pk,
        }
    )


def screens_to_audit(username: str) -> list[tuple[str, str]]:
    """The screens `username`'s run checks (as name, unformatted path): those of their role,
    except that a clinical page is checked once, in the manager's run. The practitioner sees it
    as the manager does, bar the sidebar's links and what the role may do (which the manager
    may do too), so a second audit would only double the module's time."""
    return [
        (name, path)
        for name, path, roles in SCREENS
        if username in roles and not (username == PRACTITIONER and roles == CLINICAL)
    ]


# Every role on a laptop; the clinic manager, who sees every screen, on a tablet too.
@pytest.mark.parametrize(
    ("username", "viewports"),
    [(ADMIN, ("laptop", "tablet")), (PRACTITIONER, ("laptop",)), (RECEPTIONIST, ("laptop",))],
)
def test_main_screens_have_no_serious_accessibility_violations(
    page: Page, live_server, login, scene, username, viewports
):
    login(page, username)
    screens = [(name, path.format(**scene.keys)) for name, path in screens_to_audit(username)]
    report = audit(page, live_server.url, screens, viewports)
    if "tablet" in viewports:
        # There the navigation is a menu that opens over the page.
        settle_resize(page, "tablet")
        page.get_by_role("button", name="Open navigation").click()
        expect(page.locator("#sidebar.show:not(.showing)")).to_be_visible()
        if failures := axe_failures(page):
            report += "\nthe navigation menu, open:\n" + "\n".join(failures)
    assert not report, f"axe-core found accessibility violations as {username}:\n{report}"


def test_signed_out_pages_have_no_serious_accessibility_violations(
    page: Page, live_server, scene, receptionist
):
    """The pages someone reaches without signing in: the login and password reset pages (the
    form to choose a new password too, from a link that works), and those a patient opens from
    the links in their emails."""
    ahead = Appointment.objects.get(pk=scene.keys["appointment"])
    about = LinkTarget(patient_id=ahead.patient_id, appointment_id=ahead.pk, start=ahead.start)
    links = {action: make_token(action, about) for action in (Action.CONFIRM, Action.CANCEL)}
    links[Action.STOP] = make_token(Action.STOP, LinkTarget(patient_id=ahead.patient_id))
    screens = [
        ("login", "/accounts/login/"),
        ("password reset", "/accounts/password/reset/"),
        ("password reset sent", "/accounts/password/reset/sent/"),
        # A link that is no longer valid: the page says so.
        ("password reset link", "/accounts/password/reset/MQ/not-a-token/"),
        # A link that works: Django moves the token to the session and shows the form.
        ("new password form", reset_link(receptionist)),
        ("password reset done", "/accounts/password/reset/done/"),
        ("patient confirms", f"/scheduling/my/confirm/{links[Action.CONFIRM]}/"),
        ("patient cancels", f"/scheduling/my/cancel/{links[Action.CANCEL]}/"),
        ("patient stops emails", f"/scheduling/my/stop-emails/{links[Action.STOP]}/"),
    ]
    report = audit(page, live_server.url, screens, ("laptop",))
    assert not report, f"axe-core found accessibility violations signed out:\n{report}"
    # The form was the one audited, not the page of a link that no longer works.
    page.goto(live_server.url + reset_link(receptionist))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()


def reset_link(user) -> str:
    """The path of the link the password reset email sends `user`."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})


def open_dialog(page: Page, opener: Locator, panel: str) -> Locator:
    """Click `opener` (a link or button that loads into the appointment dialog) and wait until
    the dialog shows `panel` (its test id) at rest: faded in, and htmx done with it."""
    opener.click()
    dialog = page.get_by_test_id("appointment-modal")
    expect(dialog.get_by_test_id(panel)).to_be_visible()
    page.wait_for_function(HTMX_AT_REST)
    # Contrast is measured on the colours drawn: wait for the fade-in to finish.
    page.wait_for_function(
        "() => getComputedStyle(document.getElementById('appointment-modal')).opacity === '1'"
        " && getComputedStyle(document.querySelector('.modal-backdrop')).opacity === '0.5'"
    )
    return dialog


def test_appointment_dialog_has_no_serious_accessibility_violations(
    page: Page, live_server, login, scene
):
    """The appointment dialog, opened the way the front desk opens it: from a name on the
    today board and from an appointment on the week calendar; then its move and cancel
    panels. A treatment on hold is checked too, its alert on a laptop and on a tablet. axe
    runs on the whole page with the dialog open over it."""
    page.set_viewport_size(VIEWPORTS["laptop"])
    login(page, RECEPTIONIST)
    report = []

    def check(what: str) -> None:
        if failures := axe_failures(page):
            report.append(f"the appointment dialog, {what}:\n" + "\n".join(failures))

    page.goto(f"{live_server.url}/scheduling/today/")
    board = page.get_by_test_id("today-board")
    held = board.get_by_test_id(f"today-row-{scene.keys['held']}")
    dialog = open_dialog(page, held.get_by_role("link", name="Manon Petit"), "appointment-card")
    expect(dialog.get_by_test_id("on-hold")).to_be_visible()
    check("of a treatment on hold")
    settle_resize(page, "tablet")
    check("of a treatment on hold, on a tablet")
    settle_resize(page, "laptop")
    dialog.get_by_role("button", name="Close").click()
    expect(page.locator(".modal-backdrop")).to_have_count(0)

    dialog = open_dialog(page, board.get_by_role("link", name="Hugo Morel"), "appointment-card")
    check("opened from the today board")
    open_dialog(page, dialog.get_by_role("link", name="Move"), "appointment-move")
    # The free times of the day are listed: the panel as the desk uses it.
    expect(
        dialog.get_by_test_id("move-free-times").locator("[data-fill-time]").first
    ).to_be_visible()
    check("moving")
    open_dialog(page, dialog.get_by_role("button", name="Back"), "appointment-card")
    open_dialog(page, dialog.get_by_role("link", name="Cancel"), "appointment-cancel")
    check("cancelling")

    page.goto(f"{live_server.url}/scheduling/?who=all")
    opener = page.get_by_test_id(f"appointment-{scene.keys['appointment']}")
    open_dialog(page, opener, "appointment-card")
    check("opened from the week calendar")
    assert not report, "axe-core found accessibility violations:\n" + "\n".join(report)


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
