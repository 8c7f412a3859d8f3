"""The day and week calendars and the front desk's today page."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from clinic import roles
from clinic.lib.params import id_param
from clinic.roles import Capability, requires
from scheduling import calendar, clock, selectors
from scheduling.forms import CalendarQueryForm
from scheduling.views._htmx import page_or_fragment, wants_fragment

ALL = "all"
# Practitioners per page of the whole-clinic day and week calendars.
CLINIC_PAGE_SIZE = 8


def _whose(request: HttpRequest, value: str, practitioners: list) -> Any:
    """The practitioner asked for; by default a practitioner's own diary, else the clinic's."""
    if value == ALL:
        return None
    if (pk := id_param(value)) is not None:
        return next((p for p in practitioners if p.pk == pk), None)
    if selectors.is_practitioner(request.user):
        return next((p for p in practitioners if p.pk == request.user.pk), None)
    return None


def _calendar_page(request: HttpRequest, mode: str) -> HttpResponse:
    query = CalendarQueryForm(request.GET)
    query.is_valid()
    day = query.cleaned_data.get("date") or clock.local_today()
    practitioners = list(roles.practitioners())
    practitioner = _whose(request, query.cleaned_data.get("who", ""), practitioners)
    # A large clinic's calendar shows its practitioners a page at a time: a readable grid, and
    # a page whose cost does not grow with the staff.
    staff_page = Paginator(practitioners, CLINIC_PAGE_SIZE).get_page(request.GET.get("page"))
    paged = practitioner is None and staff_page.has_other_pages()
    grid = calendar.load_calendar(
        mode=mode,
        day=day,
        practitioner=practitioner,
        practitioners=list(staff_page.object_list) if paged else practitioners,
        only_these=paged,
    )
    return page_or_fragment(
        request,
        "scheduling/appointment_calendar.html",
        "calendar",
        {
            "cal": grid,
            "choices": practitioners,
            "staff_page": staff_page if paged else None,
            "page_query": f"&page={staff_page.number}" if paged else "",
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
    # The board reloaded alone says the messages the whole page would (a refused quick action).
    context = {"board": board, "board_messages": wants_fragment(request)}
    return page_or_fragment(request, "scheduling/appointment_today.html", "board", context)
