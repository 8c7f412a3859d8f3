from __future__ import annotations

from django.apps import AppConfig


class CocktailsConfig(AppConfig):
    name = "cocktails"
