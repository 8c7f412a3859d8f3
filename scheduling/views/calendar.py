"""The day and week calendars and the front desk's today page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from clinic.roles import Capability, requires
from scheduling import calendar, clock, selectors
from scheduling.forms import CalendarQueryForm
from scheduling.views._htmx import page_or_fragment

ALL = "all"


def _whose(request: HttpRequest, value: str, practitioners: list) -> Any:
    """The practitioner asked for; by default a practitioner's own diary, else the clinic's."""
    if value == ALL:
        return None
    if value.isdigit():
        return next((p for p in practitioners if p.pk == int(value)), None)
    if selectors.is_practitioner(request.user):
        return next((p for p in practitioners if p.pk == request.user.pk), None)
    return None


def _calendar_page(request: HttpRequest, mode: str) -> HttpResponse:
    query = CalendarQueryForm(request.GET)
    query.is_valid()
    day = query.cleaned_data.get("date") or clock.local_today()
    practitioners = list(selectors.practitioner_list())
    practitioner = _whose(request, query.cleaned_data.get("who", ""), practitioners)
    grid = calendar.load_calendar(
        mode=mode, day=day, practitioner=practitioner, practitioners=practitioners
    )
    return page_or_fragment(
        request,
        "scheduling/appointment_calendar.html",
        "calendar",
        {
            "cal": grid,
            "who": str(practitioner.pk) if practitioner else ALL,
            "today": clock.local_today(),
        },
    )


@require_GET
@requires(Capability.BOOK_APPOINTMENTS)
def week(request: HttpRequest) -> HttpResponse:
    return _calendar_page(request, "week")


@require_GET
@requires(Capability.BOOK_APPOINTMENTS)
def day(request: HttpRequest) -> HttpResponse:
    return _calendar_page(request, "day")


@require_GET
@requires(Capability.BOOK_APPOINTMENTS)
def today(request: HttpRequest) -> HttpResponse:
    board = calendar.load_today()
    return page_or_fragment(request, "scheduling/appointment_today.html", "board", {"board": board})
