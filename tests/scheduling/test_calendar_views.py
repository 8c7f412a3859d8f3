"""Day and week calendars and the today page: right weekday, right time, constant queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from clinic.roles import Role
from scheduling import clock
from scheduling.calendar import load_calendar
from scheduling.models import Appointment, AppointmentSeries
from scheduling.views.calendar import CLINIC_PAGE_SIZE
from tests.scheduling.conftest import MONDAY, at, give_week
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientFactory,
    RoomFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db

SPRING_SUNDAY = datetime.date(2026, 3, 29)  # clocks go forward at 02:00
AUTUMN_SUNDAY = datetime.date(2026, 10, 25)  # clocks go back at 03:00


def scene(practitioner, start, **extra):
    return AppointmentFactory(practitioner=practitioner, start=start, **extra)


def placed(grid) -> dict[str, tuple[str, float]]:
    """Each appointment's patient first name -> (column day, top %)."""
    return {
        event.appointment.patient.first_name: (column.day.isoformat(), event.top)
        for column in grid.columns
        for event in column.events
    }


@pytest.mark.parametrize(
    ("sunday", "friday_utc", "sunday_utc"),
    [(SPRING_SUNDAY, "09:00", "08:00"), (AUTUMN_SUNDAY, "08:00", "09:00")],
)
def test_a_daylight_saving_week_keeps_weekdays_and_wall_clock_times(
    clinic, sunday, friday_utc, sunday_utc
):
    friday = sunday - datetime.timedelta(days=2)
    saturday = sunday - datetime.timedelta(days=1)
    scene(clinic, at(friday, "10:00"), patient=PatientFactory(first_name="Friday"))
    scene(clinic, at(sunday, "10:00"), patient=PatientFactory(first_name="Sunday"))
    # 23:30 on Saturday in Paris is already Sunday in some zones; it stays on Saturday here.
    scene(clinic, at(saturday, "23:00"), patient=PatientFactory(first_name="Late"))

    grid = load_calendar(mode="week", day=sunday, practitioner=clinic)
    where = placed(grid)
    assert [column.day.weekday() for column in grid.columns] == list(range(7))
    assert where["Friday"][0] == friday.isoformat()
    assert where["Sunday"][0] == sunday.isoformat()
    assert where["Late"][0] == saturday.isoformat()
    # Same wall-clock time, same height on the grid, although an hour apart in UTC.
    assert where["Friday"][1] == where["Sunday"][1]
    assert at(friday, "10:00").astimezone(datetime.UTC).strftime("%H:%M") == friday_utc
    assert at(sunday, "10:00").astimezone(datetime.UTC).strftime("%H:%M") == sunday_utc


def test_the_week_page_shows_times_in_paris_across_the_spring_change(receptionist_client, clinic):
    scene(clinic, at(datetime.date(2026, 3, 27), "10:00"))
    scene(clinic, at(datetime.date(2026, 3, 30), "10:00"))
    for day in ("2026-03-27", "2026-03-30"):
        html = receptionist_client.get(
            reverse("scheduling:week"), {"date": day, "who": clinic.pk}
        ).content.decode()
        assert re.findall(r'class="cal-event-time">([0-9:]+)<', html) == ["10:00"], day


def test_week_hides_sunday_unless_someone_works_or_is_booked(clinic):
    assert len(load_calendar(mode="week", day=MONDAY, practitioner=clinic).columns) == 6
    scene(clinic, at(MONDAY + datetime.timedelta(days=6), "11:00"))
    assert len(load_calendar(mode="week", day=MONDAY, practitioner=clinic).columns) == 7


def test_overlapping_appointments_of_the_clinic_sit_side_by_side(clinic, other_practitioner):
    scene(clinic, at(MONDAY, "10:00"), patient=PatientFactory(first_name="A"))
    scene(other_practitioner, at(MONDAY, "10:30"), patient=PatientFactory(first_name="B"))
    scene(clinic, at(MONDAY, "14:00"), patient=PatientFactory(first_name="C"))
    grid = load_calendar(mode="week", day=MONDAY, practitioner=None)
    events = {e.appointment.patient.first_name: e for e in grid.columns[0].events}
    assert (events["A"].lane, events["A"].lanes) == (0, 2)
    assert (events["B"].lane, events["B"].lanes) == (1, 2)
    assert (events["C"].lane, events["C"].lanes) == (0, 1)


def test_a_calendar_loads_only_the_patients_names(clinic):
    scene(
        clinic, at(MONDAY, "10:00"), patient=PatientFactory(first_name="Léa", phone="+33612345678")
    )
    [event] = load_calendar(mode="week", day=MONDAY, practitioner=clinic).columns[0].events
    patient = event.appointment.patient
    assert patient.full_name.startswith("Léa ")
    # Contact details and clinical notes stay in the database.
    assert {"phone", "email", "current_medications", "allergy_notes"} <= (
        patient.get_deferred_fields()
    )


def test_an_appointments_box_says_time_patient_status_series_practitioner_and_room(
    clinic, receptionist_client
):
    patient = PatientFactory(first_name="Léa", last_name="Roux")
    series = AppointmentSeries.objects.create(
        patient=patient,
        practitioner=clinic,
        appointment_type=AppointmentTypeFactory(),
        count=6,
        interval_days=14,
    )
    scene(
        clinic,
        at(MONDAY, "10:00"),
        patient=patient,
        series=series,
        series_position=2,
        status=Appointment.Status.CONFIRMED,
        room=RoomFactory(name="Cabin 3"),
    )
    scene(clinic, at(MONDAY, "14:00"), status=Appointment.Status.BOOKED)

    clinic_week = load_calendar(mode="week", day=MONDAY, practitioner=None)
    confirmed, booked = (event.shown for event in clinic_week.columns[0].events)
    assert (confirmed.time, confirmed.patient, confirmed.status) == (
        "10:00",
        "Léa Roux",
        "Confirmed",
    )
    assert confirmed.meta == f"Treatment session 2/6 · {clinic.last_name} · Cabin 3"
    assert confirmed.css == "status-confirmed kind-treatment"
    assert confirmed.url == reverse("scheduling:appointment", args=[series.appointments.get().pk])
    # Booked is the ordinary state: not spelled out on a busy grid.
    assert booked.status == ""
    # On one practitioner's own week, their name would say nothing.
    own_week = load_calendar(mode="week", day=MONDAY, practitioner=clinic)
    assert own_week.columns[0].events[0].shown.meta == "Treatment session 2/6 · Cabin 3"

    page = receptionist_client.get(reverse("scheduling:week"), {"date": MONDAY, "who": "all"})
    html = page.content.decode()
    assert '<span class="cal-event-status">Confirmed</span> · Treatment session 2/6' in html


def test_an_appointments_box_escapes_what_people_typed(clinic, receptionist_client):
    patient = PatientFactory(first_name='Zoé"><script>alert(1)</script>', last_name="O'Brien & Co")
    scene(clinic, at(MONDAY, "10:00"), patient=patient, room=RoomFactory(name="<b>Cabin</b>"))
    html = receptionist_client.get(
        reverse("scheduling:week"), {"date": MONDAY, "who": "all"}
    ).content.decode()
    assert "<script>alert(1)" not in html and "<b>Cabin</b>" not in html
    box = re.search(r'<a class="cal-event [^"]*"[^>]*>(.*?)</a>', html, re.S)
    assert box is not None
    assert "Zoé&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Brien &amp; Co" in box[1]
    assert "&lt;b&gt;Cabin&lt;/b&gt;" in box[1]


def test_clinic_day_has_a_column_per_working_practitioner(clinic, other_practitioner):
    give_week(other_practitioner, weekdays=[1])
    monday = load_calendar(mode="day", day=MONDAY, practitioner=None)
    assert [c.heading for c in monday.columns] == ["Sophie Martin"]
    tuesday = load_calendar(mode="day", day=MONDAY + datetime.timedelta(days=1), practitioner=None)
    assert [c.heading for c in tuesday.columns] == ["Sophie Martin", "Paul Nguyen"]


def test_days_off_and_free_gaps_show_on_a_practitioners_week(clinic):
    TimeOffFactory(practitioner=clinic, first_day=MONDAY, last_day=MONDAY, reason="Congress")
    scene(clinic, at(MONDAY + datetime.timedelta(days=1), "10:00"))
    grid = load_calendar(mode="week", day=MONDAY, practitioner=clinic)
    assert grid.columns[0].closed == "Congress"
    gaps = [
        (clock.local(g.start).strftime("%H:%M"), clock.local(g.end).strftime("%H:%M"))
        for g in grid.columns[1].gaps
    ]
    # 10:00-10:45 plus its 15-minute gap is taken.
    assert gaps == [("09:00", "10:00"), ("11:00", "12:30"), ("14:00", "18:30")]


def test_htmx_navigation_returns_only_the_calendar(receptionist_client, clinic):
    response = receptionist_client.get(
        reverse("scheduling:week"), {"date": "2026-03-23"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="calendar"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    full = receptionist_client.get(reverse("scheduling:week"), {"date": "2026-03-23"})
    assert "<html" in full.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"date": "not-a-date"},
        {"date": "9999-12-31"},
        {"date": "0001-01-01"},
        {"date": "1899-12-31"},
        {"who": "999999"},
        {"who": "x"},
        {},
    ],
)
def test_odd_addresses_fall_back_to_sensible_defaults(receptionist_client, clinic, query):
    for name in ("scheduling:week", "scheduling:day"):
        response = receptionist_client.get(reverse(name), query)
        assert response.status_code == 200
        if "date" in query:
            assert response.context["cal"].first_day == MONDAY  # today (a Monday)


def test_a_far_but_plausible_date_is_shown(receptionist_client, clinic):
    response = receptionist_client.get(reverse("scheduling:day"), {"date": "2199-12-31"})
    assert response.context["cal"].first_day == datetime.date(2199, 12, 31)


def test_a_practitioner_sees_their_own_week_by_default(
    practitioner_client, clinic, other_practitioner
):
    give_week(other_practitioner)
    scene(other_practitioner, at(MONDAY, "10:00"), patient=PatientFactory(first_name="Theirs"))
    own = practitioner_client.get(reverse("scheduling:week")).content.decode()
    assert "Theirs" not in own
    clinic_wide = practitioner_client.get(
        reverse("scheduling:week"), {"who": "all"}
    ).content.decode()
    assert "Theirs" in clinic_wide


def _fill(practitioners, hours: range) -> None:
    for person in practitioners:
        for offset in range(6):
            day = MONDAY + datetime.timedelta(days=offset)
            for hour in hours:
                scene(person, at(day, f"{hour}:00"), status="confirmed" if hour % 2 else "booked")


@pytest.mark.parametrize(
    ("name", "query", "queries"),
    [
        # The last query: which of the patients shown have their treatment on hold.
        ("scheduling:week", {"who": "all"}, 8),
        ("scheduling:week", {"who": "practitioner"}, 8),
        ("scheduling:day", {"who": "all"}, 8),
        # Plus the appointments whose session was already given.
        ("scheduling:today", {}, 9),
    ],
)
def test_calendar_pages_run_a_constant_number_of_queries(
    receptionist_client, clinic, other_practitioner, django_assert_num_queries, name, query, queries
):
    give_week(other_practitioner)
    if query.get("who") == "practitioner":
        query = {"who": clinic.pk}
    url = reverse(name)
    _fill([clinic, other_practitioner], range(9, 10))
    receptionist_client.get(url, query)  # warm the session
    with django_assert_num_queries(queries) as small:
        assert receptionist_client.get(url, query).status_code == 200
    _fill([clinic, other_practitioner], range(10, 17))
    with django_assert_num_queries(len(small.captured_queries)):
        response = receptionist_client.get(url, query)
    assert response.content.decode().count("Moreau") >= 7


@pytest.mark.parametrize("name", ["scheduling:week", "scheduling:day"])
def test_a_large_clinic_is_shown_a_page_of_practitioners_at_a_time(
    receptionist_client, make_staff, django_assert_num_queries, name
):
    staff = [
        make_staff(f"dr.{i:02d}", Role.PRACTITIONER, first_name="Dr", last_name=f"Staff{i:02d}")
        for i in range(CLINIC_PAGE_SIZE + 2)
    ]
    for i, person in enumerate(staff):
        give_week(person)
        scene(person, at(MONDAY, "10:00"), patient=PatientFactory(first_name=f"Patient{i:02d}"))
    query = {"who": "all", "date": MONDAY.isoformat()}
    receptionist_client.get(reverse(name), query)  # the session's idle refresh
    with django_assert_num_queries(8):
        first = receptionist_client.get(reverse(name), query).text
    shown = set(re.findall(r"Patient\d\d", first))
    assert shown == {f"Patient{i:02d}" for i in range(CLINIC_PAGE_SIZE)}
    assert f"Practitioners 1\N{EN DASH}{CLINIC_PAGE_SIZE} of {CLINIC_PAGE_SIZE + 2}" in first
    # Moving through the days keeps the page of practitioners.
    assert "who=all&amp;page=1" in first
    with django_assert_num_queries(8):
        second = receptionist_client.get(reverse(name), {**query, "page": 2}).text
    assert set(re.findall(r"Patient\d\d", second)) == {
        f"Patient{i:02d}" for i in range(CLINIC_PAGE_SIZE, CLINIC_PAGE_SIZE + 2)
    }
    # Everyone stays in the list of whose calendar to show.
    assert second.count('value="' + str(staff[0].pk) + '"') == 1
