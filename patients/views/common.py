from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from clinic.lib.forms import save_form
from patients.forms import ReasonForm


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
