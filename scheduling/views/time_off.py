"""Days off and clinic closures: the list, recording one, and the appointments it leaves to
move."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from clinic.lib.forms import save_form
from clinic.roles import Capability, can, requires
from scheduling import clock, selectors, services
from scheduling.forms import TimeOffBackForm, TimeOffForm
from scheduling.models import TimeOff
from scheduling.views._htmx import page_or_fragment

PER_PAGE = 25
# The appointments a day off's page lists: a closure of a large clinic may hold hundreds;
# the page says how many more there are.
CLASHES_SHOWN = 100
# The list's filters, by the value of ?when=.
WHEN = (("", "Upcoming and current"), ("past", "Past"), ("removed", "Removed"))


@dataclass(frozen=True)
class _Added:
    time_off: TimeOff
    clashes: int

    @property
    def message(self) -> str:
        said = f"{selectors.time_off_described(self.time_off)}: recorded."
        if not self.clashes:
            return f"{said} No booked appointment falls on these days."
        count = self.clashes
        return (
            f"{said} {count} booked appointment{pluralize(count)} need{pluralize(count, 's,')} "
            "moving: move or cancel each below."
        )

    @property
    def next_url(self) -> str:
        if self.clashes:
            return reverse("scheduling:time_off", args=[self.time_off.pk])
        return reverse("scheduling:time_off_list")


def _add(data: dict[str, Any], by: Any) -> _Added:
    off = services.time_off_add(**data, by=by)
    return _Added(off, selectors.time_off_clash_counts([off])[off.pk])


def _removed(off: TimeOff) -> str:
    return (
        f"{selectors.time_off_title(off)} {selectors.time_off_when(off)} is removed: "
        "those days can be booked again."
    )


def _initial(request: HttpRequest) -> dict[str, Any]:
    """A practitioner records their own days off, most often."""
    if selectors.is_practitioner(request.user):
        return {"practitioner": request.user.pk}
    return {}


@requires(Capability.BOOK_APPOINTMENTS)
def time_off_list(request: HttpRequest) -> HttpResponse:
    """Upcoming and current days off with how many appointments each leaves to move (or past
    or removed ones), and the form that records one."""
    form = TimeOffForm(request.POST or None, user=request.user, initial=_initial(request))
    saved = save_form(
        request,
        form,
        lambda data: _add(data, request.user),
        success=lambda added: added.message,
        next_url=lambda added: added.next_url,
    )
    if saved is not None:
        return saved
    when = request.GET.get("when", "")
    if when not in dict(WHEN):
        when = ""
    today = clock.local_today()
    if when == "removed":
        rows = selectors.days_off_removed()
    else:
        rows = selectors.days_off(today=today, past=when == "past")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    # Removed days off leave nothing to move: their appointments are not counted.
    counts = {} if when == "removed" else selectors.time_off_clash_counts(page)
    return render(
        request,
        "scheduling/timeoff_list.html",
        {
            "form": form,
            "page": page,
            "when": when,
            "filters": WHEN,
            "rows": [(off, counts.get(off.pk)) for off in page],
            "today": today,
            "can_close": can(request.user, Capability.MANAGE_STAFF),
        },
    )


@require_GET
@requires(Capability.BOOK_APPOINTMENTS)
def time_off_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A day off and the live appointments in it, each with Move and Cancel (the appointment
    dialog's). The list reloads itself after each move or cancellation."""
    off = selectors.time_off_for(request.user, pk)
    return _detail(request, off, TimeOffBackForm(initial={"back_on": clock.local_today()}))


def _detail(request: HttpRequest, off: TimeOff, back_form: TimeOffBackForm) -> HttpResponse:
    today = clock.local_today()
    context = {
        "off": off,
        "clashes": selectors.time_off_clashes(off=off, limit=CLASHES_SHOWN),
        "clash_count": selectors.time_off_clash_counts([off])[off.pk],
        "changes": selectors.time_off_history(off=off),
        "removable": services.time_off_removal_refusal(off, by=request.user, today=today) is None,
        # Offered while the user may end the day off early; shown with its refusal otherwise.
        "back_form": back_form
        if back_form.errors
        or services.time_off_shortening_refusal(off, by=request.user, today=today) is None
        else None,
    }
    return page_or_fragment(request, "scheduling/timeoff_detail.html", "clashes", context)


@require_POST
@requires(Capability.BOOK_APPOINTMENTS)
def time_off_end_early(request: HttpRequest, pk: int) -> HttpResponse:
    """The practitioner is back before the day off ends: refused at the "Back on" field, the
    page shows again with what was typed."""
    off = selectors.time_off_for(request.user, pk)
    form = TimeOffBackForm(request.POST)
    saved = save_form(
        request,
        form,
        lambda data: services.time_off_end_early(time_off=off, by=request.user, **data),
        success=lambda left: (
            f"{selectors.time_off_title(off)}: back on "
            f"{clock.long_day(form.cleaned_data['back_on'])}, who can be booked from then on."
            if left is not None
            else _removed(off)
        ),
        next_url=lambda left: (
            reverse("scheduling:time_off", args=[left.pk])
            if left is not None
            else reverse("scheduling:time_off_list")
        ),
    )
    if saved is not None:
        return saved
    return _detail(request, off, form)


@require_POST
@requires(Capability.BOOK_APPOINTMENTS)
def time_off_remove(request: HttpRequest, pk: int) -> HttpResponse:
    off = selectors.time_off_for(request.user, pk)
    try:
        services.time_off_remove(time_off=off, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("scheduling:time_off", pk=off.pk)
    messages.success(request, _removed(off))
    return redirect("scheduling:time_off_list")
