"""The catalogue pages: who sees what, bad input at the field, fixed query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cocktails.models import Ingredient, Lot, Product
from tests.cocktails.factories import (
    IngredientFactory,
    LotFactory,
    ProductComponentFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

INGREDIENTS = reverse("cocktails:catalogue:ingredient_list")
PRODUCTS = reverse("cocktails:catalogue:product_list")
LOTS = reverse("cocktails:catalogue:lot_list")
RECEIVE = reverse("cocktails:catalogue:lot_receive")


def _form_errors(response, field: str) -> list[str]:
    form = response.context["form"]
    return form.errors.get(field, [])


# --- Ingredients -----------------------------------------------------------------------------


def test_practitioners_see_the_catalogue_but_only_the_manager_edits_it(
    practitioner_client, admin_client, receptionist_client
):
    IngredientFactory(name="Test biotin")
    as_practitioner = practitioner_client.get(INGREDIENTS)
    assert as_practitioner.status_code == 200
    assert "Test biotin" in as_practitioner.text
    assert "Add ingredient" not in as_practitioner.text
    assert "Add ingredient" in admin_client.get(INGREDIENTS).text
    assert receptionist_client.get(INGREDIENTS).status_code == 403


def test_retired_ingredients_show_only_on_request(admin_client):
    IngredientFactory(name="Old extract", is_active=False)
    assert "Old extract" not in admin_client.get(INGREDIENTS).text
    assert "Old extract" in admin_client.get(INGREDIENTS + "?retired=1").text


@pytest.mark.parametrize("extra", [0, 15])
def test_ingredient_list_query_count_is_fixed(
    practitioner_client, django_assert_num_queries, extra
):
    for n in range(extra):
        ProductComponentFactory(ingredient=IngredientFactory(name=f"Extra {n}"))
    with django_assert_num_queries(7):  # session read and refresh (4), user, roles, ingredients
        practitioner_client.get(INGREDIENTS)


def test_a_new_ingredient_with_a_reversed_range_is_refused_at_the_field(admin_client):
    response = admin_client.post(
        reverse("cocktails:catalogue:ingredient_create"),
        {
            "name": "Niacinamide",
            "category": "vitamin",
            "unit": "mg/ml",
            "usual_min": "5",
            "usual_max": "1",
        },
    )
    assert response.status_code == 200
    assert "must not be below" in _form_errors(response, "usual_max")[0]
    assert not Ingredient.objects.filter(name="Niacinamide").exists()


@pytest.mark.parametrize(
    ("unit", "field", "value", "message"),
    [
        ("%", "usual_max", "150", "cannot be above 100 %"),
        ("mg/ml", "usual_max", "5000", "at most 1000 mg/ml"),
        ("mg/ml", "usual_min", "-1", "cannot be negative"),
    ],
)
def test_an_impossible_usual_concentration_is_refused_at_the_field(
    admin_client, unit, field, value, message
):
    data = {"name": "Niacinamide", "category": "vitamin", "unit": unit}
    response = admin_client.post(
        reverse("cocktails:catalogue:ingredient_create"),
        data | {"usual_min": "", "usual_max": "", field: value},
    )
    assert response.status_code == 200
    assert any(message in error for error in _form_errors(response, field))
    assert not Ingredient.objects.filter(name="Niacinamide").exists()


def test_every_error_of_an_ingredient_comes_in_one_submit(admin_client):
    IngredientFactory(name="Niacinamide")
    response = admin_client.post(
        reverse("cocktails:catalogue:ingredient_create"),
        {
            "name": "niacinamide",
            "category": "vitamin",
            "unit": "%",
            "usual_min": "5",
            "usual_max": "150",
        },
    )
    assert response.status_code == 200
    assert "already has an ingredient named" in _form_errors(response, "name")[0]
    assert "above 100 %" in _form_errors(response, "usual_max")[0]


def test_a_new_ingredient_is_added(admin_client):
    response = admin_client.post(
        reverse("cocktails:catalogue:ingredient_create"),
        {
            "name": "Niacinamide",
            "category": "vitamin",
            "unit": "mg/ml",
            "usual_min": "1",
            "usual_max": "5",
        },
    )
    assert response.status_code == 302
    assert Ingredient.objects.get(name="Niacinamide").usual_max == Decimal("5")


def test_changing_the_unit_of_an_ingredient_in_use_is_refused_at_the_field(admin_client):
    ingredient = IngredientFactory(name="Test zinc")
    ProductComponentFactory(ingredient=ingredient)
    response = admin_client.post(
        reverse("cocktails:catalogue:ingredient_edit", args=[ingredient.pk]),
        {"name": "Test zinc", "category": "mineral", "unit": "%", "usual_min": "", "usual_max": ""},
    )
    assert response.status_code == 200
    assert "cannot change" in _form_errors(response, "unit")[0]
    ingredient.refresh_from_db()
    assert (ingredient.unit, ingredient.category) == ("mg/ml", "vitamin")


def test_retiring_an_ingredient_in_use_is_refused_with_a_message(
    admin_client, face_glow, catalogue
):
    url = reverse("cocktails:catalogue:ingredient_retire", args=[catalogue.ha.pk])
    response = admin_client.post(url, follow=True)
    assert "still used by Mesolab HA 10" in response.text
    catalogue.ha.refresh_from_db()
    assert catalogue.ha.is_active


def test_an_unused_ingredient_is_retired_and_restored(admin_client):
    ingredient = IngredientFactory()
    admin_client.post(reverse("cocktails:catalogue:ingredient_retire", args=[ingredient.pk]))
    ingredient.refresh_from_db()
    assert not ingredient.is_active
    admin_client.post(reverse("cocktails:catalogue:ingredient_restore", args=[ingredient.pk]))
    ingredient.refresh_from_db()
    assert ingredient.is_active


# --- Products --------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 12])
def test_product_list_query_count_is_fixed(practitioner_client, django_assert_num_queries, extra):
    for _ in range(extra):
        LotFactory(product=ProductComponentFactory().product)
    with django_assert_num_queries(
        8
    ):  # session read and refresh (4), user, roles, products, compositions
        response = practitioner_client.get(PRODUCTS)
    assert response.status_code == 200


def test_product_list_shows_usable_stock_and_flags_low_stock(practitioner_client):
    product = ProductFactory(brand="Capillis", name="Biotin 5", reorder_level=5)
    LotFactory(product=product, quantity_received=3)
    today = timezone.localdate()
    LotFactory(
        product=product,
        quantity_received=20,
        received_on=today - datetime.timedelta(days=90),
        expiry_date=today - datetime.timedelta(days=1),
    )
    response = practitioner_client.get(PRODUCTS)
    listed = next(p for p in response.context["products"] if p.pk == product.pk)
    assert listed.stock == 3  # the expired lot's vials are not usable
    assert "Low stock" in response.text


@pytest.mark.parametrize("lots", [1, 8])
def test_product_detail_query_count_is_fixed(practitioner_client, django_assert_num_queries, lots):
    product = ProductComponentFactory().product
    for _ in range(lots):
        LotFactory(product=product)
    with django_assert_num_queries(
        9
    ):  # session read and refresh (4), user, roles, product, composition, lots
        practitioner_client.get(reverse("cocktails:catalogue:product_detail", args=[product.pk]))


def _product_post(**change) -> dict[str, str]:
    data = {
        "brand": "Capillis",
        "name": "Hair complex",
        "volume_ml": "5",
        "price": "55",
        "reorder_level": "4",
        "notes": "",
        "components-TOTAL_FORMS": "3",
        "components-INITIAL_FORMS": "0",
    }
    return data | change


def test_a_product_is_created_with_its_composition(admin_client):
    biotin = IngredientFactory(name="Test biotin")
    response = admin_client.post(
        reverse("cocktails:catalogue:product_create"),
        _product_post(
            **{"components-0-ingredient": str(biotin.pk), "components-0-concentration": "5"}
        ),
    )
    product = Product.objects.get(name="Hair complex")
    assert response.status_code == 302
    assert [(c.ingredient, c.concentration) for c in product.components.all()] == [
        (biotin, Decimal("5"))
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"components-0-unit": "%"}, "is measured in mg/ml, not %"),
        ({"components-0-concentration": "0"}, "above zero"),
        ({"components-0-concentration": "-2"}, "above zero"),
        ({"components-0-concentration": "lots"}, "Enter a number"),
        ({"volume_ml": "0"}, "above zero"),
        ({"components-1-ingredient": "{biotin}", "components-1-concentration": "1"}, "only once"),
    ],
)
def test_bad_products_are_refused_with_a_message_and_nothing_saved(admin_client, change, message):
    biotin = IngredientFactory(name="Test biotin")
    change = {k: v.format(biotin=biotin.pk) for k, v in change.items()}
    data = _product_post(
        **{"components-0-ingredient": str(biotin.pk), "components-0-concentration": "5"} | change
    )
    response = admin_client.post(reverse("cocktails:catalogue:product_create"), data)
    assert response.status_code == 200
    assert message in response.text
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("volume_ml", "100000", "at most 1000 ml"),
        ("price", "12345678", "at most 99999.99"),
        ("reorder_level", "99999999999", "at most 10000 vials"),
    ],
)
def test_numbers_too_large_for_a_product_are_refused_at_the_field(
    admin_client, field, value, message
):
    response = admin_client.post(
        reverse("cocktails:catalogue:product_create"), _product_post(**{field: value})
    )
    assert response.status_code == 200
    assert any(message in error for error in _form_errors(response, field))
    assert response.context["form"][field].value() == value
    assert not Product.objects.exists()


def test_every_error_of_a_product_comes_in_one_submit(admin_client):
    ProductFactory(brand="Capillis", name="Hair complex")
    biotin = IngredientFactory(name="Test biotin")
    data = _product_post(
        volume_ml="-5",
        price="-3",
        reorder_level="-2",
        **{
            "components-0-ingredient": str(biotin.pk),
            "components-0-concentration": "0",
            "components-1-ingredient": str(biotin.pk),
            "components-1-concentration": "2",
        },
    )
    response = admin_client.post(reverse("cocktails:catalogue:product_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "above zero" in errors["volume_ml"][0]
    assert "cannot be negative" in errors["price"][0]
    assert "0 or more" in errors["reorder_level"][0]
    assert "already in the catalogue" in errors["name"][0]
    rows = response.context["formset"].forms
    assert "above zero" in rows[0].errors["concentration"][0]
    assert "only once" in rows[1].errors["ingredient"][0]
    assert Product.objects.count() == 1


def test_withdrawing_a_product_in_use_is_refused_with_the_other_errors(
    admin_client, catalogue, face_glow
):
    url = reverse("cocktails:catalogue:product_edit", args=[catalogue.ha_vial.pk])
    data = _product_post(brand="Mesolab", name="HA 10", price="-1")
    response = admin_client.post(url, data)
    errors = response.context["form"].errors
    assert "Still used by Face glow" in errors["is_active"][0]
    assert "cannot be negative" in errors["price"][0]
    catalogue.ha_vial.refresh_from_db()
    assert catalogue.ha_vial.is_active


@pytest.mark.parametrize(
    ("unit", "concentration", "message"),
    [
        (Ingredient.Unit.PERCENT, "150", "cannot be above 100 %"),
        (Ingredient.Unit.MG_PER_ML, "5000", "at most 1000 mg/ml"),
        (Ingredient.Unit.MCG_PER_ML, "2000000", "at most 1000000 µg/ml"),
        (Ingredient.Unit.PERCENT, "-3", "above zero"),
    ],
)
def test_an_impossible_concentration_is_refused_at_its_row(
    admin_client, unit, concentration, message
):
    ingredient = IngredientFactory(name="Test lidocaine", unit=unit)
    data = _product_post(
        **{
            "components-0-ingredient": str(ingredient.pk),
            "components-0-concentration": concentration,
        }
    )
    response = admin_client.post(reverse("cocktails:catalogue:product_create"), data)
    assert response.status_code == 200
    row = response.context["formset"].forms[0]
    assert [error for error in row.errors["concentration"] if message in error]
    assert row["concentration"].value() == concentration
    assert not Product.objects.exists()


def test_a_full_strength_percentage_is_accepted(admin_client):
    ingredient = IngredientFactory(name="Test glycerin", unit=Ingredient.Unit.PERCENT)
    data = _product_post(
        **{"components-0-ingredient": str(ingredient.pk), "components-0-concentration": "100"}
    )
    assert admin_client.post(reverse("cocktails:catalogue:product_create"), data).status_code == 302


def test_editing_only_the_price_keeps_the_composition(admin_client, catalogue):
    url = reverse("cocktails:catalogue:product_edit", args=[catalogue.c_vial.pk])
    form = admin_client.get(url).context["formset"]
    rows = {
        f"components-{n}-{field}": value
        for n, row in enumerate(form.initial)
        for field, value in {
            "ingredient": row["ingredient"].pk,
            "concentration": row["concentration"],
            "unit": row["unit"],
        }.items()
    }
    data = _product_post(brand="Mesolab", name="Vita C", price="11", is_active="on", **rows)
    assert admin_client.post(url, data).status_code == 302
    catalogue.c_vial.refresh_from_db()
    assert catalogue.c_vial.price == Decimal("11")
    assert [(c.ingredient, c.concentration) for c in catalogue.c_vial.components.all()] == [
        (catalogue.vit_c, Decimal("100"))
    ]


def test_a_product_is_edited(admin_client, catalogue):
    url = reverse("cocktails:catalogue:product_edit", args=[catalogue.c_vial.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        _product_post(
            brand="Mesolab",
            name="Vita C",
            price="12.50",
            is_active="on",
            **{
                "components-0-ingredient": str(catalogue.vit_c.pk),
                "components-0-concentration": "150",
            },
        ),
    )
    assert response.status_code == 302
    catalogue.c_vial.refresh_from_db()
    assert catalogue.c_vial.price == Decimal("12.50")
    assert catalogue.c_vial.components.get().concentration == Decimal("150")


# --- Lots ------------------------------------------------------------------------------------


def _receive(product, **change) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "product": str(product.pk),
        "lot_number": "A-100",
        "expiry_date": (today + datetime.timedelta(days=200)).isoformat(),
        "received_on": today.isoformat(),
        "quantity": "10",
    }
    return data | change


def test_the_manager_receives_a_lot(admin_client, admin_user):
    product = ProductFactory()
    response = admin_client.post(RECEIVE, _receive(product))
    lot = Lot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cocktails:catalogue:lot_detail", args=[lot.pk])
    assert (lot.quantity_left, lot.received_by) == (10, admin_user)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"expiry_date": "2020-01-01", "received_on": "2020-02-01"},
            "expiry_date",
            "before the date of receipt",
        ),
        ({"quantity": "0"}, "quantity", "at least 1"),
        ({"quantity": "-4"}, "quantity", "at least 1"),
        ({"quantity": "99999999999"}, "quantity", "check the number"),
        ({"lot_number": "dup-7"}, "lot_number", "already been received"),
        ({"received_on": "{tomorrow}"}, "received_on", "cannot be received after today"),
        ({"expiry_date": "9999-12-31"}, "expiry_date", "more than 10 years after receipt"),
        (
            {"received_on": "{last_year}", "expiry_date": "{in_ten_years}"},
            "expiry_date",
            "more than 10 years after receipt",
        ),
        ({"expiry_date": "not a date"}, "expiry_date", "Enter a valid date"),
    ],
)
def test_a_bad_lot_is_refused_at_the_field(admin_client, change, field, message):
    today = timezone.localdate()
    dates = {
        "tomorrow": today + datetime.timedelta(days=1),
        "last_year": today - datetime.timedelta(days=365),
        "in_ten_years": today + datetime.timedelta(days=3660),
    }
    change = {key: value.format(**dates) for key, value in change.items()}
    product = ProductFactory()
    LotFactory(product=product, lot_number="DUP-7")
    response = admin_client.post(RECEIVE, _receive(product, **change))
    assert response.status_code == 200
    assert any(message in error for error in _form_errors(response, field))
    assert Lot.objects.count() == 1


def test_every_error_of_a_receipt_comes_in_one_submit(admin_client):
    product = ProductFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = _receive(
        product, quantity="0", received_on=tomorrow.isoformat(), expiry_date="9999-12-31"
    )
    response = admin_client.post(RECEIVE, data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"quantity", "received_on", "expiry_date"}
    assert not Lot.objects.exists()


def test_a_practitioner_cannot_receive_lots(practitioner_client):
    product = ProductFactory()
    assert practitioner_client.post(RECEIVE, _receive(product)).status_code == 403
    assert not Lot.objects.exists()


def test_the_stock_page_filters_by_status(practitioner_client):
    today = timezone.localdate()
    LotFactory(lot_number="FRESH")
    LotFactory(lot_number="SOON", expiry_date=today + datetime.timedelta(days=10))
    LotFactory(
        lot_number="OLD",
        received_on=today - datetime.timedelta(days=100),
        expiry_date=today - datetime.timedelta(days=2),
    )
    LotFactory(lot_number="EMPTY", quantity_left=0)

    def numbers(status: str) -> set[str]:
        response = practitioner_client.get(LOTS + f"?status={status}")
        return {lot.lot_number for lot in response.context["lots"]}

    assert numbers("in_stock") == {"FRESH", "SOON"}
    assert numbers("expiring") == {"SOON"}
    assert numbers("expired") == {"OLD"}
    assert numbers("used_up") == {"EMPTY"}
    assert numbers("nonsense") == {"FRESH", "SOON"}
    counts = {key: count for key, _, count in practitioner_client.get(LOTS).context["tabs"]}
    assert counts == {"in_stock": 2, "expiring": 1, "expired": 1, "recalled": 0, "used_up": 1}


@pytest.mark.parametrize("extra", [1, 20])
def test_stock_page_query_count_is_fixed(practitioner_client, django_assert_num_queries, extra):
    for _ in range(extra):
        LotFactory()
    with django_assert_num_queries(
        8
    ):  # session read and refresh (4), user, roles, tab counts, lots
        practitioner_client.get(LOTS)


def test_the_manager_recalls_a_lot_with_a_reason(admin_client):
    lot = LotFactory()
    url = reverse("cocktails:catalogue:lot_recall", args=[lot.pk])
    response = admin_client.post(url, {"reason": "Supplier notice 2026-14"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cocktails:catalogue:lot_detail", args=[lot.pk])
    lot.refresh_from_db()
    assert lot.is_recalled and lot.recall_reason == "Supplier notice 2026-14"


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say why the lot is recalled"),
        ("   ", "Say why the lot is recalled"),
        ("Notice 14: " + "x" * 390, "Keep the reason to 300 characters (it has 401)"),
    ],
)
def test_a_bad_recall_reason_is_refused_at_the_field_keeping_what_was_typed(
    admin_client, reason, message
):
    lot = LotFactory()
    url = reverse("cocktails:catalogue:lot_recall", args=[lot.pk])
    response = admin_client.post(url, {"reason": reason})
    assert response.status_code == 200
    form = response.context["recall_form"]
    assert any(message in error for error in form.errors["reason"])
    assert form["reason"].value() == reason
    assert message in response.text
    if reason.strip():
        assert f'value="{reason}"' in response.text
    assert response.context["lot"] == lot
    lot.refresh_from_db()
    assert not lot.is_recalled


def test_recalling_a_lot_already_recalled_says_so(admin_client):
    lot = LotFactory(recalled_at=timezone.now(), recall_reason="Notice 1")
    url = reverse("cocktails:catalogue:lot_recall", args=[lot.pk])
    response = admin_client.post(url, {"reason": "Notice 2"}, follow=True)
    assert "already recalled" in response.text
    lot.refresh_from_db()
    assert lot.recall_reason == "Notice 1"
