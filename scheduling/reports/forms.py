"""The report's period and practitioner, read from the page's address (a GET form)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.utils.http import urlencode

from clinic.lib.dates import add_months
from clinic.roles import practitioner_name, practitioners
from scheduling import clock
from scheduling.reports.selectors import Period
from treatments.exports.forms import FIRST_YEAR
from treatments.forms import PractitionerField

# A period longer than this is refused: three years of months is already a long table.
MAX_MONTHS = 36
# By default, the last twelve full months and the current one.
DEFAULT_MONTHS = 13
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class MonthInput(forms.TextInput):
    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # Browsers without a month picker show a text box: say what to type.
        super().__init__({"placeholder": "YYYY-MM", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m}"
        return super().format_value(value)


class MonthField(forms.Field):
    """A month typed as YYYY-MM (what a browser's month picker sends), as its first day."""

    widget = MonthInput

    def to_python(self, value: Any) -> datetime.date | None:
        text = (value or "").strip()
        if not text:
            return None
        match = MONTH.match(text)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError("Enter a month as year-month, for example 2026-03.")
        year, month = int(match[1]), int(match[2])
        last_year = clock.local_today().year + 1
        if not FIRST_YEAR <= year <= last_year:
            raise forms.ValidationError(f"Enter a month between {FIRST_YEAR} and {last_year}.")
        return datetime.date(year, month, 1)


def _named_if_left(user: Any) -> str:
    name = practitioner_name(user)
    return name if user.is_active else f"{name} (left)"


class ReportForm(forms.Form):
    """From which month to which, and optionally one practitioner's work. Both months may be
    left empty: the report then covers the last twelve full months and the current one."""

    start = MonthField(label="From", required=False)
    end = MonthField(label="To", required=False)
    practitioner = PractitionerField(required=False, empty_label="Every practitioner")

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # An empty address is the default report, not a form left blank: always bound.
        super().__init__(data if data is not None else {}, **kwargs)
        # Past months were also worked by practitioners who have since left.
        practitioner = self.fields["practitioner"]
        practitioner.queryset = practitioners(former=True)
        practitioner.label_from_instance = _named_if_left

    @staticmethod
    def default_months() -> tuple[datetime.date, datetime.date]:
        current = clock.local_today().replace(day=1)
        return add_months(current, 1 - DEFAULT_MONTHS), current

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "start" not in data or "end" not in data:
            return data  # a field already has its error
        first, last = self.default_months()
        start, end = data["start"], data["end"]
        if start is None and end is None:
            start, end = first, last
        elif start is None:
            start = add_months(end, 1 - DEFAULT_MONTHS)
        elif end is None:
            end = min(add_months(start, DEFAULT_MONTHS - 1), last) if start <= last else start
        if start > end:
            self.add_error("end", "The last month is before the first one.")
            return data
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months > MAX_MONTHS:
            self.add_error(
                "start",
                f"A report covers at most {MAX_MONTHS} months: this period has {months}. "
                "Choose a later first month or an earlier last one.",
            )
            return data
        data["start"], data["end"] = start, end
        # The page shows the months the report covers, also those it filled in.
        self.data = self.data.copy()
        self.data["start"], self.data["end"] = f"{start:%Y-%m}", f"{end:%Y-%m}"
        return data

    def period(self) -> Period:
        """The period asked for; only once the form is valid."""
        data = self.cleaned_data
        return Period(first=data["start"], last=data["end"], practitioner=data["practitioner"])

    def query_string(self) -> str:
        """The period and practitioner as the page's address says them (for the CSV links)."""
        data = self.cleaned_data
        query = {"start": f"{data['start']:%Y-%m}", "end": f"{data['end']:%Y-%m}"}
        if data["practitioner"] is not None:
            query["practitioner"] = str(data["practitioner"].pk)
        return urlencode(query)
