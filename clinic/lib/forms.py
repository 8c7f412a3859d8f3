"""Form pages' POST half, shared by the apps: a service's refusals shown at their fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def apply_errors(
    form: forms.Form, error: ValidationError, *, renamed: Mapping[str, str | None] | None = None
) -> None:
    """Show a service's ValidationError on the form: at its field when the form has one, above
    the form otherwise. `renamed` maps a service's key to the form's field where they differ
    (None: above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        field = (renamed or {}).get(key, key)
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)


def save_form(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    success: str | Callable[[Any], str],
    next_url: str | Callable[[Any], str],
) -> HttpResponse | None:
    """The POST half of a form page: on valid input call ``save(cleaned_data)`` (a service
    call), then flash ``success`` and redirect to ``next_url``; both may be computed from what
    ``save`` returned. A service's ValidationError goes onto the form, and None is returned
    so the view renders the form again with it."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return None
    messages.success(request, success(saved) if callable(success) else success)
    return redirect(next_url(saved) if callable(next_url) else next_url)
