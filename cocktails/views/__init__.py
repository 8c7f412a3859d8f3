"""Cocktail pages (builder, detail, versions) and catalogue pages (ingredients, products, lots)."""
