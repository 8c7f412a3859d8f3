"""Proposing, changing, accepting and ending a plan; the cost estimate shown before acceptance."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cocktails.choices import BodyArea, Indication
from cocktails.services import cocktail_create
from tests.cocktails.factories import AllergyFactory
from tests.cocktails.scenarios import product_part
from tests.patients.factories import PatientFactory
from tests.treatments.scenarios import signed_session
from treatments import services
from treatments.models import TreatmentPlan
from treatments.selectors import plan_estimate

pytestmark = pytest.mark.django_db

Status = TreatmentPlan.Status


def _propose(scene, author, **changes):
    values = {
        "patient": scene.patient,
        "practitioner": author,
        "indication": Indication.FACIAL_REJUVENATION,
        "body_areas": [BodyArea.FACE],
        "cocktail": scene.face_glow,
        "initial_sessions": 4,
        "interval_days": 14,
        "maintenance_every_days": 120,
        "start_date": timezone.localdate(),
        "by": author,
        **changes,
    }
    return services.plan_create(**values)


def test_a_new_plan_is_proposed(scene, practitioner):
    plan = _propose(scene, practitioner, notes="  Before the wedding  ")
    assert plan.status == Status.PROPOSED
    assert plan.accepted_at is None
    assert plan.notes == "Before the wedding"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"body_areas": []}, "body_areas", "Choose at least one area to treat."),
        (
            {"body_areas": [BodyArea.THIGHS]},
            "body_areas",
            "Facial rejuvenation is not given on: Thighs.",
        ),
        ({"initial_sessions": 0}, "initial_sessions", "A course has between 1 and 24 sessions."),
        ({"interval_days": 200}, "interval_days", "Sessions are between 1 and 120 days apart."),
        (
            {"maintenance_every_days": 3},
            "maintenance_every_days",
            "Maintenance is every 7 to 730 days; leave it empty when it is as needed.",
        ),
        (
            {"indication": Indication.HAIR_RESTORATION, "body_areas": [BodyArea.SCALP]},
            "cocktail",
            "Face glow is made for facial rejuvenation, not hair restoration.",
        ),
    ],
)
def test_a_plan_that_does_not_hold_together_is_refused_at_its_field(
    scene, practitioner, changes, field, message
):
    with pytest.raises(ValidationError) as caught:
        _propose(scene, practitioner, **changes)
    assert caught.value.message_dict[field] == [message]
    assert TreatmentPlan.objects.count() == 1  # the scene's own


def test_another_patients_cocktail_cannot_be_used(scene, practitioner):
    other = PatientFactory()
    theirs = cocktail_create(
        name="Theirs",
        indication=Indication.FACIAL_REJUVENATION,
        total_volume_ml=Decimal("5"),
        parts=[product_part(scene.catalogue.ha_vial, "2")],
        patient=other,
        by=practitioner,
    )
    with pytest.raises(ValidationError) as caught:
        _propose(scene, practitioner, cocktail=theirs)
    assert caught.value.message_dict["cocktail"] == ["Theirs was made for another patient."]


def test_a_cocktail_the_patient_is_allergic_to_is_refused_when_proposing(scene, practitioner):
    AllergyFactory(patient=scene.patient, ingredient=scene.catalogue.ha)
    with pytest.raises(ValidationError) as caught:
        _propose(scene, practitioner)
    assert caught.value.message_dict["cocktail"] == [
        "Refused: the patient is allergic to Test hyaluronic acid (in Mesolab HA 10). "
        "Choose another cocktail."
    ]
    assert TreatmentPlan.objects.count() == 1  # the scene's own


def test_an_allergy_recorded_after_the_proposal_refuses_the_acceptance(scene, practitioner):
    plan = _propose(scene, practitioner)
    AllergyFactory(patient=scene.patient, ingredient=scene.catalogue.vit_c)
    with pytest.raises(ValidationError, match="allergic to Test vitamin C"):
        services.plan_accept(plan=plan, by=practitioner)
    plan.refresh_from_db()
    assert plan.status == Status.PROPOSED


def test_a_removed_allergy_no_longer_refuses_the_cocktail(scene, practitioner):
    AllergyFactory(patient=scene.patient, ingredient=scene.catalogue.ha, removed_at=timezone.now())
    assert _propose(scene, practitioner).status == Status.PROPOSED


def test_the_practitioner_must_be_one(scene, practitioner, receptionist):
    with pytest.raises(ValidationError) as caught:
        _propose(scene, practitioner, practitioner=receptionist)
    assert "practitioner" in caught.value.message_dict


def test_the_estimate_is_the_sessions_times_cocktail_and_fee(scene, practitioner, settings):
    settings.CLINIC_SESSION_FEE = Decimal("80")
    plan = _propose(scene, practitioner, initial_sessions=5)
    estimate = plan_estimate(plan=plan)
    # Face glow: 2 ml of a 5 ml vial at €40 (€16) and 1 ml of a 5 ml vial at €10 (€2).
    assert estimate.cocktail_cost == Decimal("18.00")
    assert estimate.session_fee == Decimal("80.00")
    assert estimate.per_session == Decimal("98.00")
    assert estimate.total == Decimal("490.00")


def test_accepting_keeps_the_estimate_as_shown(scene, practitioner, settings):
    settings.CLINIC_SESSION_FEE = Decimal("80")
    plan = services.plan_accept(plan=_propose(scene, practitioner), by=practitioner)
    assert plan.status == Status.ACCEPTED
    assert plan.accepted_estimate == Decimal("392.00")
    settings.CLINIC_SESSION_FEE = Decimal("100")
    plan.refresh_from_db()
    assert plan.accepted_estimate == Decimal("392.00")
    with pytest.raises(ValidationError, match="already accepted"):
        services.plan_accept(plan=plan, by=practitioner)


def test_the_course_can_change_but_not_below_the_sessions_given(scene, practitioner):
    signed_session(scene, practitioner)
    signed_session(scene, practitioner)
    plan = services.plan_update(plan=scene.plan, by=practitioner, initial_sessions=6)
    assert plan.initial_sessions == 6
    with pytest.raises(ValidationError) as caught:
        services.plan_update(plan=scene.plan, by=practitioner, initial_sessions=1)
    assert caught.value.message_dict["initial_sessions"] == [
        "2 sessions have already been given: the course cannot be shorter."
    ]


def test_shortening_a_course_to_what_was_given_moves_it_to_maintenance(scene, practitioner):
    signed_session(scene, practitioner)
    plan = services.plan_update(plan=scene.plan, by=practitioner, initial_sessions=1)
    assert plan.status == Status.MAINTENANCE
    assert plan.next_maintenance_on == timezone.localdate() + datetime.timedelta(days=120)
    # And lengthening it again brings it back.
    plan = services.plan_update(plan=plan, by=practitioner, initial_sessions=3)
    assert plan.status == Status.IN_PROGRESS
    assert plan.next_maintenance_on is None


def test_a_course_without_maintenance_completes_with_its_last_session(scene, practitioner):
    services.plan_update(
        plan=scene.plan, by=practitioner, initial_sessions=1, maintenance_every_days=None
    )
    signed_session(scene, practitioner)
    scene.plan.refresh_from_db()
    assert scene.plan.status == Status.COMPLETED
    assert scene.plan.completed_at is not None
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.plan_update(plan=scene.plan, by=practitioner, initial_sessions=4)


def test_stopping_needs_a_reason_and_keeps_it(scene, practitioner):
    with pytest.raises(ValidationError) as caught:
        services.plan_stop(plan=scene.plan, reason="  ", by=practitioner)
    assert "reason" in caught.value.message_dict
    plan = services.plan_stop(plan=scene.plan, reason="Moved away", by=practitioner)
    assert (plan.status, plan.stop_reason) == (Status.STOPPED, "Moved away")
    assert plan.stopped_at is not None


def test_only_a_plan_in_maintenance_is_completed(scene, practitioner):
    with pytest.raises(ValidationError, match="Only a plan in maintenance"):
        services.plan_complete(plan=scene.plan, by=practitioner)
    services.plan_update(plan=scene.plan, by=practitioner, initial_sessions=1)
    signed_session(scene, practitioner)
    plan = services.plan_complete(plan=scene.plan, by=practitioner)
    assert plan.status == Status.COMPLETED
    assert plan.next_maintenance_on is None
