from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from cocktails.models import Ingredient, Lot, Product, ProductComponent
from patients.models import Allergy
from tests.patients import factories as patient_factories


class IngredientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ingredient
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Ingredient {n}")
    category = Ingredient.Category.VITAMIN
    unit = Ingredient.Unit.MG_PER_ML
    usual_min = Decimal("0.5")
    usual_max = Decimal("5")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    brand = "Mesolab"
    name = factory.Sequence(lambda n: f"Complex {n}")
    volume_ml = Decimal("5")
    price = Decimal("25.00")
    reorder_level = 2


class ProductComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductComponent

    product = factory.SubFactory(ProductFactory)
    ingredient = factory.SubFactory(IngredientFactory)
    concentration = Decimal("10")


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot

    product = factory.SubFactory(ProductFactory)
    lot_number = factory.Sequence(lambda n: f"L{n:05d}")
    received_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    expiry_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    quantity_received = 10
    quantity_left = factory.SelfAttribute("quantity_received")


class PatientFactory(patient_factories.PatientFactory):
    """The patients app's factory with the fixed names cocktails tests look for."""

    first_name = factory.Sequence(lambda n: f"Camille{n}")
    last_name = "Lefèvre"
    date_of_birth = datetime.date(1984, 5, 17)


class AllergyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allergy

    patient = factory.SubFactory(PatientFactory)
    ingredient = factory.SubFactory(IngredientFactory)
