"""The floor: what Django and PostgreSQL cost on this machine, for every figure to be read
against. Mounted only when settings.BENCHMARK is on (see clinic/urls.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clinic.roles import Capability, requires
from patients.models import Patient


@login_not_required
@require_GET
def constant(request: HttpRequest) -> HttpResponse:
    """A fixed response: the cost of the request cycle and middleware alone."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_GET
def one_query(request: HttpRequest, pk: int) -> HttpResponse:
    """One primary-key lookup: the cheapest useful page."""
    return HttpResponse(_last_name(pk), content_type="text/plain")


@require_GET
@requires(Capability.VIEW_PATIENTS)
def layout(request: HttpRequest, pk: int) -> HttpResponse:
    """The app's page layout (sidebar, header, messages) for a signed-in user around one indexed
    query: what any screen of the app costs before it does its own work."""
    return render(request, "bench/layout_floor.html", {"name": _last_name(pk)})


def _last_name(pk: int) -> str:
    """The floors' one indexed query: a patient's last name by primary key, or 404."""
    name = Patient.objects.filter(pk=pk).values_list("last_name", flat=True).first()
    if name is None:
        raise Http404
    return name
