from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


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
    phone = models.CharField(max_length=32, blank=True)
    address = models.TextField(blank=True)
    preferred_language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=32, blank=True)

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

    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="patient_name_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

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
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday


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
