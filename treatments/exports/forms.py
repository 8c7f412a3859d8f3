"""The export page's forms: a batch of summaries, and the sessions CSV."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from cocktails.choices import Indication
from treatments.forms import DateInput

# Records older than this are not in the app, and dates far off would overflow the time
# zone arithmetic: both ends of a range stay within these years.
FIRST_YEAR = 1990


class _PeriodForm(forms.Form):
    """An indication and a range of session days, each optional."""

    indication = forms.ChoiceField(
        choices=[("", "Every indication"), *Indication.choices], required=False
    )
    date_from = forms.DateField(label="Sessions from", required=False, widget=DateInput())
    date_to = forms.DateField(label="Sessions until", required=False, widget=DateInput())

    def _check_day(self, name: str) -> datetime.date | None:
        day = self.cleaned_data.get(name)
        last_year = timezone.localdate().year + 1
        if day is not None and not FIRST_YEAR <= day.year <= last_year:
            raise forms.ValidationError(f"Enter a date between {FIRST_YEAR} and {last_year}.")
        return day

    def clean_date_from(self) -> datetime.date | None:
        return self._check_day("date_from")

    def clean_date_to(self) -> datetime.date | None:
        return self._check_day("date_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("indication", "date_from", "date_to")}


class BatchExportForm(_PeriodForm):
    """The plans whose summaries go into one zip: of an indication, with sessions in a date
    range, or both (export_job_create refuses neither)."""

    prefix = "batch"


class SessionCsvForm(_PeriodForm):
    """Sessions as CSV rows; free-text notes only when asked for."""

    prefix = "csv"
    notes = forms.BooleanField(
        label="Include the free-text notes (reaction details, aftercare, notes)",
        required=False,
    )
