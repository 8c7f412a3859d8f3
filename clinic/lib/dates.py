"""Calendar arithmetic the standard library leaves out."""

from __future__ import annotations

import datetime


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later: 29 February becomes 28 February in a common year, and a
    date past the last one Python holds becomes that last one."""
    if day.year + years > datetime.MAXYEAR:
        return datetime.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
