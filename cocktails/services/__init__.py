"""Writes for the catalogue, stock and cocktails.

Every function is keyword-only and atomic, and refuses bad input with a ValidationError keyed
by the form field it concerns, so pages can show the message where the mistake is. Other apps
import from here (for example `from cocktails.services import lot_consume`).
"""

from cocktails.services.catalogue import (
    ingredient_create,
    ingredient_restore,
    ingredient_retire,
    ingredient_update,
    product_create,
    product_update,
)
from cocktails.services.formulations import (
    AcknowledgementRequired,
    FormulationRefused,
    cocktail_archive,
    cocktail_create,
    cocktail_freeze_current,
    cocktail_revise,
    formulation_freeze,
)
from cocktails.services.stock import (
    lot_consume,
    lot_correct,
    lot_recall,
    lot_receive,
    lot_usage_cancel,
)

__all__ = [
    "AcknowledgementRequired",
    "FormulationRefused",
    "cocktail_archive",
    "cocktail_create",
    "cocktail_freeze_current",
    "cocktail_revise",
    "formulation_freeze",
    "ingredient_create",
    "ingredient_restore",
    "ingredient_retire",
    "ingredient_update",
    "lot_consume",
    "lot_correct",
    "lot_recall",
    "lot_receive",
    "lot_usage_cancel",
    "product_create",
    "product_update",
]
