"""Back office: read-only records with their change history. The catalogue, stock and
cocktails change through the app's pages, which call the services and their checks (an
ingredient's unit is locked once used, a lot is received with its rules, and so on)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin import AuditedAdmin
from cocktails.models import (
    Cocktail,
    Formulation,
    FormulationComponent,
    Ingredient,
    Lot,
    LotUsage,
    Product,
    ProductComponent,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Ingredient)
class IngredientAdmin(ReadOnlyAdmin):
    list_display = ("name", "category", "unit", "usual_min", "usual_max", "is_active")
    list_filter = ("category", "is_active")
    # Also what other apps' autocomplete fields (e.g. an allergy's ingredient) search.
    search_fields = ("name",)


class ProductComponentInline(admin.TabularInline):
    model = ProductComponent
    extra = 0
    can_delete = False
    fields = ("ingredient", "concentration")
    readonly_fields = fields


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("brand", "name", "volume_ml", "price", "reorder_level", "is_active")
    list_filter = ("is_active", "brand")
    search_fields = ("brand", "name")
    inlines = (ProductComponentInline,)


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ("lot_number", "product", "expiry_date", "quantity_left", "quantity_received")
    list_select_related = ("product",)
    list_filter = ("product",)
    search_fields = ("lot_number", "product__name", "product__brand")
    date_hierarchy = "expiry_date"


@admin.register(LotUsage)
class LotUsageAdmin(AuditedAdmin, ReadOnlyAdmin):
    list_display = ("used_at", "lot", "patient", "practitioner", "quantity", "cancelled_at")
    list_select_related = ("lot__product", "patient", "practitioner")
    search_fields = ("lot__lot_number", "patient__last_name", "reference")
    date_hierarchy = "used_at"


class FormulationComponentInline(admin.TabularInline):
    model = FormulationComponent
    extra = 0
    can_delete = False
    fields = ("position", "product", "ingredient", "lot", "amount", "unit")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Formulation)
class FormulationAdmin(ReadOnlyAdmin):
    list_display = ("cocktail", "number", "total_volume_ml", "created_at", "frozen_at")
    list_select_related = ("cocktail",)
    search_fields = ("cocktail__name",)
    inlines = (FormulationComponentInline,)


@admin.register(Cocktail)
class CocktailAdmin(AuditedAdmin, ReadOnlyAdmin):
    list_display = ("name", "indication", "patient", "current", "archived_at")
    list_select_related = ("patient", "current")
    list_filter = ("indication",)
    search_fields = ("name", "patient__last_name")
