"""The cocktail pages: the builder (full page and its htmx fragments), a cocktail, a version."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cocktails.composition import warnings_digest
from cocktails.models import Cocktail, Formulation
from cocktails.services import cocktail_create, formulation_freeze
from tests.cocktails.factories import AllergyFactory, LotFactory, PatientFactory
from tests.cocktails.scenarios import ingredient_part, product_part

pytestmark = pytest.mark.django_db

LIST = reverse("cocktails:cocktail_list")
NEW = reverse("cocktails:cocktail_create")
COMPONENTS = reverse("cocktails:builder_components")
CHECKS = reverse("cocktails:builder_checks")


def builder_data(rows, *, name="Glow", indication="facial_rejuvenation", volume="5", **extra):
    """POST data of the builder; each row is (component, amount[, unit[, lot]])."""
    data = {
        "name": name,
        "indication": indication,
        "total_volume_ml": volume,
        "notes": "",
        "components-TOTAL_FORMS": str(len(rows)),
        "components-INITIAL_FORMS": "0",
    }
    for i, (component, amount, *rest) in enumerate(rows):
        unit, lot = [*rest, "", ""][:2]
        data |= {
            f"components-{i}-component": component,
            f"components-{i}-amount": amount,
            f"components-{i}-unit": unit,
            f"components-{i}-lot": str(lot),
        }
    return data | {k: str(v) for k, v in extra.items()}


def p(product) -> str:
    return f"product:{product.pk}"


def i(ingredient) -> str:
    return f"ingredient:{ingredient.pk}"


def row_errors(response, row: int, field: str) -> list[str]:
    return response.context["formset"].forms[row].errors.get(field, [])


def camilles_glow(catalogue, patient, by, *, lot=None, template=None) -> Cocktail:
    """A patient's own cocktail: 2 ml of the hyaluronic acid vial."""
    return cocktail_create(
        name="Camille's glow",
        indication="facial_rejuvenation",
        patient=patient,
        template=template,
        total_volume_ml=Decimal("5"),
        parts=[product_part(catalogue.ha_vial, "2", lot=lot)],
        by=by,
    )


# --- List ------------------------------------------------------------------------------------


def test_the_list_shows_templates_and_patient_cocktails_apart(
    practitioner_client, face_glow, catalogue, patient, practitioner
):
    camilles_glow(catalogue, patient, practitioner, template=face_glow)
    templates = practitioner_client.get(LIST)
    assert [c.name for c in templates.context["cocktails"]] == ["Face glow"]
    assert "Use for a patient" in templates.text
    patients = practitioner_client.get(LIST + "?kind=patients&q=lef")
    assert [c.name for c in patients.context["cocktails"]] == ["Camille's glow"]
    assert "Camille Lefèvre" in patients.text


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_query_count_is_fixed(
    practitioner_client, catalogue, practitioner, django_assert_num_queries, count
):
    for n in range(count):
        cocktail_create(
            name=f"Template {n}",
            indication="hair_restoration",
            total_volume_ml=Decimal("5"),
            parts=[product_part(catalogue.ha_vial, "2"), product_part(catalogue.c_vial, "1")],
            by=practitioner,
        )
    with django_assert_num_queries(7):  # session read and refresh (4), user, roles, cocktails
        practitioner_client.get(LIST + "?indication=hair_restoration")


def test_receptionists_see_no_cocktail(receptionist_client, face_glow):
    assert receptionist_client.get(LIST).status_code == 403
    detail = reverse("cocktails:cocktail_detail", args=[face_glow.pk])
    assert receptionist_client.get(detail).status_code == 403
    assert receptionist_client.post(NEW, {}).status_code == 403


# --- Building a cocktail ----------------------------------------------------------------------


def test_starting_from_a_template_prefills_the_builder_with_its_checks(
    practitioner_client, face_glow, patient
):
    response = practitioner_client.get(NEW + f"?template={face_glow.pk}&patient={patient.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["name"] == "Face glow" and form.initial["template"] == face_glow.pk
    assert len(response.context["formset"].forms) == 2
    checks = response.context["checks"]
    assert checks["patient"] == patient and checks["costing"].total == Decimal("18.00")
    assert "No safety problem found" in response.text


@pytest.mark.parametrize("components", [2, 6])
def test_the_builder_query_count_is_fixed(
    practitioner_client, catalogue, practitioner, patient, django_assert_num_queries, components
):
    parts = [
        product_part(catalogue.ha_vial, "0.5"),
        ingredient_part(catalogue.vit_c, "1"),
        product_part(catalogue.c_vial, "0.5"),
        product_part(catalogue.lido_vial, "0.1"),
        ingredient_part(catalogue.lidocaine, "0.2"),
        ingredient_part(catalogue.ha, "3"),
    ]
    template = cocktail_create(
        name="Big",
        indication="facial_rejuvenation",
        total_volume_ml=Decimal("5"),
        parts=parts[:components],
        by=practitioner,
        acknowledged=_digest_for(parts[:components]),
    )
    url = NEW + f"?template={template.pk}&patient={patient.pk}"
    # session, user, roles, template + components, then the catalogue (products, compositions,
    # ingredients, lots), the patient, allergies and ingredient carriers.
    with django_assert_num_queries(16):
        practitioner_client.get(url)


@pytest.mark.parametrize("others", [3, 30])
def test_the_builder_lists_no_patient_whatever_their_number(
    practitioner_client, face_glow, patient, django_assert_num_queries, others
):
    names = [other.full_name for other in PatientFactory.create_batch(others, first_name="Other")]
    url = NEW + f"?template={face_glow.pk}&patient={patient.pk}"
    # session read and refresh (4), user, roles, the catalogue (products, compositions,
    # ingredients, lots), template + version + components, the patient and their allergies:
    # no patient list, whatever the number of patients.
    with django_assert_num_queries(15):
        response = practitioner_client.get(url)
    html = response.text
    assert not [name for name in names if name in html]
    # The picker shows the patient the builder was opened for, chosen.
    assert 'data-testid="picked-patient">Camille Lefèvre<' in html
    assert f'name="patient" value="{patient.pk}"' in html


def test_the_builder_page_does_not_grow_with_the_patients(practitioner_client, face_glow, patient):
    url = NEW + f"?template={face_glow.pk}&patient={patient.pk}"
    before = len(practitioner_client.get(url).content)
    PatientFactory.create_batch(30)
    assert len(practitioner_client.get(url).content) == before


def test_the_builder_opens_with_an_empty_picker_for_a_clinic_template(practitioner_client, db):
    PatientFactory(first_name="Hugo", last_name="Bernard")
    html = practitioner_client.get(NEW).text
    assert 'name="patient" value=""' in html and "Search a patient" in html
    assert "Bernard" not in html
    # Picking or clearing a patient refreshes the checks (the patient's allergies).
    assert "patient-changed from:body" in html


def test_the_builder_opened_for_an_archived_patient_leaves_the_picker_empty(
    practitioner_client, patient
):
    patient.archived_at = timezone.now()
    patient.save()
    response = practitioner_client.get(NEW + f"?patient={patient.pk}")
    assert response.status_code == 200
    assert 'name="patient" value=""' in response.text
    assert "Camille" not in response.text


def test_the_chosen_patient_is_kept_when_the_builder_comes_back_with_errors(
    practitioner_client, catalogue, patient
):
    data = builder_data([(p(catalogue.ha_vial), "2")], name="", patient=patient.pk)
    response = practitioner_client.post(NEW, data)
    assert response.status_code == 200 and response.context["form"].errors["name"]
    assert 'data-testid="picked-patient">Camille Lefèvre<' in response.text
    assert f'name="patient" value="{patient.pk}"' in response.text
    assert not Cocktail.objects.exists()


@pytest.mark.parametrize("value", ["999999", "archived", "abc", "9" * 30])
def test_an_unknown_or_archived_patient_is_refused_at_the_patient_field(
    practitioner_client, catalogue, value
):
    if value == "archived":
        value = str(PatientFactory(archived_at=timezone.now()).pk)
    data = builder_data([(p(catalogue.ha_vial), "2")], patient=value)
    response = practitioner_client.post(NEW, data)
    assert response.status_code == 200
    assert response.context["form"].errors["patient"] == [
        "That patient cannot be chosen (unknown, or their record is archived): search for the "
        "patient again."
    ]
    assert 'data-testid="patient-error"' in response.text
    assert 'name="patient" value=""' in response.text
    assert not Cocktail.objects.exists()


def test_editing_a_patient_cocktail_shows_no_picker(
    practitioner_client, catalogue, patient, practitioner
):
    mine = camilles_glow(catalogue, patient, practitioner)
    html = practitioner_client.get(reverse("cocktails:cocktail_edit", args=[mine.pk])).text
    # A cocktail keeps its patient: the page names them, and offers no way to change them.
    assert "Cocktail for Camille Lefèvre" in html
    assert 'data-testid="patient-picker"' not in html


def _digest_for(parts) -> str:
    from cocktails.composition import Recipe, review

    findings = review(
        Recipe("facial_rejuvenation", Decimal("5"), tuple(parts)),
        allergen_ids=frozenset(),
        today=timezone.localdate(),
        for_patient=False,
    )
    return warnings_digest(findings)


def test_a_template_is_saved(practitioner_client, catalogue, practitioner):
    response = practitioner_client.post(
        NEW, builder_data([(p(catalogue.ha_vial), "2"), (p(catalogue.c_vial), "1")])
    )
    cocktail = Cocktail.objects.get(name="Glow")
    assert response.status_code == 302
    assert response["Location"] == reverse("cocktails:cocktail_detail", args=[cocktail.pk])
    assert cocktail.is_template and cocktail.created_by == practitioner
    assert [c.unit for c in cocktail.current.components.all()] == ["ml", "ml"]


def test_a_patient_cocktail_is_saved_with_its_lots(
    practitioner_client, catalogue, patient, face_glow
):
    data = builder_data(
        [(p(catalogue.ha_vial), "2", "", catalogue.ha_lot.pk)],
        patient=patient.pk,
        template=face_glow.pk,
    )
    assert practitioner_client.post(NEW, data).status_code == 302
    mine = Cocktail.objects.get(patient=patient)
    assert mine.template == face_glow
    assert mine.current.components.get().lot == catalogue.ha_lot


def test_an_allergen_is_refused_at_its_row_and_nothing_is_saved(
    practitioner_client, catalogue, patient
):
    AllergyFactory(patient=patient, ingredient=catalogue.lidocaine)
    data = builder_data(
        [(p(catalogue.ha_vial), "2"), (i(catalogue.lidocaine), "0.5")], patient=patient.pk
    )
    response = practitioner_client.post(NEW, data)
    assert response.status_code == 200
    assert row_errors(response, 1, "component") == [
        "Refused: the patient is allergic to Test lidocaine."
    ]
    assert "Not saved" in response.text
    assert not Cocktail.objects.exists()


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (("{ha}", "0"), "amount", "above zero"),
        (("{ha}", "-1"), "amount", "above zero"),
        (("{ha}", "two"), "amount", "Enter a number"),
        (("{ha}", ""), "amount", "Enter the amount"),
        (("{lido}", "0.5", "mg/ml"), "unit", "measured in %, not mg/ml"),
        (("{lido}", "150"), "amount", "cannot be above 100 %"),
        (("{vit_c}", "5000"), "amount", "at most 1000 mg/ml"),
        (("{ha}", "2", "%"), "unit", "measured in ml"),
        (("product:999999", "2"), "component", "Choose a product or an ingredient"),
        (("{ha}", "2", "", "999999"), "lot", "Choose a lot from the list"),
        (("{ha}", "2", "", "{c_lot}"), "lot", "not a lot of"),
    ],
)
def test_bad_rows_are_refused_at_their_field(
    practitioner_client, catalogue, patient, row, field, message
):
    values = {
        "ha": p(catalogue.ha_vial),
        "lido": i(catalogue.lidocaine),
        "vit_c": i(catalogue.vit_c),
        "c_lot": catalogue.c_lot.pk,
    }
    row = tuple(str(v).format(**values) for v in row)
    response = practitioner_client.post(NEW, builder_data([row], patient=patient.pk))
    assert response.status_code == 200
    assert any(message in error for error in row_errors(response, 0, field)), response.context[
        "formset"
    ].errors
    assert not Cocktail.objects.exists()


def _expired_lot(product):
    today = timezone.localdate()
    return LotFactory(
        product=product,
        lot_number="OLD-1",
        received_on=today - datetime.timedelta(days=200),
        expiry_date=today - datetime.timedelta(days=3),
    )


def lot_choices(response, row: int = 0) -> dict[str, str]:
    return dict(response.context["formset"].forms[row].fields["lot"].widget.choices)


def test_expired_and_recalled_lots_are_not_offered(practitioner_client, catalogue, patient):
    expired = _expired_lot(catalogue.ha_vial)
    recalled = LotFactory(product=catalogue.ha_vial, lot_number="BAD-1", recalled_at=timezone.now())
    response = practitioner_client.get(NEW + f"?patient={patient.pk}")
    offered = lot_choices(response)
    assert str(catalogue.ha_lot.pk) in offered
    assert str(expired.pk) not in offered and str(recalled.pk) not in offered
    assert "OLD-1" not in response.text and "BAD-1" not in response.text


def test_a_saved_lot_since_expired_is_still_shown_marked_when_editing(
    practitioner_client, catalogue, patient, practitioner
):
    lot = catalogue.ha_lot
    mine = camilles_glow(catalogue, patient, practitioner, lot=lot)
    today = timezone.localdate()
    type(lot).objects.filter(pk=lot.pk).update(
        received_on=today - datetime.timedelta(days=300),
        expiry_date=today - datetime.timedelta(days=1),
    )
    response = practitioner_client.get(reverse("cocktails:cocktail_edit", args=[mine.pk]))
    assert "EXPIRED" in lot_choices(response)[str(lot.pk)]
    assert response.context["formset"].forms[0]["lot"].value() == str(lot.pk)


def test_an_expired_lot_is_refused_at_its_lot_field_and_kept(
    practitioner_client, catalogue, patient
):
    expired = _expired_lot(catalogue.ha_vial)
    data = builder_data([(p(catalogue.ha_vial), "2", "", expired.pk)], patient=patient.pk)
    response = practitioner_client.post(NEW, data)
    assert any("expired on" in e for e in row_errors(response, 0, "lot"))
    assert not row_errors(response, 0, "component")
    assert "EXPIRED" in lot_choices(response)[str(expired.pk)]
    assert f'<option value="{expired.pk}" selected' in response.text
    assert not Cocktail.objects.exists()


def test_a_lot_used_up_since_the_page_opened_is_refused_with_why(
    practitioner_client, catalogue, patient
):
    empty = LotFactory(product=catalogue.ha_vial, quantity_left=0)
    data = builder_data([(p(catalogue.ha_vial), "2", "", empty.pk)], patient=patient.pk)
    response = practitioner_client.post(NEW, data)
    assert any("has no vials left" in e for e in row_errors(response, 0, "lot"))


def test_products_beyond_the_total_volume_are_refused_at_the_volume(practitioner_client, catalogue):
    response = practitioner_client.post(
        NEW, builder_data([(p(catalogue.ha_vial), "4"), (p(catalogue.c_vial), "3")], volume="5")
    )
    assert "add up to 7 ml" in response.context["form"].errors["total_volume_ml"][0]


@pytest.mark.parametrize("volume", ["0", "-5", "", "lots"])
def test_a_bad_total_volume_is_refused_at_the_field(practitioner_client, catalogue, volume):
    response = practitioner_client.post(
        NEW, builder_data([(p(catalogue.ha_vial), "1")], volume=volume)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["total_volume_ml"]
    assert not Cocktail.objects.exists()


def test_a_total_volume_beyond_a_syringe_batch_is_refused_at_the_field(
    practitioner_client, catalogue
):
    response = practitioner_client.post(
        NEW, builder_data([(p(catalogue.ha_vial), "1")], volume="100000")
    )
    assert response.status_code == 200
    assert "at most 100 ml" in response.context["form"].errors["total_volume_ml"][0]
    assert not Cocktail.objects.exists()


def test_no_component_at_all_is_refused(practitioner_client):
    response = practitioner_client.post(NEW, builder_data([("", "")]))
    assert "Add at least one component." in response.text
    assert not Cocktail.objects.exists()


def test_a_template_chosen_without_a_patient_asks_for_the_patient(
    practitioner_client, catalogue, face_glow
):
    data = builder_data([(p(catalogue.ha_vial), "2")], template=face_glow.pk)
    response = practitioner_client.post(NEW, data)
    assert response.context["form"].errors["patient"]


def test_a_tampered_row_count_does_not_break_the_builder(practitioner_client, catalogue):
    data = builder_data([(p(catalogue.ha_vial), "2")])
    data["components-TOTAL_FORMS"] = "many"
    response = practitioner_client.post(NEW, data)
    assert response.status_code == 200
    assert not Cocktail.objects.exists()


def test_a_warning_must_be_acknowledged_and_the_acknowledgement_is_recorded(
    practitioner_client, catalogue, practitioner
):
    data = builder_data([(i(catalogue.lidocaine), "1.5")])
    first = practitioner_client.post(NEW, data)
    assert first.status_code == 200
    assert "tick the box" in first.text
    checks = first.context["checks"]
    assert [w.kind for w in checks["warnings"]] == ["concentration"]
    assert f'value="{checks["digest"]}"' in first.text
    assert not Cocktail.objects.exists()

    saved = practitioner_client.post(NEW, data | {"acknowledge": checks["digest"]})
    assert saved.status_code == 302
    version = Cocktail.objects.get().current
    assert version.acknowledged_by == practitioner
    assert "above the usual" in version.acknowledged_warnings[0]["message"]


# --- The htmx fragments ----------------------------------------------------------------------


def test_adding_a_row_keeps_what_was_typed(practitioner_client, catalogue):
    data = builder_data([(p(catalogue.ha_vial), "2.5")]) | {"op": "add"}
    response = practitioner_client.post(COMPONENTS, data, HTTP_HX_REQUEST="true")
    formset = response.context["formset"]
    assert len(formset.forms) == 2
    assert formset.forms[0].initial == {
        "component": p(catalogue.ha_vial),
        "amount": "2.5",
        "unit": "",
        "lot": "",
    }
    assert "<html" not in response.text
    assert response["HX-Trigger-After-Settle"] == '{"builder-changed": {}}'


def test_removing_a_row_keeps_the_others(practitioner_client, catalogue):
    rows = [
        (p(catalogue.ha_vial), "2"),
        (p(catalogue.c_vial), "1"),
        (p(catalogue.lido_vial), "0.5"),
    ]
    data = builder_data(rows) | {"op": "remove", "row": "1"}
    response = practitioner_client.post(COMPONENTS, data, HTTP_HX_REQUEST="true")
    kept = [f.initial["component"] for f in response.context["formset"].forms]
    assert kept == [p(catalogue.ha_vial), p(catalogue.lido_vial)]
    assert 'name="components-TOTAL_FORMS" value="2"' in response.text


def test_the_live_checks_refuse_an_allergen_and_cost_the_syringe(
    practitioner_client, catalogue, patient
):
    AllergyFactory(patient=patient, ingredient=catalogue.vit_c)
    AllergyFactory(patient=patient, ingredient=None, substance="Latex")
    data = builder_data(
        [(p(catalogue.ha_vial), "2"), (p(catalogue.c_vial), "1"), ("", "")], patient=patient.pk
    )
    response = practitioner_client.post(CHECKS, data, HTTP_HX_REQUEST="true")
    assert "<html" not in response.text
    assert (
        "Refused: the patient is allergic to Test vitamin C (in Mesolab Vita C)." in response.text
    )
    assert "Latex" in response.text  # an allergy in words is shown, since no check can match it
    assert "€18.00" in response.text


def test_the_live_checks_keep_a_tick_only_for_the_same_warnings(practitioner_client, catalogue):
    data = builder_data([(i(catalogue.lidocaine), "1.5")])
    digest = practitioner_client.post(CHECKS, data).context["checks"]["digest"]
    ticked = practitioner_client.post(CHECKS, data | {"acknowledge": digest})
    assert ticked.context["checks"]["acknowledged"] is True
    changed = builder_data([(i(catalogue.lidocaine), "3")]) | {"acknowledge": digest}
    assert practitioner_client.post(CHECKS, changed).context["checks"]["acknowledged"] is False


# --- A cocktail, its versions, adjusting ------------------------------------------------------


@pytest.mark.parametrize("versions", [1, 5])
def test_the_cocktail_page_query_count_is_fixed(
    practitioner_client, face_glow, catalogue, practitioner, django_assert_num_queries, versions
):
    from cocktails.services import cocktail_revise

    for n in range(versions - 1):
        formulation_freeze(formulation=Cocktail.objects.get(pk=face_glow.pk).current)
        cocktail_revise(
            cocktail=face_glow,
            name="Face glow",
            indication="facial_rejuvenation",
            total_volume_ml=Decimal("5"),
            parts=[
                product_part(catalogue.ha_vial, str(1 + n)),
                product_part(catalogue.c_vial, "1"),
            ],
            by=practitioner,
        )
    url = reverse("cocktails:cocktail_detail", args=[face_glow.pk])
    # session, user, roles, cocktail, components, compositions, versions (no carriers query:
    # Face glow has no ingredient-only component)
    with django_assert_num_queries(10):
        response = practitioner_client.get(url)
    assert len(response.context["versions"]) == versions


def test_adjusting_a_used_cocktail_makes_a_new_version(practitioner_client, face_glow, catalogue):
    formulation_freeze(formulation=face_glow.current)
    url = reverse("cocktails:cocktail_edit", args=[face_glow.pk])
    assert "saving makes version 2" in practitioner_client.get(url).text
    data = builder_data(
        [(p(catalogue.ha_vial), "3"), (p(catalogue.c_vial), "1")], name="Face glow"
    ) | {"editing": face_glow.pk}
    response = practitioner_client.post(url, data, follow=True)
    assert "saved as version 2" in response.text
    assert Formulation.objects.filter(cocktail=face_glow).count() == 2
    old = Formulation.objects.get(cocktail=face_glow, number=1)
    assert old.components.get(product=catalogue.ha_vial).amount == Decimal("2")


def test_an_earlier_version_has_its_own_page(
    practitioner_client, face_glow, catalogue, practitioner
):
    from cocktails.services import cocktail_revise

    first = face_glow.current
    formulation_freeze(formulation=first)
    cocktail_revise(
        cocktail=face_glow,
        name="Face glow",
        indication="facial_rejuvenation",
        total_volume_ml=Decimal("5"),
        parts=[product_part(catalogue.ha_vial, "3")],
        by=practitioner,
    )
    response = practitioner_client.get(reverse("cocktails:formulation_detail", args=[first.pk]))
    assert response.status_code == 200
    assert "This is an earlier version" in response.text
    assert "Mesolab Vita C" in response.text


def test_archiving_hides_a_cocktail_and_stops_adjustments(practitioner_client, face_glow):
    practitioner_client.post(reverse("cocktails:cocktail_archive", args=[face_glow.pk]))
    face_glow.refresh_from_db()
    assert face_glow.is_archived
    assert practitioner_client.get(LIST).context["cocktails"].count() == 0
    edit = practitioner_client.get(reverse("cocktails:cocktail_edit", args=[face_glow.pk]))
    assert edit.status_code == 302


def test_a_missing_cocktail_is_a_404(practitioner_client):
    assert (
        practitioner_client.get(reverse("cocktails:cocktail_detail", args=[999999])).status_code
        == 404
    )
