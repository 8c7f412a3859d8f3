"""Wall-clock arithmetic in the clinic's time zone.

Appointments are stored in UTC, but people book "Tuesday at 10:00" in Paris. Adding seven days
to a UTC instant moves a 10:00 appointment to 11:00 across a daylight-saving change, so every
calculation a person would do on a calendar (next week, same time; the days of this week; the
hours of a day) goes through local dates and local times here, and only then becomes UTC.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

UTC = datetime.UTC


def clinic_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def now() -> datetime.datetime:
    return timezone.now()


def local(moment: datetime.datetime) -> datetime.datetime:
    """The same instant on the clinic's wall clock."""
    return moment.astimezone(clinic_tz())


def local_today() -> datetime.date:
    return local(now()).date()


def at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The instant the clinic's clocks show `time` on `day` (aware, in the clinic's zone).

    On the night clocks go back, an ambiguous time resolves to its first occurrence (fold=0).
    """
    return datetime.datetime.combine(day, time, tzinfo=clinic_tz())


def exists_on_wall_clock(day: datetime.date, time: datetime.time) -> bool:
    """False for the hour skipped when clocks go forward (02:00-03:00 on the last Sunday of
    March in Paris): such a time never shows on the clinic's clocks."""
    moment = at(day, time)
    round_trip = moment.astimezone(UTC).astimezone(clinic_tz())
    return (round_trip.date(), round_trip.time()) == (day, time)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """From the clinic's midnight to the next one: 23 or 25 hours on the days clocks change."""
    return at(day, datetime.time()), at(day + datetime.timedelta(days=1), datetime.time())


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def days(first: datetime.date, count: int) -> list[datetime.date]:
    return [first + datetime.timedelta(days=offset) for offset in range(count)]


def minutes_since_midnight(moment: datetime.datetime) -> int:
    """Minutes shown on the clinic's clock face, which is what a calendar row stands for."""
    wall = local(moment)
    return wall.hour * 60 + wall.minute


def long_day(day: datetime.date) -> str:
    """'Monday 6 April', as a receptionist would say it."""
    return f"{day:%A} {day.day} {day:%B}"


def short_day(day: datetime.date) -> str:
    """'Mon 6 Apr'."""
    return f"{day:%a} {day.day} {day:%b}"
