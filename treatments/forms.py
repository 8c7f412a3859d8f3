"""Forms for the treatment pages. They parse and check input; the services do the writes and
own the rules (a form's message and a service's land at the same field)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import F, Q
from django.utils import timezone

from clinic.lib.params import int_param
from clinic.roles import practitioner_name, practitioners
from cocktails.choices import INDICATION_DEFAULTS, BodyArea, Indication
from cocktails.models import Cocktail, Lot, plain_number
from treatments.measures import measure_for
from treatments.models import (
    MAX_DEPTH_MM,
    NEEDLE_GAUGES,
    AdverseEvent,
    Gais,
    Satisfaction,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.services import AMENDABLE_FIELDS, LotInput, PointInput
from treatments.zones import DIAGRAM_LABELS, ZONE_DIAGRAM, Zone, zones_of

SMALL = {"class": "form-control form-control-sm"}
SMALL_SELECT = {"class": "form-select form-select-sm"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PractitionerField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=practitioners(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return practitioner_name(obj)


class CocktailSelect(forms.Select):
    """Options carry their indication, so the page can offer only the matching cocktails."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indications: dict[str, str] = {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        indication = self.indications.get(str(value))
        if indication:
            option["attrs"]["data-indication"] = indication
        return option


class CocktailField(forms.ModelChoiceField):
    widget = CocktailSelect

    def label_from_instance(self, obj: Cocktail) -> str:
        return obj.name if obj.patient_id else f"{obj.name} (clinic template)"


def course_defaults_json() -> str:
    return json.dumps(
        {
            key: {
                "initial_sessions": course.initial_sessions,
                "interval_days": course.interval_days,
                "maintenance_every_days": course.maintenance_every_days or "",
            }
            for key, course in INDICATION_DEFAULTS.items()
        }
    )


class PlanForm(forms.Form):
    """A course: on creation the indication's defaults are filled in (and again by the page
    when the indication changes); every value can be changed."""

    indication = forms.ChoiceField(choices=Indication.choices)
    body_areas = forms.MultipleChoiceField(
        label="Areas to treat",
        choices=BodyArea.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
    )
    cocktail = CocktailField(queryset=Cocktail.objects.none(), empty_label="Choose a cocktail")
    practitioner = PractitionerField(empty_label="Choose a practitioner")
    initial_sessions = forms.IntegerField(label="Sessions", min_value=1, max_value=24)
    interval_days = forms.IntegerField(label="Every (days)", min_value=1, max_value=120)
    maintenance_every_days = forms.IntegerField(
        label="Then maintenance every (days)",
        min_value=7,
        max_value=730,
        required=False,
        help_text="Empty: as needed.",
    )
    start_date = forms.DateField(label="First session on", widget=DateInput())
    notes = forms.CharField(
        label="Goals and notes", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, patient: Any, plan: TreatmentPlan | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.plan = plan
        offered = Q(archived_at__isnull=True) & (Q(patient__isnull=True) | Q(patient=patient))
        if plan is not None:
            offered |= Q(pk=plan.cocktail_id)
        # The patient's own cocktails first, then the clinic's templates.
        queryset = Cocktail.objects.filter(offered).order_by(
            F("patient_id").asc(nulls_last=True), "name"
        )
        field = self.fields["cocktail"]
        field.queryset = queryset
        field.widget.indications = {
            str(pk): indication for pk, indication in queryset.values_list("pk", "indication")
        }
        self.fields["indication"].widget.attrs["data-course-defaults"] = course_defaults_json()
        if plan is not None:
            # The indication makes the plan what it is: it is not changed, only shown.
            self.fields["indication"].disabled = True

    def clean_body_areas(self) -> list[str]:
        return list(self.cleaned_data["body_areas"])

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["notes"] = data.get("notes") or ""
        if self.plan is not None:
            data.pop("indication", None)
        return data


class PrecheckForm(forms.Form):
    # Not required here: the service says what is missing, with every other reason at once.
    contraindications_reviewed = forms.BooleanField(
        required=False,
        label="I have reviewed the contraindications, allergies and medications with the patient",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    photos_taken = forms.BooleanField(
        required=False,
        label="Before photos are taken (same angles as the previous session)",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class SessionLogForm(forms.Form):
    performed_at = forms.DateTimeField(label="Date and time", widget=DateTimeInput())
    cocktail = CocktailField(queryset=Cocktail.objects.none(), empty_label=None)
    antiseptic = forms.ChoiceField(
        label="Skin cleaned with",
        choices=[("", "—"), *TreatmentSession.Antiseptic.choices],
        required=False,
    )
    numbing_cream = forms.CharField(
        label="Numbing cream",
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": "e.g. lidocaine/prilocaine 5%"}),
    )
    numbing_minutes = forms.IntegerField(
        label="Left on (minutes)", min_value=0, max_value=120, required=False
    )
    technique = forms.ChoiceField(
        choices=[("", "Choose…"), *TreatmentSession.Technique.choices], required=False
    )
    needle_gauge = forms.TypedChoiceField(
        label="Needle gauge",
        choices=[("", "—"), *NEEDLE_GAUGES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    needle_length_mm = forms.DecimalField(
        label="Needle length (mm)",
        min_value=4,
        max_value=13,
        decimal_places=1,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    total_volume_ml = forms.DecimalField(
        label="Total volume (ml)",
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.05", "data-total-volume": ""}),
    )
    pain_score = forms.TypedChoiceField(
        label="Pain (0 to 10)",
        choices=[(score, str(score)) for score in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    reactions = forms.MultipleChoiceField(
        label="Immediate reactions",
        choices=TreatmentSession.Reaction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
    )
    reaction_notes = forms.CharField(label="Reactions, details", required=False, max_length=300)
    aftercare = forms.CharField(
        label="Aftercare given", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, cocktails: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cocktail"].queryset = cocktails

    def log_data(self) -> dict[str, Any]:
        data = {key: value for key, value in self.cleaned_data.items() if key != "cocktail"}
        data["reactions"] = list(data.get("reactions") or [])
        return data


def _row_number(form: forms.Form) -> str:
    """A table row's number for screen readers ("Site 3 volume"); rows added by the page get
    theirs when they are added."""
    index = int_param((form.prefix or "").rsplit("-", 1)[-1])
    return str(index + 1) if index is not None else ""


class PointForm(forms.Form):
    """One injection site: a row of the sites table, filled by a click on the map or typed."""

    diagram = forms.CharField(
        required=False, widget=forms.HiddenInput(attrs={"data-field": "diagram"})
    )
    x = forms.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        widget=forms.HiddenInput(attrs={"data-field": "x"}),
    )
    y = forms.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        widget=forms.HiddenInput(attrs={"data-field": "y"}),
    )
    zone = forms.ChoiceField(
        choices=Zone.choices, widget=forms.Select(attrs={**SMALL_SELECT, "data-field": "zone"})
    )
    depth_mm = forms.DecimalField(
        label="Depth (mm)",
        min_value=0,
        max_value=MAX_DEPTH_MM,
        decimal_places=1,
        widget=forms.NumberInput(attrs={**SMALL, "step": "0.5", "data-field": "depth"}),
    )
    volume_ml = forms.DecimalField(
        label="Volume (ml)",
        min_value=Decimal("0.01"),
        max_value=Decimal("20"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={**SMALL, "step": "0.05", "data-field": "volume"}),
    )

    def __init__(self, *args: Any, diagrams: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        diagrams = diagrams or []
        self.fields["zone"].choices = [("", "Zone…")] + [
            (DIAGRAM_LABELS[diagram], zones_of(diagram)) for diagram in diagrams
        ]
        for name, words in (("zone", "zone"), ("depth_mm", "depth"), ("volume_ml", "volume")):
            self.fields[name].widget.attrs["aria-label"] = f"Site {_row_number(self)} {words}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        zone = cleaned.get("zone")
        if zone and ZONE_DIAGRAM.get(zone) != cleaned.get("diagram"):
            # A site typed by zone (or moved to a zone of another diagram) takes the zone's
            # diagram, and has no position on it.
            cleaned["diagram"] = ZONE_DIAGRAM[zone]
            cleaned["x"] = cleaned["y"] = None
        return cleaned

    def point(self) -> PointInput:
        data = self.cleaned_data
        return PointInput(
            diagram=data["diagram"],
            zone=data["zone"],
            depth_mm=data["depth_mm"],
            volume_ml=data["volume_ml"],
            x=data.get("x"),
            y=data.get("y"),
        )


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Lot) -> str:
        return f"{obj.lot_number} · exp. {obj.expiry_date:%m/%y} · {obj.quantity_left} left"


class LotForm(forms.Form):
    """One lot used: which lot, how many vials were opened, how much was drawn from them."""

    lot = LotChoiceField(
        queryset=Lot.objects.select_related("product"),
        empty_label="Choose a lot…",
        widget=forms.Select(attrs={**SMALL_SELECT, "data-field": "lot"}),
    )
    vials = forms.IntegerField(
        min_value=1, max_value=20, initial=1, widget=forms.NumberInput(attrs=SMALL)
    )
    volume_ml = forms.DecimalField(
        label="Volume (ml)",
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={**SMALL, "step": "0.1"}),
    )

    def __init__(self, *args: Any, lots: list[Lot] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lot"]
        # Only usable lots of the cocktail's products are offered; any lot is accepted, so
        # the service can say why one that is not offered cannot be used.
        groups: dict[str, list[tuple[int, str]]] = {}
        for lot in lots or []:
            groups.setdefault(str(lot.product), []).append((lot.pk, field.label_from_instance(lot)))
        field.choices = [("", "Choose a lot…"), *groups.items()]
        for name, words in (("lot", "number"), ("vials", "vials"), ("volume_ml", "volume")):
            self.fields[name].widget.attrs["aria-label"] = f"Lot {_row_number(self)} {words}"

    def line(self) -> LotInput:
        data = self.cleaned_data
        return LotInput(lot=data["lot"], vials=data["vials"], volume_ml=data["volume_ml"])


class RowsFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, row_kwargs: dict[str, Any] | None = None, **kwargs: Any):
        self.row_kwargs = row_kwargs or {}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), **self.row_kwargs}

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        # Removing a row is a button that sets this (the row then disappears from view).
        form.fields["DELETE"].widget = forms.HiddenInput(attrs={"data-field": "delete"})

    @property
    def kept_forms(self) -> list[forms.Form]:
        """The rows to save, in order: not removed, and not added then left empty (call
        after is_valid())."""
        deleted = self.deleted_forms
        return [
            form
            for index, form in enumerate(self.forms)
            if form not in deleted and (index < self.initial_form_count() or form.has_changed())
        ]


PointFormSet = forms.formset_factory(
    PointForm, formset=RowsFormSet, extra=0, can_delete=True, max_num=300
)
LotFormSet = forms.formset_factory(
    LotForm, formset=RowsFormSet, extra=0, can_delete=True, max_num=30
)


class AmendmentForm(forms.Form):
    field = forms.ChoiceField(
        label="What to correct",
        choices=[("", "Add a note to the record"), *AMENDABLE_FIELDS.items()],
        required=False,
    )
    new_value = forms.CharField(
        label="Correct value, or the note", widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Patient reported more pain at home"}),
    )


class AdverseEventForm(forms.Form):
    kind = forms.ChoiceField(label="What happened", choices=AdverseEvent.Kind.choices)
    description = forms.CharField(label="Details", required=False, max_length=300)
    onset_on = forms.DateField(label="Onset", widget=DateInput())
    severity = forms.ChoiceField(
        choices=AdverseEvent.Severity.choices,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    treatment = forms.CharField(
        label="Treatment given", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.ChoiceField(
        choices=AdverseEvent.Outcome.choices,
        initial=AdverseEvent.Outcome.ONGOING,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    resolved_on = forms.DateField(label="Resolved on", required=False, widget=DateInput())
    lots = forms.ModelMultipleChoiceField(
        label="Lots concerned",
        queryset=Lot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, lots: Any = None, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editing:
            for name in ("kind", "onset_on", "lots"):
                del self.fields[name]
        else:
            self.fields["lots"].queryset = lots


def _rating(label: str, choices: list[tuple[int, str]]) -> forms.TypedChoiceField:
    """An optional 1-to-5 rating, shown as a row of buttons."""
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )


class OutcomeForm(forms.Form):
    assessed_on = forms.DateField(label="Review date", widget=DateInput())
    session = forms.ModelChoiceField(
        label="After the session of",
        queryset=TreatmentSession.objects.none(),
        required=False,
        empty_label="None (baseline, or not tied to a session)",
    )
    gais_practitioner = _rating("GAIS, practitioner", Gais.choices)
    gais_patient = _rating("GAIS, patient", Gais.choices)
    satisfaction = _rating("Patient satisfaction", Satisfaction.choices)
    measure = forms.DecimalField(decimal_places=1, max_digits=6, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, plan: TreatmentPlan, sessions: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        session_field = self.fields["session"]
        session_field.queryset = sessions
        session_field.label_from_instance = lambda s: (
            f"{timezone.localtime(s.performed_at):%d/%m/%Y} ({s.get_kind_display().lower()})"
        )
        scale = measure_for(plan.indication)
        if scale is None:
            del self.fields["measure"]
        else:
            measure = self.fields["measure"]
            measure.label = scale.describe()
            measure.help_text = scale.help_text
            measure.widget.attrs.update(
                {"min": plain_number(scale.minimum), "max": plain_number(scale.maximum)}
            )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Patient moved away"}),
    )
