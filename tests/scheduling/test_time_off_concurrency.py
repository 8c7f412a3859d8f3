"""Two days off recorded at the same moment, on PostgreSQL: two real transactions, each on its
own connection. The second waits for the first to commit, then is refused for the overlap;
neither database nor page lets two overlapping closures (or two days off of one practitioner)
both be saved."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from scheduling.models import TimeOff
from scheduling.services import time_off_add
from tests.scheduling.concurrency import against_an_open_transaction
from tests.scheduling.conftest import TUESDAY
from tests.scheduling.factories import TimeOffFactory

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


def _write_past_the_service(whose: str, practitioner) -> Callable[[], None]:
    """Tuesday and Wednesday off (strike), written as the back office or a script would,
    without the service's lock: a new row, or (`lengthened`) Tuesday off made two days."""
    if whose != "lengthened":
        who = practitioner if whose == "practitioner" else None
        return lambda: TimeOffFactory(
            practitioner=who, first_day=TUESDAY, last_day=WEDNESDAY, reason="strike"
        )
    tuesday = TimeOffFactory(
        practitioner=practitioner, first_day=TUESDAY, last_day=TUESDAY, reason="strike"
    )
    return lambda: TimeOff.objects.filter(pk=tuesday.pk).update(last_day=WEDNESDAY)


@pytest.mark.parametrize(
    ("whose", "first"),
    [
        ("closure", "The clinic is closed from Tuesday 17 March to Wednesday 18 March 2026"),
        ("practitioner", "Sophie Martin is off from Tuesday 17 March to Wednesday 18 March 2026"),
        ("lengthened", "Sophie Martin is off from Tuesday 17 March to Wednesday 18 March 2026"),
    ],
)
def test_days_off_written_past_the_service_meanwhile_become_the_usual_refusal(
    admin_user, clinic, whose, first
):
    """Another connection writes overlapping days off without the service's lock and holds
    its transaction open. Our check cannot see them yet, so our INSERT waits on the exclusion
    constraint; when the other transaction commits, the IntegrityError must come back as the
    service's own refusal, not a 500 (nor a deadlock, see `lock_practitioner`)."""
    practitioner = None if whose == "closure" else clinic
    write = _write_past_the_service(whose, practitioner)

    def competitor(holding: threading.Event, go_on: threading.Event) -> None:
        with transaction.atomic():
            write()
            holding.set()
            go_on.wait(timeout=30)

    def ours() -> TimeOff:
        return time_off_add(
            practitioner=practitioner,
            first_day=WEDNESDAY,
            last_day=WEDNESDAY,
            reason="works",
            by=admin_user,
        )

    with pytest.raises(ValidationError) as refused:
        against_an_open_transaction(competitor, ours)
    assert refused.value.message_dict == {
        "first_day": [f"These days overlap a day off already recorded: {first} (strike)."]
    }
    assert list(TimeOff.objects.values_list("reason", flat=True)) == ["strike"]
