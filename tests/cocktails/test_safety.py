"""The checks run when a cocktail is saved: each absolute one refuses, each relative one warns
until acknowledged, and the acknowledgement is recorded."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cocktails.composition import Recipe, concentrations, review, warnings_digest
from cocktails.models import Cocktail
from cocktails.selectors import formulation_findings
from cocktails.services import (
    AcknowledgementRequired,
    FormulationRefused,
    cocktail_create,
    cocktail_revise,
    lot_recall,
)
from tests.cocktails.factories import AllergyFactory, LotFactory, ProductComponentFactory
from tests.cocktails.scenarios import ingredient_part, product_part

pytestmark = pytest.mark.django_db


def _create(
    practitioner,
    parts,
    *,
    patient=None,
    indication="facial_rejuvenation",
    volume="5",
    acknowledged="",
):
    return cocktail_create(
        name="Test cocktail",
        indication=indication,
        patient=patient,
        total_volume_ml=Decimal(volume),
        parts=parts,
        by=practitioner,
        acknowledged=acknowledged,
    )


# --- Allergies (absolute) --------------------------------------------------------------------


def test_an_ingredient_the_patient_is_allergic_to_is_refused(catalogue, patient, practitioner):
    AllergyFactory(patient=patient, ingredient=catalogue.lidocaine)
    with pytest.raises(FormulationRefused) as exc:
        _create(practitioner, [ingredient_part(catalogue.lidocaine, "0.5")], patient=patient)
    assert [f.kind for f in exc.value.findings] == ["allergy"]
    assert "allergic to Test lidocaine" in exc.value.findings[0].message
    assert not Cocktail.objects.exists()


def test_an_allergen_inside_a_product_is_refused_and_named(catalogue, patient, practitioner):
    AllergyFactory(patient=patient, ingredient=catalogue.lidocaine)
    with pytest.raises(FormulationRefused) as exc:
        _create(practitioner, [product_part(catalogue.lido_vial, "1")], patient=patient)
    assert "allergic to Test lidocaine (in Generic Lidocaine 2%)" in exc.value.messages[0]


def test_an_allergy_marked_removed_no_longer_refuses(catalogue, patient, practitioner):
    AllergyFactory(
        patient=patient, ingredient=catalogue.ha, removed_at=timezone.now(), removed_reason="Error"
    )
    cocktail = _create(practitioner, [product_part(catalogue.ha_vial, "2")], patient=patient)
    assert cocktail.pk


def test_another_patients_allergy_does_not_refuse(catalogue, patient, practitioner):
    AllergyFactory(ingredient=catalogue.ha)
    assert _create(practitioner, [product_part(catalogue.ha_vial, "2")], patient=patient).pk


def test_an_allergy_cannot_be_acknowledged_away(catalogue, patient, practitioner):
    AllergyFactory(patient=patient, ingredient=catalogue.ha)
    with pytest.raises(FormulationRefused):
        _create(
            practitioner,
            [product_part(catalogue.ha_vial, "2")],
            patient=patient,
            acknowledged="anything",
        )


def test_adjusting_a_cocktail_to_add_an_allergen_is_refused(catalogue, patient, practitioner):
    cocktail = _create(practitioner, [product_part(catalogue.ha_vial, "2")], patient=patient)
    AllergyFactory(patient=patient, ingredient=catalogue.vit_c)
    with pytest.raises(FormulationRefused):
        cocktail_revise(
            cocktail=cocktail,
            name=cocktail.name,
            indication=cocktail.indication,
            total_volume_ml=Decimal("5"),
            parts=[product_part(catalogue.ha_vial, "2"), product_part(catalogue.c_vial, "1")],
            by=practitioner,
        )
    assert cocktail.current.components.count() == 1


# --- Lots (absolute) -------------------------------------------------------------------------


def test_an_expired_lot_is_refused(catalogue, patient, practitioner):
    today = timezone.localdate()
    expired = LotFactory(
        product=catalogue.ha_vial,
        received_on=today - datetime.timedelta(days=400),
        expiry_date=today - datetime.timedelta(days=1),
    )
    with pytest.raises(FormulationRefused) as exc:
        _create(practitioner, [product_part(catalogue.ha_vial, "2", lot=expired)], patient=patient)
    assert f"lot {expired.lot_number} expired on" in exc.value.messages[0]


def test_a_lot_expiring_today_is_accepted(catalogue, patient, practitioner):
    today = timezone.localdate()
    lot = LotFactory(
        product=catalogue.ha_vial, received_on=today - datetime.timedelta(days=5), expiry_date=today
    )
    assert _create(practitioner, [product_part(catalogue.ha_vial, "2", lot=lot)], patient=patient)


def test_an_exhausted_lot_is_refused(catalogue, patient, practitioner):
    empty = LotFactory(product=catalogue.ha_vial, quantity_received=4, quantity_left=0)
    with pytest.raises(FormulationRefused) as exc:
        _create(practitioner, [product_part(catalogue.ha_vial, "2", lot=empty)], patient=patient)
    assert "has no vials left" in exc.value.messages[0]


def test_a_recalled_lot_is_refused(catalogue, patient, practitioner):
    lot = lot_recall(lot=catalogue.ha_lot, reason="Notice 12")
    with pytest.raises(FormulationRefused) as exc:
        _create(practitioner, [product_part(catalogue.ha_vial, "2", lot=lot)], patient=patient)
    assert "recalled" in exc.value.messages[0]


# --- Indication ------------------------------------------------------------------------------


@pytest.mark.parametrize("indication", ["facial_rejuvenation", "hair_restoration"])
def test_a_lipolytic_is_refused_for_face_or_scalp_work(catalogue, practitioner, indication):
    with pytest.raises(FormulationRefused) as exc:
        _create(practitioner, [ingredient_part(catalogue.pc, "30")], indication=indication)
    assert exc.value.findings[0].kind == "indication"
    assert "for body work only" in exc.value.messages[0]


def test_a_lipolytic_inside_a_product_is_refused_on_the_face(catalogue, practitioner):
    ProductComponentFactory(product=catalogue.c_vial, ingredient=catalogue.pc, concentration=200)
    with pytest.raises(FormulationRefused) as exc:
        _create(practitioner, [product_part(catalogue.c_vial, "1")])
    assert any(f.kind == "indication" for f in exc.value.findings)


def test_a_lipolytic_is_fine_for_body_contouring(catalogue, practitioner):
    assert _create(
        practitioner, [ingredient_part(catalogue.pc, "30")], indication="body_contouring"
    )


def test_a_lipolytic_for_scars_needs_an_acknowledgement(catalogue, practitioner):
    with pytest.raises(AcknowledgementRequired) as exc:
        _create(practitioner, [ingredient_part(catalogue.pc, "30")], indication="scars")
    assert [f.kind for f in exc.value.findings] == ["indication"]
    cocktail = _create(
        practitioner,
        [ingredient_part(catalogue.pc, "30")],
        indication="scars",
        acknowledged=exc.value.digest,
    )
    assert cocktail.current.acknowledged_warnings[0]["kind"] == "indication"


# --- Concentration (relative) ----------------------------------------------------------------


def test_products_are_diluted_to_the_total_volume(catalogue):
    # 2 ml of HA at 10 mg/ml and 1 ml of vitamin C at 100 mg/ml, in 5 ml.
    recipe = Recipe(
        "facial_rejuvenation",
        Decimal("5"),
        (product_part(catalogue.ha_vial, "2"), product_part(catalogue.c_vial, "1")),
    )
    values = {c.ingredient.name: c.value for c in concentrations(recipe)}
    assert values == {"Test hyaluronic acid": Decimal("4"), "Test vitamin C": Decimal("20")}


def test_a_concentration_above_the_usual_range_warns_until_acknowledged(catalogue, practitioner):
    parts = [ingredient_part(catalogue.lidocaine, "1.5")]
    with pytest.raises(AcknowledgementRequired) as exc:
        _create(practitioner, parts)
    assert exc.value.findings[0].message == (
        "Test lidocaine would be 1.5 % in the syringe, above the usual 0.1–1 %."  # noqa: RUF001
    )
    assert not Cocktail.objects.exists()


def test_an_acknowledged_warning_is_recorded_with_who_and_when(catalogue, practitioner):
    parts = [product_part(catalogue.ha_vial, "0.5")]  # HA at 1 mg/ml: below 2 to 20
    with pytest.raises(AcknowledgementRequired) as exc:
        _create(practitioner, parts)
    version = _create(practitioner, parts, acknowledged=exc.value.digest).current
    assert version.acknowledged_by == practitioner and version.acknowledged_at is not None
    assert version.acknowledged_warnings == [
        {
            "kind": "concentration",
            "message": "Test hyaluronic acid would be 1 mg/ml in the syringe, below the usual "
            "2–20 mg/ml.",  # noqa: RUF001
        }
    ]


def test_acknowledging_other_warnings_than_the_current_ones_is_not_enough(catalogue, practitioner):
    low_ha = [product_part(catalogue.ha_vial, "0.5")]
    with pytest.raises(AcknowledgementRequired) as exc:
        _create(practitioner, low_ha)
    seen = exc.value.digest
    with pytest.raises(AcknowledgementRequired):
        _create(
            practitioner, [*low_ha, ingredient_part(catalogue.lidocaine, "3")], acknowledged=seen
        )


def test_a_cocktail_within_every_range_needs_no_acknowledgement(face_glow):
    assert face_glow.current.acknowledged_warnings == []
    assert face_glow.current.acknowledged_by is None


def test_refusals_come_before_warnings_and_the_digest_ignores_refusals(catalogue, patient):
    AllergyFactory(patient=patient, ingredient=catalogue.lidocaine)
    recipe = Recipe(
        "facial_rejuvenation",
        Decimal("5"),
        (ingredient_part(catalogue.lidocaine, "3"), product_part(catalogue.ha_vial, "0.5")),
    )
    findings = review(
        recipe,
        allergen_ids=frozenset({catalogue.lidocaine.pk}),
        today=timezone.localdate(),
        for_patient=True,
    )
    assert [f.refuses for f in findings] == [True, False, False]
    assert warnings_digest(findings) == warnings_digest(findings[1:])


def test_a_saved_version_is_reviewed_again_before_a_session(face_glow, catalogue, patient):
    """An allergy recorded after the cocktail was saved still stops the session."""
    assert formulation_findings(formulation=face_glow.current, patient=patient) == []
    AllergyFactory(patient=patient, ingredient=catalogue.vit_c)
    findings = formulation_findings(formulation=face_glow.current, patient=patient)
    assert [(f.kind, f.refuses) for f in findings] == [("allergy", True)]
