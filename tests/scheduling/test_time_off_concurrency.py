"""Two days off recorded at the same moment, on PostgreSQL: two real transactions, each on its
own connection. The second waits for the first to commit, then is refused for the overlap;
neither database nor page lets two overlapping closures (or two days off of one practitioner)
both be saved."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from scheduling.models import TimeOff
from scheduling.services import time_off_add
from tests.scheduling.concurrency import against_an_open_transaction
from tests.scheduling.conftest import TUESDAY

pytestmark = pytest.mark.django_db(transaction=True)
WEDNESDAY = TUESDAY + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("whose", "first"),
    [
        (None, "The clinic is closed from Tuesday 17 March to Wednesday 18 March 2026 (strike)"),
        (
            "clinic",
            "Sophie Martin is off from Tuesday 17 March to Wednesday 18 March 2026 (strike)",
        ),
    ],
)
def test_overlapping_days_off_recorded_at_the_same_moment_are_saved_one_at_most(
    request, admin_user, clinic, whose, first
):
    practitioner = request.getfixturevalue(whose) if whose else None

    def record(first_day, last_day, reason):
        return time_off_add(
            practitioner=practitioner,
            first_day=first_day,
            last_day=last_day,
            reason=reason,
            by=admin_user,
        )

    def competitor(holding: threading.Event, go_on: threading.Event) -> None:
        # The first manager's closure is written, not yet committed, when the second saves.
        with transaction.atomic():
            record(TUESDAY, WEDNESDAY, "strike")
            holding.set()
            go_on.wait(timeout=30)

    with pytest.raises(ValidationError) as refused:
        against_an_open_transaction(competitor, lambda: record(WEDNESDAY, WEDNESDAY, "works"))
    assert refused.value.message_dict == {
        "first_day": [f"These days overlap a day off already recorded: {first}."]
    }
    assert list(TimeOff.objects.values_list("reason", flat=True)) == ["strike"]


def test_closures_that_do_not_overlap_are_both_saved_at_the_same_moment(admin_user, clinic):
    def close(day, reason):
        return time_off_add(
            practitioner=None, first_day=day, last_day=day, reason=reason, by=admin_user
        )

    def competitor(holding: threading.Event, go_on: threading.Event) -> None:
        with transaction.atomic():
            close(TUESDAY, "strike")
            holding.set()
            go_on.wait(timeout=30)

    against_an_open_transaction(competitor, lambda: close(WEDNESDAY, "works"))
    assert sorted(TimeOff.objects.values_list("reason", flat=True)) == ["strike", "works"]
