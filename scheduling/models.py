from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.template.defaultfilters import pluralize
from django.urls import reverse
from simple_history.models import HistoricalRecords

from scheduling import clock
from scheduling.constraints import DateRange, PostgresExclusionConstraint, TsTzRange


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering, so no translation is ever needed.
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Room(models.Model):
    """A treatment room or chair: two appointments never share one at the same time."""

    name = models.CharField(max_length=60, unique=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Rooms are offered in this order."
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class AppointmentType(models.Model):
    """What an appointment is for, how long it lasts and how long the room needs after it."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", "Consultation"
        TREATMENT = "treatment", "Treatment session"
        MAINTENANCE = "maintenance", "Maintenance session"
        REVIEW = "review", "Review"

    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    gap_after_minutes = models.PositiveSmallIntegerField(
        "gap after (minutes)",
        default=0,
        validators=[MaxValueValidator(120)],
        help_text="Clean-up time: the practitioner and the room stay blocked this long after.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5), name="appointment_type_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.duration_minutes)

    @property
    def gap_after(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.gap_after_minutes)

    @property
    def is_treatment(self) -> bool:
        """Sessions where something is injected: the ones contraindications can forbid."""
        return self.kind in {self.Kind.TREATMENT, self.Kind.MAINTENANCE}


class WorkingHours(models.Model):
    """One block of a practitioner's usual week, in the clinic's local time (a morning, say)."""

    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    # Who added, changed or removed a block (`history_user`), in the app or the back office.
    history = HistoricalRecords()

    class Meta:
        ordering = ["practitioner", "weekday", "starts_at"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="working_hours_start_before_end"
            ),
            models.UniqueConstraint(
                fields=["practitioner", "weekday", "starts_at"],
                name="working_hours_unique_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    def clean(self) -> None:
        # Two blocks of one day must not overlap, or availability would count hours twice.
        if self.practitioner_id is None or self.starts_at is None or self.ends_at is None:
            return
        overlapping = WorkingHours.objects.filter(
            practitioner_id=self.practitioner_id,
            weekday=self.weekday,
            starts_at__lt=self.ends_at,
            ends_at__gt=self.starts_at,
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(
                {"starts_at": "These hours overlap another block on the same day."}
            )


# The days a day off covers, first and last included, for its exclusion constraints.
TIME_OFF_DAYS = DateRange("first_day", "last_day", RangeBoundary(inclusive_upper=True))
TIME_OFF_OVERLAP = "These days overlap a day off already recorded."


class TimeOff(models.Model):
    """Whole days a practitioner does not work, or (without a practitioner) the clinic is shut."""

    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="time_off",
        null=True,
        blank=True,
        help_text="Leave empty for a day the whole clinic is closed (a public holiday).",
    )
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.CharField(max_length=120, blank=True)

    # Who added a day off and who removed it (`history_user`), in the app or the back office.
    history = HistoricalRecords()

    class Meta:
        ordering = ["first_day"]
        verbose_name = "day off"
        verbose_name_plural = "days off and holidays"
        constraints = [
            models.CheckConstraint(
                condition=Q(first_day__lte=F("last_day")), name="time_off_days_ordered"
            ),
            # The rule `time_off_add` checks, held by PostgreSQL too (see
            # scheduling/constraints.py): one practitioner's days off never overlap, nor do two
            # closures. A practitioner's day off may fall within a closure: `=` never matches
            # two NULL practitioners, so closures are only kept apart by the second constraint.
            PostgresExclusionConstraint(
                name="time_off_no_practitioner_overlap",
                expressions=[
                    ("practitioner", RangeOperators.EQUAL),
                    (TIME_OFF_DAYS, RangeOperators.OVERLAPS),
                ],
                violation_error_message=TIME_OFF_OVERLAP,
            ),
            PostgresExclusionConstraint(
                name="time_off_no_closure_overlap",
                expressions=[(TIME_OFF_DAYS, RangeOperators.OVERLAPS)],
                condition=Q(practitioner__isnull=True),
                violation_error_message=TIME_OFF_OVERLAP,
            ),
        ]
        indexes = [models.Index(fields=["last_day", "first_day"], name="time_off_days_idx")]

    def __str__(self) -> str:
        who = self.practitioner.get_full_name() if self.practitioner_id else "Clinic closed"
        return f"{who}: {self.first_day:%d %b %Y} to {self.last_day:%d %b %Y}"

    def covers(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.last_day


class AppointmentSeries(models.Model):
    """Appointments booked together in one action, e.g. the six sessions of a hair course;
    `plan` is the treatment plan they were booked from, if any."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    count = models.PositiveSmallIntegerField()
    interval_days = models.PositiveSmallIntegerField()
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    plan = models.ForeignKey(
        "treatments.TreatmentPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointment_series",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "appointment series"

    def __str__(self) -> str:
        return f"{self.count} sessions of {self.appointment_type} for {self.patient}"


# An appointment ends on the day it starts and its type lasts at most 4 hours plus a 2-hour
# gap: the time it holds is shorter than this (a check constraint keeps it so), which lets
# "what overlaps this time" read a bounded range of the start index.
LONGEST_HOLD = datetime.timedelta(days=1)


def holding_between(
    start: datetime.datetime, end: datetime.datetime, *, until: str = "occupied_until"
) -> Q:
    """Appointments whose occupied time (gap included) meets [start, end); with
    until="end", whose own time does."""
    return Q(start__lt=end, start__gt=start - LONGEST_HOLD, **{f"{until}__gt": start})


def no_overlap(field: str, message: str) -> PostgresExclusionConstraint:
    """No two appointments holding their slot (not cancelled, not a no-show) may share `field`
    while their occupied times, the gap after included, overlap. PostgreSQL only: see
    scheduling/constraints.py for why, and the booking service for the same rule elsewhere."""
    return PostgresExclusionConstraint(
        name=f"appointment_no_{field}_overlap",
        expressions=[
            (field, RangeOperators.EQUAL),
            (TsTzRange("start", "occupied_until", RangeBoundary()), RangeOperators.OVERLAPS),
        ],
        condition=~Q(status__in=["cancelled", "no_show"]),
        violation_error_message=message,
    )


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def active(self) -> AppointmentQuerySet:
        """Appointments that hold their slot: all but cancelled ones and no-shows."""
        return self.exclude(status__in=Appointment.RELEASED)

    def during(self, start: datetime.datetime, end: datetime.datetime) -> AppointmentQuerySet:
        """Those whose own time (without the gap after) meets [start, end): what a calendar
        shows. Bounded on the start index as `overlapping` is."""
        return self.filter(holding_between(start, end, until="end"))

    def overlapping(self, start: datetime.datetime, end: datetime.datetime) -> AppointmentQuerySet:
        """Those whose occupied time (gap included) meets [start, end). An appointment holds
        its slot for at most LONGEST_HOLD, so the start index is read from `start` minus that
        only, not from the beginning of the diary."""
        return self.filter(holding_between(start, end))


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CONFIRMED = "confirmed", "Confirmed"
        ARRIVED = "arrived", "Arrived"
        IN_TREATMENT = "in_treatment", "In treatment"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    # A cancelled appointment or a no-show gives its slot back.
    RELEASED = (Status.CANCELLED, Status.NO_SHOW)
    # Only these can still be moved or cancelled: the patient has not come yet.
    UPCOMING = (Status.BOOKED, Status.CONFIRMED)

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    # End plus the type's gap, frozen at booking so a later change to the type moves nothing.
    # A plain column because the exclusion constraint may only use immutable expressions, and
    # timestamptz + interval is not.
    occupied_until = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    note = models.CharField(
        "booking note",
        max_length=300,
        blank=True,
        help_text="For the front desk (e.g. 'prefers mornings'). Never clinical details.",
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    series_position = models.PositiveSmallIntegerField(null=True, blank=True)
    # The plan session this appointment is for. A foreign key rather than one-to-one: a
    # cancelled appointment keeps its link for the record, and the session is booked again
    # (at most one appointment holding its slot per session: see the constraint below).
    plan_session = models.ForeignKey(
        "treatments.TreatmentSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    # When the session this appointment holds was given on an earlier day (the patient came
    # early): set by the session's log, never cleared. The appointment is then obsolete, so it
    # sends no reminder, and the desk is asked to cancel it (a session log cannot be
    # taken back, so this stays true).
    session_given_at = models.DateTimeField(null=True, blank=True, editable=False)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="appointment_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(end__lte=F("occupied_until")), name="appointment_gap_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(occupied_until__lt=F("start") + LONGEST_HOLD),
                name="appointment_holds_less_than_a_day",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="appointment_cancel_has_reason",
            ),
            models.UniqueConstraint(
                fields=["plan_session"],
                condition=Q(plan_session__isnull=False) & ~Q(status__in=["cancelled", "no_show"]),
                name="appointment_one_per_plan_session",
                violation_error_message="This plan session is already booked.",
            ),
            no_overlap("practitioner", "The practitioner already has an appointment then."),
            no_overlap("room", "The room is already taken then."),
        ]
        indexes = [
            models.Index(fields=["start"], name="appointment_start_idx"),
            models.Index(fields=["practitioner", "start"], name="appointment_practitioner_idx"),
            models.Index(fields=["patient", "start"], name="appointment_patient_idx"),
            # The desk's few appointments whose session was given early, among all of them.
            models.Index(
                fields=["start"],
                condition=Q(session_given_at__isnull=False),
                name="appointment_given_early_idx",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.appointment_type} for {self.patient}, {clock.local(self.start):%Y-%m-%d %H:%M}"
        )

    @property
    def duration(self) -> datetime.timedelta:
        return self.end - self.start

    @property
    def is_upcoming(self) -> bool:
        return self.status in self.UPCOMING

    @property
    def given_early(self) -> bool:
        """Still booked for a session that was already given: the desk should cancel it."""
        return self.session_given_at is not None and self.is_upcoming

    @property
    def status_worth_showing(self) -> bool:
        """On a busy calendar, only states the front desk acts on are spelled out."""
        return self.status in (
            self.Status.CONFIRMED,
            self.Status.ARRIVED,
            self.Status.IN_TREATMENT,
            self.Status.NO_SHOW,
        )

    @property
    def holds_slot(self) -> bool:
        return self.status not in self.RELEASED


class WaitlistEntry(models.Model):
    """A patient who would take an earlier slot with a practitioner, between two dates."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked"
        WITHDRAWN = "withdrawn", "Withdrawn"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Leave empty if any practitioner will do.",
    )
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    earliest_day = models.DateField()
    latest_day = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(earliest_day__lte=F("latest_day")), name="waitlist_days_ordered"
            ),
        ]
        indexes = [
            models.Index(
                fields=["latest_day"],
                name="waitlist_waiting_idx",
                condition=Q(status="waiting"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} waiting for {self.appointment_type}"


class CalendarFeed(models.Model):
    """A practitioner's private .ics address. Whoever holds the token reads the feed, so the
    feed carries no clinical detail, and revoking deletes the row (the old URL stops working)."""

    practitioner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.practitioner}"

    @property
    def url(self) -> str:
        return reverse("scheduling:feed", kwargs={"token": self.token})


# Patient emails (issue 7): the outbox and the clinic's switches. See scheduling/outbox/.


class OutboxMessage(models.Model):
    """One email the clinic sends a patient by itself: a booking confirmation, a reminder…

    The outbox is how "never twice" is kept: a row is planned once per (patient, kind, key),
    where the key names the event the message is about (for an appointment reminder: the
    appointment, its start and how long before it the reminder goes, so a moved appointment
    gets a new row). A send task claims a pending row under a row lock, sends, and marks it
    sent in the same transaction. Rows are never deleted: staff see what was sent, what is
    waiting, what failed and why, and what was not sent any more (cancelled, with the reason).
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Booking confirmation"
        APPOINTMENT_REMINDER = "appointment_reminder", "Appointment reminder"
        MAINTENANCE_DUE = "maintenance_due", "Maintenance due"
        AFTERCARE_CHECK_IN = "aftercare_check_in", "Aftercare check-in"
        RESULTS_REVIEW = "results_review", "Results review"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Not sent"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="outbox_messages"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    # What the message is about, built by its kind (scheduling/reminders.py): unique per
    # patient and kind, it is what makes a second planning of the same message a no-op.
    key = models.CharField(max_length=120)
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    # For the treatment-based kinds: the plan (maintenance due, results review) or the
    # signed session (aftercare check-in) the message is about.
    plan = models.ForeignKey(
        "treatments.TreatmentPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    session = models.ForeignKey(
        "treatments.TreatmentSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    # The moment of the event when the message was planned (an appointment's start): if the
    # event moves, the message is no longer about it.
    event_at = models.DateTimeField()
    # For the appointment kinds: who the appointment was with when the message was planned.
    # Given to another practitioner, the appointment has changed as much as a moved one: the
    # message is no longer about it, and the patient hears of the new arrangement.
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # For reminders: how long before the event this one goes.
    lead = models.DurationField(null=True, blank=True)
    due_at = models.DateTimeField(help_text="Not sent before this moment.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Why the last attempt failed, or why the message was not sent: shown to staff.
    reason = models.CharField(max_length=500, blank=True)
    # A send task is queued (or waiting for its retry) until then; the sweep only queues
    # another one after it, in case the first was lost with a worker.
    requeue_after = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.EmailField(blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    resent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-due_at", "-pk"]
        verbose_name = "patient email"
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind", "key"], name="outbox_message_once_per_event"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbox_message_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(appointment__isnull=True) | Q(practitioner__isnull=False),
                name="outbox_message_appointment_has_practitioner",
            ),
        ]
        indexes = [
            # The sweep's "what is due now" scan only ever reads pending rows.
            models.Index(
                fields=["due_at"], name="outbox_pending_due_idx", condition=Q(status="pending")
            ),
            models.Index(fields=["patient", "-due_at"], name="outbox_patient_idx"),
            models.Index(fields=["status", "-due_at"], name="outbox_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.patient}, {self.get_status_display().lower()}"

    @property
    def description(self) -> str:
        """What staff read: "Appointment reminder, 48 hours before"."""
        if self.lead is None:
            return self.get_kind_display()
        hours = self.lead.total_seconds() / 3600
        return f"{self.get_kind_display()}, {hours:g} hour{pluralize(hours)} before"


class MessageKindSwitch(models.Model):
    """Whether the clinic sends one kind of patient email at all. The clinic manager switches
    a kind off or on in the app (`scheduling.outbox.services.message_kind_switch`) or in the
    back office; pending messages of a kind switched off are then not sent. A kind without a
    row is on.

    The history is what the outbox reads to know when a kind was switched back on: from then
    on it sends only what is due, never what came due while the kind was off
    (`scheduling.outbox.selectors.kind_switch_states`). It is also where the back office's
    changes name who made them (`history_user`): the back office does not set `changed_by`.
    """

    kind = models.CharField(max_length=40, choices=OutboxMessage.Kind.choices, unique=True)
    is_enabled = models.BooleanField("sent", default=True)
    changed_at = models.DateTimeField(auto_now=True)
    # Who switched it last in the app (None before that was recorded).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        verbose_name = "patient email switch"
        verbose_name_plural = "patient email switches"

    def __str__(self) -> str:
        state = "on" if self.is_enabled else "off"
        return f"{self.get_kind_display()}: {state}"
