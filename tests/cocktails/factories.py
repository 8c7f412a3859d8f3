from __future__ import annotations

from decimal import Decimal

import factory

from cocktails.models import Ingredient


class IngredientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ingredient
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Ingredient {n}")
    category = Ingredient.Category.VITAMIN
    unit = Ingredient.Unit.MG_PER_ML
    usual_min = Decimal("0.5")
    usual_max = Decimal("5")
