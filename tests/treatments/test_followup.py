"""Adverse events (even weeks after the session) and outcome reviews."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cocktails.choices import BodyArea, Indication
from tests.cocktails.factories import LotFactory
from tests.treatments.scenarios import accepted_plan, signed_session, start
from treatments import services
from treatments.models import AdverseEvent, Outcome

pytestmark = pytest.mark.django_db

Kind, Severity, Result = AdverseEvent.Kind, AdverseEvent.Severity, AdverseEvent.Outcome


def _days(count: int) -> datetime.timedelta:
    return datetime.timedelta(days=count)


def test_an_infection_weeks_after_a_signed_session_is_recorded_against_its_lots(
    scene, practitioner, time_machine
):
    session = signed_session(scene, practitioner)
    time_machine.move_to(timezone.now() + _days(42))
    event = services.adverse_event_record(
        session=session,
        by=practitioner,
        kind=Kind.INFECTION,
        onset_on=timezone.localdate() - _days(2),
        severity=Severity.MODERATE,
        treatment="Oral antibiotics for 7 days.",
    )
    assert event.outcome == Result.ONGOING
    assert set(event.lots.all()) == {scene.catalogue.ha_lot, scene.catalogue.c_lot}
    # A pattern across patients shows up against a lot.
    assert list(scene.catalogue.ha_lot.adverse_events.all()) == [event]
    # The signed session itself is unchanged.
    session.refresh_from_db()
    assert session.is_signed

    services.adverse_event_update(
        event=event,
        by=practitioner,
        severity=Severity.MODERATE,
        description="",
        treatment="Oral antibiotics for 7 days.",
        outcome=Result.RESOLVED,
        resolved_on=timezone.localdate(),
    )
    event.refresh_from_db()
    assert (event.outcome, event.resolved_on) == (Result.RESOLVED, timezone.localdate())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"onset_on": -1}, "onset_on"),
        ({"onset_on": 3}, "onset_on"),
        ({"outcome": Result.RESOLVED}, "resolved_on"),
        ({"outcome": Result.RESOLVED, "resolved_on": -1}, "resolved_on"),
        ({"resolved_on": 0}, "resolved_on"),
        ({"kind": Kind.OTHER}, "description"),
    ],
)
def test_a_bad_adverse_event_is_refused_at_its_field(scene, practitioner, changes, field):
    session = signed_session(scene, practitioner)
    today = timezone.localdate()
    values = {"kind": Kind.BRUISING, "onset_on": 0, "outcome": Result.ONGOING, "resolved_on": None}
    values.update(changes)
    for key in ("onset_on", "resolved_on"):
        if values[key] is not None:
            values[key] = today + _days(values[key])
    with pytest.raises(ValidationError) as caught:
        services.adverse_event_record(
            session=session, by=practitioner, severity=Severity.MILD, **values
        )
    assert field in caught.value.message_dict
    assert not AdverseEvent.objects.exists()


def test_only_the_sessions_own_lots_are_linked(scene, practitioner):
    session = signed_session(scene, practitioner)
    stranger = LotFactory(product=scene.catalogue.ha_vial, lot_number="HA-999")
    with pytest.raises(ValidationError) as caught:
        services.adverse_event_record(
            session=session,
            by=practitioner,
            kind=Kind.NODULE,
            onset_on=timezone.localdate(),
            severity=Severity.MILD,
            lots=[stranger],
        )
    assert caught.value.message_dict["lots"] == ["Only the lots this session used can be linked."]


def test_a_review_cannot_be_dated_before_the_session_it_follows(scene, practitioner):
    session = signed_session(scene, practitioner)
    with pytest.raises(ValidationError) as caught:
        services.outcome_record(
            plan=scene.plan,
            by=practitioner,
            session=session,
            assessed_on=timezone.localdate() - _days(1),
            gais_practitioner=3,
        )
    assert "before the session" in caught.value.message_dict["assessed_on"][0]


def test_a_baseline_review_comes_before_any_session(scene, practitioner):
    outcome = services.outcome_record(
        plan=scene.plan,
        by=practitioner,
        assessed_on=timezone.localdate() - _days(3),
        satisfaction=3,
    )
    assert outcome.session is None


def test_a_review_records_something(scene, practitioner):
    with pytest.raises(ValidationError) as caught:
        services.outcome_record(plan=scene.plan, by=practitioner, assessed_on=timezone.localdate())
    assert caught.value.message_dict == {"__all__": ["Record at least one rating or measure."]}
    assert not Outcome.objects.exists()


def test_a_measure_needs_an_indication_that_has_one(scene, practitioner):
    with pytest.raises(ValidationError) as caught:
        services.outcome_record(
            plan=scene.plan,
            by=practitioner,
            assessed_on=timezone.localdate(),
            measure=Decimal("5"),
        )
    assert caught.value.message_dict["measure"] == ["This indication has no measure: use GAIS."]


def test_a_scar_score_is_checked_against_its_scale(scene, practitioner):
    scene.face_glow.indication = Indication.SCARS
    scene.face_glow.save(update_fields=["indication"])
    plan = accepted_plan(
        patient=scene.patient,
        practitioner=practitioner,
        cocktail=scene.face_glow,
        indication=Indication.SCARS,
        body_areas=[BodyArea.FACE],
        maintenance_every_days=None,
    )
    with pytest.raises(ValidationError) as caught:
        services.outcome_record(
            plan=plan, by=practitioner, assessed_on=timezone.localdate(), measure=Decimal("14")
        )
    assert caught.value.message_dict["measure"] == ["Vancouver Scar Scale is between 0 and 13."]
    outcome = services.outcome_record(
        plan=plan, by=practitioner, assessed_on=timezone.localdate(), measure=Decimal("7")
    )
    assert outcome.measure == Decimal("7")


def test_an_adverse_event_needs_a_session_that_took_place(scene, practitioner):
    booked = services.plan_sessions_reserve(
        plan=scene.plan, kind="initial", count=1, booked_session_ids=[]
    )[0]
    with pytest.raises(ValidationError, match="has not taken place"):
        services.adverse_event_record(
            session=booked,
            by=practitioner,
            kind=Kind.BRUISING,
            onset_on=timezone.localdate(),
            severity=Severity.MILD,
        )
    assert start(scene.plan, practitioner, session=booked).is_started
