"""Seed the ingredient catalogue so a new clinic starts with the usual mesotherapy components.

Existing rows (same name) are left as the clinic edited them.
"""

from decimal import Decimal

from django.db import migrations

from cocktails.starter_catalogue import STARTER_INGREDIENTS


def forward(apps, schema_editor):
    Ingredient = apps.get_model("cocktails", "Ingredient")
    for name, category, unit, low, high, notes in STARTER_INGREDIENTS:
        Ingredient.objects.get_or_create(
            name=name,
            defaults={
                "category": category,
                "unit": unit,
                "usual_min": Decimal(low),
                "usual_max": Decimal(high),
                "notes": notes,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cocktails", "0002_catalogue_lots_formulations")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
