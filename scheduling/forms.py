from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from clinic import roles
from clinic.lib.dates import EARLIEST_DAY, LATEST_DAY, in_bounds, years_after
from clinic.lib.forms import apply_errors
from patients.forms import PatientField
from scheduling import clock, selectors
from scheduling.models import Appointment, WaitlistEntry, Weekday
from scheduling.services import BLOCKS_A_DAY, hours_field
from treatments.models import TreatmentPlan
from treatments.selectors import plan_booking_refusal

# The services key their errors by what they mean; these forms split a start into two inputs,
# and hold the plan being booked in a hidden input, which shows no error: those go above.
SERVICE_FIELDS = {"start": "time", "first_start": "time", "plan": None}


def show_service_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: at the matching field where there is one,
    above the form otherwise."""
    apply_errors(form, error, renamed=SERVICE_FIELDS)


class _ChoicesReadOnce(forms.models.ModelChoiceIterator):
    """The choices from the queryset's own cache. Django's iterator reads the table each time
    the choices are gone through, and a <select> with no empty option is gone through twice
    (once to decide on its `required` attribute, once for its options)."""

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class PractitionerChoiceField(forms.ModelChoiceField):
    iterator = _ChoicesReadOnce

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", "Choose a practitioner")
        super().__init__(queryset=roles.practitioners(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return selectors.practitioner_name(obj)


# A booking further ahead than this is most likely a mistyped year.
YEARS_AHEAD = 2


class DayField(forms.DateField):
    """A date between EARLIEST_DAY and LATEST_DAY."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _date_input())
        super().__init__(**kwargs)

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value is not None and not in_bounds(value):
            raise ValidationError(
                f"Choose a day between {EARLIEST_DAY.year} and {LATEST_DAY.year}.",
                code="out_of_range",
            )


def _date_input(**attrs: str) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def _time_input(**attrs: str) -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "step": 300, **attrs}, format="%H:%M")


class StartMixin:
    """A `day` and a `time` on the clinic's wall clock, made into one aware `start`."""

    def clean_start(self, cleaned: dict[str, Any]) -> datetime.datetime | None:
        day, time = cleaned.get("day"), cleaned.get("time")
        furthest = years_after(clock.local_today(), YEARS_AHEAD)
        if day is not None and day > furthest:
            self.add_error(
                "day",
                f"That is more than two years ahead (after {clock.long_day(furthest)} "
                f"{furthest.year}): check the year.",
            )
            return None
        if day is None or time is None:
            return None
        if not clock.exists_on_wall_clock(day, time):
            self.add_error("time", "That time does not exist on that day (the clocks go forward).")
            return None
        return clock.at(day, time)


class BookingForm(StartMixin, forms.Form):
    patient = PatientField()
    practitioner = PractitionerChoiceField()
    appointment_type = forms.ModelChoiceField(
        queryset=selectors.active_appointment_types(), label="Type", empty_label="Choose a type"
    )
    day = DayField()
    time = forms.TimeField(label="Starts at", widget=_time_input())
    end = forms.TimeField(
        label="Ends at",
        required=False,
        widget=_time_input(),
        help_text="Optional: the type's usual length otherwise.",
    )
    room = forms.ModelChoiceField(
        queryset=selectors.active_rooms(), required=False, empty_label="Any free room"
    )
    note = forms.CharField(
        label="Note for the front desk",
        required=False,
        max_length=300,
        help_text="Not for clinical details.",
    )
    waitlist_entry = forms.ModelChoiceField(
        queryset=WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING),
        required=False,
        widget=forms.HiddenInput,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start = self.clean_start(cleaned)
        cleaned["start"] = start
        end_time = cleaned.get("end")
        cleaned["end"] = None
        if start is not None and end_time is not None:
            if end_time <= cleaned["time"]:
                self.add_error("end", "The end must be after the start.")
            else:
                cleaned["end"] = clock.at(cleaned["day"], end_time)
        return cleaned


class SeriesForm(StartMixin, forms.Form):
    patient = PatientField()
    practitioner = PractitionerChoiceField()
    appointment_type = forms.ModelChoiceField(
        queryset=selectors.active_appointment_types(), label="Type", empty_label="Choose a type"
    )
    count = forms.IntegerField(label="Sessions", min_value=1, max_value=24, initial=6)
    interval_days = forms.IntegerField(label="Every (days)", min_value=1, max_value=365, initial=7)
    day = DayField(label="First session")
    time = forms.TimeField(label="Time", widget=_time_input())
    room = forms.ModelChoiceField(
        queryset=selectors.active_rooms(), required=False, empty_label="Any free room"
    )
    # Set when the series books a treatment plan's sessions ("Book sessions" on a plan).
    plan = forms.ModelChoiceField(
        queryset=TreatmentPlan.objects.all(), required=False, widget=forms.HiddenInput
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["first_start"] = self.clean_start(cleaned)
        plan = cleaned.get("plan")
        refusal = plan_booking_refusal(plan) if plan is not None else None
        if refusal:
            self.add_error(None, refusal)
        return cleaned


class SeriesRowForm(StartMixin, forms.Form):
    """One proposed session, as the receptionist leaves it (rendered in a table row, so the
    inputs carry their Bootstrap classes themselves)."""

    day = DayField(widget=_date_input(**{"class": "form-control form-control-sm"}))
    time = forms.TimeField(widget=_time_input(**{"class": "form-control form-control-sm"}))
    room = forms.ModelChoiceField(
        queryset=selectors.active_rooms(),
        required=False,
        empty_label="Any free room",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Table cells have no <label>: name each input after its session for screen readers.
        position = int(self.prefix.rsplit("-", 1)[-1]) + 1 if self.prefix else 1
        for name, words in (("day", "day"), ("time", "time"), ("room", "room")):
            self.fields[name].widget.attrs["aria-label"] = f"Session {position} {words}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["start"] = self.clean_start(cleaned)
        return cleaned


SeriesRowFormSet = forms.formset_factory(SeriesRowForm, extra=0, min_num=1, max_num=24)


class MoveForm(StartMixin, forms.Form):
    """Where an appointment goes: a day, a time, a room, and the practitioner it is with
    (the current one unless the desk hands it to a colleague; left out, it stays with them)."""

    practitioner = PractitionerChoiceField(
        required=False,
        empty_label=None,
        label="With",
        error_messages={"invalid_choice": "Choose an active practitioner."},
    )
    day = DayField(label="New day")
    time = forms.TimeField(label="New time", widget=_time_input())
    room = forms.ModelChoiceField(
        queryset=selectors.active_rooms(),
        required=False,
        empty_label="Keep the room if free",
    )

    def __init__(self, *args: Any, appointment: Appointment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = selectors.practitioners_for_move(appointment)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["start"] = self.clean_start(cleaned)
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Patient unwell, will call back"}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (s.value, s.label)
            for s in Appointment.Status
            if s not in (Appointment.Status.BOOKED, Appointment.Status.CANCELLED)
        ]
    )


class CalendarQueryForm(forms.Form):
    """The calendar's address bar: which day, and whose calendar. Bad values (a day out of
    bounds too) fall back to sensible defaults rather than an error page."""

    date = DayField(required=False, input_formats=["%Y-%m-%d"])
    who = forms.CharField(required=False)


class WaitlistForm(forms.Form):
    patient = PatientField()
    practitioner = PractitionerChoiceField(required=False, empty_label="Any practitioner")
    appointment_type = forms.ModelChoiceField(
        queryset=selectors.active_appointment_types(), label="Type", empty_label="Choose a type"
    )
    earliest_day = DayField(label="From")
    latest_day = DayField(label="Until")
    note = forms.CharField(required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        earliest, latest = cleaned.get("earliest_day"), cleaned.get("latest_day")
        if earliest and latest and latest < earliest:
            self.add_error("latest_day", "The last day must be on or after the first day.")
        return cleaned


# The "who" of a day off that closes the whole clinic.
WHOLE_CLINIC = "clinic"


class _WhoChoices(_ChoicesReadOnce):
    """The practitioners, then the whole clinic for those who may close it."""

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        yield from super().__iter__()
        if self.field.offer_clinic:
            yield (WHOLE_CLINIC, "Whole clinic (closed)")


class WhoIsOffField(PractitionerChoiceField):
    """A practitioner, or the whole clinic, cleaned to None: a closure. The service decides
    who may close the clinic, and says so at this field."""

    iterator = _WhoChoices

    def __init__(self, **kwargs: Any) -> None:
        self.offer_clinic = False
        super().__init__(empty_label="Choose who is off", **kwargs)

    def clean(self, value: Any) -> Any:
        return None if value == WHOLE_CLINIC else super().clean(value)


class TimeOffForm(forms.Form):
    practitioner = WhoIsOffField(
        label="Who",
        error_messages={"required": "Choose who is off.", "invalid_choice": "Choose who is off."},
    )
    first_day = DayField(label="First day")
    last_day = DayField(label="Last day", required=False, help_text="Empty for a single day.")
    reason = forms.CharField(
        required=False,
        max_length=120,
        help_text="Said when a booking is refused, e.g. 'congress' or 'Easter Monday'.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].offer_clinic = roles.can(user, roles.Capability.MANAGE_STAFF)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("last_day") is None and "last_day" not in self.errors:
            cleaned["last_day"] = cleaned.get("first_day")
        return cleaned


class TimeOffBackForm(forms.Form):
    """The day a practitioner on a day off is back (or the clinic opens again)."""

    back_on = DayField(label="Back on")


# Forty-two times on one page: plain 24-hour text boxes ("14:00"), narrower than the browser's
# time pickers (which show "02:00 PM" in an English browser).
_HOURS_INPUT = forms.TimeInput(
    format="%H:%M",
    attrs={"inputmode": "numeric", "placeholder": "hh:mm", "maxlength": 5, "autocomplete": "off"},
)


class WorkingWeekForm(forms.Form):
    """A practitioner's usual week: up to BLOCKS_A_DAY blocks (from, to) on each weekday; a
    day left empty is not worked. `week` is what it cleans to, for `working_hours_set`."""

    def __init__(self, *args: Any, week: selectors.WeekHours, **kwargs: Any) -> None:
        initial = {
            hours_field(weekday, position, part): time
            for weekday, blocks in week.items()
            for position, block in enumerate(blocks, start=1)
            for part, time in zip(("start", "end"), block, strict=True)
        }
        super().__init__(*args, initial=initial, **kwargs)
        for weekday in Weekday.values:
            for position in range(1, BLOCKS_A_DAY + 1):
                for part, word in (("start", "from"), ("end", "to")):
                    self.fields[hours_field(weekday, position, part)] = forms.TimeField(
                        label=f"{Weekday(weekday).label}, block {position}, {word}",
                        required=False,
                        input_formats=["%H:%M"],
                        widget=_HOURS_INPUT,
                        error_messages={"invalid": "Enter a time as hours:minutes (09:30)."},
                    )
        self.week: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
        # The field each block of `week` was typed in, by the key the service names it with:
        # an empty first row shifts the blocks after it.
        self._typed_in: dict[str, str] = {}

    @property
    def days(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        """Each weekday's label with its rows of (from, to) inputs, for the template."""
        return [
            (
                Weekday(weekday).label,
                [
                    (
                        self[hours_field(weekday, position, "start")],
                        self[hours_field(weekday, position, "end")],
                    )
                    for position in range(1, BLOCKS_A_DAY + 1)
                ],
            )
            for weekday in Weekday.values
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for weekday in Weekday.values:
            for position in range(1, BLOCKS_A_DAY + 1):
                names = [hours_field(weekday, position, part) for part in ("start", "end")]
                if any(name in self.errors for name in names):
                    continue
                start, end = (cleaned.get(name) for name in names)
                if start is None and end is None:
                    continue
                if start is None or end is None:
                    part = "start" if start is None else "end"
                    self.add_error(
                        hours_field(weekday, position, part), f"Give the {part} too, or empty both."
                    )
                    continue
                blocks = self.week.setdefault(weekday, [])
                blocks.append((start, end))
                for name, part in zip(names, ("start", "end"), strict=True):
                    self._typed_in[hours_field(weekday, len(blocks), part)] = name
        return cleaned

    def at_fields(self, error: ValidationError) -> ValidationError:
        """A refusal of `working_hours_set`, keyed by the fields the blocks were typed in."""
        if not hasattr(error, "error_dict"):
            return error
        return ValidationError(
            {self._typed_in.get(key, key): errors for key, errors in error.error_dict.items()}
        )


class KindSwitchForm(forms.Form):
    """A kind of patient email switched on or off: the buttons of the switches page."""

    state = forms.ChoiceField(choices=[("on", "On"), ("off", "Off")])
