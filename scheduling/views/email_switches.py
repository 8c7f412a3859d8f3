"""The clinic manager's switches for the kinds of patient email: which kinds the clinic sends."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_POST

from clinic.roles import Capability, requires
from scheduling.forms import KindSwitchForm
from scheduling.outbox import selectors, services

# The clinic manager's: a switch stops or starts emails to every patient.
CAPABILITY = Capability.MANAGE_STAFF


@require_GET
@requires(CAPABILITY)
def switch_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "scheduling/email_switches.html", {"rows": selectors.message_kind_rows()}
    )


def _said(result: services.KindSwitched) -> str:
    """What the clinic manager reads once the switch is done."""
    name = result.kind.label
    if not result.changed:
        return f"{name} emails were already {'on' if result.enabled else 'off'}."
    if result.enabled:
        return (
            f"{name} emails are on again. Only those due from now on will go: none whose time "
            "came while they were off is sent."
        )
    if not result.cancelled:
        return f"{name} emails are off. None was waiting to be sent."
    count = result.cancelled
    return (
        f"{name} emails are off. The {count} waiting email{pluralize(count)} of this kind will "
        "not be sent."
    )


@require_POST
@requires(CAPABILITY)
def switch(request: HttpRequest, kind: str) -> HttpResponse:
    form = KindSwitchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to switch this kind of email on or off.")
        return redirect("scheduling:email_switches:list")
    try:
        result = services.message_kind_switch(
            kind=kind, enabled=form.cleaned_data["state"] == "on", by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _said(result))
    return redirect("scheduling:email_switches:list")
