from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from patients.forms import ReasonForm


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: at its field when the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
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


def patient_url(pk: int) -> str:
    return reverse("patients:detail", kwargs={"pk": pk})


def reason_page(
    request: HttpRequest,
    *,
    act: Callable[[str], Any],
    success: str,
    next_url: str,
    template: str,
    context: dict[str, Any],
    placeholder: str = "",
    already: str = "",
) -> HttpResponse:
    """A change kept for the record that needs a reason (resolve, remove, withdraw): the
    reason form, ``act(reason)`` (the service) on POST, or the page again with its errors.
    ``already`` says the change was made before (resolved, removed, withdrawn): then that
    message is shown at ``next_url`` instead."""
    if already:
        messages.info(request, already)
        return redirect(next_url)
    form = ReasonForm(request.POST or None)
    if placeholder:
        form.fields["reason"].widget.attrs["placeholder"] = placeholder
    done = save_form(
        request, form, lambda data: act(data["reason"]), success=success, next_url=next_url
    )
    return done or render(request, template, {"form": form, **context})
