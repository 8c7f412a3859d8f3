"""Days off and clinic closures in the app: who may record and remove them, every refusal at
its field, the booked appointments a day off leaves to move, the history, and what booking
says afterwards.

The clock is Monday 16 March 2026, 08:00 (tests/scheduling/conftest.py): Dr Martin and Dr
Nguyen work Monday to Friday.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from clinic.roles import Role
from scheduling.availability import SlotUnavailable
from scheduling.models import Appointment, TimeOff
from scheduling.services import appointment_book, time_off_add
from tests.scheduling.conftest import HTMX, MONDAY, TUESDAY, at, field_errors
from tests.scheduling.factories import AppointmentFactory, PatientFactory, TimeOffFactory

pytestmark = pytest.mark.django_db

LIST = reverse("scheduling:time_off_list")
WEDNESDAY = MONDAY + datetime.timedelta(days=2)
THURSDAY = MONDAY + datetime.timedelta(days=3)
Status = Appointment.Status


def day_off_form(who, **changes) -> dict[str, str]:
    """What the page's form posts: Tuesday and Wednesday off for a congress."""
    value = "clinic" if who is None else str(who.pk)
    return {
        "practitioner": value,
        "first_day": "2026-03-17",
        "last_day": "2026-03-18",
        "reason": "congress",
    } | changes


def detail_url(off: TimeOff) -> str:
    return reverse("scheduling:time_off", args=[off.pk])


def remove_url(off: TimeOff) -> str:
    return reverse("scheduling:time_off_remove", args=[off.pk])


def book_at_ten(practitioner, patient, appointment_type, day: datetime.date, *, by) -> Appointment:
    """Book through the service, the real availability deciding."""
    return appointment_book(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        start=at(day, "10:00"),
        booked_by=by,
    )


def said(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def listed(html: str) -> set[int]:
    """The appointments a day off's page lists to move."""
    return {int(pk) for pk in re.findall(r'data-testid="clash-(\d+)"', html)}


@pytest.fixture
def closure_at(clinic):
    """A closure of the whole clinic, written straight to the table."""
    return lambda first, last=None, reason="Easter Monday": TimeOffFactory(
        practitioner=None, first_day=first, last_day=last or first, reason=reason
    )


# Who may.


def test_everyone_who_books_sees_the_days_off_and_anonymous_visitors_are_sent_to_login(
    role_clients, client, no_role_user, clinic
):
    for role, role_client in role_clients.items():
        assert role_client.get(LIST).status_code == 200, role
    anonymous = client.get(LIST)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login") + "?next=")
    client.force_login(no_role_user)
    assert client.get(LIST).status_code == 403


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.RECEPTIONIST, Role.ADMIN])
def test_anyone_who_books_records_a_practitioners_day_off(
    role_clients, clinic, colleague, role, admin_user, practitioner, receptionist
):
    response = role_clients[role].post(LIST, day_off_form(colleague))
    assert response.status_code == 302
    off = TimeOff.objects.get()
    assert (off.practitioner, off.first_day, off.last_day, off.reason) == (
        colleague,
        TUESDAY,
        WEDNESDAY,
        "congress",
    )
    by = {Role.PRACTITIONER: practitioner, Role.RECEPTIONIST: receptionist, Role.ADMIN: admin_user}
    assert off.history.get().history_user == by[role]


def test_only_the_clinic_manager_closes_the_whole_clinic(
    practitioner_client, receptionist_client, admin_client, admin_user, clinic
):
    for client in (practitioner_client, receptionist_client):
        page = client.get(LIST).text
        assert 'value="clinic"' not in page
        response = client.post(LIST, day_off_form(None))
        assert response.status_code == 200
        assert field_errors(response.text, "practitioner") == [
            "Only the clinic manager can close the whole clinic."
        ]
    assert not TimeOff.objects.exists()

    assert 'value="clinic"' in admin_client.get(LIST).text
    response = admin_client.post(LIST, day_off_form(None, reason="Staff training"))
    assert response.status_code == 302
    off = TimeOff.objects.get()
    assert (off.practitioner, off.reason) == (None, "Staff training")
    assert off.history.get().history_user == admin_user


def test_anonymous_posts_are_sent_to_login_and_change_nothing(client, clinic, closure_at):
    closure = closure_at(THURSDAY)
    for url, data in ((LIST, day_off_form(clinic)), (remove_url(closure), {})):
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    assert list(TimeOff.objects.all()) == [closure]


def test_a_get_does_not_remove_a_day_off(receptionist_client, clinic):
    off = TimeOffFactory(practitioner=clinic, first_day=THURSDAY, last_day=THURSDAY)
    assert receptionist_client.get(remove_url(off)).status_code == 405
    assert TimeOff.objects.filter(pk=off.pk).exists()


def test_the_appointments_tabs_link_the_days_off(receptionist_client, clinic):
    page = receptionist_client.get(reverse("scheduling:today")).text
    assert f'href="{LIST}"' in page


# Every refusal at its field, with what was typed kept.


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"practitioner": ""}, "practitioner", "Choose who is off."),
        ({"practitioner": "999999"}, "practitioner", "Choose who is off."),
        ({"first_day": ""}, "first_day", "This field is required."),
        ({"first_day": "2026-02-30"}, "first_day", "Enter a valid date."),
        ({"last_day": "9999-12-31"}, "last_day", "Choose a day between 1900 and 2200."),
        (
            {"first_day": "2026-03-20", "last_day": "2026-03-18"},
            "last_day",
            "The last day must be on or after the first day.",
        ),
        (
            {"first_day": "2026-03-13", "last_day": "2026-03-17"},
            "first_day",
            "That day has passed: days off are recorded from today on.",
        ),
        (
            {"first_day": "2028-03-17", "last_day": "2028-03-17"},
            "first_day",
            "That is more than two years ahead (after Thursday 16 March 2028): check the year.",
        ),
        (
            {"last_day": "2027-03-18"},
            "last_day",
            "Days off last a year at most: check the last day&#x27;s year.",
        ),
        (
            {"reason": "x" * 121},
            "reason",
            "Ensure this value has at most 120 characters (it has 121).",
        ),
    ],
)
def test_bad_days_off_are_refused_at_the_field_and_the_input_is_kept(
    receptionist_client, clinic, changes, field, message
):
    data = day_off_form(clinic, **changes)
    response = receptionist_client.post(LIST, data)
    assert response.status_code == 200
    assert field_errors(response.text, field) == [message]
    assert not TimeOff.objects.exists()
    for name in ("first_day", "last_day"):
        if data[name] and "9999" not in data[name] and "02-30" not in data[name]:
            assert f'value="{data[name]}"' in response.text
    if len(data["reason"]) <= 120:
        assert f'value="{data["reason"]}"' in response.text


def test_an_inactive_practitioner_is_not_offered_and_is_refused(receptionist_client, clinic):
    clinic.is_active = False
    clinic.save()
    assert f'value="{clinic.pk}"' not in receptionist_client.get(LIST).text
    response = receptionist_client.post(LIST, day_off_form(clinic))
    assert field_errors(response.text, "practitioner") == ["Choose who is off."]


def test_days_off_overlapping_the_same_practitioners_are_refused_and_named(
    receptionist_client, clinic, colleague
):
    TimeOffFactory(practitioner=clinic, first_day=WEDNESDAY, last_day=THURSDAY, reason="holiday")
    response = receptionist_client.post(LIST, day_off_form(clinic))
    assert field_errors(response.text, "first_day") == [
        "These days overlap a day off already recorded: Sophie Martin is off from Wednesday "
        "18 March to Thursday 19 March 2026 (holiday)."
    ]
    assert TimeOff.objects.count() == 1
    # A colleague's days off, and the days around, are no obstacle.
    assert receptionist_client.post(LIST, day_off_form(colleague)).status_code == 302
    single = {"first_day": "2026-03-17", "last_day": ""}
    assert receptionist_client.post(LIST, day_off_form(clinic, **single)).status_code == 302
    off = TimeOff.objects.get(practitioner=clinic, first_day=TUESDAY)
    assert off.last_day == TUESDAY


def test_closures_do_not_overlap_each_other_but_a_day_off_may_overlap_a_closure(
    admin_client, receptionist_client, clinic, closure_at
):
    closure_at(WEDNESDAY)
    response = admin_client.post(LIST, day_off_form(None))
    assert field_errors(response.text, "first_day") == [
        "These days overlap a day off already recorded: The clinic is closed on Wednesday "
        "18 March 2026 (Easter Monday)."
    ]
    assert receptionist_client.post(LIST, day_off_form(clinic)).status_code == 302


# The appointments a day off leaves to move.


@pytest.fixture
def week_of_appointments(clinic, colleague, treatment, rooms):
    """Dr Martin's and Dr Nguyen's appointments around Tuesday and Wednesday."""

    def book(who, when, status=Status.BOOKED, **extra):
        return AppointmentFactory(
            practitioner=who, appointment_type=treatment, start=when, status=status, **extra
        )

    return {
        "tuesday": book(clinic, at(TUESDAY, "10:00")),
        "wednesday_late": book(clinic, at(WEDNESDAY, "22:30"), Status.CONFIRMED),
        "monday": book(clinic, at(MONDAY, "16:00")),
        "thursday_midnight": book(clinic, at(THURSDAY, "00:15")),
        "cancelled": book(clinic, at(TUESDAY, "14:00"), Status.CANCELLED, cancel_reason="Flu"),
        "colleague": book(colleague, at(TUESDAY, "10:00")),
        "colleague_thursday": book(colleague, at(THURSDAY, "10:00")),
    }


def test_a_day_off_that_clashes_lands_on_its_page_with_the_appointments_to_move(
    receptionist_client, clinic, week_of_appointments
):
    booked = week_of_appointments
    response = receptionist_client.post(LIST, day_off_form(clinic), follow=True)
    off = TimeOff.objects.get()
    assert response.redirect_chain == [(detail_url(off), 302)]
    assert said(response) == [
        "Sophie Martin is off from Tuesday 17 March to Wednesday 18 March 2026 (congress): "
        "recorded. 2 booked appointments need moving: move or cancel each below."
    ]
    html = response.text
    # Inside its days, booked or confirmed, late at night too; not the day before or after
    # (00:15 on Thursday is Wednesday in UTC), not a cancelled one, not a colleague's.
    assert listed(html) == {booked["tuesday"].pk, booked["wednesday_late"].pk}
    row = html.split(f'data-testid="clash-{booked["tuesday"].pk}"')[1].split("</tr>")[0]
    for shown in ("Tue 17 Mar", "10:00", booked["tuesday"].patient.full_name):
        assert shown in row
    assert "Treatment session" in row and "Sophie Martin" in row
    move = reverse("scheduling:appointment_move", args=[booked["tuesday"].pk])
    cancel = reverse("scheduling:appointment_cancel", args=[booked["tuesday"].pk])
    assert f'hx-get="{move}"' in row and f'hx-get="{cancel}"' in row


def test_one_appointment_to_move_is_said_in_the_singular(
    receptionist_client, clinic, week_of_appointments
):
    response = receptionist_client.post(
        LIST, day_off_form(clinic, last_day="2026-03-17"), follow=True
    )
    assert said(response)[0].endswith(
        "1 booked appointment needs moving: move or cancel each below."
    )


def test_a_closure_lists_everyones_appointments(admin_client, clinic, week_of_appointments):
    booked = week_of_appointments
    response = admin_client.post(LIST, day_off_form(None, last_day="2026-03-17"), follow=True)
    assert listed(response.text) == {booked["tuesday"].pk, booked["colleague"].pk}
    assert "2 booked appointments need moving" in said(response)[0]


def test_a_day_off_two_years_ahead_lists_its_appointments_too(
    receptionist_client, clinic, treatment
):
    # A series may be booked up to two years ahead; a day off may be recorded as far.
    first = TUESDAY + datetime.timedelta(weeks=100)
    last = first + datetime.timedelta(days=7)
    booked = [
        AppointmentFactory(
            practitioner=clinic, appointment_type=treatment, start=at(day, "10:00")
        ).pk
        for day in (first, last)
    ]
    form = day_off_form(clinic, first_day=str(first), last_day=str(last))
    response = receptionist_client.post(LIST, form, follow=True)
    assert "2 booked appointments need moving" in said(response)[0]
    assert listed(response.text) == set(booked)


def test_a_day_off_without_appointments_goes_back_to_the_list(receptionist_client, clinic):
    response = receptionist_client.post(LIST, day_off_form(clinic), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert said(response) == [
        "Sophie Martin is off from Tuesday 17 March to Wednesday 18 March 2026 (congress): "
        "recorded. No booked appointment falls on these days."
    ]
    assert "None booked" in response.text


def test_the_list_counts_each_day_offs_appointments_to_move(
    receptionist_client, clinic, colleague, week_of_appointments
):
    mine = TimeOffFactory(practitioner=clinic, first_day=TUESDAY, last_day=WEDNESDAY)
    theirs = TimeOffFactory(practitioner=colleague, first_day=THURSDAY, last_day=THURSDAY)
    last_week = MONDAY - datetime.timedelta(days=7)
    past = TimeOffFactory(practitioner=colleague, first_day=last_week, last_day=last_week)
    page = receptionist_client.get(LIST)
    assert [(off, count) for off, count in page.context["rows"]] == [(mine, 2), (theirs, 1)]
    assert f'href="{detail_url(mine)}"' in page.text
    past_page = receptionist_client.get(LIST, {"when": "past"})
    assert [off for off, _ in past_page.context["rows"]] == [past]


def test_moving_an_appointment_away_takes_it_off_the_list(
    receptionist_client, clinic, colleague, week_of_appointments
):
    booked = week_of_appointments
    receptionist_client.post(LIST, day_off_form(clinic))
    off = TimeOff.objects.get()
    # The move dialog's own POST (htmx), to Dr Nguyen at 11:00 the same day.
    moved = receptionist_client.post(
        reverse("scheduling:appointment_move", args=[booked["tuesday"].pk]),
        {"practitioner": colleague.pk, "day": "2026-03-17", "time": "11:00", "room": ""},
        headers=HTMX,
    )
    assert moved.status_code == 200
    assert "calendar-changed" in moved["HX-Trigger"]
    # The list reloads itself on that event: the fragment it asks for.
    fragment = receptionist_client.get(detail_url(off), headers=HTMX).text
    assert 'id="time-off-clashes"' in fragment and "<html" not in fragment
    assert listed(fragment) == {booked["wednesday_late"].pk}


def test_the_move_dialog_refuses_a_time_on_the_day_off(
    receptionist_client, clinic, week_of_appointments
):
    receptionist_client.post(LIST, day_off_form(clinic))
    response = receptionist_client.post(
        reverse("scheduling:appointment_move", args=[week_of_appointments["tuesday"].pk]),
        {"practitioner": clinic.pk, "day": "2026-03-18", "time": "10:00", "room": ""},
        headers=HTMX,
    )
    assert "Sophie Martin is off (congress)" in response.text


# Removing, and the history.


def test_a_day_off_is_removed_before_it_begins_and_its_history_kept(
    practitioner_client, receptionist_client, practitioner, receptionist, clinic, colleague
):
    practitioner_client.post(LIST, day_off_form(colleague))
    off = TimeOff.objects.get()
    page = receptionist_client.get(detail_url(off)).text
    assert f'action="{remove_url(off)}"' in page and "data-confirm=" in page
    history = page.split('data-testid="change-history"')[1]
    assert "Day off" in history and "created" in history and "Sophie Martin" in history

    response = receptionist_client.post(remove_url(off), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert said(response) == [
        "Paul Nguyen's day off from Tuesday 17 March to Wednesday 18 March 2026 is removed: "
        "those days can be booked again."
    ]
    assert not TimeOff.objects.exists()
    added, removed = TimeOff.history.filter(id=off.pk).order_by("history_date", "history_id")
    assert (added.history_type, added.history_user) == ("+", practitioner)
    assert (removed.history_type, removed.history_user) == ("-", receptionist)
    assert (removed.first_day, removed.last_day, removed.reason) == (TUESDAY, WEDNESDAY, "congress")
    gone = receptionist_client.get(LIST, {"when": "removed"})
    assert [row.history_id for row, _ in gone.context["rows"]] == [removed.history_id]
    assert "by Léa Bernard" in gone.text and "Paul Nguyen" in gone.text
    assert receptionist_client.get(detail_url(off)).status_code == 404


def test_a_day_off_that_has_begun_cannot_be_removed(receptionist_client, clinic):
    off = TimeOffFactory(practitioner=clinic, first_day=MONDAY, last_day=TUESDAY)
    assert f'action="{remove_url(off)}"' not in receptionist_client.get(detail_url(off)).text
    response = receptionist_client.post(remove_url(off), follow=True)
    assert said(response) == ["This day off has begun: it can no longer be removed."]
    assert TimeOff.objects.filter(pk=off.pk).exists()


def test_only_the_clinic_manager_removes_a_closure(
    receptionist_client, admin_client, admin_user, clinic, closure_at
):
    closure = closure_at(THURSDAY)
    assert (
        f'action="{remove_url(closure)}"' not in receptionist_client.get(detail_url(closure)).text
    )
    response = receptionist_client.post(remove_url(closure), follow=True)
    assert said(response) == [
        "Only the clinic manager can open the clinic on the days of a closure."
    ]
    assert TimeOff.objects.filter(pk=closure.pk).exists()
    assert f'action="{remove_url(closure)}"' in admin_client.get(detail_url(closure)).text
    assert admin_client.post(remove_url(closure)).status_code == 302
    assert TimeOff.history.get(id=closure.pk, history_type="-").history_user == admin_user


# What booking says afterwards: the real availability.


def test_booking_on_a_recorded_day_off_is_refused_until_it_is_removed(
    receptionist_client, receptionist, clinic, patient, treatment
):
    receptionist_client.post(LIST, day_off_form(clinic))
    off = TimeOff.objects.get()

    def book():
        return book_at_ten(clinic, patient, treatment, WEDNESDAY, by=receptionist)

    with pytest.raises(SlotUnavailable) as refused:
        book()
    assert refused.value.message_dict["start"] == [
        "Not possible on Wednesday 18 March: Sophie Martin is off (congress)."
    ]
    assert refused.value.alternatives[0].start == at(THURSDAY, "09:00")
    receptionist_client.post(remove_url(off))
    assert book().start == at(WEDNESDAY, "10:00")


def test_the_service_records_who_added_it_outside_a_request(admin_user, clinic):
    off = time_off_add(
        practitioner=None, first_day=THURSDAY, last_day=THURSDAY, reason=" Audit ", by=admin_user
    )
    assert off.reason == "Audit"
    assert off.history.get().history_user == admin_user


# The today board and the calendars mark what is still booked on a day off.


def test_the_today_board_and_the_day_mark_appointments_on_a_day_off(
    receptionist_client, clinic, colleague, treatment
):
    mine = AppointmentFactory(
        practitioner=clinic, appointment_type=treatment, start=at(MONDAY, "10:00")
    )
    theirs = AppointmentFactory(
        practitioner=colleague, appointment_type=treatment, start=at(MONDAY, "10:00")
    )
    time_off_add(practitioner=clinic, first_day=MONDAY, last_day=MONDAY, reason="sick", by=clinic)
    board = receptionist_client.get(reverse("scheduling:today")).text
    badge = f'data-testid="day-off-{mine.pk}"'
    assert badge in board
    assert "On Sophie Martin&#x27;s day off (sick)" in board.split(badge)[1].split("</span>")[0]
    assert f'data-testid="day-off-{theirs.pk}"' not in board

    day = receptionist_client.get(reverse("scheduling:day"), {"who": "all"}).text
    box = day.split(f'data-testid="appointment-{mine.pk}"')[0].rsplit("<a ", 1)[1]
    assert "is-on-day-off" in box
    other = day.split(f'data-testid="appointment-{theirs.pk}"')[0].rsplit("<a ", 1)[1]
    assert "is-on-day-off" not in other


def test_a_closure_is_named_on_the_today_board(receptionist_client, clinic, treatment, closure_at):
    booked = AppointmentFactory(
        practitioner=clinic, appointment_type=treatment, start=at(MONDAY, "10:00")
    )
    closure_at(MONDAY, reason="")
    board = receptionist_client.get(reverse("scheduling:today")).text
    assert f'data-testid="day-off-{booked.pk}"' in board
    assert "Clinic closed</span>" in board


# Constant queries, at two data sizes.


def _days_off_with_appointments(practitioners, treatment, weeks: range) -> None:
    """For each week: each practitioner off on Tuesday, with two appointments that day."""
    for week in weeks:
        tuesday = TUESDAY + datetime.timedelta(weeks=week)
        for person in practitioners:
            TimeOffFactory(practitioner=person, first_day=tuesday, last_day=tuesday)
            for hhmm in ("10:00", "15:00"):
                AppointmentFactory(
                    practitioner=person,
                    appointment_type=treatment,
                    start=at(tuesday, hhmm),
                    patient=PatientFactory(),
                )


def test_the_days_off_list_runs_a_constant_number_of_queries(
    receptionist_client, clinic, colleague, treatment, django_assert_num_queries
):
    people = [clinic, colleague]
    _days_off_with_appointments(people, treatment, range(2))
    receptionist_client.get(LIST)  # the session's idle refresh
    with django_assert_num_queries(7):
        receptionist_client.get(LIST)
    _days_off_with_appointments(people, treatment, range(2, 12))
    with django_assert_num_queries(7):
        page = receptionist_client.get(LIST)
    # A page of 25: the 24 days off, each with its two appointments.
    assert [count for _, count in page.context["rows"]] == [2] * 24


def test_the_removed_days_off_run_a_constant_number_of_queries(
    receptionist_client, clinic, colleague, treatment, django_assert_num_queries
):
    removed = {"when": "removed"}
    _days_off_with_appointments([clinic, colleague], treatment, range(2))
    TimeOff.objects.all().delete()
    receptionist_client.get(LIST, removed)
    with django_assert_num_queries(6):
        assert len(receptionist_client.get(LIST, removed).context["rows"]) == 4
    _days_off_with_appointments([clinic, colleague], treatment, range(2, 12))
    TimeOff.objects.all().delete()
    with django_assert_num_queries(6):
        assert len(receptionist_client.get(LIST, removed).context["rows"]) == 24


def test_a_day_offs_page_runs_a_constant_number_of_queries(
    receptionist_client, clinic, colleague, treatment, closure_at, django_assert_num_queries
):
    closure = closure_at(TUESDAY, WEDNESDAY)

    def book(day, hours):
        for person in (clinic, colleague):
            for hour in hours:
                AppointmentFactory(
                    practitioner=person,
                    appointment_type=treatment,
                    start=at(day, f"{hour}:00"),
                    patient=PatientFactory(),
                )

    book(TUESDAY, range(9, 11))
    receptionist_client.get(detail_url(closure))
    with django_assert_num_queries(7) as small:
        assert len(listed(receptionist_client.get(detail_url(closure)).text)) == 4
    book(WEDNESDAY, range(9, 17))
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(listed(receptionist_client.get(detail_url(closure)).text)) == 20


# Back early: a day off that has begun (or not) ends before its recorded last day.


def back_url(off: TimeOff) -> str:
    return reverse("scheduling:time_off_end_early", args=[off.pk])


def test_a_practitioner_back_early_can_be_booked_from_that_day(
    receptionist_client, receptionist, clinic, patient, treatment
):
    off = TimeOffFactory(practitioner=clinic, first_day=MONDAY, last_day=THURSDAY, reason="sick")
    page = receptionist_client.get(detail_url(off)).text
    assert f'action="{back_url(off)}"' in page
    response = receptionist_client.post(back_url(off), {"back_on": "2026-03-18"}, follow=True)
    assert response.redirect_chain == [(detail_url(off), 302)]
    assert said(response) == [
        "Sophie Martin's day off: back on Wednesday 18 March, who can be booked from then on."
    ]
    off.refresh_from_db()
    assert (off.first_day, off.last_day) == (MONDAY, TUESDAY)
    changed = TimeOff.history.filter(id=off.pk).latest()
    assert (changed.history_type, changed.history_user, changed.last_day) == (
        "~",
        receptionist,
        TUESDAY,
    )

    assert book_at_ten(clinic, patient, treatment, WEDNESDAY, by=receptionist).start == at(
        WEDNESDAY, "10:00"
    )
    with pytest.raises(SlotUnavailable):
        book_at_ten(clinic, patient, treatment, TUESDAY, by=receptionist)


def test_back_on_the_first_day_removes_the_day_off(receptionist_client, receptionist, clinic):
    off = TimeOffFactory(practitioner=clinic, first_day=MONDAY, last_day=TUESDAY)
    response = receptionist_client.post(back_url(off), {"back_on": "2026-03-16"}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert not TimeOff.objects.exists()
    assert TimeOff.history.get(id=off.pk, history_type="-").history_user == receptionist


@pytest.mark.parametrize(
    ("back_on", "error"),
    [
        ("2026-03-15", "Back on today at the earliest."),
        ("2026-03-20", "The day off already ends on Thursday 19 March."),
        ("", "This field is required."),
        ("next week", "Enter a valid date."),
    ],
)
def test_a_bad_day_back_is_refused_at_its_field_and_kept(
    receptionist_client, clinic, back_on, error
):
    off = TimeOffFactory(practitioner=clinic, first_day=MONDAY, last_day=THURSDAY)
    response = receptionist_client.post(back_url(off), {"back_on": back_on})
    assert response.status_code == 200
    assert response.context["back_form"].errors == {"back_on": [error]}
    assert field_errors(response.text, "back_on") == [error]
    assert f'value="{back_on}"' in response.text
    off.refresh_from_db()
    assert off.last_day == THURSDAY


def test_a_day_off_not_begun_is_shortened_from_its_first_day_on(receptionist_client, clinic):
    off = TimeOffFactory(practitioner=clinic, first_day=WEDNESDAY, last_day=THURSDAY)
    response = receptionist_client.post(back_url(off), {"back_on": "2026-03-17"})
    assert response.context["back_form"].errors == {
        "back_on": ["Back on its first day at the earliest."]
    }
    receptionist_client.post(back_url(off), {"back_on": "2026-03-19"})
    off.refresh_from_db()
    assert (off.first_day, off.last_day) == (WEDNESDAY, WEDNESDAY)


def test_a_day_off_that_is_over_cannot_be_ended_early(receptionist_client, clinic):
    off = TimeOffFactory(
        practitioner=clinic, first_day=MONDAY - datetime.timedelta(days=5), last_day=MONDAY
    )
    assert 'data-testid="back-early"' in receptionist_client.get(detail_url(off)).text
    over = TimeOffFactory(
        practitioner=clinic,
        first_day=MONDAY - datetime.timedelta(days=7),
        last_day=MONDAY - datetime.timedelta(days=6),
    )
    assert 'data-testid="back-early"' not in receptionist_client.get(detail_url(over)).text
    response = receptionist_client.post(back_url(over), {"back_on": "2026-03-16"})
    assert response.context["back_form"].non_field_errors() == ["This day off is over."]
    over.refresh_from_db()
    assert over.last_day == MONDAY - datetime.timedelta(days=6)


def test_only_the_clinic_manager_opens_a_closure_early(
    receptionist_client, admin_client, clinic, closure_at
):
    closure = closure_at(MONDAY)
    assert 'data-testid="back-early"' not in receptionist_client.get(detail_url(closure)).text
    response = receptionist_client.post(back_url(closure), {"back_on": "2026-03-16"})
    assert response.context["back_form"].non_field_errors() == [
        "Only the clinic manager can open the clinic on the days of a closure."
    ]
    assert TimeOff.objects.filter(pk=closure.pk).exists()
    assert 'data-testid="back-early"' in admin_client.get(detail_url(closure)).text


def test_a_get_does_not_end_a_day_off(receptionist_client, clinic):
    off = TimeOffFactory(practitioner=clinic, first_day=MONDAY, last_day=THURSDAY)
    assert receptionist_client.get(back_url(off), {"back_on": "2026-03-17"}).status_code == 405
    off.refresh_from_db()
    assert off.last_day == THURSDAY


def test_the_list_pages_by_25_keeping_its_filter(receptionist_client, clinic):
    for week in range(26):
        first = TUESDAY + datetime.timedelta(weeks=week)
        TimeOffFactory(practitioner=clinic, first_day=first, last_day=first)
    first_page = receptionist_client.get(LIST)
    assert len(first_page.context["rows"]) == 25
    assert 'href="?page=2"' in first_page.text
    second = receptionist_client.get(LIST, {"page": 2})
    assert len(second.context["rows"]) == 1
    assert 'href="?page=1"' in second.text
    past = receptionist_client.get(LIST, {"when": "past"})
    assert 'aria-current="page">Past</a>' in past.text
    assert "?page=" not in past.text
    for week in range(1, 27):
        gone = MONDAY - datetime.timedelta(weeks=week)
        TimeOffFactory(practitioner=clinic, first_day=gone, last_day=gone)
    past = receptionist_client.get(LIST, {"when": "past"})
    assert 'href="?when=past&amp;page=2"' in past.text
