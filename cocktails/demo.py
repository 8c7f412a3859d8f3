"""Demo catalogue, stock and clinic templates for `manage.py seed_demo` (idempotent).

Patients are seeded after this app, so patient cocktails cannot be made here on a first run:
`seed_patient_cocktails(out, patients)` makes them, and the patients demo (which runs later,
and may import cocktails) should call it with its demo patients. No lot usage is invented:
the traceability ledger fills from the treatment sessions' demo.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from cocktails.choices import Indication
from cocktails.composition import ML, Part
from cocktails.models import Cocktail, Ingredient, Lot, Product
from cocktails.selectors import products_with_components
from cocktails.services import cocktail_create, product_create
from cocktails.starter_catalogue import STARTER_INGREDIENTS

Out = Callable[[str], None]

# (brand, name, ml per vial, price, reorder below, {ingredient: concentration})
PRODUCTS: tuple[tuple[str, str, str, str, int, dict[str, str]], ...] = (
    ("Mesolab", "Hyaluronic acid 10", "5", "38.00", 5, {"Hyaluronic acid": "10"}),
    (
        "Mesolab",
        "Polyrevitalising complex",
        "3",
        "42.00",
        5,
        {
            "Hyaluronic acid": "5",
            "Vitamin A": "1",
            "Vitamin E": "5",
            "Vitamin B complex": "20",
            "Amino acids": "15",
            "Magnesium": "5",
            "Ginseng": "5",
        },
    ),
    ("Mesolab", "Vitamin C 100", "5", "14.00", 4, {"Vitamin C": "100"}),
    (
        "Mesolab",
        "Scar repair",
        "3",
        "36.00",
        3,
        {"Centella asiatica": "5", "Copper peptides": "2", "Vitamin C": "50"},
    ),
    (
        "Capillis",
        "Hair complex",
        "5",
        "55.00",
        4,
        {
            "Copper peptides": "1.5",
            "Biomimetic peptides": "0.8",
            "Zinc": "1",
            "Biotin": "5",
            "Ginkgo biloba": "8",
        },
    ),
    ("Capillis", "Biotin 5", "5", "9.00", 5, {"Biotin": "5"}),
    (
        "Silhouette",
        "Drainage botanicals",
        "5",
        "24.00",
        4,
        {"Green tea": "10", "Centella asiatica": "5", "Ginkgo biloba": "10"},
    ),
    ("Silhouette", "Organic silicon 0.5%", "5", "16.00", 4, {"Organic silicon": "0.5"}),
    (
        "Silhouette",
        "PC/DC lipolytic",
        "5",
        "29.00",
        4,
        {"Phosphatidylcholine": "50", "Deoxycholate": "4.75"},
    ),
    ("Dermenz", "Hyaluronidase 150", "10", "45.00", 1, {"Hyaluronidase": "150"}),
    ("Generic", "Lidocaine 2%", "5", "4.00", 10, {"Lidocaine": "2"}),
)

# (product name, lot number, days from today to expiry, vials). Some expire soon, one has
# expired with vials still on the shelf, and a few products run low.
LOTS: tuple[tuple[str, str, int, int], ...] = (
    ("Hyaluronic acid 10", "HA24-118", 300, 14),
    ("Hyaluronic acid 10", "HA24-061", 18, 6),
    ("Polyrevitalising complex", "PR-5521", 240, 3),
    ("Vitamin C 100", "VC-0934", 200, 10),
    ("Vitamin C 100", "VC-0871", -5, 2),
    ("Scar repair", "MSL-SC-45", 180, 6),
    ("Hair complex", "CAP-HC-771", 400, 8),
    ("Biotin 5", "CAP-B5-208", 25, 4),
    ("Drainage botanicals", "SIL-DB-33", 330, 10),
    ("Organic silicon 0.5%", "SIL-OS-12", 150, 9),
    ("PC/DC lipolytic", "SIL-PC-87", 90, 7),
    ("Hyaluronidase 150", "HYL-150-3", 365, 3),
    ("Lidocaine 2%", "LID-2291", 500, 26),
)

# (template name, indication, total ml, [(product name, ml)])
TEMPLATES: tuple[tuple[str, str, str, list[tuple[str, str]]], ...] = (
    (
        "Face glow",
        Indication.FACIAL_REJUVENATION,
        "5",
        [("Polyrevitalising complex", "3"), ("Vitamin C 100", "1"), ("Hyaluronic acid 10", "1")],
    ),
    (
        "Hair restoration standard",
        Indication.HAIR_RESTORATION,
        "5",
        [("Hair complex", "3"), ("Biotin 5", "1"), ("Lidocaine 2%", "0.5")],
    ),
    (
        "Cellulite drainage",
        Indication.CELLULITE,
        "10",
        [("Drainage botanicals", "4"), ("Organic silicon 0.5%", "4")],
    ),
    ("Scar repair", Indication.SCARS, "4", [("Scar repair", "2"), ("Hyaluronic acid 10", "1")]),
    ("Body contouring PC/DC", Indication.BODY_CONTOURING, "10", [("PC/DC lipolytic", "8")]),
)


def _ingredients(out: Out) -> dict[str, Ingredient]:
    # The data migration loads these; tests that flush the database remove them again.
    for name, category, unit, low, high, notes in STARTER_INGREDIENTS:
        _, created = Ingredient.objects.get_or_create(
            name=name,
            defaults={
                "category": category,
                "unit": unit,
                "usual_min": Decimal(low),
                "usual_max": Decimal(high),
                "notes": notes,
            },
        )
        if created:
            out(f"created ingredient {name}")
    return {i.name: i for i in Ingredient.objects.all()}


def _products(out: Out, ingredients: dict[str, Ingredient]) -> dict[str, Product]:
    for brand, name, volume, price, reorder, composition in PRODUCTS:
        if Product.objects.filter(brand=brand, name=name).exists():
            continue
        product_create(
            brand=brand,
            name=name,
            volume_ml=Decimal(volume),
            price=Decimal(price),
            reorder_level=reorder,
            components=[(ingredients[i], Decimal(c)) for i, c in composition.items()],
        )
        out(f"created product {brand} {name}")
    return {p.name: p for p in products_with_components()}


def _lots(out: Out, products: dict[str, Product], manager: Any) -> None:
    today = timezone.localdate()
    for product_name, number, days, vials in LOTS:
        product = products[product_name]
        if Lot.objects.filter(product=product, lot_number=number).exists():
            continue
        expiry = today + datetime.timedelta(days=days)
        # Written directly: the demo keeps an expired lot on the shelf, which receiving refuses.
        Lot.objects.create(
            product=product,
            lot_number=number,
            expiry_date=expiry,
            received_on=min(today, expiry) - datetime.timedelta(days=60),
            quantity_received=vials,
            quantity_left=vials,
            received_by=manager,
        )
        out(f"received lot {number} of {product}")


def _parts(products: dict[str, Product], lines: list[tuple[str, str]]) -> list[Part]:
    return [Part(products[name], None, Decimal(ml), ML) for name, ml in lines]


def _templates(out: Out, products: dict[str, Product], author: Any) -> None:
    for name, indication, volume, lines in TEMPLATES:
        if Cocktail.objects.filter(name=name, patient__isnull=True).exists():
            continue
        cocktail_create(
            name=name,
            indication=indication,
            total_volume_ml=Decimal(volume),
            parts=_parts(products, lines),
            by=author,
        )
        out(f"created template {name}")


def seed(out: Out) -> None:
    User = get_user_model()
    manager = User.objects.get(username="manager")
    author = User.objects.get(username="dr.martin")
    products = _products(out, _ingredients(out))
    _lots(out, products, manager)
    _templates(out, products, author)


def _freshest_lot(product: Product) -> Lot | None:
    today = timezone.localdate()
    return (
        Lot.objects.filter(
            product=product, quantity_left__gt=0, recalled_at__isnull=True, expiry_date__gte=today
        )
        .order_by("-expiry_date")
        .first()
    )


def seed_patient_cocktails(out: Out, patients: Iterable[Any]) -> None:
    """Adjust two templates for the first demo patients, with lots chosen. Idempotent; a
    cocktail the safety checks refuse for a patient (an allergy) is skipped, as in real life."""
    author = get_user_model().objects.get(username="dr.martin")
    products = {p.name: p for p in products_with_components()}
    plans = [
        (
            "Face glow",
            [
                ("Polyrevitalising complex", "3"),
                ("Vitamin C 100", "1"),
                ("Hyaluronic acid 10", "1"),
                ("Lidocaine 2%", "0.5"),
            ],
            "5.5",
        ),
        ("Hair restoration standard", [("Hair complex", "3"), ("Biotin 5", "1.5")], "5"),
    ]
    for patient, (template_name, lines, volume) in zip(patients, plans, strict=False):
        template = Cocktail.objects.filter(name=template_name, patient__isnull=True).first()
        if template is None or Cocktail.objects.filter(patient=patient, template=template).exists():
            continue
        parts = [
            Part(products[name], None, Decimal(ml), ML, lot=_freshest_lot(products[name]))
            for name, ml in lines
        ]
        try:
            cocktail_create(
                name=f"{template_name} for {patient.first_name}",
                indication=template.indication,
                patient=patient,
                template=template,
                total_volume_ml=Decimal(volume),
                parts=parts,
                by=author,
            )
        except ValidationError as exc:
            out(f"skipped {template_name} for {patient}: {' '.join(exc.messages)}")
            continue
        out(f"created {template_name} for {patient}")
