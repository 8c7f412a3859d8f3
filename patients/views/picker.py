"""The search-as-you-type patient picker (``patients/_patient_picker.html``) that forms of
other apps embed: the booking pages, the cocktail builder."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clinic.lib.params import id_param
from clinic.roles import Capability, requires
from patients.selectors import patient_picker_get, patient_picker_search

TEMPLATE = "patients/_patient_picker.html"


@require_GET
@requires(Capability.VIEW_PATIENTS)
def patient_picker(request: HttpRequest) -> HttpResponse:
    """Search patients by name or phone; choosing one swaps the picker to show them.

    The results show names, date of birth and phone only: enough to tell namesakes apart."""
    field_name = request.GET.get("field", "patient")
    if not field_name.isidentifier():
        field_name = "patient"
    if "q" in request.GET:
        query = request.GET["q"][:100]
        return render(
            request,
            f"{TEMPLATE}#results",
            {
                "results": patient_picker_search(user=request.user, query=query),
                "query": query,
                "field_name": field_name,
            },
        )
    pick = id_param(request.GET.get("pick"))
    picked = patient_picker_get(user=request.user, pk=pick) if pick is not None else None
    response = render(request, TEMPLATE, {"picked": picked, "field_name": field_name})
    # A patient was picked or cleared: say so once the picker is swapped in, so panels that
    # depend on the patient (the booking page's free times, the builder's checks) refresh.
    response["HX-Trigger-After-Swap"] = "patient-changed"
    return response
