"""Reads about patients, shared by pages and by the apps built on top of patients.

Integration points for other apps (they call these; patients never imports them):

- ``patient_get_for_user(user=, pk=)``: the one way to look a patient up for a request.
- ``patient_treatment_blockers(patient=, indication=)``: why a treatment may not start now
  (``patient_general_blockers`` works it out from what the patient page already read).
- ``patients_with_treatment_on_hold(patient_ids=)``: which of many patients that rule holds
  back from treatment (a diary marks their treatment visits), without saying why.
- ``patient_has_valid_consent(patient=, indication=)``: the consent check before a session.
- ``patient_active_allergen_ids(patient=)``: catalogue ingredients the patient is allergic to.
- ``patient_clinical_alerts(patient=)``: what ``templates/patients/_clinical_alerts.html``
  shows at the top of every clinical page of a patient.
- ``patient_picker_search(user=, query=)`` and ``patient_picker_get(user=, pk=)``: what
  ``templates/patients/_patient_picker.html`` (the search-as-you-type picker) lists and shows.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from clinic.roles import Capability, can
from patients.models import (
    CLINICAL_FIELDS,
    Allergy,
    Consent,
    ConsentText,
    Consultation,
    Contraindication,
    Patient,
    Photo,
)
from patients.search import normalise, parse_query

if TYPE_CHECKING:
    from clinic.roles import User
    from cocktails.models import Ingredient


class ArchiveFilter:
    ACTIVE = "active"
    ARCHIVED = "archived"
    ALL = "all"
    CHOICES = ((ACTIVE, "Active"), (ARCHIVED, "Archived"), (ALL, "All"))


# Open absolute contraindications: the condition that blocks treatment, used in several reads.
_OPEN_ABSOLUTE = Q(resolved_at__isnull=True, severity=Contraindication.Severity.ABSOLUTE)


def _require(user: User, capability: Capability) -> None:
    if not can(user, capability):
        raise PermissionDenied


def patient_get_for_user(*, user: User, pk: int) -> Patient:
    """The patient ``pk`` as ``user`` may see them: 403 without a patient role, 404 if unknown.

    For a user who may not see clinical data the clinical columns are not even loaded, so a
    template slip cannot show them without an extra, visible query.
    """
    _require(user, Capability.VIEW_PATIENTS)
    queryset = Patient.objects.all()
    if not can(user, Capability.VIEW_CLINICAL):
        queryset = queryset.defer(*CLINICAL_FIELDS)
    try:
        return queryset.get(pk=pk)
    except Patient.DoesNotExist:
        raise Http404("No such patient.") from None


def _clinical_get(model: type[Any], *, user: User, pk: int, **filters: Any) -> Any:
    _require(user, Capability.VIEW_CLINICAL)
    try:
        return model.objects.select_related("patient").get(pk=pk, **filters)
    except model.DoesNotExist:
        raise Http404(f"No such {model._meta.verbose_name}.") from None


def consultation_get_for_user(*, user: User, pk: int, patient_pk: int) -> Consultation:
    return _clinical_get(Consultation, user=user, pk=pk, patient_id=patient_pk)


def contraindication_get_for_user(*, user: User, pk: int, patient_pk: int) -> Contraindication:
    return _clinical_get(Contraindication, user=user, pk=pk, patient_id=patient_pk)


def allergy_get_for_user(*, user: User, pk: int, patient_pk: int) -> Allergy:
    return _clinical_get(Allergy, user=user, pk=pk, patient_id=patient_pk)


def consent_get_for_user(*, user: User, pk: int, patient_pk: int) -> Consent:
    return _clinical_get(Consent, user=user, pk=pk, patient_id=patient_pk)


def photo_get_for_user(
    *, user: User, pk: int, patient_pk: int, include_removed: bool = False
) -> Photo:
    """The photo ``pk`` of the patient: 404 once removed (it may be another patient's image,
    uploaded to the wrong record), unless ``include_removed`` (the removal page, which only
    says it was done)."""
    filters: dict[str, Any] = {"patient_id": patient_pk}
    if not include_removed:
        filters["removed_at__isnull"] = True
    return _clinical_get(Photo, user=user, pk=pk, **filters)


def patient_search(
    *, user: User, query: str = "", archived: str = ArchiveFilter.ACTIVE
) -> QuerySet[Patient]:
    """Patients matching ``query``: a date of birth (31/12/1980 or 1980-12-31), a phone number
    in any usual form, or words found in the names or the email, accents and case ignored.

    On PostgreSQL a name with a typo still matches (trigram word similarity, "dupond" finds
    "Dupont"): patients holding every word come first, then the near misses, closest first.
    Both conditions use the trigram GIN index.
    For clinical users each row carries ``is_blocked`` (an open absolute contraindication).
    """
    _require(user, Capability.VIEW_PATIENTS)
    queryset = Patient.objects.all()
    if archived == ArchiveFilter.ACTIVE:
        queryset = queryset.filter(archived_at__isnull=True)
    elif archived == ArchiveFilter.ARCHIVED:
        queryset = queryset.filter(archived_at__isnull=False)

    parsed = parse_query(query)
    ordering = ["last_name", "first_name", "pk"]
    if parsed.date_of_birth:
        queryset = queryset.filter(date_of_birth=parsed.date_of_birth)
    elif parsed.digits:
        queryset = queryset.filter(search_key__contains=parsed.digits)
    elif parsed.terms:
        every_term = Q()
        for term in parsed.terms:
            every_term &= Q(search_key__contains=term)
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import TrigramWordSimilarity

            # The words, not the raw text: "Dubois, Hélène" is compared as "dubois helene".
            text = " ".join(parsed.terms)
            whole_words = Q()
            for term in parsed.terms:
                whole_words &= Q(search_key__regex=rf"\m{re.escape(term)}\M")
            queryset = queryset.filter(
                every_term | Q(search_key__trigram_word_similar=text)
            ).annotate(
                # Patients holding every word come first, those holding them as whole words
                # ("Martin" before "Martinez") first of all; near misses after, closest first.
                # Similarity is computed for the near misses only: it is the costly part, and
                # a common name holds a thousand patients at 50,000.
                exact=Case(When(every_term, then=Value(1)), default=Value(0)),
                whole=Case(When(every_term & whole_words, then=Value(1)), default=Value(0)),
                rank=Case(
                    When(every_term, then=Value(1.0)),
                    default=TrigramWordSimilarity(text, "search_key"),
                ),
            )
            ordering = ["-exact", "-whole", "-rank", *ordering]
        else:
            queryset = queryset.filter(every_term)

    if can(user, Capability.VIEW_CLINICAL):
        queryset = queryset.annotate(
            is_blocked=Exists(
                Contraindication.objects.filter(_OPEN_ABSOLUTE, patient=OuterRef("pk"))
            )
        )
    else:
        queryset = queryset.defer(*CLINICAL_FIELDS)
    return queryset.order_by(*ordering)


# What the patient picker shows of a patient: enough to tell two namesakes apart (the date of
# birth, the phone), nothing clinical.
PICKER_FIELDS = ("first_name", "last_name", "date_of_birth", "phone")


def patient_picker_search(*, user: User, query: str, limit: int = 8) -> list[Patient]:
    """Active patients for a search-as-you-type picker, found by ``patient_search`` (names
    with typos, phone in any form, email, date of birth), at most ``limit`` of them, with the
    picker's columns only. Nothing for fewer than two characters."""
    if len(query.strip()) < 2:
        _require(user, Capability.VIEW_PATIENTS)
        return []
    return list(patient_search(user=user, query=query).only(*PICKER_FIELDS)[:limit])


def patient_picker_get(*, user: User, pk: int) -> Patient | None:
    """The active patient ``pk`` as the picker shows them once chosen; None if unknown or
    archived."""
    _require(user, Capability.VIEW_PATIENTS)
    return Patient.objects.filter(pk=pk, archived_at__isnull=True).only(*PICKER_FIELDS).first()


def patient_duplicates(
    *, first_name: str, last_name: str, date_of_birth: datetime.date, exclude_pk: int | None = None
) -> list[Patient]:
    """Patients born the same day whose names match once accents and case are ignored."""
    candidates = Patient.objects.filter(date_of_birth=date_of_birth).exclude(pk=exclude_pk)
    wanted = (normalise(first_name), normalise(last_name))
    return [
        patient
        for patient in candidates.only("first_name", "last_name", "date_of_birth", "archived_at")
        if (normalise(patient.first_name), normalise(patient.last_name)) == wanted
    ]


@dataclass(frozen=True)
class ClinicalAlerts:
    """What must be seen before treating: open contraindications and active allergies."""

    contraindications: list[Contraindication]
    allergies: list[Allergy]
    allergy_notes: str = ""

    @property
    def absolute(self) -> list[Contraindication]:
        return [item for item in self.contraindications if item.is_absolute]

    @property
    def relative(self) -> list[Contraindication]:
        return [item for item in self.contraindications if not item.is_absolute]

    @property
    def blocked(self) -> bool:
        return bool(self.absolute)

    @property
    def any(self) -> bool:
        return bool(self.contraindications or self.allergies or self.allergy_notes)


def patient_open_contraindications(*, patient: Patient) -> QuerySet[Contraindication]:
    return (
        Contraindication.objects.filter(patient=patient, resolved_at__isnull=True)
        .select_related("consultation", "recorded_by")
        .order_by("severity", "-recorded_at", "-pk")
    )


def patient_active_allergies(*, patient: Patient) -> QuerySet[Allergy]:
    return Allergy.objects.filter(patient=patient, removed_at__isnull=True).select_related(
        "ingredient"
    )


def patient_clinical_alerts(*, patient: Patient) -> ClinicalAlerts:
    """The context of ``patients/_clinical_alerts.html``: two queries.

    Every clinical page of a patient (this app's, and later the treatment sessions') renders
    ``{% include "patients/_clinical_alerts.html" with alerts=alerts %}`` near its top.
    """
    return ClinicalAlerts(
        contraindications=list(patient_open_contraindications(patient=patient)),
        allergies=list(patient_active_allergies(patient=patient)),
        allergy_notes=patient.allergy_notes,
    )


def patient_allergy_on_record(
    *, patient: Patient, ingredient: Ingredient | None, substance: str
) -> Allergy | None:
    """The patient's active allergy to `ingredient` or, without one, to `substance` (named in
    any case), if it is already on record (one query)."""
    existing = Allergy.objects.filter(patient=patient, removed_at__isnull=True)
    if ingredient is not None:
        return existing.filter(ingredient=ingredient).select_related("ingredient").first()
    return existing.filter(ingredient__isnull=True, substance__iexact=substance.strip()).first()


def patient_active_allergen_ids(*, patient: Patient) -> set[int]:
    """Primary keys of the catalogue ingredients the patient is allergic to (one query).

    A cocktail containing any of them must be refused for this patient. Allergies recorded
    only as free text (no catalogue ingredient) are not in this set: they are shown in the
    clinical alerts for the practitioner to judge.
    """
    return set(
        Allergy.objects.filter(
            patient=patient, removed_at__isnull=True, ingredient__isnull=False
        ).values_list("ingredient_id", flat=True)
    )


def _consent_scopes(indication: str | None) -> list[str]:
    """The scopes of treatment consent text that apply to ``indication``: the general text
    ("") and, with an indication, that indication's own text."""
    return [""] if not indication else ["", str(indication)]


def _required_for(text: ConsentText, indication: str | None) -> bool:
    """``consent_texts_required``'s rule for a text already read (current texts only)."""
    return text.kind == ConsentText.Kind.TREATMENT and text.indication in _consent_scopes(
        indication
    )


def consent_texts_required(*, indication: str | None) -> list[ConsentText]:
    """The current treatment consent texts a patient must have signed for ``indication``:
    the general text and, where the clinic has published one, the text for that indication."""
    return list(
        ConsentText.objects.filter(
            kind=ConsentText.Kind.TREATMENT,
            indication__in=_consent_scopes(indication),
            superseded_at__isnull=True,
        )
    )


@dataclass
class ConsentStatus:
    """A consent document (current version) and the patient's signature of it in force, if
    any; without one, ``minor_signature`` is the patient's own signature made while under
    ADULT_AGE, if any: kept on record, not in force (``Consent.signed_as_minor_age``)."""

    text: ConsentText
    signature: Consent | None = None
    minor_signature: Consent | None = None

    @property
    def problem(self) -> str:
        """Why the text has no signature in force, for people; "" when it has one."""
        if self.signature is not None:
            return ""
        named = f"“{self.text.title}” (version {self.text.version})"
        if self.minor_signature is not None:
            return f"{named} is not in force. {self.minor_signature.signed_as_minor_note}"
        return f"The patient has not signed {named}."


def _consent_statuses(
    texts: Iterable[ConsentText], signatures: Iterable[Consent]
) -> list[ConsentStatus]:
    """Each of ``texts`` with the newest of the patient's ``signatures`` (newest first) in
    force for it: not withdrawn, and not the patient's own while a minor."""
    statuses = {text.pk: ConsentStatus(text=text) for text in texts}
    for consent in signatures:
        status = statuses.get(consent.text_id)
        if status is None or status.signature is not None or consent.withdrawn_at is not None:
            continue
        if consent.signed_as_minor_age is None:
            status.signature, status.minor_signature = consent, None
        elif status.minor_signature is None:
            status.minor_signature = consent
    return list(statuses.values())


def _signatures(*, patient: Patient, **filters: Any) -> QuerySet[Consent]:
    """The patient's signatures not withdrawn, newest first, each knowing its patient (whose
    date of birth says whether it was signed by a minor) without a query of its own."""
    return patient.consents.filter(withdrawn_at__isnull=True, **filters).defer("signature_png")


def patient_signatures_in_force(*, patient: Patient, **filters: Any) -> list[Consent]:
    """The patient's signatures among those ``filters`` select that are in force: not
    withdrawn, and not their own made while under ADULT_AGE. One query."""
    return [
        consent
        for consent in _signatures(patient=patient, **filters)
        if consent.signed_as_minor_age is None
    ]


def _required_statuses(*, patient: Patient, texts: list[ConsentText]) -> list[ConsentStatus]:
    return _consent_statuses(texts, _signatures(patient=patient, text__in=texts))


def patient_missing_consents(*, patient: Patient, indication: str | None) -> list[ConsentStatus]:
    """Required consent texts the patient has no signature in force for, each with the
    signature the patient made as a minor, if that is why (two queries)."""
    required = consent_texts_required(indication=indication)
    statuses = _required_statuses(patient=patient, texts=required)
    return [status for status in statuses if status.signature is None]


def patient_has_valid_consent(*, patient: Patient, indication: str | None) -> bool:
    """True when the patient has signed, and not withdrawn, the *current* version of every
    treatment consent text that applies to ``indication`` (an ``Indication`` value; None means
    the general consent only), a parent or legal guardian having signed for a minor. False
    when the clinic has published no treatment consent.

    Treatment sessions (issue 5) refuse to start when this is False. Two queries.
    """
    required = consent_texts_required(indication=indication)
    if not required:
        return False
    statuses = _required_statuses(patient=patient, texts=required)
    return all(status.signature is not None for status in statuses)


def treatment_consent_signed_at(
    *, patient: Patient, indication: str | None
) -> datetime.datetime | None:
    """When the patient signed the last of the treatment consent texts in force for
    ``indication`` (signatures in force): no injection for it can come before. None when
    none is signed. Two queries."""
    required = consent_texts_required(indication=indication)
    statuses = _required_statuses(patient=patient, texts=required)
    return max((s.signature.signed_at for s in statuses if s.signature), default=None)


def patient_has_photo_consent(*, patient: Patient) -> bool:
    """True when the patient signed the current photo consent and it is in force."""
    return bool(
        patient_signatures_in_force(
            patient=patient,
            text__kind=ConsentText.Kind.PHOTO,
            text__superseded_at__isnull=True,
        )
    )


@dataclass(frozen=True)
class TreatmentBlocker:
    """One reason a treatment may not start now. ``code`` is "archived", "contraindication"
    or "consent"; ``message`` is for people."""

    code: str
    message: str
    contraindication: Contraindication | None = None
    consent_text: ConsentText | None = None


def patient_treatment_blockers(
    *, patient: Patient, indication: str | None = None
) -> list[TreatmentBlocker]:
    """Everything that forbids treating ``patient`` (for ``indication``) now; empty when clear.

    - an archived patient is not treated;
    - every open absolute contraindication blocks until a practitioner resolves it;
    - a missing valid consent blocks (see ``patient_has_valid_consent``).

    Relative contraindications and allergies do not block here: they are shown in the
    clinical alerts, and allergies are checked per cocktail with
    ``patient_active_allergen_ids``. Three queries, whatever the patient's record holds.
    """
    required = consent_texts_required(indication=indication)
    return _blockers(
        patient=patient,
        absolute=Contraindication.objects.filter(_OPEN_ABSOLUTE, patient=patient).order_by("pk"),
        required=_required_statuses(patient=patient, texts=required) if required else [],
    )


def patients_with_treatment_on_hold(*, patient_ids: Iterable[int]) -> set[int]:
    """Of ``patient_ids``, those an open absolute contraindication keeps from treatment (the
    contraindication part of ``patient_treatment_blockers``): one query for a whole diary,
    none for no patients.

    Only who, never why: the front desk reads the result, and may not see clinical data.
    """
    ids = set(patient_ids)
    if not ids:
        return set()
    return set(
        Contraindication.objects.filter(_OPEN_ABSOLUTE, patient_id__in=ids)
        .order_by()  # the model's ordering would widen the DISTINCT to its columns
        .values_list("patient_id", flat=True)
        .distinct()
    )


def patient_general_blockers(
    *, patient: Patient, alerts: ClinicalAlerts, consents: list[ConsentStatus]
) -> list[TreatmentBlocker]:
    """``patient_treatment_blockers(patient=patient)`` worked out from what the patient page
    has already read (its clinical alerts and consent overview): no query."""
    return _blockers(
        patient=patient,
        absolute=sorted(alerts.absolute, key=lambda item: item.pk),
        required=[status for status in consents if _required_for(status.text, None)],
    )


def _blockers(
    *,
    patient: Patient,
    absolute: Iterable[Contraindication],
    required: list[ConsentStatus],
) -> list[TreatmentBlocker]:
    """The rules, from the open absolute contraindications and the consent texts required,
    each with the patient's signature in force, if any."""
    blockers: list[TreatmentBlocker] = []
    if patient.archived_at is not None:
        blockers.append(TreatmentBlocker("archived", "The patient's record is archived."))
    for item in absolute:
        blockers.append(
            TreatmentBlocker(
                "contraindication",
                f"Absolute contraindication: {item.get_kind_display()}.",
                contraindication=item,
            )
        )
    if not required:
        blockers.append(
            TreatmentBlocker("consent", "No treatment consent text is published for the clinic.")
        )
    blockers.extend(
        TreatmentBlocker("consent", status.problem, consent_text=status.text)
        for status in required
        if status.signature is None
    )
    return blockers


def patient_consents(*, patient: Patient) -> list[Consent]:
    return list(patient.consents.select_related("text", "witnessed_by").defer("signature_png"))


def patient_consent_overview(*, patient: Patient) -> list[ConsentStatus]:
    """Every current consent text, with the patient's signature in force, or the one they
    made as a minor that is not (two queries)."""
    texts = ConsentText.objects.filter(superseded_at__isnull=True).order_by("kind", "indication")
    return _consent_statuses(texts, patient_consents(patient=patient))


def patient_photos(*, patient: Patient) -> QuerySet[Photo]:
    return Photo.objects.filter(patient=patient, removed_at__isnull=True).select_related(
        "uploaded_by"
    )


def consultation_with_details(*, consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_related("patient", "practitioner")
        .prefetch_related(
            "concerns",
            Prefetch(
                "contraindications",
                queryset=Contraindication.objects.select_related("resolved_by"),
            ),
        )
        .get(pk=consultation.pk)
    )


def patient_consultations(*, patient: Patient, limit: int | None = None) -> QuerySet:
    queryset = (
        Consultation.objects.filter(patient=patient)
        .select_related("practitioner")
        .prefetch_related("concerns", "contraindications")
    )
    return queryset[:limit] if limit else queryset
