"""Writes for patient records: every change goes through here (keyword-only, atomic)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cocktails.choices import BodyArea, Indication
from cocktails.models import Ingredient
from patients.imaging import clean_photo, clean_signature
from patients.models import (
    ADULT_AGE,
    CLINICAL_FIELDS,
    CONSULTATION_BACKGROUND_FIELDS,
    CONTACT_FIELDS,
    IDENTITY_FIELDS,
    Allergy,
    Consent,
    ConsentText,
    Consultation,
    ConsultationConcern,
    Contraindication,
    Patient,
    Photo,
)
from patients.screening import QUESTIONS, QUESTIONS_BY_KEY
from patients.search import normalise
from patients.selectors import (
    patient_allergy_on_record,
    patient_duplicates,
    patient_signatures_in_force,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.core.files.uploadedfile import UploadedFile

    User = AbstractBaseUser

# Records that are removed with a reason rather than deleted.
_Removable = TypeVar("_Removable", Allergy, Photo)


def _today() -> datetime.date:
    return timezone.localdate()


def _check_date_of_birth(date_of_birth: datetime.date) -> None:
    if date_of_birth > _today():
        raise ValidationError({"date_of_birth": "The date of birth is in the future."})
    if date_of_birth.year < 1900:
        raise ValidationError({"date_of_birth": "Check the year: this date is before 1900."})


def _set_reminder_consent(patient: Patient, agrees: bool) -> None:
    """Record when consent to reminder emails was given or withdrawn; both are kept."""
    if agrees and not patient.accepts_reminders:
        if not patient.email:
            raise ValidationError({"reminder_consent": "Reminder emails need an email address."})
        patient.reminder_consent_at = timezone.now()
    elif not agrees and patient.accepts_reminders:
        patient.reminder_consent_withdrawn_at = timezone.now()


@transaction.atomic
def patient_create(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date,
    sex: str = Patient.Sex.OTHER,
    contact: Mapping[str, Any] | None = None,
    reminder_consent: bool = False,
    allow_duplicate: bool = False,
) -> Patient:
    """Register a patient. A patient with the same name and date of birth is refused (keyed
    at ``last_name``, code "duplicate") unless ``allow_duplicate`` says it is someone else."""
    if not first_name.strip() or not last_name.strip():
        raise ValidationError({"last_name": "Both the first and the last name are needed."})
    _check_date_of_birth(date_of_birth)
    if not allow_duplicate and patient_duplicates(
        first_name=first_name, last_name=last_name, date_of_birth=date_of_birth
    ):
        raise ValidationError(
            {"last_name": "A patient with this name and date of birth already exists."},
            code="duplicate",
        )
    patient = Patient(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        sex=sex,
        **{key: value for key, value in (contact or {}).items() if key in CONTACT_FIELDS},
    )
    _set_reminder_consent(patient, reminder_consent)
    patient.full_clean()
    patient.save()
    return patient


def _apply(patient: Patient, data: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    changed = []
    for name in allowed:
        if name in data and getattr(patient, name) != data[name]:
            setattr(patient, name, data[name])
            changed.append(name)
    return changed


@transaction.atomic
def patient_update_contact(
    *, patient: Patient, data: Mapping[str, Any], reminder_consent: bool | None = None
) -> Patient:
    """Change identity and contact details: what receptionists may edit. Other keys in
    ``data`` are ignored, so a contact form can never touch clinical fields."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    changed = _apply(patient, data, (*IDENTITY_FIELDS, *CONTACT_FIELDS))
    if "date_of_birth" in changed:
        _check_date_of_birth(patient.date_of_birth)
    if reminder_consent is not None:
        _set_reminder_consent(patient, reminder_consent)
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def patient_update_clinical(*, patient: Patient, data: Mapping[str, Any]) -> Patient:
    """Change the clinical background (skin type, medications, previous treatments, allergy
    notes): practitioners and admins only, checked by the views."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    _apply(patient, data, CLINICAL_FIELDS)
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def patient_archive(*, patient: Patient) -> Patient:
    """Hide a patient from the list. Records are kept; nothing is deleted."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.archived_at is None:
        patient.archived_at = timezone.now()
        patient.save(update_fields=["archived_at", "updated_at"])
    return patient


@transaction.atomic
def patient_unarchive(*, patient: Patient) -> Patient:
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.archived_at is not None:
        patient.archived_at = None
        patient.save(update_fields=["archived_at", "updated_at"])
    return patient


@dataclass(frozen=True)
class ScreeningAnswer:
    """The practitioner's answer to one screening question."""

    yes: bool
    severity: str = Contraindication.Severity.RELATIVE
    note: str = ""


@transaction.atomic
def consultation_create(
    *,
    patient: Patient,
    practitioner: User,
    consulted_on: datetime.date,
    expectations_realistic: str,
    pain_tolerance: int,
    screening: Mapping[str, ScreeningAnswer],
    concerns: Iterable[tuple[str, str]] = (),
    goals: str = "",
    expectations: str = "",
    needle_aversion: str = Consultation.NeedleAversion.NONE,
    budget: Decimal | None = None,
    notes: str = "",
    allergens: Iterable[Ingredient] = (),
    background: Mapping[str, Any] | None = None,
) -> Consultation:
    """Log a consultation. Each "yes" in ``screening`` (one answer per question of
    ``patients.screening.QUESTIONS``) becomes a contraindication on the patient, unless one
    of that kind is already open. ``allergens`` become structured allergies. ``background``
    (skin type, current medications, previous treatments, as reviewed at the visit) updates
    the patient's clinical background; the change history keeps what it said before."""
    # Lock the patient: two consultations saved at once must not both add the same
    # contraindication, and an archive in between must be seen.
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.archived_at is not None:
        raise ValidationError("The patient's record is archived: restore it first.")
    if consulted_on > _today():
        raise ValidationError({"consulted_on": "The consultation date is in the future."})
    if consulted_on < patient.date_of_birth:
        raise ValidationError(
            {"consulted_on": "The consultation date is before the patient's date of birth."}
        )
    missing = [question.text for question in QUESTIONS if question.key not in screening]
    if missing:
        raise ValidationError(f"Answer every screening question: {missing[0]}")
    errors: dict[str, str] = {}
    for key, answer in screening.items():
        question = QUESTIONS_BY_KEY.get(key)
        if question is None:
            raise ValidationError(f"Unknown screening question {key!r}.")
        if (
            answer.yes
            and question.always_absolute
            and (answer.severity != Contraindication.Severity.ABSOLUTE)
        ):
            errors[f"{key}_severity"] = "This contraindication is always absolute."
    concern_rows = list(dict.fromkeys(concerns))
    for indication, area in concern_rows:
        if indication not in Indication.values or area not in BodyArea.values:
            raise ValidationError("Unknown indication or body area.")
    if not concern_rows:
        errors["concerns"] = "Tick at least one concern and its area."
    if errors:
        raise ValidationError(errors)

    consultation = Consultation(
        patient=patient,
        practitioner=practitioner,
        consulted_on=consulted_on,
        goals=goals,
        expectations=expectations,
        expectations_realistic=expectations_realistic,
        pain_tolerance=pain_tolerance,
        needle_aversion=needle_aversion,
        budget=budget,
        notes=notes,
        screening={key: answer.yes for key, answer in screening.items()},
    )
    consultation.full_clean(exclude=["patient", "practitioner"])
    consultation.save()
    ConsultationConcern.objects.bulk_create(
        ConsultationConcern(consultation=consultation, indication=indication, area=area)
        for indication, area in concern_rows
    )

    already_open = set(
        Contraindication.objects.filter(patient=patient, resolved_at__isnull=True).values_list(
            "kind", flat=True
        )
    )
    for question in QUESTIONS:
        answer = screening[question.key]
        if answer.yes and question.key not in already_open:
            # Saved one by one (not bulk) so that simple-history records each creation.
            Contraindication.objects.create(
                patient=patient,
                consultation=consultation,
                kind=question.kind,
                severity=answer.severity,
                note=answer.note.strip(),
                recorded_by=practitioner,
            )
    for ingredient in allergens:
        allergy_record(patient=patient, by=practitioner, ingredient=ingredient)
    if _apply(patient, background or {}, CONSULTATION_BACKGROUND_FIELDS):
        patient.full_clean()
        patient._change_reason = f"Reviewed at the consultation of {consulted_on:%-d %B %Y}"
        patient.save()
    return consultation


@transaction.atomic
def consultation_correct(
    *, consultation: Consultation, changes: dict[str, Any], reason: str
) -> Consultation:
    """Correct what was said at a consultation (goals, expectations, pain tolerance, aversion
    to needles, budget, notes). The date, concerns and screening answers stay as recorded:
    a contraindication is resolved on its own, and a new visit is a new consultation. The
    change history keeps the old values, who corrected them and ``reason``."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the consultation is corrected."})
    unknown = set(changes) - set(Consultation.CORRECTABLE)
    if unknown:
        raise ValueError(f"Not correctable: {', '.join(sorted(unknown))}")
    item = Consultation.objects.select_for_update().get(pk=consultation.pk)
    changed = [name for name, value in changes.items() if getattr(item, name) != value]
    if not changed:
        raise ValidationError("Nothing was changed.")
    for name in changed:
        setattr(item, name, changes[name])
    item.full_clean(exclude=["patient", "practitioner"])
    item._change_reason = reason
    item.save(update_fields=changed)
    return item


@transaction.atomic
def contraindication_resolve(
    *, contraindication: Contraindication, by: User, reason: str
) -> Contraindication:
    """Close a contraindication (for example "pregnancy ended"). The reason and who resolved
    it are kept, and the change history keeps the open state before it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the contraindication no longer applies."})
    item = Contraindication.objects.select_for_update().get(pk=contraindication.pk)
    if item.resolved_at is not None:
        raise ValidationError("This contraindication is already resolved.")
    item.resolved_at = timezone.now()
    item.resolved_by = by
    item.resolution_reason = reason
    item.save()
    return item


@transaction.atomic
def allergy_record(
    *,
    patient: Patient,
    by: User,
    ingredient: Ingredient | None = None,
    substance: str = "",
    reaction: str = "",
) -> Allergy:
    """Record an allergy to a catalogue ingredient or, failing that, a named substance.
    An allergy already on record (and not removed) is returned as it is."""
    substance = substance.strip()
    if ingredient is None and not substance:
        raise ValidationError({"substance": "Pick an ingredient or name the substance."})
    found = patient_allergy_on_record(patient=patient, ingredient=ingredient, substance=substance)
    if found is not None:
        return found
    return Allergy.objects.create(
        patient=patient,
        ingredient=ingredient,
        substance="" if ingredient is not None else substance,
        reaction=reaction.strip(),
        recorded_by=by,
    )


@transaction.atomic
def allergy_remove(*, allergy: Allergy, reason: str) -> Allergy:
    """Mark an allergy entered in error (or disproved) as removed, with the reason."""
    return _mark_removed(allergy, reason=reason, what="allergy")


def _mark_removed(record: _Removable, *, reason: str, what: str) -> _Removable:
    """Set a record's removed_at and removed_reason (it is never deleted; the change history
    keeps who did it). Refused without a reason, and when it was already removed."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": f"Say why the {what} is removed."})
    item = type(record).objects.select_for_update().get(pk=record.pk)
    if item.removed_at is not None:
        raise ValidationError(f"This {what} was already removed.")
    item.removed_at = timezone.now()
    item.removed_reason = reason
    item.save()
    return item


@transaction.atomic
def consent_text_publish(
    *, kind: str, title: str, body: str, by: User | None, indication: str = ""
) -> ConsentText:
    """Publish a new version of a consent text; the previous version becomes superseded and
    signatures of it stop counting as valid consent."""
    if kind == ConsentText.Kind.PHOTO and indication:
        raise ValidationError({"indication": "The photo consent covers every indication."})
    if not body.strip():
        raise ValidationError({"body": "The consent text is empty."})
    # Lock the document's versions so two publications cannot take the same number.
    versions = ConsentText.objects.select_for_update().filter(kind=kind, indication=indication)
    latest = versions.aggregate(latest=Max("version"))["latest"] or 0
    now = timezone.now()
    versions.filter(superseded_at__isnull=True).update(superseded_at=now)
    text = ConsentText(
        kind=kind,
        indication=indication,
        version=latest + 1,
        title=title.strip(),
        body=body.strip(),
        published_at=now,
        published_by=by,
    )
    text.full_clean()
    text.save()
    return text


def _full_name_forms(patient: Patient) -> set[str]:
    """The ways a patient may type their full name: given then family name, or family then
    given name (the native order of Chinese, Japanese, Korean or Hungarian names), with or
    without a space between them ("陳美玲" for 美玲 陳). Nothing else: not one name alone,
    not a name that is not on the record."""
    given, family = normalise(patient.first_name), normalise(patient.last_name)
    return {
        f"{first}{space}{second}"
        for first, second in ((given, family), (family, given))
        for space in (" ", "")
    }


@transaction.atomic
def consent_sign(
    *,
    patient: Patient,
    text: ConsentText,
    signed_name: str,
    witnessed_by: User,
    signer: str = Consent.Signer.PATIENT,
    signature_png: bytes | None = None,
) -> Consent:
    """Record a signature on ``text`` (which must be the current version), with the typed full
    name, the optional drawn signature and the staff member who witnessed it. The patient signs
    with their own name; for a patient under ADULT_AGE a parent or legal guardian signs, with
    theirs (an adult under legal protection may have a guardian sign too)."""
    text = ConsentText.objects.get(pk=text.pk)
    if not text.is_current:
        raise ValidationError({"text": "This version was replaced: sign the current one."})
    _check_signer(patient, signer=signer, signed_name=signed_name)
    # A signature the patient made as a minor stays on record, not in force: the text is
    # signed again beside it.
    if patient_signatures_in_force(patient=patient, text=text):
        raise ValidationError({"text": "The patient has already signed this version."})
    return Consent.objects.create(
        patient=patient,
        text=text,
        signed_name=signed_name.strip(),
        signer=signer,
        signature_png=clean_signature(signature_png) if signature_png else None,
        signed_at=timezone.now(),
        witnessed_by=witnessed_by,
    )


def _check_signer(patient: Patient, *, signer: str, signed_name: str) -> None:
    own_name = normalise(signed_name) in _full_name_forms(patient)
    if signer == Consent.Signer.GUARDIAN:
        if own_name:
            raise ValidationError(
                {"signed_name": "This is the patient's name: type the parent's or guardian's."}
            )
        return
    age = patient.minor_age_on(_today())
    if age is not None:
        raise ValidationError(
            {
                "signer": f"{patient.first_name.strip()} is {age}: a parent or legal guardian "
                f"signs for a patient under {ADULT_AGE}."
            }
        )
    if not own_name:
        given, family = patient.first_name.strip(), patient.last_name.strip()
        raise ValidationError(
            {
                "signed_name": "Type the patient's full name as on the record, in either "
                f"order: “{given} {family}” or “{family} {given}”."
            }
        )


@transaction.atomic
def consent_withdraw(*, consent: Consent, by: User, reason: str = "") -> Consent:
    item = Consent.objects.select_for_update().get(pk=consent.pk)
    if item.withdrawn_at is not None:
        raise ValidationError("This consent was already withdrawn.")
    item.withdrawn_at = timezone.now()
    item.withdrawn_by = by
    item.withdrawal_reason = reason.strip()
    item.save()
    return item


@transaction.atomic
def photo_remove(*, photo: Photo, reason: str) -> Photo:
    """Take a photo out of the patient's gallery and comparisons (uploaded to the wrong
    record, unusable, or the patient asked), with the reason. The row and its files are kept,
    and the change history says who removed it and when."""
    return _mark_removed(photo, reason=reason, what="photo")


@transaction.atomic
def photo_upload(
    *,
    patient: Patient,
    by: User,
    upload: UploadedFile,
    kind: str,
    area: str,
    angle: str,
    taken_on: datetime.date,
    notes: str = "",
) -> Photo:
    """Store a clinical photo with its EXIF metadata removed (see patients/imaging.py)."""
    if taken_on > _today():
        raise ValidationError({"taken_on": "The photo date is in the future."})
    if taken_on < patient.date_of_birth:
        raise ValidationError({"taken_on": "The photo date is before the patient's birth."})
    cleaned = clean_photo(upload)
    photo = Photo(
        patient=patient,
        kind=kind,
        area=area,
        angle=angle,
        taken_on=taken_on,
        notes=notes.strip(),
        uploaded_by=by,
        width=cleaned.width,
        height=cleaned.height,
    )
    photo.full_clean(exclude=["image", "thumbnail", "uploaded_by"])
    photo.image.save("photo.jpg", ContentFile(cleaned.content), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(cleaned.thumbnail), save=False)
    try:
        photo.save()
    except Exception:
        # The row was not written: do not leave its files behind.
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)
        raise
    return photo
