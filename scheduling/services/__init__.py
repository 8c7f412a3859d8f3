"""Writes for scheduling: booking, moving, cancelling, arrivals, series, waitlist, days off,
working hours, feeds.

One module per part:
- `_common.py`: the checks every booking path shares, and the save that turns the exclusion
  constraints' refusal (or their deadlock) into `SlotUnavailable` with the next free slots
  (its docstring says how).
- `booking.py`: single appointments: book, move, cancel, the day's statuses, and following a
  treatment log.
- `series.py`: several sessions proposed and booked in one action, from a plan or not.
- `waitlist.py`, `time_off.py` (days off and closures), `hours.py` (working hours),
  `feeds.py` (calendar feeds).

Other code imports from here (`from scheduling.services import appointment_book`).
"""

from scheduling.services._common import (
    DEADLOCK_DETECTED,
    OVERLAP_CONSTRAINTS,
    check_patient_bookable,
    check_practitioner,
)
from scheduling.services.booking import (
    TAKEN_SINCE_NO_SHOW,
    TRANSITIONS,
    appointment_book,
    appointment_cancel,
    appointment_follow_session,
    appointment_move,
    appointment_transition,
    appointment_unchanged,
    transition_refusal,
)
from scheduling.services.feeds import calendar_feed_revoke, calendar_feed_rotate
from scheduling.services.hours import (
    BLOCKS_A_DAY,
    EARLIEST_HOUR,
    LATEST_HOUR,
    Week,
    hours_field,
    working_hours_set,
)
from scheduling.services.series import (
    MAX_SERIES,
    SeriesUnavailable,
    appointment_series_book,
    series_propose,
)
from scheduling.services.time_off import (
    LONGEST_TIME_OFF,
    TIME_OFF_YEARS_AHEAD,
    time_off_add,
    time_off_end_early,
    time_off_removal_refusal,
    time_off_remove,
    time_off_shortening_refusal,
)
from scheduling.services.waitlist import waitlist_add, waitlist_withdraw

__all__ = [
    "BLOCKS_A_DAY",
    "DEADLOCK_DETECTED",
    "EARLIEST_HOUR",
    "LATEST_HOUR",
    "LONGEST_TIME_OFF",
    "MAX_SERIES",
    "OVERLAP_CONSTRAINTS",
    "TAKEN_SINCE_NO_SHOW",
    "TIME_OFF_YEARS_AHEAD",
    "TRANSITIONS",
    "SeriesUnavailable",
    "Week",
    "appointment_book",
    "appointment_cancel",
    "appointment_follow_session",
    "appointment_move",
    "appointment_series_book",
    "appointment_transition",
    "appointment_unchanged",
    "calendar_feed_revoke",
    "calendar_feed_rotate",
    "check_patient_bookable",
    "check_practitioner",
    "hours_field",
    "series_propose",
    "time_off_add",
    "time_off_end_early",
    "time_off_removal_refusal",
    "time_off_remove",
    "time_off_shortening_refusal",
    "transition_refusal",
    "waitlist_add",
    "waitlist_withdraw",
    "working_hours_set",
]
