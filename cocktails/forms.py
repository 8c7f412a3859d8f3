"""Forms parse what staff type; the services decide what is allowed (see services.py)."""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.formats import date_format

from clinic.lib.params import id_param
from clinic.roles import practitioner_name, staff_members
from cocktails.choices import Indication
from cocktails.composition import (
    ML,
    Finding,
    Part,
    concentration_ceiling_problem,
    unit_problem,
)
from cocktails.models import Cocktail, Ingredient, Lot, Product, plain_number
from cocktails.selectors import (
    BuilderCatalogue,
    patient_choices,
)
from cocktails.services.catalogue import (
    ingredient_name_problem,
    product_archive_problem,
    product_name_problem,
    usual_range_problems,
)
from cocktails.services.stock import CORRECTION_REASON_MAX, lot_date_problems

UNIT_CHOICES = [("", "unit"), (ML, ML), *Ingredient.Unit.choices]

# Upper bounds on what staff type: generous for a clinic, and well inside the database
# columns, so an extra zero typed by mistake is refused at its field instead of failing on save.
MAX_VIALS = 10_000
MAX_VIAL_ML = Decimal("1000")
MAX_PRICE = Decimal("99999.99")
MAX_TOTAL_VOLUME_ML = Decimal("100")


class OptionDataSelect(forms.Select):
    """A select whose options carry data-* attributes, for the builder's small script
    (a component's unit; a lot's product)."""

    def __init__(
        self, *args: Any, option_data: dict[str, dict[str, str]] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.option_data = option_data or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        for key, data in self.option_data.get(str(value), {}).items():
            option["attrs"][f"data-{key}"] = data
        return option


# --- Catalogue -------------------------------------------------------------------------------


def _decimal(
    label: str, *, required: bool = True, places: int = 3, **kwargs: Any
) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=10, decimal_places=places, **kwargs
    )


class IngredientForm(forms.Form):
    name = forms.CharField(max_length=120)
    category = forms.ChoiceField(choices=Ingredient.Category.choices)
    unit = forms.ChoiceField(
        choices=Ingredient.Unit.choices, help_text="Concentrations of this ingredient use it."
    )
    usual_min = _decimal("Usual concentration from", required=False)
    usual_max = _decimal("Usual concentration up to", required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    ingredient: Ingredient | None = None

    @classmethod
    def for_ingredient(cls, ingredient: Ingredient, data: Any = None) -> IngredientForm:
        initial = {field: getattr(ingredient, field) for field in cls.base_fields}
        form = cls(data, initial=initial)
        form.ingredient = ingredient
        return form

    def clean(self) -> dict[str, Any]:
        """The service's rules, asked here too so that every error comes back in one submit."""
        data = super().clean()
        name = data.get("name")
        exclude_pk = self.ingredient.pk if self.ingredient else None
        if name and (message := ingredient_name_problem(name, exclude_pk)):
            self.add_error("name", message)
        problems = usual_range_problems(
            data.get("usual_min"), data.get("usual_max"), data.get("unit", "")
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return data


class ProductForm(forms.Form):
    brand = forms.CharField(max_length=120)
    name = forms.CharField(max_length=160)
    volume_ml = _decimal(
        "Volume per vial (ml)",
        places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_VIAL_ML,
        error_messages={
            "min_value": "Enter the vial's volume in ml, above zero.",
            "max_value": "A vial holds at most %(limit_value)s ml: check the volume.",
        },
    )
    price = _decimal(
        "Price per vial",
        places=2,
        min_value=0,
        max_value=MAX_PRICE,
        help_text="What the clinic pays, tax included.",
        error_messages={
            "min_value": "A price cannot be negative.",
            "max_value": "Enter a price per vial of at most %(limit_value)s.",
        },
    )
    reorder_level = forms.IntegerField(
        label="Low-stock alert below",
        min_value=0,
        max_value=MAX_VIALS,
        initial=5,
        help_text="Vials in stock, counting lots in date only.",
        error_messages={
            "min_value": "Enter 0 or more vials (0 turns the alert off).",
            "max_value": "Enter at most %(limit_value)s vials.",
        },
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    is_active = forms.BooleanField(
        label="Available for new cocktails", required=False, initial=True
    )

    product: Product | None = None

    @classmethod
    def for_product(cls, product: Product | None, data: Any = None) -> ProductForm:
        if product is None:
            form = cls(data)
            del form.fields["is_active"]  # a new product is available
            return form
        initial = {field: getattr(product, field) for field in cls.base_fields}
        form = cls(data, initial=initial)
        form.product = product
        return form

    def clean(self) -> dict[str, Any]:
        """The service's checks that need the database, asked here too so that every error
        comes back in one submit (the service still checks them when saving)."""
        data = super().clean()
        brand, name = data.get("brand"), data.get("name")
        exclude_pk = self.product.pk if self.product else None
        if (
            brand
            and name
            and (message := product_name_problem(brand=brand, name=name, exclude_pk=exclude_pk))
        ):
            self.add_error("name", message)
        archiving = self.product and self.product.is_active and data.get("is_active") is False
        if archiving and (message := product_archive_problem(self.product)):
            self.add_error("is_active", message)
        return data


class ProductComponentForm(forms.Form):
    ingredient = forms.ModelChoiceField(
        queryset=Ingredient.objects.filter(is_active=True),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    concentration = _decimal(
        "Concentration",
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    )
    unit = forms.ChoiceField(
        choices=UNIT_CHOICES, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        ingredient, concentration = data.get("ingredient"), data.get("concentration")
        if not self.has_changed():
            return data
        if ingredient is None:
            self.add_error("ingredient", "Choose the ingredient.")
        if concentration is None:
            if "concentration" not in self.errors:
                self.add_error("concentration", "Enter its concentration.")
        elif concentration <= 0:
            self.add_error("concentration", "Enter a concentration above zero.")
        if ingredient is not None:
            unit = data.get("unit") or ingredient.unit
            if message := unit_problem(ingredient, unit):
                self.add_error("unit", message)
            elif (
                concentration is not None
                and concentration > 0
                and (message := concentration_ceiling_problem(concentration, ingredient.unit))
            ):
                self.add_error("concentration", message)
        return data


class RowsFormSet(BaseFormSet):
    """Every row is optional: a row left blank is skipped rather than refused."""

    def initial_form_count(self) -> int:
        return 0


class ProductComponentFormSet(RowsFormSet):
    def clean(self) -> None:
        """An ingredient listed twice is marked on its second row."""
        seen: set[int] = set()
        for form in self.forms:
            ingredient = getattr(form, "cleaned_data", {}).get("ingredient")
            if ingredient is None:
                continue
            if ingredient.pk in seen:
                form.add_error(
                    "ingredient",
                    "Each ingredient may appear only once in a product: it is already listed.",
                )
            seen.add(ingredient.pk)


def product_components_formset(
    data: Any = None, product: Product | None = None, extra: int = 3
) -> BaseFormSet:
    initial = [
        {"ingredient": c.ingredient, "concentration": c.concentration, "unit": c.ingredient.unit}
        for c in (product.components.all() if product else ())
    ]
    ingredients = Ingredient.objects.filter(is_active=True).order_by("name")
    FormSet = formset_factory(
        ProductComponentForm, formset=ProductComponentFormSet, extra=len(initial) + extra
    )
    # Posted rows stand on their own: compared with an initial, an unchanged row would look
    # blank and be dropped from the composition.
    formset = FormSet(data, initial=None if data is not None else initial, prefix="components")
    # One query for every row's ingredient list, not one per row.
    choices = [("", "—"), *((i.pk, f"{i.name} ({i.unit})") for i in ingredients)]
    for form in formset.forms:
        form.fields["ingredient"].choices = choices
    return formset


def product_components(formset: BaseFormSet) -> list[tuple[Ingredient, Decimal]]:
    return [
        (form.cleaned_data["ingredient"], form.cleaned_data["concentration"])
        for form in formset.forms
        if form.cleaned_data.get("ingredient")
    ]


class LotDetailsForm(forms.Form):
    """A lot's details as received: what the receipt asks and a correction may change."""

    lot_number = forms.CharField(max_length=60, help_text="As printed on the box.")
    expiry_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    received_on = forms.DateField(
        label="Received on", widget=forms.DateInput(attrs={"type": "date"})
    )
    quantity = forms.IntegerField(
        label="Vials received",
        min_value=1,
        max_value=MAX_VIALS,
        error_messages={
            "min_value": "Enter the number of vials received, at least 1.",
            "max_value": "At most %(limit_value)s vials can be received at once: check the number.",
        },
    )

    # A correction may give an expiry already past (see lot_date_problems).
    correcting = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["received_on"].initial = today
        self.fields["received_on"].widget.attrs["max"] = today.isoformat()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The service's own rule, asked here so date errors come with the others at once.
        problems = lot_date_problems(
            received_on=data.get("received_on"),
            expiry_date=data.get("expiry_date"),
            today=timezone.localdate(),
            correcting=self.correcting,
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return data


class LotReceiveForm(LotDetailsForm):
    product = forms.ModelChoiceField(queryset=Product.objects.filter(is_active=True))

    field_order = ("product",)


class StaffChoiceField(forms.ModelChoiceField):
    """A member of staff, named as every page names them, the current staff listed first and
    the former ones (deactivated accounts) apart: a past record may name either."""

    def label_from_instance(self, obj: Any) -> str:
        return practitioner_name(obj)

    def group(self) -> None:
        """List the staff in their two groups; read when the select is drawn (one query), not
        when the form only validates. Call it once the field is set up (its empty label)."""
        self.choices = functools.cache(self._grouped)

    def _grouped(self) -> list[Any]:
        groups: dict[bool, list[tuple[int, str]]] = {True: [], False: []}
        for user in self.queryset:
            groups[user.is_active].append((user.pk, self.label_from_instance(user)))
        choices: list[Any] = [("", self.empty_label)] if self.empty_label is not None else []
        return choices + [
            (label, groups[active])
            for active, label in ((True, "Current staff"), (False, "Former staff"))
            if groups[active]
        ]


class LotCorrectForm(LotDetailsForm):
    """A correction of a lot's details; the reason is kept in the lot's change history."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        help_text="Only if the lot was entered under the wrong product: its vials move with it.",
        error_messages={"invalid_choice": "Choose a product of the catalogue."},
    )
    received_by = StaffChoiceField(
        queryset=staff_members(former=True),
        label="Received by",
        required=False,
        empty_label="Not recorded",
        error_messages={
            "required": "Choose who received the lot: that cannot be unrecorded.",
            "invalid_choice": "Choose a member of staff.",
        },
    )
    reason = forms.CharField(
        label="Reason for the correction",
        max_length=CORRECTION_REASON_MAX,
        widget=forms.TextInput(
            attrs={"placeholder": "For example: lot number mistyped at receipt"}
        ),
        error_messages={
            "required": "Say why the lot is corrected (e.g. lot number mistyped).",
            "max_length": "Keep the reason to %(limit_value)d characters (it has %(show_value)d).",
        },
    )

    correcting = True

    @classmethod
    def for_lot(cls, lot: Lot, data: Any = None) -> LotCorrectForm:
        initial = {
            "product": lot.product_id,
            "lot_number": lot.lot_number,
            "expiry_date": lot.expiry_date,
            "received_on": lot.received_on,
            "quantity": lot.quantity_received,
            "received_by": lot.received_by_id,
        }
        form = cls(data, initial=initial)
        # The catalogue's products, and the lot's own even if withdrawn since.
        products = form.fields["product"]
        products.queryset = Product.objects.filter(
            Q(is_active=True) | Q(pk=lot.product_id)
        ).order_by("brand", "name")
        # A lot always has a product: no blank choice. Read once when the select is drawn
        # (without a blank first choice, the widget would read the first product again).
        products.empty_label = None
        products.choices = functools.cache(lambda: [(p.pk, str(p)) for p in products.queryset])
        # Who received a lot may be corrected but not unrecorded; a lot received before this
        # was recorded may stay without.
        if lot.received_by_id is not None:
            form.fields["received_by"].required = True
            form.fields["received_by"].empty_label = None
        form.fields["received_by"].group()
        return form


class ReasonForm(forms.Form):
    """Why a lot is recalled (the recall banner and the lot's history show it)."""

    reason = forms.CharField(
        max_length=Lot._meta.get_field("recall_reason").max_length,
        help_text="For example the supplier's notice number and date.",
        error_messages={
            "required": "Say why the lot is recalled (e.g. the notice number).",
            "max_length": "Keep the reason to %(limit_value)d characters (it has %(show_value)d): "
            "the notice number and date are enough.",
        },
    )


# --- The cocktail builder --------------------------------------------------------------------


def _lot_label(lot: Lot, today: datetime.date) -> str:
    state = f"{lot.quantity_left} left"
    if lot.is_expired_on(today):
        state = "EXPIRED"
    elif lot.is_exhausted:
        state = "used up"
    elif lot.is_recalled:
        state = "RECALLED"
    return (
        f"{lot.lot_number} · {lot.product} · exp. {date_format(lot.expiry_date, 'M Y')} · {state}"
    )


class ComponentForm(forms.Form):
    """One builder row: a product in ml, or an ingredient at its concentration in the syringe.

    `component` and `lot` are parsed here rather than by a ChoiceField: a lot used up since the
    page was opened must still reach the safety check, which says what is wrong with it."""

    component = forms.CharField(required=False)
    amount = _decimal("Amount", required=False)
    unit = forms.ChoiceField(choices=UNIT_CHOICES, required=False)
    lot = forms.CharField(required=False)

    def __init__(self, *args: Any, catalogue: BuilderCatalogue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        today = timezone.localdate()
        products = [
            (f"product:{p.pk}", f"{p} · {plain_number(p.volume_ml)} ml vial")
            for p in catalogue.products.values()
        ]
        ingredients = [
            (f"ingredient:{i.pk}", f"{i.name} ({i.unit})") for i in catalogue.ingredients.values()
        ]
        self.fields["component"].widget = OptionDataSelect(
            choices=[
                ("", "Choose a product or an ingredient…"),
                ("Products (ml drawn from the vial)", products),
                ("Ingredients (concentration in the syringe)", ingredients),
            ],
            option_data={f"product:{pk}": {"unit": ML} for pk in catalogue.products}
            | {f"ingredient:{pk}": {"unit": i.unit} for pk, i in catalogue.ingredients.items()},
            attrs={"class": "form-select", "data-component": ""},
        )
        lots = dict(catalogue.lots)
        # A lot this row already names stays in its list, marked, even if it is no longer
        # offered: re-showing the row must not silently swap it for "No lot yet".
        chosen = id_param(self["lot"].value())
        if chosen is not None and chosen not in lots and (lot := catalogue.lot(chosen)):
            lots[lot.pk] = lot
        self.fields["lot"].widget = OptionDataSelect(
            choices=[("", "No lot yet")]
            + [(str(pk), _lot_label(lot, today)) for pk, lot in lots.items()],
            option_data={
                str(pk): {"product": f"product:{lot.product_id}"} for pk, lot in lots.items()
            },
            attrs={"class": "form-select", "data-lot": ""},
        )
        self.fields["amount"].widget.attrs.update(
            {"class": "form-control", "inputmode": "decimal", "placeholder": "0"}
        )
        self.fields["unit"].widget.attrs.update({"class": "form-select", "data-unit-select": ""})

    def _source(self, raw: str) -> Product | Ingredient | None:
        kind, _, raw_pk = raw.partition(":")
        pk = id_param(raw_pk)
        if pk is None:
            return None
        if kind == "product":
            return self.catalogue.products.get(pk)
        if kind == "ingredient":
            return self.catalogue.ingredients.get(pk)
        return None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.has_changed():
            return data
        source = self._source(data.get("component", ""))
        if source is None:
            self.add_error("component", "Choose a product or an ingredient.")
        if data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "Enter the amount.")
        raw_lot = data.get("lot", "")
        lot_pk = id_param(raw_lot)
        lot = self.catalogue.lot(lot_pk) if lot_pk is not None else None
        if raw_lot and lot is None:
            self.add_error("lot", "Choose a lot from the list.")
        if self.errors:
            return data
        product = source if isinstance(source, Product) else None
        ingredient = source if isinstance(source, Ingredient) else None
        data["part"] = Part(
            product=product,
            ingredient=ingredient,
            amount=data["amount"],
            unit=data.get("unit") or (ML if product is not None else ingredient.unit),
            lot=lot,
            row=self.row,
        )
        return data

    @property
    def row(self) -> int:
        return int(self.prefix.rsplit("-", 1)[-1])


class ComponentFormSet(RowsFormSet):
    def parts(self) -> list[Part]:
        """The parts of the rows that parse (call after is_valid())."""
        return [
            form.cleaned_data["part"]
            for form in self.forms
            if hasattr(form, "cleaned_data") and "part" in form.cleaned_data
        ]

    def attach(self, findings: list[Finding]) -> list[Finding]:
        """Show each finding on its row; return those that belong to no row."""
        loose = []
        for finding in findings:
            if not finding.rows:
                loose.append(finding)
            for row in finding.rows:
                if row < len(self.forms):
                    form = self.forms[row]
                    field = finding.field if finding.field in form.fields else "component"
                    form.add_error(field, finding.message)
        return loose


def component_formset(
    *, catalogue: BuilderCatalogue, data: Any = None, rows: list[dict[str, Any]] | None = None
) -> ComponentFormSet:
    """The builder's rows: bound to posted data, or showing `rows` (initial values)."""
    FormSet = formset_factory(
        ComponentForm, formset=ComponentFormSet, extra=0 if data is not None else len(rows or ())
    )
    return FormSet(
        data, initial=rows or None, prefix="components", form_kwargs={"catalogue": catalogue}
    )


def posted_rows(data: Any) -> list[dict[str, str]]:
    """The builder rows as posted, unvalidated, to re-render them after adding or removing one."""
    try:
        total = min(int(data.get("components-TOTAL_FORMS", 0)), 50)
    except ValueError:
        total = 0
    return [
        {field: data.get(f"components-{i}-{field}", "") for field in ComponentForm.base_fields}
        for i in range(total)
    ]


def rows_data(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Builder rows as the POST data that would submit them."""
    data: dict[str, Any] = {"components-TOTAL_FORMS": len(rows), "components-INITIAL_FORMS": 0}
    for i, row in enumerate(rows):
        data |= {f"components-{i}-{field}": value for field, value in row.items()}
    return data


def version_rows(cocktail: Cocktail) -> list[dict[str, str]]:
    """A saved version's components as builder rows (components must be loaded)."""
    rows = []
    for component in cocktail.current.components.all():
        source = (
            f"product:{component.product_id}"
            if component.product_id
            else f"ingredient:{component.ingredient_id}"
        )
        rows.append(
            {
                "component": source,
                "amount": plain_number(component.amount),
                "unit": component.unit,
                "lot": str(component.lot_id or ""),
            }
        )
    return rows


class CocktailForm(forms.Form):
    name = forms.CharField(max_length=120)
    indication = forms.ChoiceField(choices=Indication.choices)
    # Chosen with the patients app's search picker (patients/_patient_picker.html), which
    # posts the patient's id from a hidden input: a select of every patient would not scale.
    patient = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="For patient",
        widget=forms.HiddenInput,
        help_text="Leave empty to save a clinic template.",
        error_messages={
            "invalid_choice": "That patient cannot be chosen (unknown, or their record is "
            "archived): search for the patient again."
        },
    )
    template = forms.ModelChoiceField(
        queryset=Cocktail.objects.filter(patient__isnull=True, archived_at__isnull=True),
        required=False,
        widget=forms.HiddenInput,
    )
    total_volume_ml = _decimal(
        "Total volume (ml)",
        places=2,
        max_value=MAX_TOTAL_VOLUME_ML,
        error_messages={"max_value": "Enter a total volume of at most %(limit_value)s ml."},
    )
    notes = forms.CharField(
        label="Notes on this version", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    # The digest of the warnings the author ticked "reviewed" for (see warnings_digest).
    acknowledge = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, editing: Cocktail | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["total_volume_ml"].widget.attrs["inputmode"] = "decimal"
        if editing is not None:
            # A cocktail keeps its patient and origin; only its content and name change.
            del self.fields["patient"]
            del self.fields["template"]
        else:
            self.fields["patient"].queryset = patient_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("template") is not None
            and "patient" in self.fields
            and not data.get("patient")
        ):
            self.add_error("patient", "Choose the patient this cocktail is adjusted for.")
        return data
