from __future__ import annotations

from django.urls import include, path

from cocktails.views import catalogue, cocktails

app_name = "cocktails"

# The catalogue has its own namespace ("cocktails:catalogue") so the navigation can tell its
# pages from the cocktails' pages.
catalogue_patterns = (
    [
        path("", catalogue.ingredient_list, name="ingredient_list"),
        path("ingredients/new/", catalogue.ingredient_create, name="ingredient_create"),
        path("ingredients/<int:pk>/", catalogue.ingredient_edit, name="ingredient_edit"),
        path("ingredients/<int:pk>/retire/", catalogue.ingredient_retire, name="ingredient_retire"),
        path(
            "ingredients/<int:pk>/restore/", catalogue.ingredient_restore, name="ingredient_restore"
        ),
        path("products/", catalogue.product_list, name="product_list"),
        path("products/new/", catalogue.product_create, name="product_create"),
        path("products/<int:pk>/", catalogue.product_detail, name="product_detail"),
        path("products/<int:pk>/edit/", catalogue.product_edit, name="product_edit"),
        path("lots/", catalogue.lot_list, name="lot_list"),
        path("lots/receive/", catalogue.lot_receive, name="lot_receive"),
        path("lots/<int:pk>/", catalogue.lot_detail, name="lot_detail"),
        path("lots/<int:pk>/correct/", catalogue.lot_correct, name="lot_correct"),
        path("lots/<int:pk>/history/", catalogue.lot_history, name="lot_history"),
        path("lots/<int:pk>/recall/", catalogue.lot_recall, name="lot_recall"),
        path(
            "lots/<int:pk>/recipients.csv",
            catalogue.lot_recipients_csv,
            name="lot_recipients_csv",
        ),
    ],
    "catalogue",
)

urlpatterns = [
    path("", cocktails.cocktail_list, name="cocktail_list"),
    path("new/", cocktails.cocktail_create, name="cocktail_create"),
    path("builder/components/", cocktails.builder_components, name="builder_components"),
    path("builder/checks/", cocktails.builder_checks, name="builder_checks"),
    path("<int:pk>/", cocktails.cocktail_detail, name="cocktail_detail"),
    path("<int:pk>/edit/", cocktails.cocktail_edit, name="cocktail_edit"),
    path("<int:pk>/archive/", cocktails.cocktail_archive, name="cocktail_archive"),
    path("versions/<int:pk>/", cocktails.formulation_detail, name="formulation_detail"),
    path("catalogue/", include(catalogue_patterns)),
]
