"""Treatment plans (courses), the sessions of a course, what each session injected where, the
lots it used, corrections to signed sessions, adverse events and outcomes.

Clinical records here are never deleted: a plan is stopped with a reason, a signed session is
corrected by amendments, a lot recorded in error is cancelled in the cocktails ledger. Every
model keeps its change history (django-simple-history).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cocktails.choices import BodyArea, Indication, Region
from treatments.zones import Zone

MAX_SESSIONS = 24
MAX_DEPTH_MM = 15
NEEDLE_GAUGES = [(gauge, f"{gauge}G") for gauge in range(27, 33)]


class TreatmentPlan(models.Model):
    """A course of treatment for one indication: how many sessions, how far apart, then how
    often to maintain the result. Its defaults come from INDICATION_DEFAULTS; every field of
    the course can be changed until the plan is over."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        IN_PROGRESS = "in_progress", "In progress"
        MAINTENANCE = "maintenance", "Maintenance"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    # The patient agreed: sessions may be booked and logged.
    TREATING = (Status.ACCEPTED, Status.IN_PROGRESS, Status.MAINTENANCE)
    OPEN = (Status.PROPOSED, *TREATING)

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="treatment_plans"
    )
    indication = models.CharField(max_length=30, choices=Indication.choices)
    # BodyArea values; a list rather than a table: it is read whole and never queried into.
    body_areas = models.JSONField(default=list)
    cocktail = models.ForeignKey(
        "cocktails.Cocktail", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    initial_sessions = models.PositiveSmallIntegerField(
        "sessions in the course",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSIONS)],
    )
    interval_days = models.PositiveSmallIntegerField(
        "days between sessions", validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    maintenance_every_days = models.PositiveSmallIntegerField(
        "maintenance every (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
        help_text="Leave empty when maintenance is as needed.",
    )
    start_date = models.DateField("first session on")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    notes = models.TextField("goals and notes", blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # The estimate the patient accepted, kept as it was shown (prices change later).
    accepted_estimate = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=300, blank=True)
    # Derived from the signed sessions by the services, stored so that reminders (issue 7)
    # can find the plans due for maintenance with one indexed query.
    next_maintenance_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(initial_sessions__gte=1, initial_sessions__lte=MAX_SESSIONS),
                name="plan_initial_sessions_range",
            ),
            models.CheckConstraint(
                condition=Q(interval_days__gte=1, interval_days__lte=120),
                name="plan_interval_range",
            ),
            models.CheckConstraint(
                condition=Q(maintenance_every_days__isnull=True)
                | Q(maintenance_every_days__gte=7, maintenance_every_days__lte=730),
                name="plan_maintenance_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="stopped") | (Q(stopped_at__isnull=False) & ~Q(stop_reason="")),
                name="plan_stopped_with_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "in_progress", "maintenance", "completed"])
                | Q(accepted_at__isnull=False),
                name="plan_treated_once_accepted",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "status"], name="plan_patient_idx"),
            models.Index(
                fields=["next_maintenance_on"],
                name="plan_maintenance_due_idx",
                condition=Q(status="maintenance"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_indication_display()} plan for {self.patient}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_treating(self) -> bool:
        return self.status in self.TREATING

    @property
    def body_area_labels(self) -> list[str]:
        return [BodyArea(area).label for area in self.body_areas if area in BodyArea.values]


class TreatmentSession(models.Model):
    """One session of a plan. A *planned* session is a place held in the course, created when
    an appointment is booked for it (scheduling links the appointment to it); it becomes *in
    progress* once the pre-checks pass, and *signed* when the practitioner signs the log. A
    signed session is never edited again: corrections are SessionAmendments."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "Course session"
        MAINTENANCE = "maintenance", "Maintenance session"

    class Status(models.TextChoices):
        PLANNED = "planned", "Booked"
        IN_PROGRESS = "in_progress", "In progress"
        SIGNED = "signed", "Signed"

    class Technique(models.TextChoices):
        NAPPAGE = "nappage", "Nappage"
        PAPULE = "papule", "Papules"
        POINT_BY_POINT = "point_by_point", "Point by point"
        LINEAR_RETROGRADE = "linear_retrograde", "Linear retrograde"
        INJECTOR_GUN = "injector_gun", "Injector gun"

    class Antiseptic(models.TextChoices):
        CHLORHEXIDINE = "chlorhexidine", "Chlorhexidine"
        ALCOHOL = "alcohol", "Alcohol 70%"
        OTHER = "other", "Other"

    class Reaction(models.TextChoices):
        REDNESS = "redness", "Redness"
        WHEALS = "wheals", "Wheals"
        PINPOINT_BLEEDING = "pinpoint_bleeding", "Pinpoint bleeding"
        BRUISING = "bruising", "Bruising"
        SWELLING = "swelling", "Swelling"

    STARTED = (Status.IN_PROGRESS, Status.SIGNED)

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INITIAL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treatment_sessions",
    )
    performed_at = models.DateTimeField("session date and time", null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Pre-checks, recorded when the session starts.
    contraindications_reviewed = models.BooleanField(default=False)
    consent_verified = models.BooleanField(default=False)
    photos_taken = models.BooleanField("before photos taken", default=False)

    # Preparation.
    antiseptic = models.CharField(max_length=16, choices=Antiseptic.choices, blank=True)
    numbing_cream = models.CharField(max_length=120, blank=True)
    numbing_minutes = models.PositiveSmallIntegerField(
        "numbing time (minutes)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
    )

    # Injections.
    formulation = models.ForeignKey(
        "cocktails.Formulation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treatment_sessions",
        help_text="The exact cocktail version injected.",
    )
    technique = models.CharField(max_length=20, choices=Technique.choices, blank=True)
    needle_gauge = models.PositiveSmallIntegerField(choices=NEEDLE_GAUGES, null=True, blank=True)
    needle_length_mm = models.DecimalField(
        "needle length (mm)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(4), MaxValueValidator(13)],
    )
    total_volume_ml = models.DecimalField(
        "total volume injected (ml)", max_digits=5, decimal_places=2, null=True, blank=True
    )

    # After the injections.
    pain_score = models.PositiveSmallIntegerField(
        "pain (0 to 10)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    reactions = models.JSONField("immediate reactions", default=list, blank=True)
    reaction_notes = models.CharField("reactions, details", max_length=300, blank=True)
    aftercare = models.TextField("aftercare given", blank=True)
    notes = models.TextField(blank=True)

    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = [F("performed_at").asc(nulls_last=True), "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="planned")
                | Q(
                    practitioner__isnull=False,
                    performed_at__isnull=False,
                    started_at__isnull=False,
                ),
                name="session_started_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="session_signed_has_signature",
            ),
            models.CheckConstraint(
                condition=Q(pain_score__isnull=True) | Q(pain_score__lte=10),
                name="session_pain_0_10",
            ),
            models.CheckConstraint(
                condition=Q(needle_gauge__isnull=True)
                | Q(needle_gauge__gte=27, needle_gauge__lte=32),
                name="session_needle_gauge_range",
            ),
            models.CheckConstraint(
                condition=Q(needle_length_mm__isnull=True)
                | Q(needle_length_mm__gte=4, needle_length_mm__lte=13),
                name="session_needle_length_range",
            ),
            models.CheckConstraint(
                condition=Q(total_volume_ml__isnull=True) | Q(total_volume_ml__gt=0),
                name="session_total_volume_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "status"], name="session_plan_idx"),
            models.Index(fields=["practitioner", "performed_at"], name="session_practitioner_idx"),
            models.Index(
                fields=["performed_at"],
                name="session_signed_day_idx",
                condition=Q(status="signed"),
            ),
            # Each plan's signed sessions in order, kind included: the maintenance due dates
            # the reports count (maintenance_due_dates) read them without touching the table.
            models.Index(
                fields=["plan", "performed_at", "id"],
                include=["kind"],
                name="session_plan_signed_idx",
                condition=Q(status="signed"),
            ),
        ]

    def __str__(self) -> str:
        when = f" of {timezone.localtime(self.performed_at):%d/%m/%Y}" if self.performed_at else ""
        return f"{self.get_kind_display()}{when}"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def is_started(self) -> bool:
        return self.status in self.STARTED

    @property
    def performed_on(self) -> datetime.date | None:
        """The day of the session on the clinic's calendar (not UTC's)."""
        return timezone.localdate(self.performed_at) if self.performed_at else None

    @property
    def reaction_labels(self) -> list[str]:
        known = dict(self.Reaction.choices)
        return [known.get(value, value) for value in self.reactions]


class InjectionPoint(models.Model):
    """A site injected during a session: its zone, depth and volume and, when it was placed
    on the diagram, its position as fractions (0 to 1) of the drawing's width and height."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="points")
    position = models.PositiveSmallIntegerField(default=0)
    diagram = models.CharField(max_length=8, choices=Region.choices)
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    zone = models.CharField(max_length=20, choices=Zone.choices)
    depth_mm = models.DecimalField(
        "depth (mm)",
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_DEPTH_MM)],
    )
    volume_ml = models.DecimalField("volume (ml)", max_digits=5, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        ordering = ["session_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(x__isnull=True, y__isnull=True)
                | Q(x__gte=0, x__lte=1, y__gte=0, y__lte=1),
                name="point_position_within_diagram",
            ),
            models.CheckConstraint(
                condition=Q(depth_mm__gte=0, depth_mm__lte=MAX_DEPTH_MM),
                name="point_depth_range",
            ),
            models.CheckConstraint(condition=Q(volume_ml__gt=0), name="point_volume_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_zone_display()}: {self.volume_ml} ml at {self.depth_mm} mm"

    @property
    def is_placed(self) -> bool:
        return self.x is not None and self.y is not None


class SessionLot(models.Model):
    """Vials of one lot used in a session. Its row in the cocktails ledger (`usage`) is what
    decremented the stock and what a recall finds; a lot removed from a session before it is
    signed keeps this row, with its usage cancelled."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="lots")
    lot = models.ForeignKey("cocktails.Lot", on_delete=models.PROTECT, related_name="+")
    vials = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    volume_ml = models.DecimalField("volume used (ml)", max_digits=5, decimal_places=2)
    usage = models.OneToOneField(
        "cocktails.LotUsage", on_delete=models.PROTECT, related_name="session_lot"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["session_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(vials__gte=1), name="session_lot_vials_positive"),
            models.CheckConstraint(
                condition=Q(volume_ml__gt=0), name="session_lot_volume_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volume_ml} ml from lot {self.lot.lot_number}"


class SessionAmendment(models.Model):
    """A correction to a signed session, with its reason, author and time. Written once and
    never changed. `field` names the corrected field; empty, the amendment is an addendum."""

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="amendments"
    )
    field = models.CharField(max_length=40, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField()
    reason = models.CharField(max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="amendment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Amendment of {self.at:%d/%m/%Y}: {self.field or 'addendum'}"


class AdverseEvent(models.Model):
    """Something that went wrong after a session, possibly weeks later, linked to the lots the
    session used so that a pattern across patients shows up against a lot."""

    class Kind(models.TextChoices):
        BRUISING = "bruising", "Bruising"
        SWELLING = "swelling", "Swelling"
        PROLONGED_REDNESS = "prolonged_redness", "Prolonged redness"
        NODULE = "nodule", "Nodules or granuloma"
        INFECTION = "infection", "Infection"
        HYPERPIGMENTATION = "hyperpigmentation", "Hyperpigmentation"
        ALLERGIC_REACTION = "allergic_reaction", "Allergic reaction"
        OTHER = "other", "Other"

    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    class Outcome(models.TextChoices):
        ONGOING = "ongoing", "Ongoing"
        RESOLVED = "resolved", "Resolved"
        SEQUELAE = "sequelae", "Resolved with after-effects"

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="adverse_events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=300, blank=True)
    onset_on = models.DateField("onset")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    treatment = models.TextField("treatment given", blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ONGOING)
    resolved_on = models.DateField("resolution date", null=True, blank=True)
    lots = models.ManyToManyField("cocktails.Lot", blank=True, related_name="adverse_events")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["onset_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="ongoing", resolved_on__isnull=True)
                | (~Q(outcome="ongoing") & Q(resolved_on__gte=F("onset_on"))),
                name="adverse_event_resolution_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_severity_display().lower()})"

    @property
    def label(self) -> str:
        if self.kind == self.Kind.OTHER and self.description:
            return self.description
        return self.get_kind_display()


class Gais(models.IntegerChoices):
    """The Global Aesthetic Improvement Scale."""

    VERY_MUCH_IMPROVED = 1, "Very much improved"
    MUCH_IMPROVED = 2, "Much improved"
    IMPROVED = 3, "Improved"
    NO_CHANGE = 4, "No change"
    WORSE = 5, "Worse"


class Satisfaction(models.IntegerChoices):
    VERY_DISSATISFIED = 1, "Very dissatisfied"
    DISSATISFIED = 2, "Dissatisfied"
    NEUTRAL = 3, "Neither"
    SATISFIED = 4, "Satisfied"
    VERY_SATISFIED = 5, "Very satisfied"


class Outcome(models.Model):
    """A review of the result at a point of the course: GAIS by the practitioner and by the
    patient, the patient's satisfaction, and the indication's own measure (see measures.py)."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="outcomes")
    session = models.ForeignKey(
        TreatmentSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcomes",
        help_text="The session this review follows, if any.",
    )
    assessed_on = models.DateField()
    gais_practitioner = models.PositiveSmallIntegerField(
        "GAIS (practitioner)", choices=Gais.choices, null=True, blank=True
    )
    gais_patient = models.PositiveSmallIntegerField(
        "GAIS (patient)", choices=Gais.choices, null=True, blank=True
    )
    satisfaction = models.PositiveSmallIntegerField(
        "patient satisfaction", choices=Satisfaction.choices, null=True, blank=True
    )
    measure = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["assessed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gais_practitioner__isnull=True)
                | Q(gais_practitioner__gte=1, gais_practitioner__lte=5),
                name="outcome_gais_practitioner_range",
            ),
            models.CheckConstraint(
                condition=Q(gais_patient__isnull=True)
                | Q(gais_patient__gte=1, gais_patient__lte=5),
                name="outcome_gais_patient_range",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="outcome_satisfaction_range",
            ),
            models.CheckConstraint(
                condition=Q(gais_practitioner__isnull=False)
                | Q(gais_patient__isnull=False)
                | Q(satisfaction__isnull=False)
                | Q(measure__isnull=False),
                name="outcome_records_something",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.assessed_on:%d/%m/%Y}"


# The export log lives with the exports (treatments/exports/); imported here so Django finds it.
from treatments.exports.models import ExportJob  # noqa: E402, F401
