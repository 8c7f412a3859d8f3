from __future__ import annotations

import datetime
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from cocktails.choices import BodyArea, Indication
from patients.search import build_search_key

# Below this age a parent or legal guardian signs the patient's consents.
ADULT_AGE = 18


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Whole years from `born` to `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# The fields a receptionist may see and edit. Everything else on a patient is clinical.
IDENTITY_FIELDS = ("first_name", "last_name", "date_of_birth", "sex")
CONTACT_FIELDS = (
    "email",
    "phone",
    "address",
    "preferred_language",
    "emergency_contact_name",
    "emergency_contact_phone",
)
CLINICAL_FIELDS = (
    "fitzpatrick_type",
    "current_medications",
    "previous_treatments",
    "allergy_notes",
)
# The part of the clinical background reviewed at each consultation.
CONSULTATION_BACKGROUND_FIELDS = ("fitzpatrick_type", "current_medications", "previous_treatments")
# The fields the search key is built from.
_SEARCH_SOURCE_FIELDS = frozenset({"first_name", "last_name", "email", "phone"})


class Patient(models.Model):
    """A person treated at the clinic. Archived, never deleted, once they have records."""

    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        OTHER = "X", "Other / not stated"

    class Fitzpatrick(models.IntegerChoices):
        I = 1, "I: always burns, never tans"  # noqa: E741
        II = 2, "II: usually burns, tans minimally"
        III = 3, "III: sometimes burns, tans uniformly"
        IV = 4, "IV: burns minimally, always tans well"
        V = 5, "V: very rarely burns, tans very easily"
        VI = 6, "VI: never burns"

    # Identity
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.OTHER)

    # Contact
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(blank=True)
    address = models.TextField(blank=True)
    preferred_language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = PhoneNumberField(blank=True)

    # Clinical background (practitioners and admins only)
    fitzpatrick_type = models.PositiveSmallIntegerField(
        choices=Fitzpatrick.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    current_medications = models.TextField(blank=True)
    previous_treatments = models.TextField("previous aesthetic treatments", blank=True)
    allergy_notes = models.TextField("allergies (free text)", blank=True)

    # Consent to reminder emails: given and withdrawn are both kept.
    reminder_consent_at = models.DateTimeField(null=True, blank=True)
    reminder_consent_withdrawn_at = models.DateTimeField(null=True, blank=True)

    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Derived from names, email and phone (patients/search.py). On PostgreSQL a trigram GIN
    # index serves it; that index is created in migration 0005, not here, because SQLite
    # has no GIN and Meta.indexes cannot be limited to one database.
    search_key = models.TextField(default="", editable=False)

    history = HistoricalRecords(excluded_fields=["search_key"])

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="patient_name_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        # The search key is derived data, not a rule: it is refreshed on every save so that
        # every write path (services, the admin, factories, other apps' fixtures) keeps it true.
        self.search_key = build_search_key(
            first_name=self.first_name,
            last_name=self.last_name,
            email=self.email,
            phone=self.phone,
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and _SEARCH_SOURCE_FIELDS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def accepts_reminders(self) -> bool:
        """Consent given and not withdrawn since."""
        if self.reminder_consent_at is None or not self.email:
            return False
        withdrawn = self.reminder_consent_withdrawn_at
        return withdrawn is None or withdrawn < self.reminder_consent_at

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.date_of_birth, day)

    def minor_age_on(self, day: datetime.date) -> int | None:
        """The patient's age on `day` if under ADULT_AGE (a parent or legal guardian signs their
        consents), else None."""
        age = self.age_on(day)
        return age if age < ADULT_AGE else None


class Allergy(models.Model):
    """A known allergy. Linked to a catalogue ingredient when there is one, so cocktails built
    for this patient can be checked; otherwise described in words. Never deleted: an allergy
    entered in error is marked removed, with the reason."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="allergies")
    ingredient = models.ForeignKey(
        "cocktails.Ingredient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allergies",
    )
    substance = models.CharField(
        max_length=200, blank=True, help_text="What the patient reacts to, if not in the catalogue."
    )
    reaction = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "allergies"
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ingredient__isnull=False) | ~models.Q(substance=""),
                name="allergy_names_ingredient_or_substance",
            ),
        ]
        indexes = [
            models.Index(
                fields=["patient", "ingredient"],
                name="allergy_active_idx",
                condition=models.Q(removed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return str(self.ingredient) if self.ingredient_id else self.substance

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class Consultation(models.Model):
    """The first conversation before any needle: concerns, expectations and medical screening.

    Each "yes" in the screening becomes a :class:`Contraindication` on the patient (see
    ``patients.services.consultation_create``); the answers themselves are kept in
    ``screening`` ({question key: true/false}) so a documented "no" is on record too.
    """

    class Realistic(models.TextChoices):
        YES = "yes", "Realistic"
        PARTLY = "partly", "Partly realistic"
        NO = "no", "Not realistic"

    class NeedleAversion(models.TextChoices):
        NONE = "none", "None"
        MILD = "mild", "Mild"
        STRONG = "strong", "Strong"

    # What can be corrected after the visit (services.consultation_correct). The date,
    # concerns and screening answers stay as recorded.
    CORRECTABLE = (
        "goals",
        "expectations",
        "expectations_realistic",
        "pain_tolerance",
        "needle_aversion",
        "budget",
        "notes",
    )

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consultations")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations"
    )
    consulted_on = models.DateField()
    goals = models.TextField(blank=True)
    expectations = models.TextField(blank=True)
    expectations_realistic = models.CharField(
        "are the expectations realistic?", max_length=8, choices=Realistic.choices
    )
    pain_tolerance = models.PositiveSmallIntegerField(
        "pain tolerance (0 to 10)", validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    needle_aversion = models.CharField(
        "aversion to needles", max_length=8, choices=NeedleAversion.choices, default="none"
    )
    budget = models.DecimalField(
        "budget (€)", max_digits=8, decimal_places=0, null=True, blank=True
    )
    notes = models.TextField(blank=True)
    screening = models.JSONField("screening answers", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-consulted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pain_tolerance__gte=0, pain_tolerance__lte=10),
                name="consultation_pain_tolerance_0_10",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="consultation_budget_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "-consulted_on"], name="consultation_patient_idx")
        ]

    def __str__(self) -> str:
        return f"Consultation of {self.consulted_on:%d/%m/%Y}"


class ConsultationConcern(models.Model):
    """One indication at one body area that the patient came about."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="concerns"
    )
    indication = models.CharField(max_length=32, choices=Indication.choices)
    area = models.CharField(max_length=16, choices=BodyArea.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "indication", "area"], name="concern_unique_per_area"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_indication_display()} · {self.get_area_display()}"


class Contraindication(models.Model):
    """A reason not to treat, or to treat with care. Resolved with a reason, never deleted.

    An open *absolute* contraindication blocks every treatment of the patient until a
    practitioner resolves it (``patients.services.contraindication_resolve``).
    """

    class Kind(models.TextChoices):
        PREGNANCY = "pregnancy", "Pregnancy or breastfeeding"
        ANTICOAGULANTS = "anticoagulants", "Anticoagulant or antiplatelet drugs"
        BLEEDING_DISORDER = "bleeding_disorder", "Bleeding disorder"
        SKIN_INFECTION = "skin_infection", "Active skin infection, herpes or inflammation"
        INGREDIENT_ALLERGY = "ingredient_allergy", "Allergy to a cocktail ingredient"
        AUTOIMMUNE = "autoimmune", "Autoimmune disease"
        DIABETES = "diabetes", "Uncontrolled diabetes"
        CANCER = "cancer", "Cancer under treatment"
        KELOID = "keloid", "Keloid tendency"
        ISOTRETINOIN = "isotretinoin", "Recent isotretinoin"

    class Severity(models.TextChoices):
        ABSOLUTE = "absolute", "Absolute"
        RELATIVE = "relative", "Relative"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="contraindications")
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.PROTECT,
        related_name="contraindications",
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    resolution_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["resolved_at", "severity", "-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(resolved_at__isnull=True, resolved_by__isnull=True, resolution_reason="")
                    | (
                        Q(resolved_at__isnull=False, resolved_by__isnull=False)
                        & ~Q(resolution_reason="")
                    )
                ),
                name="contraindication_resolved_with_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["patient", "severity"],
                name="contraindication_open_idx",
                condition=Q(resolved_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_absolute(self) -> bool:
        return self.severity == self.Severity.ABSOLUTE


class ConsentText(models.Model):
    """One published version of a consent text. Versions are added, never edited.

    A document is identified by ``kind`` and ``indication`` (blank: the general treatment
    consent, or the photo consent); publishing a new version (``consent_text_publish``) marks
    the previous one superseded, and signatures of a superseded version are no longer valid.
    """

    class Kind(models.TextChoices):
        TREATMENT = "treatment", "Treatment consent"
        PHOTO = "photo", "Photo consent"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    indication = models.CharField(
        max_length=32,
        choices=Indication.choices,
        blank=True,
        help_text="Leave blank for the general treatment consent (and for the photo consent).",
    )
    version = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    body = models.TextField()
    published_at = models.DateTimeField(editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["kind", "indication", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "indication", "version"], name="consent_text_unique_version"
            ),
            models.UniqueConstraint(
                fields=["kind", "indication"],
                condition=Q(superseded_at__isnull=True),
                name="consent_text_one_current",
            ),
            models.CheckConstraint(
                condition=~Q(kind="photo") | Q(indication=""),
                name="consent_text_photo_has_no_indication",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def scope_label(self) -> str:
        if self.kind == self.Kind.PHOTO:
            return "Photographs"
        return self.get_indication_display() if self.indication else "All treatments"


# How a consent note refers to the patient who signed it themselves.
_PRONOUNS = {Patient.Sex.FEMALE: ("herself", "she"), Patient.Sex.MALE: ("himself", "he")}


class Consent(models.Model):
    """A signature on one version of a consent text, witnessed by a staff member: the
    patient's, or for a patient under ADULT_AGE (or an adult under legal protection) a parent's
    or legal guardian's, whose name is then the one typed."""

    class Signer(models.TextChoices):
        PATIENT = "patient", "The patient"
        GUARDIAN = "guardian", "A parent or legal guardian"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="signatures")
    signed_name = models.CharField("full name, as typed by the person signing", max_length=200)
    signer = models.CharField(max_length=10, choices=Signer.choices, default=Signer.PATIENT)
    # The drawn signature as PNG bytes: small, and kept with the record rather than as a file.
    signature_png = models.BinaryField(null=True, blank=True, editable=False)
    signed_at = models.DateTimeField()
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    withdrawal_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["signature_png"])

    class Meta:
        ordering = ["-signed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="consent_withdrawal_complete",
            ),
        ]
        indexes = [
            models.Index(
                fields=["patient", "text"],
                name="consent_in_force_idx",
                condition=Q(withdrawn_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signed_name}: {self.text}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def signed_as_minor_age(self) -> int | None:
        """The patient's age on the day (in the clinic's time zone) they signed this themselves
        while under ADULT_AGE, else None. Such a signature (from before the guardian rule, or
        imported) stays on record but is not in force: a parent or legal guardian signs the
        text again, or the patient once an adult. Every reader of consents asks this; the
        patient must be the one already loaded (``patient.consents``, ``select_related``)."""
        if self.signer != self.Signer.PATIENT:
            return None
        return self.patient.minor_age_on(timezone.localdate(self.signed_at))

    @property
    def signed_as_minor_note(self) -> str:
        """Why a signature the patient made as a minor is not in force, and who signs again."""
        age = self.signed_as_minor_age
        if age is None:
            return ""
        patient = self.patient
        name = patient.first_name.strip()
        themselves, they = _PRONOUNS.get(patient.sex, ("themselves", "they"))
        who = (
            "a parent or legal guardian must sign it again"
            if patient.minor_age_on(timezone.localdate()) is not None
            else f"now an adult, {they} must sign it again"
        )
        return f"Signed by {name} {themselves} at {age}: {who}."

    @property
    def is_valid(self) -> bool:
        """In force: not withdrawn, signed on the current version of its text, and not by the
        patient while a minor."""
        return not self.is_withdrawn and self.text.is_current and self.signed_as_minor_age is None


def _photo_path(instance: Photo, filename: str) -> str:
    # Random names: the path says nothing about the patient and cannot be guessed.
    suffix = PurePosixPath(filename).suffix.lower() or ".jpg"
    return f"patients/{instance.patient_id}/photos/{uuid.uuid4().hex}{suffix}"


class Photo(models.Model):
    """A clinical photograph. Stored under MEDIA_ROOT without EXIF and served only through
    ``patients:photo_file``, which checks the role; never from a public URL."""

    class Kind(models.TextChoices):
        BEFORE = "before", "Before"
        AFTER = "after", "After"
        PROGRESS = "progress", "Progress"

    class Angle(models.TextChoices):
        FRONT = "front", "Front"
        LEFT_OBLIQUE = "left_oblique", "Left 45°"
        RIGHT_OBLIQUE = "right_oblique", "Right 45°"
        LEFT_PROFILE = "left_profile", "Left profile"
        RIGHT_PROFILE = "right_profile", "Right profile"
        BACK = "back", "Back"
        TOP = "top", "Top (vertex)"
        CLOSE_UP = "close_up", "Close-up"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(upload_to=_photo_path)
    thumbnail = models.ImageField(upload_to=_photo_path)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    area = models.CharField(max_length=16, choices=BodyArea.choices)
    angle = models.CharField(max_length=16, choices=Angle.choices)
    taken_on = models.DateField()
    notes = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-taken_on", "-pk"]
        indexes = [
            models.Index(fields=["patient", "area", "taken_on"], name="photo_patient_area_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_area_display()} · {self.taken_on:%d/%m/%Y}"
