"""Booking a treatment plan's sessions in one action: each appointment holds a session of the
plan, and everything is booked or nothing (plan sessions included)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from patients.models import Patient
from scheduling.availability import SeriesSlot
from scheduling.models import Appointment, AppointmentSeries, AppointmentType, OutboxMessage
from scheduling.selectors import plan_booked_session_ids, plans_to_book
from scheduling.services import (
    SeriesUnavailable,
    appointment_cancel,
    appointment_series_book,
    appointment_transition,
)
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory
from tests.scheduling.reminder_scenes import LONG_AGO, Kind, Status, sweep
from tests.treatments.scenarios import (
    accepted_plan,
    consenting_patient,
    lots,
    record,
    signed_session,
    start,
)
from tests.treatments.scenarios import clinic as treatment_clinic
from treatments import diary, services
from treatments.models import TreatmentPlan, TreatmentSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(clinic, admin_user):
    """Dr Martin's week (scheduling's clinic) and a plan of 4 fortnightly sessions."""
    return treatment_clinic(clinic, admin_user)


def fortnightly(count: int, first: datetime.date = MONDAY) -> list[SeriesSlot]:
    return [SeriesSlot(at(first + datetime.timedelta(weeks=2 * n), "10:00")) for n in range(count)]


def book(scene, slots, appointment_type, plan=None, patient=None):
    return appointment_series_book(
        patient=patient or scene.patient,
        practitioner=scene.plan.practitioner,
        appointment_type=appointment_type,
        slots=slots,
        interval_days=14,
        booked_by=scene.plan.practitioner,
        plan=scene.plan if plan is None else plan,
    )


def test_each_appointment_holds_its_own_session_of_the_plan(scene, treatment):
    appointments = book(scene, fortnightly(4), treatment)
    sessions = [a.plan_session for a in appointments]
    assert len({s.pk for s in sessions}) == 4
    assert {(s.plan_id, s.kind, s.status) for s in sessions} == {
        (scene.plan.pk, TreatmentSession.Kind.INITIAL, TreatmentSession.Status.PLANNED)
    }
    assert AppointmentSeries.objects.get().plan == scene.plan
    assert plans_to_book() == []


def test_one_session_that_cannot_be_booked_books_nothing_not_even_plan_sessions(
    scene, treatment, rooms
):
    AppointmentFactory(
        practitioner=scene.plan.practitioner,
        room=rooms[0],
        appointment_type=treatment,
        start=at(MONDAY + datetime.timedelta(weeks=4), "10:15"),
    )
    with pytest.raises(SeriesUnavailable) as refused:
        book(scene, fortnightly(4), treatment)
    assert list(refused.value.rows) == [3]
    assert Appointment.objects.count() == 1
    assert not TreatmentSession.objects.exists()
    assert not AppointmentSeries.objects.exists()


def test_no_more_course_sessions_than_the_course_has_left(scene, treatment, practitioner):
    signed_session(scene, practitioner)
    with pytest.raises(ValidationError) as refused:
        book(scene, fortnightly(4, MONDAY + datetime.timedelta(days=1)), treatment)
    assert refused.value.message_dict["count"] == ["This course has 3 sessions left to book."]
    assert not Appointment.objects.exists()
    assert TreatmentSession.objects.count() == 1


def test_a_cancelled_appointment_gives_its_plan_session_back(scene, treatment, practitioner):
    first, second = book(scene, fortnightly(2), treatment)
    appointment_cancel(appointment=second, reason="Travelling", by=practitioner)
    assert plan_booked_session_ids(plan=scene.plan) == [first.plan_session_id]
    assert [(row.plan, row.to_book) for row in plans_to_book()] == [(scene.plan, 3)]
    rebooked = book(scene, fortnightly(1, MONDAY + datetime.timedelta(weeks=6)), treatment)
    # The session the cancelled appointment held is booked again, not a new one.
    assert rebooked[0].plan_session_id == second.plan_session_id
    assert TreatmentSession.objects.count() == 2


def test_maintenance_sessions_are_booked_the_same_way(scene, practitioner):
    maintenance = AppointmentTypeFactory(
        name="Maintenance session", kind=AppointmentType.Kind.MAINTENANCE, duration_minutes=30
    )
    appointments = book(scene, fortnightly(3), maintenance)
    assert {a.plan_session.kind for a in appointments} == {TreatmentSession.Kind.MAINTENANCE}


@pytest.mark.parametrize("problem", ["other patient", "consultation", "proposed", "stopped"])
def test_a_plan_that_cannot_be_booked_so_books_nothing(
    scene, treatment, consultation, patient, practitioner, problem
):
    appointment_type, who = treatment, None
    if problem == "other patient":
        who = patient
    elif problem == "consultation":
        appointment_type = consultation
    elif problem == "proposed":
        TreatmentPlan.objects.filter(pk=scene.plan.pk).update(status="proposed", accepted_at=None)
    else:
        TreatmentPlan.objects.filter(pk=scene.plan.pk).update(
            status="stopped", stop_reason="Declined", stopped_at=at(MONDAY, "08:00")
        )
    with pytest.raises(ValidationError):
        book(scene, fortnightly(2), appointment_type, patient=who)
    assert not Appointment.objects.exists()
    assert not TreatmentSession.objects.exists()


def test_the_diary_tells_treatments_which_appointment_holds_a_session(scene, treatment):
    first, _ = book(scene, fortnightly(2), treatment)
    bookings = diary.session_bookings(session_ids=[first.plan_session_id, 999])
    assert list(bookings) == [first.plan_session_id]
    assert bookings[first.plan_session_id].start == first.start
    day = diary.practitioner_day(practitioner=scene.plan.practitioner, day=MONDAY)
    assert [(b.appointment_id, b.plan_session_id, b.is_treatment) for b in day] == [
        (first.pk, first.plan_session_id, True)
    ]
    assert "series/?plan=" in diary.plan_booking_url(plan=scene.plan)


# The series page, from a plan.

URL = reverse("scheduling:series")


def test_the_series_page_starts_from_the_plan(scene, treatment, receptionist_client):
    response = receptionist_client.get(f"{URL}?plan={scene.plan.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["patient"] == scene.patient.pk
    assert form.initial["count"] == 4
    assert form.initial["interval_days"] == 14
    assert form.initial["appointment_type"] == treatment
    assert form.initial["day"] == MONDAY
    html = response.content.decode()
    assert "Facial rejuvenation plan of Camille Roux" in html
    assert "4 left to book" in html


def test_a_plan_not_accepted_yet_is_said_up_front_and_not_offered_for_booking(
    scene, treatment, receptionist_client
):
    TreatmentPlan.objects.filter(pk=scene.plan.pk).update(status="proposed", accepted_at=None)
    html = receptionist_client.get(f"{URL}?plan={scene.plan.pk}").content.decode()
    assert "The patient has not accepted this plan yet." in html
    assert "left to book" not in html
    assert 'data-testid="series-form"' not in html
    assert 'data-testid="propose"' not in html


def plan_series_post(scene, treatment, action: str) -> dict[str, str]:
    data = {
        "patient": scene.patient.pk,
        "practitioner": scene.plan.practitioner.pk,
        "appointment_type": treatment.pk,
        "count": "2",
        "interval_days": "14",
        "day": MONDAY.isoformat(),
        "time": "10:00",
        "room": "",
        "plan": scene.plan.pk,
        "action": action,
        "rows-TOTAL_FORMS": "2",
        "rows-INITIAL_FORMS": "2",
        "rows-MIN_NUM_FORMS": "1",
        "rows-MAX_NUM_FORMS": "24",
    }
    for index in range(2):
        data |= {
            f"rows-{index}-day": (MONDAY + datetime.timedelta(weeks=2 * index)).isoformat(),
            f"rows-{index}-time": "10:00",
            f"rows-{index}-room": "",
        }
    return data


@pytest.mark.parametrize("action", ["propose", "confirm"])
def test_posting_a_plan_not_accepted_yet_shows_why_above_the_form(
    scene, treatment, receptionist_client, action
):
    TreatmentPlan.objects.filter(pk=scene.plan.pk).update(status="proposed", accepted_at=None)
    data = plan_series_post(scene, treatment, action)
    response = receptionist_client.post(URL, data, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'class="alert alert-danger">[^<]*has not accepted this plan yet', html)
    assert "left to book" not in html
    assert not Appointment.objects.exists()


def test_a_service_error_on_a_hidden_field_is_shown_above_the_form():
    from scheduling.forms import SeriesForm, show_service_error

    form = SeriesForm({})
    form.is_valid()
    show_service_error(form, ValidationError({"plan": "Not this plan."}))
    assert "Not this plan." in form.non_field_errors()
    assert "plan" not in form.errors


def test_maintenance_is_booked_from_the_plan_at_its_cadence(
    scene, practitioner, receptionist_client
):
    from treatments.services import plan_update

    plan_update(plan=scene.plan, by=practitioner, initial_sessions=1, maintenance_every_days=30)
    signed_session(scene, practitioner)
    maintenance = AppointmentTypeFactory(
        name="Maintenance session", kind=AppointmentType.Kind.MAINTENANCE, duration_minutes=30
    )
    response = receptionist_client.get(f"{URL}?plan={scene.plan.pk}&kind=maintenance")
    form = response.context["form"]
    assert form.initial["appointment_type"] == maintenance
    assert (form.initial["count"], form.initial["interval_days"]) == (6, 30)
    assert form.initial["day"] == MONDAY + datetime.timedelta(days=30)


def test_the_series_page_lists_plans_waiting_to_be_booked(scene, receptionist_client):
    html = receptionist_client.get(URL).content.decode()
    assert "Treatment plans waiting to be booked" in html
    assert f"?plan={scene.plan.pk}" in html


def test_confirming_from_the_plan_books_its_sessions(scene, treatment, receptionist_client):
    data = plan_series_post(scene, treatment, "confirm")
    response = receptionist_client.post(URL, data)
    assert response.status_code == 302
    assert Appointment.objects.filter(plan_session__plan=scene.plan).count() == 2


# A session's log moves the appointment holding it along.


def test_opening_and_signing_the_log_moves_the_appointment_to_treatment_then_completed(
    scene, treatment, frozen_now
):
    first, later = book(scene, fortnightly(2), treatment)
    by = scene.plan.practitioner
    session = start(scene.plan, by, session=first.plan_session)
    first.refresh_from_db()
    # The patient is being treated, so has come: booked -> arrived (now) -> in treatment.
    assert (first.status, first.arrived_at) == (Appointment.Status.IN_TREATMENT, frozen_now)
    signed = services.session_sign(session=record(session, by, lots=lots(scene.catalogue)), by=by)
    first.refresh_from_db()
    assert first.status == Appointment.Status.COMPLETED
    assert first.arrived_at == frozen_now
    assert first.history.first().history_user == by == signed.signed_by
    # The other session's appointment, two weeks on, is not touched.
    later.refresh_from_db()
    assert later.status == Appointment.Status.BOOKED


def test_an_arrival_the_desk_recorded_is_kept(scene, treatment, frozen_now, time_machine):
    first, _ = book(scene, fortnightly(2), treatment)
    desk_time = frozen_now
    appointment_transition(appointment=first, status="arrived", by=scene.plan.practitioner)
    time_machine.move_to(frozen_now + datetime.timedelta(hours=2), tick=False)
    start(scene.plan, scene.plan.practitioner, session=first.plan_session)
    first.refresh_from_db()
    assert (first.status, first.arrived_at) == (Appointment.Status.IN_TREATMENT, desk_time)


def test_a_session_given_before_its_appointments_day_marks_the_appointment_for_the_desk(
    scene, treatment, frozen_now, time_machine
):
    _, later = book(scene, fortnightly(2), treatment)
    by = scene.plan.practitioner
    session = start(scene.plan, by, session=later.plan_session)
    later.refresh_from_db()
    # Still booked (the patient is not there on that day), but known to be given already.
    assert (later.status, later.arrived_at) == (Appointment.Status.BOOKED, None)
    assert (later.session_given_at, later.given_early) == (frozen_now, True)
    assert later.history.first().history_user == by
    # Signing the log later that day keeps the first mark.
    time_machine.move_to(frozen_now + datetime.timedelta(hours=1), tick=False)
    services.session_sign(session=record(session, by, lots=lots(scene.catalogue)), by=by)
    later.refresh_from_db()
    assert (later.status, later.session_given_at) == (Appointment.Status.BOOKED, frozen_now)
    # Once the desk cancels it, it is no longer the desk's to-do.
    appointment_cancel(appointment=later, reason="Session already given", by=by)
    later.refresh_from_db()
    assert later.given_early is False


def test_a_cancelled_appointment_stays_cancelled_when_its_session_is_given(scene, treatment):
    first, _ = book(scene, fortnightly(2), treatment)
    appointment_cancel(appointment=first, reason="Patient ill", by=scene.plan.practitioner)
    start(scene.plan, scene.plan.practitioner, session=first.plan_session)
    first.refresh_from_db()
    assert first.status == Appointment.Status.CANCELLED
    assert (first.arrived_at, first.session_given_at) == (None, None)


def test_an_appointment_whose_session_was_given_early_sends_no_more_emails(
    scene, treatment, frozen_now, time_machine
):
    Patient.objects.filter(pk=scene.patient.pk).update(
        email="camille@example.test", reminder_consent_at=LONG_AGO
    )
    first, later = book(scene, fortnightly(2), treatment)
    sweep()
    assert statuses(later) == [(Kind.CONFIRMATION, Status.PENDING)]
    start(scene.plan, scene.plan.practitioner, session=later.plan_session)
    sweep()
    # The pending confirmation is withdrawn, with the reason; the other appointment's stays.
    assert statuses(later) == [(Kind.CONFIRMATION, Status.CANCELLED)]
    assert OutboxMessage.objects.get(appointment=later).reason == (
        "The session was already given on an earlier day."
    )
    assert (Kind.CONFIRMATION, Status.PENDING) in statuses(first)
    # 48 hours before the obsolete appointment: no reminder is planned for it.
    time_machine.move_to(later.start - datetime.timedelta(hours=47), tick=False)
    sweep()
    assert statuses(later) == [(Kind.CONFIRMATION, Status.CANCELLED)]
    # Camille was emailed about the first appointment (today) only.
    subjects = [m.subject for m in mail.outbox]
    assert subjects
    assert all("Monday 16 March" in subject for subject in subjects), subjects


@pytest.mark.parametrize("which", ["today's", "later"])
def test_the_practitioner_is_told_when_the_session_was_booked_for_a_later_day(
    scene, treatment, practitioner_client, which
):
    today, later = book(scene, fortnightly(2), treatment)
    session = (today if which == "today's" else later).plan_session
    response = practitioner_client.post(
        reverse("treatments:session_start", args=[session.pk]),
        {"contraindications_reviewed": "on", "photos_taken": "on"},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert shown[0] == "Pre-checks passed: log the session as you go."
    told = (
        "This session was booked for Monday 30 March at 10:00: that appointment sends no "
        "reminder now, and the front desk is asked to cancel it."
    )
    assert shown[1:] == ([] if which == "today's" else [told])


def statuses(appointment: Appointment) -> list[tuple[str, str]]:
    rows = OutboxMessage.objects.filter(appointment=appointment).order_by("pk")
    return list(rows.values_list("kind", "status"))


# The desk is told: on the appointment, on the today page, on the calendar.


@pytest.fixture
def given_early(scene, treatment):
    """The second of two fortnightly appointments, its session given today (Monday)."""
    _, later = book(scene, fortnightly(2), treatment)
    start(scene.plan, scene.plan.practitioner, session=later.plan_session)
    later.refresh_from_db()
    return later


def test_the_appointment_asks_the_desk_to_cancel_it_with_the_reason_filled_in(
    given_early, receptionist_client
):
    page = receptionist_client.get(reverse("scheduling:appointment", args=[given_early.pk]))
    alert = page.text.split('data-testid="given-early"')[1].split("</div>")[0]
    assert "Session already given" in alert
    assert "Monday 16 March 2026" in alert
    # Nothing to confirm: the appointment is there to be cancelled.
    assert 'name="status" value="confirmed"' not in page.text
    refused = receptionist_client.post(
        reverse("scheduling:appointment_status", args=[given_early.pk]),
        {"status": "confirmed"},
        follow=True,
    )
    assert "session was already given on an earlier day: cancel it." in refused.text
    given_early.refresh_from_db()
    assert given_early.status == Appointment.Status.BOOKED
    form = receptionist_client.get(reverse("scheduling:appointment_cancel", args=[given_early.pk]))
    assert form.context["form"].initial == {
        "reason": "Session already given on Monday 16 March 2026."
    }
    response = receptionist_client.post(
        reverse("scheduling:appointment_cancel", args=[given_early.pk]),
        {"reason": form.context["form"].initial["reason"]},
    )
    assert response.status_code == 302
    given_early.refresh_from_db()
    assert given_early.cancel_reason == "Session already given on Monday 16 March 2026."
    page = receptionist_client.get(reverse("scheduling:appointment", args=[given_early.pk]))
    assert 'data-testid="given-early"' not in page.text


def test_an_ordinary_appointment_has_no_warning_and_no_reason_filled_in(
    scene, treatment, receptionist_client
):
    first, _ = book(scene, fortnightly(2), treatment)
    page = receptionist_client.get(reverse("scheduling:appointment", args=[first.pk]))
    assert 'data-testid="given-early"' not in page.text
    assert 'name="status" value="confirmed"' in page.text
    form = receptionist_client.get(reverse("scheduling:appointment_cancel", args=[first.pk]))
    assert form.context["form"].initial == {"reason": ""}


def test_the_today_page_lists_what_to_cancel_at_a_constant_cost(
    scene, treatment, given_early, admin_user, receptionist_client, django_assert_num_queries
):
    url = reverse("scheduling:today")
    receptionist_client.get(url)  # the session's idle refresh
    # The last query: which of today's patients have their treatment on hold.
    with django_assert_num_queries(9) as one:
        page = receptionist_client.get(url).text
    row = page.split(f'data-testid="given-early-{given_early.pk}"')[1].split("</li>")[0]
    assert "Camille Roux" in row
    assert "booked Mon 30 Mar, 10:00" in row
    assert "given Mon 16 Mar" in row
    assert reverse("scheduling:appointment_cancel", args=[given_early.pk]) in row
    # Two more plans' later sessions given early: the same queries, three rows.
    for days, name in ((1, "Ana"), (2, "Ben")):
        patient = consenting_patient(witness=admin_user, first_name=name, last_name="Silva")
        other = accepted_plan(
            patient=patient, practitioner=scene.plan.practitioner, cocktail=scene.face_glow
        )
        first_day = MONDAY + datetime.timedelta(days=days)
        slots = fortnightly(2, first_day)
        _, later = book(scene, slots, treatment, plan=other, patient=patient)
        start(other, scene.plan.practitioner, session=later.plan_session)
    with django_assert_num_queries(len(one.captured_queries)):
        page = receptionist_client.get(url).text
    assert len(re.findall(r'data-testid="given-early-\d+"', page)) == 3


def test_the_calendar_shows_the_appointment_as_already_given(given_early, receptionist_client):
    week = receptionist_client.get(
        reverse("scheduling:week"),
        {"date": given_early.start.date().isoformat(), "who": "all"},
    ).text
    box = week.split(f'data-testid="appointment-{given_early.pk}"')[0].rsplit("<a ", 1)[1]
    assert "is-given-early" in box
    assert "Session already given" in week.split(f'data-testid="appointment-{given_early.pk}"')[1]
