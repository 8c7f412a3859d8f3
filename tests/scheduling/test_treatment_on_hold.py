"""Treatment visits booked before an absolute contraindication was recorded: the today board,
the calendars and the appointment dialog mark them "Treatment on hold", without saying why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from patients.models import Contraindication
from patients.services import contraindication_resolve
from scheduling.models import Appointment
from tests.patients.factories import ContraindicationFactory
from tests.scheduling.conftest import HTMX, MONDAY, at
from tests.scheduling.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db

NOTE = "Twelve weeks, due in September"
MARK = "Treatment on hold"


def pregnant(patient, by) -> Contraindication:
    return ContraindicationFactory(
        patient=patient,
        recorded_by=by,
        kind=Contraindication.Kind.PREGNANCY,
        severity=Contraindication.Severity.ABSOLUTE,
        note=NOTE,
    )


@pytest.fixture
def visits(clinic, patient, treatment, consultation, rooms):
    """Juliette's treatment at 10:00 and consultation at 14:00 this Monday, both booked before
    her pregnancy was recorded."""
    booked = {
        key: AppointmentFactory(
            practitioner=clinic,
            patient=patient,
            appointment_type=kind,
            room=rooms[0],
            start=at(MONDAY, hhmm),
        )
        for key, kind, hhmm in (
            ("treatment", treatment, "10:00"),
            ("consultation", consultation, "14:00"),
        )
    }
    pregnant(patient, clinic)
    return booked


def today_board(client) -> str:
    return client.get(reverse("scheduling:today")).content.decode()


def calendar_box(html: str, appointment: Appointment) -> str:
    start = html.index(f'data-testid="appointment-{appointment.pk}"')
    return html[html.rindex("<a ", 0, start) : html.index("</a>", start)]


def dialog(client, appointment: Appointment) -> str:
    url = reverse("scheduling:appointment", args=[appointment.pk])
    return client.get(url, headers=HTMX).content.decode()


def test_the_today_board_marks_the_treatment_but_not_the_consultation(receptionist_client, visits):
    html = today_board(receptionist_client)
    assert f'data-testid="on-hold-{visits["treatment"].pk}"' in html
    assert f'data-testid="on-hold-{visits["consultation"].pk}"' not in html
    assert html.count(MARK) == 1


@pytest.mark.parametrize("name", ["scheduling:day", "scheduling:week"])
def test_the_calendars_mark_the_treatment_but_not_the_consultation(
    receptionist_client, visits, clinic, name
):
    html = receptionist_client.get(
        reverse(name), {"date": MONDAY.isoformat(), "who": clinic.pk}
    ).content.decode()
    treatment_box = calendar_box(html, visits["treatment"])
    assert "is-on-hold" in treatment_box and MARK in treatment_box
    consultation_box = calendar_box(html, visits["consultation"])
    assert "is-on-hold" not in consultation_box and MARK not in consultation_box


def test_the_dialog_says_why_the_treatment_cannot_go_ahead(receptionist_client, visits):
    html = dialog(receptionist_client, visits["treatment"])
    assert 'data-testid="on-hold"' in html
    assert "a practitioner must review the record before any injection" in html
    assert 'data-testid="on-hold"' not in dialog(receptionist_client, visits["consultation"])


def test_the_receptionist_sees_the_mark_but_not_the_contraindication(
    receptionist_client, visits, clinic
):
    pages = [
        today_board(receptionist_client),
        receptionist_client.get(reverse("scheduling:day"), {"who": clinic.pk}).content.decode(),
        dialog(receptionist_client, visits["treatment"]),
    ]
    for html in pages:
        assert MARK in html
        assert "Pregnancy" not in html and "breastfeeding" not in html and NOTE not in html


def test_the_mark_goes_once_the_contraindication_is_resolved(
    receptionist_client, visits, patient, clinic
):
    contraindication_resolve(
        contraindication=patient.contraindications.get(), by=clinic, reason="Pregnancy ended"
    )
    assert MARK not in today_board(receptionist_client)
    assert MARK not in dialog(receptionist_client, visits["treatment"])


def test_a_relative_contraindication_puts_nothing_on_hold(receptionist_client, visits, patient):
    Contraindication.objects.filter(patient=patient).update(
        severity=Contraindication.Severity.RELATIVE
    )
    assert MARK not in today_board(receptionist_client)


@pytest.mark.parametrize(
    "status",
    [Appointment.Status.COMPLETED, Appointment.Status.NO_SHOW, Appointment.Status.CANCELLED],
)
def test_an_appointment_that_is_over_is_not_marked(receptionist_client, visits, status):
    treatment = visits["treatment"]
    Appointment.objects.filter(pk=treatment.pk).update(status=status, cancel_reason="Rang")
    assert MARK not in today_board(receptionist_client)
    assert MARK not in dialog(receptionist_client, treatment)


def test_a_patient_already_here_is_still_marked(receptionist_client, visits):
    # Recorded at the start of the visit: the practitioner and the desk see it at once.
    Appointment.objects.filter(pk=visits["treatment"].pk).update(status=Appointment.Status.ARRIVED)
    assert f'data-testid="on-hold-{visits["treatment"].pk}"' in today_board(receptionist_client)


def test_the_running_late_list_marks_a_late_treatment_on_hold(
    receptionist_client, visits, clinic, treatment, rooms, time_machine, django_assert_num_queries
):
    """The late patient the desk calls first: the mark is in the "Running late" list too, read
    in the board's one query for the day's treatments on hold."""
    other = AppointmentFactory(
        practitioner=clinic,
        patient=PatientFactory(first_name="Hugo", last_name="Morel"),
        appointment_type=treatment,
        room=rooms[1],
        start=at(MONDAY, "09:00"),
    )
    time_machine.move_to(at(MONDAY, "10:20"), tick=False)
    today_board(receptionist_client)  # the session's idle refresh
    with django_assert_num_queries(9):
        html = today_board(receptionist_client)
    start = html.index('data-testid="late"')
    late = html[start : html.index("</ul>", start)]
    held = visits["treatment"].pk
    assert f'data-testid="late-{held}"' in late and f'data-testid="late-{other.pk}"' in late
    assert f'data-testid="late-on-hold-{held}"' in late
    assert f"late-on-hold-{other.pk}" not in html
    # Once in the late list, once in her row of the day's appointments.
    assert late.count(MARK) == 1 and html.count(MARK) == 2


def _book_on_hold(practitioner, hours: range) -> None:
    """A treatment each hour that day, every other patient pregnant."""
    for hour in hours:
        patient = PatientFactory()
        AppointmentFactory(
            practitioner=practitioner, patient=patient, start=at(MONDAY, f"{hour}:00")
        )
        if hour % 2:
            pregnant(patient, practitioner)


@pytest.mark.parametrize(
    ("name", "query", "queries"),
    [
        # Session, user, roles, practitioners, appointments, hours, days off: and who is on hold.
        ("scheduling:day", {"who": "all"}, 8),
        ("scheduling:week", {"who": "all"}, 8),
        # Plus the appointments whose session was already given.
        ("scheduling:today", {}, 9),
    ],
)
def test_marking_treatments_on_hold_is_one_query_whatever_the_diary(
    receptionist_client, clinic, other_practitioner, django_assert_num_queries, name, query, queries
):
    url = reverse(name)
    _book_on_hold(clinic, range(9, 11))
    receptionist_client.get(url, query)  # the session's idle refresh
    with django_assert_num_queries(queries):
        small = receptionist_client.get(url, query).content.decode()
    assert small.count(MARK) == 1
    _book_on_hold(clinic, range(11, 18))
    _book_on_hold(other_practitioner, range(9, 18))
    with django_assert_num_queries(queries):
        large = receptionist_client.get(url, query).content.decode()
    assert large.count(MARK) == 1 + 4 + 5


@pytest.mark.parametrize("who", ["receptionist", "practitioner"])
def test_the_home_page_today_panel_marks_the_treatment(request, visits, who):
    """The desk's "next at the clinic" and Dr Martin's own day, on the home page."""
    client = request.getfixturevalue(f"{who}_client")
    html = client.get(reverse("home")).content.decode()
    assert f'data-testid="panel-on-hold-{visits["treatment"].pk}"' in html
    assert f'data-testid="panel-on-hold-{visits["consultation"].pk}"' not in html
    if who == "receptionist":
        assert "Pregnancy" not in html and NOTE not in html
