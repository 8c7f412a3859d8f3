"""Practitioners' usual weeks in the app: who may see and set them, every refusal at its field,
the week replaced all at once, its history, the booked appointments new hours leave outside,
and what booking says afterwards.

The clock is Monday 16 March 2026, 08:00 (tests/scheduling/conftest.py): Dr Martin and Dr
Nguyen work Monday to Friday, 09:00-12:30 and 14:00-18:30.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.roles import Role
from scheduling.availability import SlotUnavailable
from scheduling.models import Appointment, WorkingHours
from scheduling.services import appointment_book, working_hours_set
from tests.scheduling.conftest import HTMX, MONDAY, TUESDAY, at, en, field_errors, give_week
from tests.scheduling.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db

LIST = reverse("scheduling:working_hours_list")
WEDNESDAY = MONDAY + datetime.timedelta(days=2)
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Status = Appointment.Status
T = datetime.time


def page_of(person) -> str:
    return reverse("scheduling:working_hours", args=[person.pk])


def week_form(**changes: str) -> dict[str, str]:
    """What the form posts for Dr Martin's week as it is (weekdays 09:00-12:30, 14:00-18:30),
    with `changes` (field name: value) typed over it."""
    data = {f"{day}_{n}_{part}": "" for day in DAYS for n in (1, 2, 3) for part in ("start", "end")}
    for day in DAYS[:5]:
        data |= {f"{day}_1_start": "09:00", f"{day}_1_end": "12:30"}
        data |= {f"{day}_2_start": "14:00", f"{day}_2_end": "18:30"}
    return data | changes


def week_of(person) -> dict[int, list[tuple[datetime.time, datetime.time]]]:
    week: dict[int, list] = {}
    for block in WorkingHours.objects.filter(practitioner=person).order_by("weekday", "starts_at"):
        week.setdefault(block.weekday, []).append((block.starts_at, block.ends_at))
    return week


def said(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def listed(html: str) -> set[int]:
    """The appointments the page lists to move."""
    return {int(pk) for pk in re.findall(r'data-testid="clash-(\d+)"', html)}


USUAL = {day: [(T(9), T(12, 30)), (T(14), T(18, 30))] for day in range(5)}
SHORT_TUESDAY = {**USUAL, 1: [(T(9), T(12, 30)), (T(14), T(16))]}


# Who may.


def test_everyone_who_books_sees_the_weeks_and_anonymous_visitors_are_sent_to_login(
    role_clients, client, no_role_user, clinic
):
    for role, role_client in role_clients.items():
        for url in (LIST, page_of(clinic)):
            assert role_client.get(url).status_code == 200, (role, url)
    for url in (LIST, page_of(clinic)):
        anonymous = client.get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("login") + "?next=")
    client.force_login(no_role_user)
    assert client.get(LIST).status_code == 403
    assert client.get(page_of(clinic)).status_code == 403


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.RECEPTIONIST])
def test_only_the_clinic_manager_sets_hours(role_clients, clinic, role):
    before = week_of(clinic)
    page = role_clients[role].get(page_of(clinic)).text
    assert 'data-testid="hours-form"' not in page
    assert "Working hours are set by the clinic manager." in page
    response = role_clients[role].post(page_of(clinic), week_form(tuesday_2_end="16:00"))
    assert response.status_code == 403
    assert week_of(clinic) == before


def test_anonymous_posts_are_sent_to_login_and_change_nothing(client, clinic):
    before = week_of(clinic)
    response = client.post(page_of(clinic), week_form(tuesday_2_end="16:00"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert week_of(clinic) == before


def test_the_service_refuses_anyone_but_the_clinic_manager(receptionist, clinic):
    with pytest.raises(ValidationError, match=r"Only the clinic manager sets working hours\."):
        working_hours_set(practitioner=clinic, week=SHORT_TUESDAY, by=receptionist)
    assert week_of(clinic) == USUAL


def test_a_former_practitioners_week_is_not_found(admin_client, clinic):
    clinic.is_active = False
    clinic.save()
    assert admin_client.get(page_of(clinic)).status_code == 404
    assert admin_client.post(page_of(clinic), week_form()).status_code == 404


def test_the_appointments_tabs_link_the_working_hours(receptionist_client, clinic):
    page = receptionist_client.get(reverse("scheduling:today")).text
    assert f'href="{LIST}"' in page


# The list and the week.


def test_the_list_sums_up_each_practitioners_week(receptionist_client, clinic, colleague):
    WorkingHours.objects.filter(practitioner=colleague, weekday=4).delete()
    WorkingHours.objects.create(practitioner=colleague, weekday=5, starts_at=T(9), ends_at=T(13))
    page = receptionist_client.get(LIST)
    assert page.context["rows"] == [
        (clinic, en("Mon-Fri 09:00-12:30, 14:00-18:30; Sat-Sun off")),
        (colleague, en("Mon-Thu 09:00-12:30, 14:00-18:30; Fri off; Sat 09:00-13:00; Sun off")),
    ]
    assert f'href="{page_of(clinic)}"' in page.text


def test_a_practitioner_without_hours_says_so(receptionist_client, clinic, other_practitioner):
    rows = dict(receptionist_client.get(LIST).context["rows"])
    assert rows[other_practitioner] == "No hours set"


def test_the_page_shows_the_seven_days_and_the_form_holds_the_week(admin_client, clinic):
    response = admin_client.get(page_of(clinic))
    usual = [en("09:00-12:30"), en("14:00-18:30")]
    assert response.context["days"] == [
        *[(day, usual) for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")],
        ("Saturday", []),
        ("Sunday", []),
    ]
    html = response.text
    assert 'name="tuesday_2_end" value="18:30"' in html
    assert 'name="saturday_1_start"' in html and 'name="tuesday_3_start"' in html
    assert "Tuesday, block 2, to" in html


# Saving: the week replaced at once, with its history.


def test_the_manager_replaces_the_week_and_the_history_names_them(admin_client, admin_user, clinic):
    data = week_form(
        tuesday_2_end="16:00",
        friday_1_start="",
        friday_1_end="",
        friday_2_start="",
        friday_2_end="",
        saturday_2_start="09:00",
        saturday_2_end="13:00",
    )
    response = admin_client.post(page_of(clinic), data, follow=True)
    assert response.redirect_chain == [(page_of(clinic), 302)]
    assert said(response) == [
        "Sophie Martin's hours are saved. No booked appointment falls outside them."
    ]
    assert week_of(clinic) == {
        **{day: USUAL[day] for day in range(4)},
        1: [(T(9), T(12, 30)), (T(14), T(16))],
        5: [(T(9), T(13))],
    }
    # The week set up for the tests was recorded too, by nobody.
    history = WorkingHours.history.filter(practitioner_id=clinic.pk, history_user__isnull=False)
    assert {(row.history_type, row.weekday, row.history_user) for row in history} == {
        ("~", 1, admin_user),
        ("-", 4, admin_user),
        ("+", 5, admin_user),
    }
    assert history.count() == 4  # Friday's two blocks, Tuesday's afternoon, Saturday's morning
    changes = response.context["changes"][:4]
    assert [(c.what, c.action, c.who) for c in changes] == [
        (en("Saturday 09:00-13:00"), "added", "Claire Durand"),
        (en("Friday 14:00-18:30"), "removed", "Claire Durand"),
        (en("Friday 09:00-12:30"), "removed", "Claire Durand"),
        (en("Tuesday 14:00-16:00"), "changed", "Claire Durand"),
    ]
    assert [(f.label, f.old, f.new) for f in changes[-1].fields] == [("Ends at", "18:30", "16:00")]
    assert en("Friday 14:00-18:30") in response.text.split('data-testid="change-history"')[1]


def test_saving_the_same_week_changes_nothing(admin_client, clinic):
    response = admin_client.post(page_of(clinic), week_form(), follow=True)
    assert said(response)[0].startswith("Sophie Martin's hours are unchanged.")
    assert not WorkingHours.history.filter(history_user__isnull=False).exists()


def test_a_block_typed_in_a_later_row_counts(admin_client, clinic):
    data = week_form(saturday_3_start="10:00", saturday_3_end="12:00")
    assert admin_client.post(page_of(clinic), data).status_code == 302
    assert week_of(clinic)[5] == [(T(10), T(12))]


def test_an_emptied_week_leaves_the_practitioner_unbookable(admin_client, clinic):
    data = dict.fromkeys(week_form(), "")
    assert admin_client.post(page_of(clinic), data).status_code == 302
    assert week_of(clinic) == {}
    assert dict(admin_client.get(LIST).context["rows"])[clinic] == "No hours set"


# Every refusal at its field, with what was typed kept, and nothing saved.


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"tuesday_2_end": "13:00"}, "tuesday_2_end", "The end must be after the start."),
        ({"tuesday_2_end": "14:00"}, "tuesday_2_end", "The end must be after the start."),
        (
            {"tuesday_2_start": "12:00"},
            "tuesday_2_start",
            en("This overlaps 09:00-12:30 on Tuesday."),
        ),
        ({"monday_1_start": "05:30"}, "monday_1_start", "Hours start at 06:00 at the earliest."),
        ({"monday_2_end": "23:30"}, "monday_2_end", "Hours end at 23:00 at the latest."),
        (
            {"monday_2_end": "25:00"},
            "monday_2_end",
            "Enter a time as hours:minutes (09:30).",
        ),
        ({"monday_2_end": "6pm"}, "monday_2_end", "Enter a time as hours:minutes (09:30)."),
        (
            {"monday_2_end": "18:30:15"},
            "monday_2_end",
            "Enter a time as hours:minutes (09:30).",
        ),
        ({"saturday_1_start": "09:00"}, "saturday_1_end", "Give the end too, or empty both."),
        ({"saturday_2_end": "12:00"}, "saturday_2_start", "Give the start too, or empty both."),
    ],
)
def test_bad_hours_are_refused_at_the_field_and_the_input_is_kept(
    admin_client, clinic, changes, field, message
):
    # A good change elsewhere in the same post is not saved either: all or nothing.
    data = week_form(wednesday_2_end="17:00", **changes)
    response = admin_client.post(page_of(clinic), data)
    assert response.status_code == 200
    assert field_errors(response.text, field) == [message]
    assert week_of(clinic) == USUAL
    assert not WorkingHours.history.filter(history_user__isnull=False).exists()
    for name, value in changes.items():
        assert f'name="{name}" value="{value}"' in response.text
    assert 'name="wednesday_2_end" value="17:00"' in response.text


def test_an_overlap_is_shown_at_the_row_it_was_typed_in(admin_client, clinic):
    """The first row left empty: the service's second and third blocks are rows 2 and 3."""
    data = week_form(
        saturday_2_start="09:00",
        saturday_2_end="12:00",
        saturday_3_start="11:00",
        saturday_3_end="13:00",
    )
    response = admin_client.post(page_of(clinic), data)
    assert field_errors(response.text, "saturday_3_start") == [
        en("This overlaps 09:00-12:00 on Saturday.")
    ]
    assert field_errors(response.text, "saturday_2_start") == []
    assert 5 not in week_of(clinic)


def test_several_errors_each_show_at_their_field(admin_client, clinic):
    data = week_form(monday_1_start="05:00", thursday_2_end="23:15")
    response = admin_client.post(page_of(clinic), data)
    assert field_errors(response.text, "monday_1_start") == [
        "Hours start at 06:00 at the earliest."
    ]
    assert field_errors(response.text, "thursday_2_end") == ["Hours end at 23:00 at the latest."]


def test_the_service_refuses_more_than_three_blocks_a_day(admin_user, clinic):
    four = [(T(7), T(8)), (T(9), T(10)), (T(11), T(12)), (T(13), T(14))]
    with pytest.raises(ValidationError) as refused:
        working_hours_set(practitioner=clinic, week={**USUAL, 5: four}, by=admin_user)
    assert refused.value.message_dict == {
        "saturday_1_start": ["3 blocks a day at most: join some of Saturday's."]
    }
    assert week_of(clinic) == USUAL


def test_a_refusal_late_in_the_week_leaves_the_whole_week_as_it_was(admin_user, clinic):
    """Monday's change comes first; Sunday's overlap then refuses it all."""
    week = {**USUAL, 0: [(T(10), T(12))], 6: [(T(9), T(12)), (T(11), T(13))]}
    with pytest.raises(ValidationError):
        working_hours_set(practitioner=clinic, week=week, by=admin_user)
    assert week_of(clinic) == USUAL
    assert not WorkingHours.history.filter(history_user__isnull=False).exists()


# The booked appointments the new hours leave outside.


@pytest.fixture
def booked(clinic, colleague, treatment):
    """Dr Martin's appointments around Tuesday afternoon, and a few that must not be listed."""

    def book(who, when, status=Status.BOOKED, **extra):
        return AppointmentFactory(
            practitioner=who,
            appointment_type=treatment,
            start=when,
            status=status,
            patient=PatientFactory(),
            **extra,
        )

    next_tuesday = TUESDAY + datetime.timedelta(weeks=1)
    return {
        "inside": book(clinic, at(TUESDAY, "14:30")),
        # 15:30-16:15: partly after the new 16:00 end.
        "partly": book(clinic, at(TUESDAY, "15:30")),
        "after": book(clinic, at(next_tuesday, "17:00"), Status.CONFIRMED),
        "cancelled": book(clinic, at(TUESDAY, "17:00"), Status.CANCELLED, cancel_reason="Flu"),
        "wednesday": book(clinic, at(WEDNESDAY, "17:00")),
        "colleague": book(colleague, at(TUESDAY, "17:00")),
        "past": book(clinic, at(TUESDAY - datetime.timedelta(weeks=1), "17:00")),
        # A series may be booked up to two years ahead: new hours concern those too.
        "next_year": book(clinic, at(TUESDAY + datetime.timedelta(weeks=54), "16:00")),
        "in_two_years": book(clinic, at(TUESDAY + datetime.timedelta(weeks=102), "16:00")),
    }


def test_after_saving_the_manager_sees_the_appointments_outside_the_new_hours(
    admin_client, clinic, booked
):
    response = admin_client.post(page_of(clinic), week_form(tuesday_2_end="16:00"), follow=True)
    assert said(response) == [
        "Sophie Martin's hours are saved. 4 booked appointments fall outside them: move or "
        "cancel each below."
    ]
    # Partly outside and wholly outside, booked or confirmed, however far ahead, soonest
    # first; not one inside the new hours, a cancelled one, another day's, a colleague's or a
    # past one.
    html = response.text
    outside = [booked[name].pk for name in ("partly", "after", "next_year", "in_two_years")]
    assert listed(html) == set(outside)
    assert [a.pk for a in response.context["clashes"]] == outside
    row = html.split(f'data-testid="clash-{booked["partly"].pk}"')[1].split("</tr>")[0]
    for shown in ("Tue 17 Mar", "15:30", booked["partly"].patient.full_name, "Sophie Martin"):
        assert shown in row
    move = reverse("scheduling:appointment_move", args=[booked["partly"].pk])
    cancel = reverse("scheduling:appointment_cancel", args=[booked["partly"].pk])
    assert f'hx-get="{move}"' in row and f'hx-get="{cancel}"' in row
    assert f'hx-get="{page_of(clinic)}"' in html  # the list reloads itself


def test_one_appointment_outside_is_said_in_the_singular(admin_client, clinic, booked):
    response = admin_client.post(page_of(clinic), week_form(tuesday_2_end="17:00"), follow=True)
    assert said(response)[0].endswith(
        "1 booked appointment falls outside them: move or cancel each below."
    )


def test_a_day_no_longer_worked_lists_its_appointments(receptionist_client, admin_user, clinic):
    appointment = AppointmentFactory(practitioner=clinic, start=at(WEDNESDAY, "10:00"))
    working_hours_set(
        practitioner=clinic, week={d: b for d, b in USUAL.items() if d != 2}, by=admin_user
    )
    # The desk sees the list too, to move them.
    assert listed(receptionist_client.get(page_of(clinic)).text) == {appointment.pk}


def test_moving_an_appointment_into_the_hours_takes_it_off_the_list(
    receptionist_client, admin_user, clinic, booked
):
    working_hours_set(practitioner=clinic, week=SHORT_TUESDAY, by=admin_user)
    moved = receptionist_client.post(
        reverse("scheduling:appointment_move", args=[booked["partly"].pk]),
        {"practitioner": clinic.pk, "day": "2026-03-17", "time": "11:00", "room": ""},
        headers=HTMX,
    )
    assert moved.status_code == 200
    assert "calendar-changed" in moved["HX-Trigger"]
    fragment = receptionist_client.get(page_of(clinic), headers=HTMX).text
    assert 'id="hours-clashes"' in fragment and "<html" not in fragment
    assert listed(fragment) == {booked[name].pk for name in ("after", "next_year", "in_two_years")}


# What booking says afterwards: the real availability.


def test_booking_follows_the_new_hours(admin_user, receptionist, clinic, patient, treatment):
    working_hours_set(
        practitioner=clinic, week={**SHORT_TUESDAY, 5: [(T(9), T(13))]}, by=admin_user
    )

    def book(when):
        return appointment_book(
            patient=patient,
            practitioner=clinic,
            appointment_type=treatment,
            start=when,
            booked_by=receptionist,
        )

    with pytest.raises(SlotUnavailable) as refused:
        book(at(TUESDAY, "15:30"))
    assert refused.value.message_dict["start"] == [
        "Outside Sophie Martin's hours on Tuesdays (09:00-12:30, 14:00-16:00)."
    ]
    saturday = MONDAY + datetime.timedelta(days=5)
    assert book(at(saturday, "10:00")).start == at(saturday, "10:00")
    assert book(at(TUESDAY, "15:00")).start == at(TUESDAY, "15:00")


# The today board and the calendars mark what is still booked outside the hours.


def test_the_today_board_and_the_calendars_mark_appointments_outside_the_hours(
    receptionist_client, admin_user, clinic, colleague, treatment
):
    def book(who, hhmm, **extra):
        return AppointmentFactory(
            practitioner=who, appointment_type=treatment, start=at(MONDAY, hhmm), **extra
        )

    late = book(clinic, "15:30")
    inside = book(clinic, "14:00")
    cancelled = book(clinic, "16:30", status=Status.CANCELLED, cancel_reason="Flu")
    theirs = book(colleague, "15:30")
    working_hours_set(
        practitioner=clinic, week={**USUAL, 0: [(T(9), T(12, 30)), (T(14), T(16))]}, by=admin_user
    )
    board = receptionist_client.get(reverse("scheduling:today")).text
    badge = f'data-testid="outside-hours-{late.pk}"'
    assert "Outside Sophie Martin&#x27;s hours" in board.split(badge)[1].split("</span>")[0]
    for other in (inside, cancelled, theirs):
        assert f'data-testid="outside-hours-{other.pk}"' not in board

    def box(html: str, appointment) -> str:
        return html.split(f'data-testid="appointment-{appointment.pk}"')[0].rsplit("<a ", 1)[1]

    day = receptionist_client.get(reverse("scheduling:day"), {"who": "all"}).text
    assert "is-outside-hours" in box(day, late)
    assert "Outside hours: move it" in day.split(f'data-testid="appointment-{late.pk}"')[1]
    assert "is-outside-hours" not in box(day, inside) and "is-outside-hours" not in box(day, theirs)
    week = receptionist_client.get(reverse("scheduling:week"), {"who": clinic.pk}).text
    assert "is-outside-hours" in box(week, late)


# The superuser's back office keeps working, and its changes name who made them.


def test_hours_added_in_the_back_office_name_who_added_them(
    admin_client, superuser_client, superuser, clinic
):
    response = superuser_client.post(
        reverse("admin:scheduling_workinghours_add"),
        {"practitioner": clinic.pk, "weekday": 5, "starts_at": "09:00", "ends_at": "12:00"},
    )
    assert response.status_code == 302
    record = WorkingHours.history.get(weekday=5)
    assert (record.history_type, record.history_user) == ("+", superuser)
    changes = admin_client.get(page_of(clinic)).context["changes"][:1]
    assert [(c.what, c.action, c.who) for c in changes] == [
        (en("Saturday 09:00-12:00"), "added", "Marc Leroy")
    ]


# Constant queries, at two data sizes.


def test_the_list_runs_a_constant_number_of_queries(
    receptionist_client, clinic, colleague, make_staff, django_assert_num_queries
):
    receptionist_client.get(LIST)  # the session's idle refresh
    with django_assert_num_queries(5) as small:
        receptionist_client.get(LIST)
    for n in range(6):
        give_week(make_staff(f"dr.{n}", Role.PRACTITIONER, first_name="Dr", last_name=f"N{n}"))
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(receptionist_client.get(LIST).context["rows"]) == 8


def test_a_practitioners_page_runs_a_constant_number_of_queries(
    admin_client, admin_user, clinic, treatment, django_assert_num_queries
):
    working_hours_set(practitioner=clinic, week=SHORT_TUESDAY, by=admin_user)

    def book(weeks: range) -> None:
        for week in weeks:
            tuesday = TUESDAY + datetime.timedelta(weeks=week)
            for hhmm in ("10:00", "16:30", "17:30"):
                AppointmentFactory(
                    practitioner=clinic,
                    appointment_type=treatment,
                    start=at(tuesday, hhmm),
                    patient=PatientFactory(),
                )

    book(range(2))
    admin_client.get(page_of(clinic))
    with django_assert_num_queries(9) as small:
        assert admin_client.get(page_of(clinic)).context["clash_count"] == 4
    # Up to two years ahead, as a series may be booked: beyond a year too.
    book(range(2, 30))
    book(range(92, 102))
    with django_assert_num_queries(len(small.captured_queries)):
        page = admin_client.get(page_of(clinic))
    assert page.context["clash_count"] == 80
    assert len(listed(page.text)) == 80
