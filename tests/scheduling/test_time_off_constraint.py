"""PostgreSQL's exclusion constraints on days off: the same rule as `time_off_add`, held for
rows written past the service (the back office, a script, a bulk insert). One practitioner's
days off never overlap, nor do two closures; anything else may share days."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from scheduling.models import TimeOff
from tests.scheduling.conftest import MONDAY, TUESDAY
from tests.scheduling.factories import TimeOffFactory

pytestmark = pytest.mark.django_db

WEDNESDAY = TUESDAY + datetime.timedelta(days=1)
THURSDAY = TUESDAY + datetime.timedelta(days=2)
FRIDAY = TUESDAY + datetime.timedelta(days=3)
MESSAGE = "These days overlap a day off already recorded."


def off(who, first_day, last_day=None) -> TimeOff:
    """A day off written straight to the table, past every check in Python."""
    return TimeOffFactory(practitioner=who, first_day=first_day, last_day=last_day or first_day)


class TestTheConstraintItself:
    def test_a_practitioners_days_off_cannot_overlap(self, practitioner):
        off(practitioner, TUESDAY, THURSDAY)
        with pytest.raises(IntegrityError, match="time_off_no_practitioner_overlap"):
            off(practitioner, WEDNESDAY, FRIDAY)

    def test_a_day_off_within_another_of_the_same_practitioner_is_refused(self, practitioner):
        off(practitioner, MONDAY, FRIDAY)
        with pytest.raises(IntegrityError, match="time_off_no_practitioner_overlap"):
            off(practitioner, WEDNESDAY)

    def test_closures_cannot_overlap(self, db):
        off(None, TUESDAY, WEDNESDAY)
        with pytest.raises(IntegrityError, match="time_off_no_closure_overlap"):
            off(None, WEDNESDAY)

    def test_a_bulk_insert_of_overlapping_closures_is_refused(self, db):
        rows = [
            TimeOff(first_day=TUESDAY, last_day=WEDNESDAY),
            TimeOff(first_day=WEDNESDAY, last_day=WEDNESDAY),
        ]
        with pytest.raises(IntegrityError, match="time_off_no_closure_overlap"):
            TimeOff.objects.bulk_create(rows)

    def test_lengthening_a_day_off_over_the_next_one_is_refused(self, practitioner):
        first = off(practitioner, MONDAY, TUESDAY)
        off(practitioner, THURSDAY)
        first.last_day = THURSDAY
        with pytest.raises(IntegrityError, match="time_off_no_practitioner_overlap"):
            first.save()

    @pytest.mark.parametrize("whose", ["practitioner", None])
    def test_back_to_back_days_off_are_allowed(self, request, db, whose):
        # The last day is a day off too (an inclusive range): the next may begin the day after.
        who = request.getfixturevalue(whose) if whose else None
        off(who, MONDAY, TUESDAY)
        off(who, WEDNESDAY, THURSDAY)
        assert TimeOff.objects.count() == 2

    def test_two_practitioners_may_be_off_on_the_same_days(self, practitioner, other_practitioner):
        off(practitioner, TUESDAY, THURSDAY)
        off(other_practitioner, TUESDAY, THURSDAY)
        assert TimeOff.objects.count() == 2

    def test_a_practitioners_day_off_may_fall_within_a_closure(self, practitioner):
        # The service checks a practitioner's days off against their own only, and a closure
        # against closures: a holiday within the clinic's closure is recorded both ways round.
        off(None, TUESDAY, THURSDAY)
        off(practitioner, WEDNESDAY)
        off(practitioner, MONDAY, TUESDAY)
        off(None, FRIDAY)
        off(practitioner, THURSDAY, FRIDAY)
        assert TimeOff.objects.count() == 5


class TestModelValidation:
    """What `full_clean()` says, and so the back office's form: the constraints' message."""

    @pytest.mark.parametrize("whose", ["practitioner", None])
    def test_an_overlapping_day_off_is_reported(self, request, db, whose):
        who = request.getfixturevalue(whose) if whose else None
        off(who, TUESDAY, THURSDAY)
        second = TimeOff(practitioner=who, first_day=THURSDAY, last_day=FRIDAY)
        with pytest.raises(ValidationError) as refused:
            second.full_clean()
        assert refused.value.messages == [MESSAGE]

    def test_days_off_that_may_share_days_pass(self, practitioner, other_practitioner):
        off(None, TUESDAY, THURSDAY)
        off(other_practitioner, TUESDAY, THURSDAY)
        off(practitioner, MONDAY, TUESDAY)
        TimeOff(practitioner=practitioner, first_day=WEDNESDAY, last_day=FRIDAY).full_clean()
        TimeOff(practitioner=None, first_day=FRIDAY, last_day=FRIDAY).full_clean()

    def test_a_day_off_changed_is_not_compared_with_itself(self, practitioner):
        changed = off(practitioner, TUESDAY, WEDNESDAY)
        changed.last_day = THURSDAY
        changed.full_clean()
