"""Cocktails: the list, the htmx builder, a cocktail and one exact version."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from clinic.lib.params import id_param, int_param, text_param
from clinic.roles import Capability, requires
from cocktails import selectors, services
from cocktails.choices import Indication
from cocktails.composition import Recipe, concentrations, review, warnings_digest
from cocktails.forms import (
    CocktailForm,
    ComponentFormSet,
    component_formset,
    posted_rows,
    rows_data,
    version_rows,
)
from cocktails.models import Cocktail, plain_number
from cocktails.selectors import (
    builder_catalogue,
    cocktail_for_user,
    cocktail_versions,
    formulation_for_user,
    formulation_recipe,
    patient_allergies,
    recipe_costing,
)
from cocktails.views import flash_outcome

KINDS = {"templates": "Clinic templates", "patients": "Patient cocktails"}


@requires(Capability.VIEW_CLINICAL)
def cocktail_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else "templates"
    indication = request.GET.get("indication", "")
    if indication not in Indication.values:
        indication = ""
    query = text_param(request.GET.get("q"))
    cocktails = selectors.cocktail_list(kind=kind, indication=indication, query=query)
    return render(
        request,
        "cocktails/cocktail_list.html",
        {
            "cocktails": cocktails,
            "kind": kind,
            "kinds": KINDS,
            "indication": indication,
            "indications": Indication.choices,
            "query": query,
        },
    )


# --- The builder -----------------------------------------------------------------------------


def _builder_context(
    *,
    form: CocktailForm,
    formset: ComponentFormSet,
    editing: Cocktail | None,
    ask_acknowledgement: bool = False,
) -> dict[str, Any]:
    """What the builder page and its live checks panel show, from the form as it stands."""
    return {
        "form": form,
        "formset": formset,
        "editing": editing,
        "checks": _checks(form, formset, editing),
        "ask_acknowledgement": ask_acknowledgement,
    }


def _form_value(form: CocktailForm, field: str) -> Any:
    """A field's cleaned value whether or not the whole form is valid yet (None if invalid)."""
    if field not in form.fields:
        return None
    if form.is_bound:
        form.is_valid()
        return form.cleaned_data.get(field)
    try:
        return form.fields[field].clean(form.initial.get(field))
    except ValidationError:
        return None


def _checks(
    form: CocktailForm, formset: ComponentFormSet, editing: Cocktail | None
) -> dict[str, Any]:
    """The same review that guards saving, run on the builder as it stands."""
    patient = editing.patient if editing else _form_value(form, "patient")
    allergies = patient_allergies(patient)
    volume = _form_value(form, "total_volume_ml")
    indication = _form_value(form, "indication") or Indication.FACIAL_REJUVENATION
    if not formset.is_bound:
        # Rows shown from a template or a saved version: parse a bound copy, so the checks
        # are there when the page opens, without showing errors on rows not yet touched.
        formset = component_formset(
            catalogue=formset.form_kwargs["catalogue"], data=rows_data(formset.initial or [])
        )
    formset.is_valid()
    parts = formset.parts()
    recipe = Recipe(indication, volume, tuple(parts)) if volume else None
    findings = (
        review(
            recipe,
            allergen_ids=allergies.ingredient_ids,
            today=timezone.localdate(),
            for_patient=patient is not None,
        )
        if recipe and parts
        else []
    )
    warnings = [f for f in findings if not f.refuses]
    digest = warnings_digest(warnings)
    return {
        "patient": patient,
        "allergies": allergies,
        "refusals": [f for f in findings if f.refuses],
        "warnings": warnings,
        "digest": digest,
        "acknowledged": bool(digest) and _form_value(form, "acknowledge") == digest,
        "concentrations": concentrations(recipe) if recipe else [],
        "costing": recipe_costing(recipe) if recipe and parts else None,
        "has_parts": bool(parts),
    }


def _initial_from(cocktail: Cocktail, **extra: Any) -> dict[str, Any]:
    return {
        "name": cocktail.name,
        "indication": cocktail.indication,
        "total_volume_ml": plain_number(cocktail.current.total_volume_ml),
        **extra,
    }


def _save(
    request: HttpRequest, form: CocktailForm, formset: ComponentFormSet, editing: Cocktail | None
) -> HttpResponse:
    """Validate and save; on refusal re-render the builder with every message in place."""
    valid = form.is_valid() & formset.is_valid()
    if valid:
        data = form.cleaned_data
        common = {
            "name": data["name"],
            "indication": data["indication"],
            "total_volume_ml": data["total_volume_ml"],
            "parts": formset.parts(),
            "notes": data["notes"],
            "by": request.user,
            "acknowledged": data["acknowledge"],
        }
        try:
            if editing is None:
                cocktail = services.cocktail_create(
                    patient=data["patient"], template=data["template"], **common
                )
                messages.success(request, f"{cocktail.name} saved.")
            else:
                version = services.cocktail_revise(cocktail=editing, **common)
                cocktail = editing
                messages.success(request, f"{cocktail.name} saved as version {version.number}.")
            return redirect("cocktails:cocktail_detail", pk=cocktail.pk)
        except services.AcknowledgementRequired as exc:
            context = _builder_context(
                form=form, formset=formset, editing=editing, ask_acknowledgement=True
            )
            form.add_error(None, exc)
            return render(request, "cocktails/cocktail_form.html", context)
        except services.FormulationRefused as exc:
            form.add_error(None, "Not saved: correct what is marked below.")
            for finding in formset.attach(exc.findings):
                field = finding.field if finding.field in form.fields else None
                form.add_error(field, finding.message)
        except ValidationError as exc:
            form.add_error(None, exc)
    context = _builder_context(form=form, formset=formset, editing=editing)
    return render(request, "cocktails/cocktail_form.html", context)


@requires(Capability.EDIT_CLINICAL)
def cocktail_create(request: HttpRequest) -> HttpResponse:
    catalogue = builder_catalogue()
    if request.method == "POST":
        form = CocktailForm(request.POST)
        formset = component_formset(catalogue=catalogue, data=request.POST)
        return _save(request, form, formset, None)
    initial: dict[str, Any] = {"total_volume_ml": "5"}
    rows: list[dict[str, str]] = [{}]
    template_pk = id_param(request.GET.get("template"))
    if template_pk is not None:
        template = get_object_or_404(
            Cocktail.objects.filter(
                patient__isnull=True, archived_at__isnull=True
            ).prefetch_related("current__components"),
            pk=template_pk,
        )
        initial = _initial_from(template, template=template.pk)
        rows = version_rows(template)
    patient_pk = id_param(request.GET.get("patient"))
    if patient_pk is not None:
        initial["patient"] = patient_pk
    form = CocktailForm(initial=initial)
    formset = component_formset(catalogue=catalogue, rows=rows)
    return render(
        request,
        "cocktails/cocktail_form.html",
        _builder_context(form=form, formset=formset, editing=None),
    )


@requires(Capability.EDIT_CLINICAL)
def cocktail_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cocktail = cocktail_for_user(user=request.user, pk=pk)
    if cocktail.is_archived:
        messages.error(request, "This cocktail is archived and can no longer be changed.")
        return redirect("cocktails:cocktail_detail", pk=cocktail.pk)
    extra = {c.lot_id for c in cocktail.current.components.all() if c.lot_id}
    catalogue = builder_catalogue(extra_lot_ids=extra)
    if request.method == "POST":
        form = CocktailForm(request.POST, editing=cocktail)
        formset = component_formset(catalogue=catalogue, data=request.POST)
        return _save(request, form, formset, cocktail)
    form = CocktailForm(initial=_initial_from(cocktail), editing=cocktail)
    formset = component_formset(catalogue=catalogue, rows=version_rows(cocktail))
    return render(
        request,
        "cocktails/cocktail_form.html",
        _builder_context(form=form, formset=formset, editing=cocktail),
    )


def _editing(request: HttpRequest) -> Cocktail | None:
    pk = id_param(request.POST.get("editing"))
    return cocktail_for_user(user=request.user, pk=pk) if pk is not None else None


@requires(Capability.EDIT_CLINICAL)
@require_POST
def builder_components(request: HttpRequest) -> HttpResponse:
    """Add or remove a builder row without a page reload: the rows are re-rendered from what
    was posted, and the checks panel is told to refresh."""
    rows = posted_rows(request.POST)
    if request.POST.get("op") == "add" and len(rows) < 30:
        rows.append({})
    elif request.POST.get("op") == "remove":
        index = int_param(request.POST.get("row"))
        if index is not None and index < len(rows):
            del rows[index]
    extra = {lot for r in rows if (lot := id_param(r.get("lot"))) is not None}
    formset = component_formset(catalogue=builder_catalogue(extra_lot_ids=extra), rows=rows)
    response = render(request, "cocktails/_builder_components.html", {"formset": formset})
    return trigger_client_event(response, "builder-changed", after="settle")


@requires(Capability.EDIT_CLINICAL)
@require_POST
def builder_checks(request: HttpRequest) -> HttpResponse:
    """The live safety checks, concentrations and cost of the cocktail as currently typed."""
    editing = _editing(request)
    form = CocktailForm(request.POST, editing=editing)
    formset = component_formset(catalogue=builder_catalogue(), data=request.POST)
    context = _builder_context(form=form, formset=formset, editing=editing)
    return render(request, "cocktails/_builder_checks.html#checks-body", context)


# --- A cocktail and its versions ---------------------------------------------------------------


def _version_context(version: Any, cocktail: Cocktail) -> dict[str, Any]:
    recipe = formulation_recipe(version, indication=cocktail.indication)
    return {
        "version": version,
        "components": list(version.components.all()),
        "concentrations": concentrations(recipe),
        "costing": recipe_costing(recipe),
    }


@requires(Capability.VIEW_CLINICAL)
def cocktail_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cocktail = cocktail_for_user(user=request.user, pk=pk)
    context = {
        "cocktail": cocktail,
        "versions": cocktail_versions(cocktail=cocktail),
        **_version_context(cocktail.current, cocktail),
    }
    return render(request, "cocktails/cocktail_detail.html", context)


@requires(Capability.VIEW_CLINICAL)
def formulation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One exact version, as a session that injected it points at it."""
    version = formulation_for_user(user=request.user, pk=pk)
    cocktail = version.cocktail
    context = {"cocktail": cocktail, **_version_context(version, cocktail)}
    return render(request, "cocktails/formulation_detail.html", context)


@requires(Capability.EDIT_CLINICAL)
@require_POST
def cocktail_archive(request: HttpRequest, pk: int) -> HttpResponse:
    cocktail = cocktail_for_user(user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: services.cocktail_archive(cocktail=cocktail),
        f"{cocktail.name} archived. Its versions are kept.",
    )
    return redirect("cocktails:cocktail_detail", pk=cocktail.pk)
