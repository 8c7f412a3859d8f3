"""The practitioner's day: their appointments, each patient's alerts, one click into the log."""

from __future__ import annotations

import datetime

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clinic.lib.dates import in_bounds
from clinic.roles import Capability, Role, practitioners, requires, user_roles
from treatments.selectors import practitioner_day


class DayQuery(forms.Form):
    """The page's address bar: which day, whose list. Bad values fall back to defaults."""

    date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    who = forms.IntegerField(required=False)

    def clean_date(self) -> datetime.date | None:
        # A typed year 0001 or 9999 is no day of the diary (its bounds would overflow).
        day = self.cleaned_data["date"]
        return day if day is None or in_bounds(day) else None


@requires(Capability.VIEW_CLINICAL)
def today(request: HttpRequest) -> HttpResponse:
    query = DayQuery(request.GET)
    query.is_valid()
    day = query.cleaned_data.get("date") or timezone.localdate()
    staff = list(practitioners())
    wanted = query.cleaned_data.get("who")
    if wanted is None and Role.PRACTITIONER in user_roles(request.user):
        wanted = request.user.pk
    practitioner = next((p for p in staff if p.pk == wanted), None)
    if practitioner is None and staff:
        practitioner = staff[0]
    day_list = practitioner_day(practitioner=practitioner, day=day) if practitioner else None
    return render(
        request,
        "treatments/day.html",
        {
            "day": day,
            "today": timezone.localdate(),
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "practitioner": practitioner,
            "practitioners": staff,
            "own": practitioner is not None and practitioner.pk == request.user.pk,
            "day_list": day_list,
        },
    )
