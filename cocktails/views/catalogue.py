"""The catalogue: ingredients, products, and the stock of lots with their traceability."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from clinic.audit import audit_record
from clinic.lib.csvstream import csv_lines
from clinic.lib.forms import save_form
from clinic.lib.params import id_param
from clinic.models import AuditEvent
from clinic.roles import Capability, can, practitioner_name, requires
from cocktails import selectors, services
from cocktails.forms import (
    IngredientForm,
    LotCorrectForm,
    LotReceiveForm,
    ProductForm,
    ReasonForm,
    product_components,
    product_components_formset,
)
from cocktails.models import EXPIRY_WARNING_DAYS, Ingredient, Lot, Product
from cocktails.selectors import LOT_STATUSES
from cocktails.views import flash_outcome

RECIPIENTS_PER_PAGE = 50
# The lot's page lists its latest changes; the full history pages through all of them.
LOT_PAGE_CHANGES = 10
HISTORY_PER_PAGE = 50

# --- Ingredients -----------------------------------------------------------------------------


@requires(Capability.VIEW_CATALOGUE)
def ingredient_list(request: HttpRequest) -> HttpResponse:
    show_retired = request.GET.get("retired") == "1"
    return render(
        request,
        "cocktails/ingredient_list.html",
        {
            "ingredients": selectors.ingredient_list(include_retired=show_retired).order_by(
                "category", "name"
            ),
            "show_retired": show_retired,
        },
    )


def _ingredient_form_page(
    request: HttpRequest, form: IngredientForm, ingredient: Ingredient | None
) -> HttpResponse:
    return render(
        request, "cocktails/ingredient_form.html", {"form": form, "ingredient": ingredient}
    )


@requires(Capability.MANAGE_CATALOGUE)
def ingredient_create(request: HttpRequest) -> HttpResponse:
    form = IngredientForm(request.POST or None)
    saved = save_form(
        request,
        form,
        lambda data: services.ingredient_create(**data),
        success=lambda ingredient: f"{ingredient.name} added to the catalogue.",
        next_url=reverse("cocktails:catalogue:ingredient_list"),
    )
    return saved or _ingredient_form_page(request, form, None)


@requires(Capability.MANAGE_CATALOGUE)
def ingredient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ingredient = get_object_or_404(Ingredient, pk=pk)
    form = IngredientForm.for_ingredient(ingredient, request.POST or None)
    saved = save_form(
        request,
        form,
        lambda data: services.ingredient_update(ingredient=ingredient, **data),
        success=lambda saved: f"{saved.name} saved.",
        next_url=reverse("cocktails:catalogue:ingredient_list"),
    )
    return saved or _ingredient_form_page(request, form, ingredient)


@requires(Capability.MANAGE_CATALOGUE)
@require_POST
def ingredient_retire(request: HttpRequest, pk: int) -> HttpResponse:
    ingredient = get_object_or_404(Ingredient, pk=pk)
    flash_outcome(
        request,
        lambda: services.ingredient_retire(ingredient=ingredient),
        f"{ingredient.name} retired: it is no longer offered.",
    )
    return redirect("cocktails:catalogue:ingredient_edit", pk=ingredient.pk)


@requires(Capability.MANAGE_CATALOGUE)
@require_POST
def ingredient_restore(request: HttpRequest, pk: int) -> HttpResponse:
    ingredient = services.ingredient_restore(ingredient=get_object_or_404(Ingredient, pk=pk))
    messages.success(request, f"{ingredient.name} is back in the catalogue.")
    return redirect("cocktails:catalogue:ingredient_edit", pk=ingredient.pk)


# --- Products --------------------------------------------------------------------------------


@requires(Capability.VIEW_CATALOGUE)
def product_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    products = selectors.product_list(today=today).order_by("-is_active", "brand", "name")
    return render(request, "cocktails/product_list.html", {"products": products, "today": today})


@requires(Capability.VIEW_CATALOGUE)
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    product = get_object_or_404(selectors.product_list(today=today), pk=pk)
    lots = selectors.lot_list(status="all", today=today, product=product).order_by("-expiry_date")
    return render(
        request,
        "cocktails/product_detail.html",
        {"product": product, "lots": lots, "today": today},
    )


def _product_form_page(
    request: HttpRequest, product: Product | None, data: Any = None
) -> HttpResponse:
    form = ProductForm.for_product(product, data)
    formset = product_components_formset(data, product=product)
    if data is not None and form.is_valid() & formset.is_valid():
        values = {**form.cleaned_data, "components": product_components(formset)}
        try:
            if product is None:
                product = services.product_create(**values)
            else:
                services.product_update(product=product, **values)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{product} saved.")
            return redirect("cocktails:catalogue:product_detail", pk=product.pk)
    return render(
        request,
        "cocktails/product_form.html",
        {"form": form, "formset": formset, "product": product},
    )


@requires(Capability.MANAGE_CATALOGUE)
def product_create(request: HttpRequest) -> HttpResponse:
    return _product_form_page(request, None, request.POST if request.method == "POST" else None)


@requires(Capability.MANAGE_CATALOGUE)
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product.objects.prefetch_related("components__ingredient"), pk=pk)
    return _product_form_page(request, product, request.POST if request.method == "POST" else None)


# --- Lots ------------------------------------------------------------------------------------


@requires(Capability.VIEW_CATALOGUE)
def lot_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    status = request.GET.get("status", "in_stock")
    if status not in LOT_STATUSES:
        status = "in_stock"
    counts = selectors.lot_status_counts(today=today)
    tabs = [(key, label, counts[key]) for key, label in LOT_STATUSES.items()]
    return render(
        request,
        "cocktails/lot_list.html",
        {
            "lots": selectors.lot_list(status=status, today=today),
            "status": status,
            "tabs": tabs,
            "today": today,
            "warning_days": EXPIRY_WARNING_DAYS,
        },
    )


def _lot_url(lot: Lot) -> str:
    return reverse("cocktails:catalogue:lot_detail", kwargs={"pk": lot.pk})


@requires(Capability.MANAGE_CATALOGUE)
def lot_receive(request: HttpRequest) -> HttpResponse:
    initial = {}
    if (product := id_param(request.GET.get("product"))) is not None:
        initial["product"] = product
    form = LotReceiveForm(request.POST or None, initial=initial)
    saved = save_form(
        request,
        form,
        lambda data: services.lot_receive(**data, by=request.user),
        success=lambda lot: f"Lot {lot.lot_number}: {lot.quantity_received} vials put in stock.",
        next_url=_lot_url,
    )
    return saved or render(request, "cocktails/lot_form.html", {"form": form})


def _lot_detail_page(
    request: HttpRequest, lot: Lot, recall_form: ReasonForm | None = None
) -> HttpResponse:
    recipients = None
    if can(request.user, Capability.VIEW_CLINICAL):
        # Newest first, a page at a time: a lot can reach thousands of uses; the CSV has all.
        recipients = Paginator(
            selectors.lot_recipients(lot=lot).order_by("-used_at", "-pk"), RECIPIENTS_PER_PAGE
        ).get_page(request.GET.get("page"))
    if recall_form is None and can(request.user, Capability.MANAGE_CATALOGUE):
        recall_form = ReasonForm()
    # One change more than shown says whether the full history has more to show.
    changes = selectors.lot_change_history(lot=lot, limit=LOT_PAGE_CHANGES + 1)
    return render(
        request,
        "cocktails/lot_detail.html",
        {
            "lot": lot,
            "today": timezone.localdate(),
            "recipients": recipients,
            "recall_form": recall_form,
            "changes": changes[:LOT_PAGE_CHANGES],
            "more_changes": len(changes) > LOT_PAGE_CHANGES,
        },
    )


@requires(Capability.VIEW_CATALOGUE)
def lot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lot = get_object_or_404(Lot.objects.select_related("product", "received_by"), pk=pk)
    return _lot_detail_page(request, lot)


@requires(Capability.VIEW_CATALOGUE)
def lot_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change to a lot since its receipt, newest first, a page at a time."""
    lot = get_object_or_404(Lot.objects.select_related("product"), pk=pk)
    page = Paginator(selectors.lot_history_records(lot=lot), HISTORY_PER_PAGE).get_page(
        request.GET.get("page")
    )
    offset = (page.number - 1) * HISTORY_PER_PAGE
    return render(
        request,
        "cocktails/lot_history.html",
        {
            "lot": lot,
            "page": page,
            "changes": selectors.lot_change_history(lot=lot, limit=HISTORY_PER_PAGE, offset=offset),
        },
    )


@requires(Capability.MANAGE_CATALOGUE)
@require_POST
def lot_recall(request: HttpRequest, pk: int) -> HttpResponse:
    """Recall a lot; a missing or too long reason is shown at its field, with what was typed."""
    lot = get_object_or_404(Lot.objects.select_related("product", "received_by"), pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.lot_recall(lot=lot, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # Recalled meanwhile, by someone else: the page now says so in its banner.
                messages.error(request, " ".join(exc.messages))
                return redirect("cocktails:catalogue:lot_detail", pk=lot.pk)
            form.add_error(None, exc)
        else:
            messages.success(request, f"Lot {lot.lot_number} recalled: it can no longer be used.")
            return redirect("cocktails:catalogue:lot_detail", pk=lot.pk)
    return _lot_detail_page(request, lot, recall_form=form)


@requires(Capability.MANAGE_CATALOGUE)
def lot_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a lot's product, number, dates, count of vials or who received it; the lot's
    page lists every correction with who made it, when and why. Refusals come back at their
    field."""
    lot = get_object_or_404(Lot.objects.select_related("product", "received_by"), pk=pk)
    form = LotCorrectForm.for_lot(lot, request.POST or None)
    saved = save_form(
        request,
        form,
        lambda data: services.lot_correct(lot=lot, **data, by=request.user),
        success=lambda lot: (
            f"Lot {lot.lot_number} corrected; its history keeps what it said before."
        ),
        next_url=_lot_url,
    )
    return saved or render(request, "cocktails/lot_correct.html", {"form": form, "lot": lot})


CSV_HEADER = (
    "Used at",
    "Patient",
    "Date of birth",
    "Patient record",
    "Practitioner",
    "Vials",
    "Volume (ml)",
    "Cocktail",
    "Version",
    "Reference",
    "Status",
)


@requires(Capability.VIEW_CLINICAL)
@requires(Capability.EXPORT_RECORDS)
def lot_recipients_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Everyone who received the lot, for a recall: streamed, whatever the number of rows."""
    lot = get_object_or_404(Lot.objects.select_related("product"), pk=pk)

    def rows() -> Iterator[tuple[Any, ...]]:
        for usage in selectors.lot_recipients(lot=lot).iterator(chunk_size=500):
            version = usage.formulation
            yield (
                timezone.localtime(usage.used_at).strftime("%Y-%m-%d %H:%M"),
                usage.patient,
                usage.patient.date_of_birth.isoformat(),
                usage.patient.pk,
                practitioner_name(usage.practitioner),
                usage.quantity,
                usage.volume_ml,
                version.cocktail.name if version else "",
                version.number if version else "",
                usage.reference,
                "Cancelled" if usage.is_cancelled else "Used",
            )

    audit_record(
        request=request,
        action=AuditEvent.Action.EXPORT,
        what=f"CSV of the recipients of lot {lot.lot_number} ({lot.product})",
    )
    response = StreamingHttpResponse(
        csv_lines(CSV_HEADER, rows()), content_type="text/csv; charset=utf-8"
    )
    name = slugify(f"lot-{lot.lot_number}-{lot.product}")
    response["Content-Disposition"] = f'attachment; filename="{name}-recipients.csv"'
    return response
