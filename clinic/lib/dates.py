"""Calendar arithmetic the standard library leaves out."""

from __future__ import annotations

import datetime

# The days a page accepts: any real diary fits, and a week or a series around them stays far
# inside what Python's dates hold (a typed year 9999 or 0001 would overflow, a 500).
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2200, 12, 31)


def in_bounds(day: datetime.date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later: 29 February becomes 28 February in a common year, and a
    date past the last one Python holds becomes that last one."""
    if day.year + years > datetime.MAXYEAR:
        return datetime.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(month: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (or before, if negative) `month`'s."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first day of each month from `first`'s to `last`'s, both included."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    start = first.replace(day=1)
    return [add_months(start, offset) for offset in range(count)]
