"""Cocktails as versioned formulations: a version used in a session never changes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cocktails.models import Cocktail, Formulation, FormulationComponent
from cocktails.services import (
    FormulationRefused,
    cocktail_archive,
    cocktail_create,
    cocktail_freeze_current,
    cocktail_revise,
    formulation_freeze,
    lot_consume,
)
from tests.cocktails.scenarios import ingredient_part, product_part

pytestmark = pytest.mark.django_db


def _content(version: Formulation) -> list[tuple]:
    return [
        (c.product_id, c.ingredient_id, c.amount, c.unit)
        for c in FormulationComponent.objects.filter(formulation=version).order_by("position")
    ]


def test_a_new_template_is_version_one_and_current(face_glow, practitioner):
    version = face_glow.current
    assert face_glow.is_template and version.number == 1 and not version.is_frozen
    assert version.created_by == practitioner
    assert len(_content(version)) == 2


def test_an_unused_version_is_adjusted_in_place(face_glow, catalogue, practitioner):
    version = cocktail_revise(
        cocktail=face_glow,
        name="Face glow",
        indication="facial_rejuvenation",
        total_volume_ml=Decimal("5"),
        parts=[product_part(catalogue.ha_vial, "2.5")],
        by=practitioner,
    )
    assert version.pk == face_glow.current_id
    assert Formulation.objects.filter(cocktail=face_glow).count() == 1
    assert _content(version) == [(catalogue.ha_vial.pk, None, Decimal("2.5"), "ml")]


def test_adjusting_a_frozen_version_makes_a_new_one_and_keeps_the_old(
    face_glow, catalogue, practitioner
):
    used = face_glow.current
    before = _content(used)
    formulation_freeze(formulation=used)
    new = cocktail_revise(
        cocktail=face_glow,
        name="Face glow",
        indication="facial_rejuvenation",
        total_volume_ml=Decimal("4"),
        parts=[product_part(catalogue.ha_vial, "2")],
        by=practitioner,
        notes="Less vitamin C after redness.",
    )
    face_glow.refresh_from_db()
    used.refresh_from_db()
    assert new.number == 2 and face_glow.current == new and not new.is_frozen
    assert _content(used) == before and used.total_volume_ml == Decimal("5")
    assert used.is_frozen


def test_saving_the_same_content_on_a_frozen_version_makes_no_new_version(
    face_glow, catalogue, practitioner
):
    formulation_freeze(formulation=face_glow.current)
    same = cocktail_revise(
        cocktail=face_glow,
        name="Face glow (new name)",
        indication="facial_rejuvenation",
        total_volume_ml=Decimal("5"),
        parts=[product_part(catalogue.ha_vial, "2"), product_part(catalogue.c_vial, "1")],
        by=practitioner,
    )
    assert same == face_glow.current
    assert Cocktail.objects.get(pk=face_glow.pk).name == "Face glow (new name)"
    assert Formulation.objects.filter(cocktail=face_glow).count() == 1


def test_using_a_lot_with_a_version_freezes_that_exact_version(
    face_glow, catalogue, patient, practitioner
):
    version = face_glow.current
    usage = lot_consume(
        lot=catalogue.ha_lot,
        quantity=1,
        patient=patient,
        practitioner=practitioner,
        formulation=version,
    )
    version.refresh_from_db()
    assert version.is_frozen and usage.formulation == version


def test_a_session_takes_the_current_version_frozen(face_glow, catalogue, practitioner):
    injected = cocktail_freeze_current(cocktail=face_glow)
    assert injected == face_glow.current and injected.is_frozen
    cocktail_revise(
        cocktail=face_glow,
        name="Face glow",
        indication="facial_rejuvenation",
        total_volume_ml=Decimal("5"),
        parts=[product_part(catalogue.ha_vial, "1")],
        by=practitioner,
    )
    assert cocktail_freeze_current(cocktail=face_glow).number == 2
    assert _content(Formulation.objects.get(pk=injected.pk))[0][2] == Decimal("2")


def test_an_archived_cocktail_cannot_be_used_in_a_session(face_glow):
    cocktail_archive(cocktail=face_glow)
    with pytest.raises(ValidationError):
        cocktail_freeze_current(cocktail=face_glow)


def test_freezing_is_idempotent(face_glow):
    first = formulation_freeze(formulation=face_glow.current).frozen_at
    again = formulation_freeze(formulation=Formulation.objects.get(pk=face_glow.current_id))
    assert again.frozen_at == first


def test_a_patient_cocktail_derives_from_a_template(face_glow, catalogue, patient, practitioner):
    mine = cocktail_create(
        name="Face glow for Camille",
        indication="facial_rejuvenation",
        patient=patient,
        template=face_glow,
        total_volume_ml=Decimal("5"),
        parts=[product_part(catalogue.ha_vial, "2", lot=catalogue.ha_lot)],
        by=practitioner,
    )
    assert mine.template == face_glow and mine.patient == patient and not mine.is_template
    assert mine.current.components.get().lot == catalogue.ha_lot


def test_a_cocktail_cannot_derive_from_a_patient_cocktail(
    face_glow, catalogue, patient, practitioner
):
    mine = cocktail_create(
        name="Mine",
        indication="facial_rejuvenation",
        patient=patient,
        total_volume_ml=Decimal("5"),
        parts=[product_part(catalogue.ha_vial, "2")],
        by=practitioner,
    )
    with pytest.raises(ValidationError):
        cocktail_create(
            name="Copy",
            indication="facial_rejuvenation",
            patient=patient,
            template=mine,
            total_volume_ml=Decimal("5"),
            parts=[product_part(catalogue.ha_vial, "2")],
            by=practitioner,
        )


def test_two_active_templates_cannot_share_a_name(face_glow, catalogue, practitioner):
    with pytest.raises(ValidationError) as exc:
        cocktail_create(
            name="face GLOW",
            indication="facial_rejuvenation",
            total_volume_ml=Decimal("5"),
            parts=[product_part(catalogue.ha_vial, "2")],
            by=practitioner,
        )
    assert "already a template" in exc.value.message_dict["name"][0]


def test_an_archived_cocktail_cannot_be_adjusted(face_glow, catalogue, practitioner):
    cocktail_archive(cocktail=face_glow)
    with pytest.raises(ValidationError):
        cocktail_revise(
            cocktail=face_glow,
            name="Face glow",
            indication="facial_rejuvenation",
            total_volume_ml=Decimal("5"),
            parts=[product_part(catalogue.ha_vial, "2")],
            by=practitioner,
        )
    with pytest.raises(ValidationError):
        cocktail_archive(cocktail=face_glow)


@pytest.mark.parametrize(
    ("parts", "volume", "field", "message"),
    [
        (lambda c: [product_part(c.ha_vial, "0")], "5", "amount", "above zero"),
        (lambda c: [product_part(c.ha_vial, "-1")], "5", "amount", "above zero"),
        (
            lambda c: [ingredient_part(c.lidocaine, "0.5", unit="mg/ml")],
            "5",
            "unit",
            "measured in %, not mg/ml",
        ),
        (
            lambda c: [replace(product_part(c.ha_vial, "2"), unit="%")],
            "5",
            "unit",
            "measured in ml",
        ),
        (
            lambda c: [product_part(c.ha_vial, "4"), product_part(c.c_vial, "2")],
            "5",
            "total_volume_ml",
            "add up to 6 ml",
        ),
        (lambda c: [product_part(c.ha_vial, "1")], "0", "total_volume_ml", "above zero"),
        (
            lambda c: [product_part(c.ha_vial, "1"), product_part(c.ha_vial, "1")],
            "5",
            "component",
            "listed twice",
        ),
        (lambda c: [product_part(c.ha_vial, "1", lot=c.c_lot)], "5", "lot", "not a lot of"),
        (lambda c: [product_part(c.ha_vial, "1", lot=c.ha_lot)], "5", "lot", "not for a template"),
        (lambda c: [], "5", "__all__", "at least one component"),
    ],
)
def test_bad_input_is_refused_with_a_message_for_its_field(
    catalogue, practitioner, parts, volume, field, message
):
    with pytest.raises(FormulationRefused) as exc:
        cocktail_create(
            name="Bad",
            indication="facial_rejuvenation",
            total_volume_ml=Decimal(volume),
            parts=parts(catalogue),
            by=practitioner,
        )
    assert any(f.field == field and message in f.message for f in exc.value.findings), (
        exc.value.findings
    )
    assert not Cocktail.objects.exists()
