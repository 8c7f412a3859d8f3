"""The waitlist: who would take an earlier slot, and the freed slots that suit them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic.roles import Capability, requires
from patients.forms import picked_patient
from scheduling import clock, selectors, services
from scheduling.forms import WaitlistForm, show_service_error


@requires(Capability.BOOK_APPOINTMENTS)
def waitlist(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = WaitlistForm(request.POST)
        if form.is_valid():
            try:
                entry = services.waitlist_add(**form.cleaned_data, added_by=request.user)
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, f"{entry.patient.full_name} is on the waitlist.")
                return redirect("scheduling:waitlist")
    else:
        today = clock.local_today()
        form = WaitlistForm(initial={"earliest_day": today})
    today = clock.local_today()
    return render(
        request,
        "scheduling/waitlist_list.html",
        {
            "form": form,
            "picked": picked_patient(form),
            "entries": selectors.waitlist_open(today=today),
            "freed": selectors.freed_slots(now=clock.now()),
        },
    )


@require_POST
@requires(Capability.BOOK_APPOINTMENTS)
def waitlist_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.waitlist_entry_for(request.user, pk)
    try:
        services.waitlist_withdraw(entry=entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{entry.patient.full_name} is off the waitlist.")
    return redirect("scheduling:waitlist")
