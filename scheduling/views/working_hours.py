"""Practitioners' usual weeks: the list, one practitioner's week (set by the clinic manager),
and the booked appointments new hours leave outside."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import reverse

from clinic.lib.forms import save_form
from clinic.roles import Capability, can, practitioners, requires
from scheduling import clock, selectors, services
from scheduling.forms import WorkingWeekForm
from scheduling.views._htmx import page_or_fragment
from scheduling.views.time_off import CLASHES_SHOWN


@requires(Capability.BOOK_APPOINTMENTS)
def working_hours_list(request: HttpRequest) -> HttpResponse:
    """Every active practitioner with their week on one line."""
    people = list(practitioners())
    weeks = selectors.working_weeks(person.pk for person in people)
    return render(
        request,
        "scheduling/workinghours_list.html",
        {
            "rows": [(person, selectors.week_summary(weeks[person.pk])) for person in people],
            "can_edit": can(request.user, Capability.MANAGE_STAFF),
        },
    )


def _saved_message(person: Any, changes: int, clashes: int) -> str:
    name = selectors.practitioner_name(person)
    said = f"{name}'s hours are saved." if changes else f"{name}'s hours are unchanged."
    if not clashes:
        return f"{said} No booked appointment falls outside them."
    return (
        f"{said} {clashes} booked appointment{pluralize(clashes)} "
        f"fall{pluralize(clashes, 's,')} outside them: move or cancel each below."
    )


@requires(Capability.BOOK_APPOINTMENTS)
def working_hours(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    """A practitioner's week, the form that sets it (the clinic manager's), its last changes,
    and the live appointments outside it, each with Move and Cancel (the appointment dialog's).
    The list reloads itself after each move or cancellation."""
    person = selectors.practitioner_for_hours(request.user, practitioner_id)
    can_edit = can(request.user, Capability.MANAGE_STAFF)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    week = selectors.working_weeks([person.pk])[person.pk]
    form = WorkingWeekForm(request.POST or None, week=week) if can_edit else None
    page = reverse("scheduling:working_hours", args=[person.pk])

    def save(_: dict[str, Any]) -> str:
        try:
            changes = services.working_hours_set(
                practitioner=person, week=form.week, by=request.user
            )
        except ValidationError as error:
            raise form.at_fields(error) from error
        saved = selectors.working_weeks([person.pk])[person.pk]
        count = selectors.hours_clashes(
            practitioner=person, week=saved, now=clock.now(), limit=0
        ).count
        return _saved_message(person, changes, count)

    if form is not None:
        saved = save_form(request, form, save, success=lambda message: message, next_url=page)
        if saved is not None:
            return saved
    clashes = selectors.hours_clashes(
        practitioner=person, week=week, now=clock.now(), limit=CLASHES_SHOWN
    )
    context = {
        "person": person,
        "form": form,
        "days": selectors.week_days(week),
        "summary": selectors.week_summary(week),
        "clashes": clashes.appointments,
        "clash_count": clashes.count,
        "changes": selectors.working_hours_history(practitioner=person),
        "page_url": page,
    }
    return page_or_fragment(request, "scheduling/workinghours_detail.html", "clashes", context)
