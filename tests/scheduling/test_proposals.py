"""Series proposals: same weekday and time where possible, within hours, never on a day off or a
taken slot, and right across daylight-saving changes."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling import clock
from scheduling.availability import Availability, Held
from scheduling.models import AppointmentType, Room, WorkingHours
from scheduling.services import series_propose
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory, TimeOffFactory


def propose(clinic, patient, appointment_type, first_start, count=6, interval_days=7, **extra):
    return series_propose(
        patient=patient,
        practitioner=clinic,
        appointment_type=appointment_type,
        first_start=first_start,
        count=count,
        interval_days=interval_days,
        **extra,
    )


def wall(proposals) -> list[str]:
    return [
        clock.local(p.slot.start).strftime("%a %d %b %H:%M") if p.slot else "none"
        for p in proposals
    ]


@pytest.mark.django_db
class TestSeriesProposals:
    def test_same_weekday_and_time_every_interval(self, clinic, patient, treatment):
        proposals = propose(clinic, patient, treatment, at(MONDAY, "10:00"), count=3)
        assert wall(proposals) == ["Mon 16 Mar 10:00", "Mon 23 Mar 10:00", "Mon 30 Mar 10:00"]
        assert all(p.note == "" for p in proposals)

    def test_the_wall_clock_time_survives_the_spring_change(self, clinic, patient, treatment):
        # Clocks go forward on Sunday 29 March 2026: 10:00 is 09:00 UTC before, 08:00 UTC after.
        proposals = propose(
            clinic, patient, treatment, at(MONDAY + datetime.timedelta(days=7), "10:00"), count=2
        )
        assert wall(proposals) == ["Mon 23 Mar 10:00", "Mon 30 Mar 10:00"]
        utc = [p.slot.start.astimezone(datetime.UTC).strftime("%H:%M") for p in proposals]
        assert utc == ["09:00", "08:00"]

    def test_the_wall_clock_time_survives_the_autumn_change(
        self, clinic, patient, treatment, time_machine
    ):
        # Clocks go back on Sunday 25 October 2026.
        time_machine.move_to(at(datetime.date(2026, 10, 12), "08:00"), tick=False)
        proposals = propose(
            clinic, patient, treatment, at(datetime.date(2026, 10, 19), "17:30"), count=3
        )
        assert wall(proposals) == ["Mon 19 Oct 17:30", "Mon 26 Oct 17:30", "Mon 02 Nov 17:30"]
        utc = [p.slot.start.astimezone(datetime.UTC).strftime("%H:%M") for p in proposals]
        assert utc == ["15:30", "16:30", "16:30"]

    def test_a_holiday_moves_one_session_to_the_next_working_day_only(
        self, clinic, patient, treatment
    ):
        easter_monday = datetime.date(2026, 4, 6)
        TimeOffFactory(
            practitioner=None,
            first_day=easter_monday,
            last_day=easter_monday,
            reason="Easter Monday",
        )
        proposals = propose(
            clinic, patient, treatment, at(datetime.date(2026, 3, 30), "10:00"), count=3
        )
        assert wall(proposals) == ["Mon 30 Mar 10:00", "Tue 07 Apr 10:00", "Mon 13 Apr 10:00"]
        assert proposals[1].note == "Moved from Mon 6 Apr: the clinic is closed (Easter Monday)."

    def test_a_taken_time_gives_the_nearest_free_time_that_day(
        self, clinic, patient, treatment, rooms
    ):
        AppointmentFactory(
            practitioner=clinic,
            appointment_type=treatment,
            room=rooms[0],
            start=at(datetime.date(2026, 3, 23), "10:00"),
        )
        proposals = propose(clinic, patient, treatment, at(MONDAY, "10:00"), count=2)
        # 10:00-11:00 is held (gap included): 11:00 is as close as 09:00 is, and not free
        # earlier either since 09:00 + 45 min + ... 09:00 fits (ends 09:45, clear by 10:00).
        assert wall(proposals) == ["Mon 16 Mar 10:00", "Mon 23 Mar 09:00"]
        assert proposals[1].note == "10:00 is not free that day; nearest free time."

    def test_a_day_the_practitioner_does_not_work_moves_to_the_next(
        self, clinic, patient, treatment
    ):
        # Dr Martin works Monday to Friday: a Saturday start goes to Monday.
        saturday = MONDAY + datetime.timedelta(days=5)
        proposals = propose(clinic, patient, treatment, at(saturday, "10:00"), count=1)
        assert wall(proposals) == ["Mon 23 Mar 10:00"]
        assert (
            proposals[0].note == "Moved from Sat 21 Mar: Sophie Martin does not work on Saturdays."
        )

    def test_a_past_first_start_is_refused(self, clinic, patient, treatment):
        with pytest.raises(ValidationError) as refused:
            propose(clinic, patient, treatment, at(MONDAY, "07:45"), count=2)
        assert refused.value.message_dict == {"first_start": ["That time has already passed."]}

    def test_sessions_of_one_series_never_share_a_day(self, clinic, patient, treatment):
        proposals = propose(
            clinic, patient, treatment, at(MONDAY, "10:00"), count=4, interval_days=1
        )
        days = [clock.local(p.slot.start).date() for p in proposals]
        assert len(set(days)) == 4
        assert wall(proposals) == [
            "Mon 16 Mar 10:00",
            "Tue 17 Mar 10:00",
            "Wed 18 Mar 10:00",
            "Thu 19 Mar 10:00",
        ]

    def test_nothing_free_leaves_the_session_for_the_receptionist(self, clinic, patient, treatment):
        TimeOffFactory(
            practitioner=clinic,
            first_day=datetime.date(2026, 3, 23),
            last_day=datetime.date(2026, 4, 30),
            reason="leave",
        )
        proposals = propose(clinic, patient, treatment, at(MONDAY, "10:00"), count=2)
        assert proposals[1].slot is None
        assert "Nothing free within 7 days of Mon 23 Mar" in proposals[1].note

    def test_maintenance_every_month(self, clinic, patient, treatment):
        proposals = propose(
            clinic, patient, treatment, at(MONDAY, "14:00"), count=3, interval_days=28
        )
        assert wall(proposals) == ["Mon 16 Mar 14:00", "Mon 13 Apr 14:00", "Mon 11 May 14:00"]


# A property, checked in memory over many random clinics: whatever is already booked, every
# proposed slot is inside working hours, clear of everything held and of the other sessions.

ROOMS = [Room(pk=1, name="A", position=1), Room(pk=2, name="B", position=2)]
TYPE = AppointmentType(name="Session", kind="treatment", duration_minutes=40, gap_after_minutes=10)
HOURS = [
    WorkingHours(practitioner_id=1, weekday=day, starts_at=start, ends_at=end)
    for day in (0, 2, 4)
    for start, end in (
        (datetime.time(9), datetime.time(12)),
        (datetime.time(14), datetime.time(18)),
    )
]
START = clock.at(datetime.date(2026, 3, 16), datetime.time(8))

held_appointments = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=60),  # day offset
        st.integers(min_value=8 * 4, max_value=18 * 4),  # quarter hour of the day
        st.sampled_from([1, 2, 3]),  # practitioner
        st.sampled_from([1, 2]),  # room
        st.integers(min_value=2, max_value=8),  # length in quarter hours
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    held=held_appointments,
    count=st.integers(min_value=1, max_value=8),
    interval=st.integers(min_value=1, max_value=14),
    first_offset=st.integers(min_value=0, max_value=10),
    first_quarter=st.integers(min_value=9 * 4, max_value=17 * 4),
)
def test_proposed_slots_are_always_free_and_inside_hours(
    held, count, interval, first_offset, first_quarter
):
    busy = []
    for day, quarter, practitioner_id, room_id, length in held:
        start = clock.at(
            START.date() + datetime.timedelta(days=day),
            datetime.time(quarter // 4 % 24, quarter % 4 * 15),
        )
        busy.append(
            Held(
                start, start + datetime.timedelta(minutes=15 * length), practitioner_id, room_id, 99
            )
        )
    availability = Availability(
        practitioner_id=1,
        practitioner_name="Dr Test",
        hours=HOURS,
        days_off=[],
        rooms=ROOMS,
        busy=busy,
        patient_id=7,
        now=START,
    )
    first = clock.at(
        START.date() + datetime.timedelta(days=first_offset),
        datetime.time(first_quarter // 4, first_quarter % 4 * 15),
    )
    proposals = availability.propose_series(
        first_start=first, count=count, interval_days=interval, appointment_type=TYPE
    )

    slots = [p.slot for p in proposals if p.slot is not None]
    assert [p.position for p in proposals] == list(range(1, count + 1))
    assert slots == sorted(slots, key=lambda slot: slot.start)
    for slot in slots:
        local_start, local_end = clock.local(slot.start), clock.local(slot.end)
        assert slot.start >= START
        assert any(
            block.weekday == local_start.weekday()
            and block.starts_at <= local_start.time()
            and local_end.time() <= block.ends_at
            for block in HOURS
        )
        for other in busy:
            overlaps = other.start < slot.occupied_until and slot.start < other.until
            assert not (overlaps and (other.practitioner_id == 1 or other.room_id == slot.room.pk))
    for first_slot, second_slot in itertools.pairwise(slots):
        assert first_slot.occupied_until <= second_slot.start
        assert clock.local(first_slot.start).date() < clock.local(second_slot.start).date()
