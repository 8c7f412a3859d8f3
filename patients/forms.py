"""Forms for patient pages. They parse and check input; the services do the writes."""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from clinic.lib.params import id_param
from cocktails.choices import AREA_REGION, INDICATION_DEFAULTS, BodyArea, Indication
from cocktails.models import Ingredient
from patients.models import (
    CLINICAL_FIELDS,
    CONSULTATION_BACKGROUND_FIELDS,
    CONTACT_FIELDS,
    IDENTITY_FIELDS,
    Consent,
    ConsentText,
    Consultation,
    Contraindication,
    Patient,
    Photo,
)
from patients.screening import QUESTIONS, Question
from patients.selectors import (
    PICKER_FIELDS,
    ArchiveFilter,
    patient_allergy_on_record,
    patient_duplicates,
)
from patients.services import ScreeningAnswer


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _not_in_future(value: datetime.date | None, what: str) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(f"The {what} is in the future.")


class PatientField(forms.ModelChoiceField):
    """The patient chosen with the search picker (``patients/_patient_picker.html``), posted
    from its hidden input. Archived patients stay choosable here so a service can say why they
    cannot be booked."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"required": "Choose a patient."})
        super().__init__(queryset=Patient.objects.all(), **kwargs)


def picked_patient(form: forms.Form) -> Patient | None:
    """The patient a form's picker holds, so the picker shows them when the form comes back."""
    pk = id_param(form["patient"].value())
    if pk is None:
        return None
    return Patient.objects.filter(pk=pk).only(*PICKER_FIELDS).first()


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Name, email, phone or date of birth (31/12/1980)",
                "autocomplete": "off",
                "autofocus": True,
            }
        ),
    )
    archived = forms.ChoiceField(
        choices=ArchiveFilter.CHOICES, required=False, initial=ArchiveFilter.ACTIVE
    )

    def cleaned(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", ArchiveFilter.ACTIVE
        return self.cleaned_data["q"], self.cleaned_data["archived"] or ArchiveFilter.ACTIVE


class PatientContactForm(forms.ModelForm):
    """Identity and contact: all a receptionist may see or change."""

    reminder_consent = forms.BooleanField(
        required=False,
        label="Agrees to reminder emails",
        help_text="Only appointment times and practical advice; never clinical details.",
    )
    allow_duplicate = forms.BooleanField(
        required=False,
        label="This is a different person with the same name and date of birth",
    )

    class Meta:
        model = Patient
        fields = (*IDENTITY_FIELDS, *CONTACT_FIELDS)
        widgets = {
            "date_of_birth": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"placeholder": "06 12 34 56 78", "type": "tel"}),
            "emergency_contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicates: list[Patient] = []
        if self.instance.pk:
            self.fields["reminder_consent"].initial = self.instance.accepts_reminders
        # The override only appears once a duplicate has been found.
        self.fields["allow_duplicate"].widget = forms.HiddenInput()

    def clean_date_of_birth(self) -> datetime.date:
        value = self.cleaned_data["date_of_birth"]
        _not_in_future(value, "date of birth")
        if value.year < 1900:
            raise ValidationError("Check the year: this date is before 1900.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last, born = data.get("first_name"), data.get("last_name"), data.get("date_of_birth")
        if first and last and born and not data.get("allow_duplicate"):
            self.duplicates = patient_duplicates(
                first_name=first, last_name=last, date_of_birth=born, exclude_pk=self.instance.pk
            )
            if self.duplicates:
                self.fields["allow_duplicate"].widget = forms.CheckboxInput()
                self.add_error(
                    "last_name", "A patient with this name and date of birth already exists."
                )
        if data.get("reminder_consent") and not data.get("email"):
            self.add_error("reminder_consent", "Reminder emails need an email address.")
        return data

    def contact_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CONTACT_FIELDS}


_CLINICAL_WIDGETS = {
    "current_medications": forms.Textarea(attrs={"rows": 3}),
    "previous_treatments": forms.Textarea(attrs={"rows": 3}),
    "allergy_notes": forms.Textarea(attrs={"rows": 2}),
}


def _name_the_blank_skin_type(fields: Mapping[str, forms.Field]) -> None:
    skin_type = fields["fitzpatrick_type"]
    skin_type.choices = [("", "Not recorded"), *list(skin_type.choices)[1:]]


class PatientClinicalForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = CLINICAL_FIELDS
        widgets = _CLINICAL_WIDGETS
        help_texts = {
            "allergy_notes": "Free text. Allergies to catalogue ingredients are recorded one by "
            "one on the patient page so cocktails can be checked against them.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_the_blank_skin_type(self.fields)


def _areas_for(indication: str) -> list[tuple[str, str]]:
    regions = INDICATION_DEFAULTS[indication].regions
    return [(area.value, area.label) for area in BodyArea if AREA_REGION[area] in regions]


YES_NO = (("no", "No"), ("yes", "Yes"))


class ScreeningRow:
    """One question of the form, with its three bound fields, for the template."""

    def __init__(self, form: ConsultationForm, question: Question) -> None:
        self.question = question
        self.answer = form[question.key]
        self.severity = form[f"{question.key}_severity"]
        self.note = form[f"{question.key}_note"]


class ConcernGroup:
    def __init__(self, form: ConsultationForm, indication: Indication) -> None:
        self.indication = indication
        self.field = form[f"concern_{indication.value}"]


class ConsultationTalkForm(forms.Form):
    """What the patient and practitioner said at a consultation: goals, expectations, pain
    tolerance, aversion to needles, budget, notes. Part of the consultation form, and what
    can be corrected later (ConsultationEditForm)."""

    goals = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Goals")
    expectations = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Expectations"
    )
    expectations_realistic = forms.ChoiceField(
        choices=Consultation.Realistic.choices,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        label="Are the expectations realistic?",
    )
    pain_tolerance = forms.TypedChoiceField(
        choices=[(score, str(score)) for score in range(11)],
        coerce=int,
        label="Pain tolerance (0 = cannot bear any, 10 = very tolerant)",
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    needle_aversion = forms.ChoiceField(
        choices=Consultation.NeedleAversion.choices,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        initial=Consultation.NeedleAversion.NONE,
        label="Aversion to needles",
    )
    budget = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=0,
        label="Budget (€)",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "10"}),
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConsultationEditForm(ConsultationTalkForm):
    """A correction of what was said, with the reason kept in the change history."""

    reason = forms.CharField(
        max_length=100,
        label="Reason for the correction",
        widget=forms.TextInput(attrs={"placeholder": "For example: typing error in the goals"}),
    )


class ConsultationForm(ConsultationTalkForm):
    """The consultation: concerns per indication, expectations, and the screening questions.

    Concerns: one group of area checkboxes per indication (only the areas the indication is
    done on); ticking an area makes the indication a concern there.
    """

    consulted_on = forms.DateField(label="Date", widget=DateInput())
    allergens = forms.ModelMultipleChoiceField(
        queryset=Ingredient.objects.filter(is_active=True).order_by("name"),
        required=False,
        label="Ingredients the patient is allergic to",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.fields["consulted_on"].initial = timezone.localdate()
        # The background on record, to be confirmed or brought up to date at the visit.
        background = forms.fields_for_model(
            Patient, fields=CONSULTATION_BACKGROUND_FIELDS, widgets=_CLINICAL_WIDGETS
        )
        _name_the_blank_skin_type(background)
        for name, field in background.items():
            field.initial = getattr(patient, name)
            self.fields[name] = field
        for indication in Indication:
            self.fields[f"concern_{indication.value}"] = forms.MultipleChoiceField(
                choices=_areas_for(indication),
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
                label=indication.label,
            )
        for question in QUESTIONS:
            key = question.key
            self.fields[key] = forms.ChoiceField(
                choices=YES_NO,
                widget=forms.RadioSelect(attrs={"class": "btn-check", "data-screening": key}),
                label=question.text,
                error_messages={"required": "Answer yes or no."},
            )
            severity_choices = Contraindication.Severity.choices
            if question.always_absolute:
                severity_choices = [(Contraindication.Severity.ABSOLUTE, "Absolute")]
            self.fields[f"{key}_severity"] = forms.ChoiceField(
                choices=severity_choices,
                initial=question.default_severity,
                required=False,
                label="Severity",
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"{key}_note"] = forms.CharField(
                required=False,
                max_length=500,
                label="Note",
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm", "placeholder": "Details"}
                ),
            )

    def screening_rows(self) -> list[ScreeningRow]:
        return [ScreeningRow(self, question) for question in QUESTIONS]

    def concern_groups(self) -> list[ConcernGroup]:
        return [ConcernGroup(self, indication) for indication in Indication]

    def clean_consulted_on(self) -> datetime.date:
        value = self.cleaned_data["consulted_on"]
        _not_in_future(value, "consultation date")
        if value < self.patient.date_of_birth:
            raise ValidationError("The consultation date is before the patient's date of birth.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.concerns():
            self.add_error(None, "Tick at least one concern: an indication and its area.")
        for question in QUESTIONS:
            if data.get(question.key) != "yes":
                continue
            severity = data.get(f"{question.key}_severity")
            if question.always_absolute and severity != Contraindication.Severity.ABSOLUTE:
                self.add_error(f"{question.key}_severity", "This one is always absolute.")
        allergy = Contraindication.Kind.INGREDIENT_ALLERGY
        if (
            data.get(allergy) == "yes"
            and not data.get("allergens")
            and not data.get(f"{allergy}_note", "").strip()
        ):
            self.add_error(
                f"{allergy}_note", "Pick the ingredients below or describe the allergy here."
            )
        return data

    def concerns(self) -> list[tuple[str, str]]:
        return [
            (indication.value, area)
            for indication in Indication
            for area in self.cleaned_data.get(f"concern_{indication.value}", [])
        ]

    def screening(self) -> dict[str, ScreeningAnswer]:
        data = self.cleaned_data
        return {
            question.key: ScreeningAnswer(
                yes=data[question.key] == "yes",
                severity=data.get(f"{question.key}_severity") or question.default_severity,
                note=data.get(f"{question.key}_note", ""),
            )
            for question in QUESTIONS
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "consulted_on": data["consulted_on"],
            "goals": data["goals"],
            "expectations": data["expectations"],
            "expectations_realistic": data["expectations_realistic"],
            "pain_tolerance": data["pain_tolerance"],
            "needle_aversion": data["needle_aversion"],
            "budget": data["budget"],
            "notes": data["notes"],
            "concerns": self.concerns(),
            "screening": self.screening(),
            "background": {name: data[name] for name in CONSULTATION_BACKGROUND_FIELDS},
            "allergens": list(data["allergens"]),
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Reason",
        widget=forms.TextInput(attrs={"placeholder": "For example: pregnancy ended in May"}),
    )


class AllergyForm(forms.Form):
    ingredient = forms.ModelChoiceField(
        queryset=Ingredient.objects.filter(is_active=True).order_by("name"),
        required=False,
        label="Catalogue ingredient",
        empty_label="Not in the catalogue",
    )
    substance = forms.CharField(
        max_length=200,
        required=False,
        label="Or the substance, in words",
        help_text="Latex, chlorhexidine, a drug… anything not in the ingredient catalogue.",
    )
    reaction = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        ingredient, substance = data.get("ingredient"), data.get("substance", "").strip()
        if not ingredient and not substance:
            self.add_error("substance", "Pick an ingredient or name the substance.")
        elif found := patient_allergy_on_record(
            patient=self.patient, ingredient=ingredient, substance=substance
        ):
            # The service would return the allergy on record and change nothing: say so here
            # rather than report a recording that did not happen.
            self.add_error(
                "ingredient" if ingredient else "substance",
                f"An allergy to {found} is already recorded "
                f"(since {date_format(timezone.localtime(found.recorded_at), 'j M Y')}).",
            )
        return data


class ConsentSignForm(forms.Form):
    text = forms.ModelChoiceField(
        queryset=ConsentText.objects.filter(superseded_at__isnull=True),
        label="Consent text",
        empty_label=None,
        widget=forms.RadioSelect,
    )
    has_read = forms.BooleanField(
        label="The person signing has read the text and had their questions answered"
    )
    signer = forms.ChoiceField(
        label="Who signs",
        choices=Consent.Signer.choices,
        initial=Consent.Signer.PATIENT,
        widget=forms.RadioSelect,
    )
    signed_name = forms.CharField(
        max_length=200,
        label="Full name, typed by the person signing",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label_from_instance = lambda text: (
            f"{text.title} · {text.scope_label} · version {text.version}"
        )

    def clean_signature(self) -> bytes | None:
        value = self.cleaned_data["signature"]
        if not value:
            return None
        prefix = "data:image/png;base64,"
        if not value.startswith(prefix):
            raise ValidationError("The drawn signature could not be read.")
        try:
            return base64.b64decode(value[len(prefix) :], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError("The drawn signature could not be read.") from exc


class PhotoUploadForm(forms.Form):
    image = forms.FileField(
        label="Photo",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text="JPEG, PNG or WebP. Location and camera data are removed on upload.",
    )
    kind = forms.ChoiceField(
        choices=Photo.Kind.choices, widget=forms.RadioSelect(attrs={"class": "btn-check"})
    )
    area = forms.ChoiceField(choices=BodyArea.choices)
    angle = forms.ChoiceField(choices=Photo.Angle.choices)
    taken_on = forms.DateField(widget=DateInput(), label="Taken on")
    notes = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["taken_on"].initial = timezone.localdate()
        self.fields["kind"].initial = Photo.Kind.BEFORE

    def clean_taken_on(self) -> datetime.date:
        value = self.cleaned_data["taken_on"]
        _not_in_future(value, "photo date")
        return value
