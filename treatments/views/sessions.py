"""A session: the pre-checks that open it, the log (map, sites, lots), signing, amendments."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.lib.forms import apply_errors
from clinic.roles import Capability, practitioner_name, requires
from patients.selectors import (
    patient_clinical_alerts,
    patient_has_photo_consent,
    patient_missing_consents,
    patient_photos,
)
from treatments import diary, services
from treatments.forms import (
    AmendmentForm,
    LotFormSet,
    PointFormSet,
    PrecheckForm,
    SessionLogForm,
)
from treatments.models import SessionAmendment, TreatmentPlan, TreatmentSession
from treatments.selectors import (
    lot_suggestions,
    plan_diagrams,
    plan_get_for_user,
    plan_interval_warning,
    session_cocktail_choices,
    session_get_for_user,
    session_lot_choices,
    session_number,
    session_review,
    session_warnings,
    session_with_plan,
)
from treatments.services import AMENDABLE_FIELDS, RowErrors, sign_problems
from treatments.services.sessions import LOG_FIELDS
from treatments.views.common import Action, audit, save_audited
from treatments.zones import DIAGRAM_LABELS

POINTS, LOTS = "points", "lots"


def _session_url(session: TreatmentSession) -> str:
    return reverse("treatments:session_detail", kwargs={"pk": session.pk})


def _precheck_page(
    request: HttpRequest, plan: TreatmentPlan, session: TreatmentSession | None
) -> HttpResponse:
    """GET: what must be true before the first injection. POST: check it and open the log."""
    form = PrecheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            started = services.session_start(
                plan=plan, session=session, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            audit(request, Action.CREATE, plan.patient, f"Treatment session #{started.pk}")
            messages.success(request, "Pre-checks passed: log the session as you go.")
            if session is not None:
                _tell_of_a_later_booking(request, started)
            return redirect("treatments:session_log", pk=started.pk)
    patient = plan.patient
    today_photos = list(patient_photos(patient=patient).filter(taken_on=timezone.localdate()))
    refusals, warnings = session_review(formulation=plan.cocktail.current, patient=patient)
    given = plan.sessions.filter(
        kind=TreatmentSession.Kind.INITIAL, status__in=TreatmentSession.STARTED
    ).count()
    return render(
        request,
        "treatments/session_start.html",
        {
            "form": form,
            "plan": plan,
            "session": session,
            "next_number": given + 1 if given < plan.initial_sessions else None,
            "patient": patient,
            "alerts": patient_clinical_alerts(patient=patient),
            "missing_consents": patient_missing_consents(
                patient=patient, indication=plan.indication
            ),
            "photos_today": today_photos,
            "photo_consent": patient_has_photo_consent(patient=patient),
            # What session_start would refuse the cocktail for, shown before the boxes are
            # ticked rather than after, with the review's warnings.
            "refusals": refusals,
            "warnings": warnings,
            "too_soon": plan_interval_warning(plan=plan),
            "minor_age": patient.minor_age_on(timezone.localdate()),
        },
    )


def _tell_of_a_later_booking(request: HttpRequest, session: TreatmentSession) -> None:
    """A session given before the day it was booked for: its appointment stays in the diary
    (the patient may be on the phone about it), and the front desk is asked to cancel it."""
    booking = diary.session_bookings(session_ids=[session.pk]).get(session.pk)
    if booking is None or timezone.localdate(booking.start) <= timezone.localdate():
        return
    day = timezone.localtime(booking.start)
    messages.info(
        request,
        f"This session was booked for {day:%A} {day.day} {day:%B} at {day:%H:%M}: that "
        "appointment sends no reminder now, and the front desk is asked to cancel it.",
    )


@requires(Capability.EDIT_CLINICAL)
def session_begin(request: HttpRequest, plan_pk: int) -> HttpResponse:
    """Start a session of a plan that no appointment holds (a walk-in, or booked elsewhere)."""
    plan = plan_get_for_user(user=request.user, pk=plan_pk)
    return _precheck_page(request, plan, None)


@requires(Capability.EDIT_CLINICAL)
def session_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a booked session (the day list's "Start" button)."""
    session = session_get_for_user(user=request.user, pk=pk)
    if session.is_started:
        return redirect(
            "treatments:session_log"
            if session.status == "in_progress"
            else "treatments:session_detail",
            pk=session.pk,
        )
    return _precheck_page(request, session.plan, session)


def _log_forms(
    request: HttpRequest, session: TreatmentSession
) -> tuple[SessionLogForm, PointFormSet, LotFormSet]:
    plan = session.plan
    cocktails = session_cocktail_choices(plan=plan)
    formulation = session.formulation or plan.cocktail.current
    active = list(session.lots.filter(usage__cancelled_at__isnull=True).select_related("lot"))
    lots = session_lot_choices(formulation=formulation, extra_ids=[row.lot_id for row in active])
    diagrams = plan_diagrams(plan)
    initial = {field: getattr(session, field) for field in LOG_FIELDS} | {
        "cocktail": (session.formulation.cocktail_id if session.formulation else plan.cocktail_id)
    }
    if request.method == "POST":
        # The rows come back as the page left them; initial rows only matter for a new page
        # (and would make a row typed identical to a suggestion look untouched).
        form = SessionLogForm(request.POST, initial=initial, cocktails=cocktails)
        points = PointFormSet(request.POST, prefix=POINTS, row_kwargs={"diagrams": diagrams})
        lot_rows = LotFormSet(request.POST, prefix=LOTS, row_kwargs={"lots": lots})
        lot_rows.suggested = False
        return form, points, lot_rows
    form = SessionLogForm(initial=initial, cocktails=cocktails)
    points = PointFormSet(
        prefix=POINTS,
        initial=[
            {
                "diagram": p.diagram,
                "x": p.x,
                "y": p.y,
                "zone": p.zone,
                "depth_mm": p.depth_mm,
                "volume_ml": p.volume_ml,
            }
            for p in session.points.all()
        ],
        row_kwargs={"diagrams": diagrams},
    )
    lot_initial = [
        {"lot": row.lot_id, "vials": row.vials, "volume_ml": row.volume_ml} for row in active
    ] or lot_suggestions(formulation=formulation, lots=lots)
    lot_rows = LotFormSet(prefix=LOTS, initial=lot_initial, row_kwargs={"lots": lots})
    lot_rows.suggested = not active and bool(lot_initial)
    return form, points, lot_rows


def _apply_row_errors(
    error: RowErrors, form: SessionLogForm, points: PointFormSet, lots: LotFormSet
) -> None:
    tables = {POINTS: points.kept_forms, LOTS: lots.kept_forms}
    for (table, index), problems in error.rows.items():
        row = tables[table][index]
        for field, message in problems.items():
            row.add_error(field if field in row.fields else None, message)
    for field, message in error.fields.items():
        form.add_error(field if field in form.fields else None, message)


def _add_service_problems(
    session: TreatmentSession, form: SessionLogForm, points: PointFormSet, lots: LotFormSet
) -> None:
    """Some input was refused by the forms: add what the service would refuse in the rest
    (a time in the future, a site's total…), so every error comes back in one submit."""
    cleaned = form.cleaned_data
    problems = services.session_log_problems(
        session=session,
        data={field: value for field, value in cleaned.items() if field in LOG_FIELDS},
        cocktail=cleaned.get("cocktail"),
        points=[row.point() for row in points.kept_forms] if points.is_valid() else None,
        lots=[row.line() for row in lots.kept_forms] if lots.is_valid() else None,
    )
    if problems.fields:
        apply_errors(form, ValidationError(problems.fields))
    totals = {"total_volume_ml": problems.total} if problems.total else None
    _apply_row_errors(RowErrors(problems.rows, totals), form, points, lots)


@requires(Capability.EDIT_CLINICAL)
def session_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's log: the map and its sites, the lots, and the rest of the record. Save
    as often as needed; "Save and sign" signs when the log is complete."""
    session = session_get_for_user(user=request.user, pk=pk)
    if session.is_signed:
        messages.info(request, "This session is signed: corrections are made as amendments.")
        return redirect(_session_url(session))
    if not session.is_started:
        return redirect("treatments:session_start", pk=session.pk)
    if session.practitioner_id != request.user.pk:
        name = practitioner_name(session.practitioner)
        messages.info(request, f"{name} is logging this session; only they can change it.")
        return redirect(_session_url(session))
    plan = session.plan
    form, points, lots = _log_forms(request, session)
    if request.method == "POST":
        valid = all([form.is_valid(), points.is_valid(), lots.is_valid()])
        if not valid:
            _add_service_problems(session, form, points, lots)
        else:
            try:
                services.session_record(
                    session=session,
                    by=request.user,
                    data=form.log_data(),
                    cocktail=form.cleaned_data["cocktail"],
                    points=[row.point() for row in points.kept_forms],
                    lots=[row.line() for row in lots.kept_forms],
                )
            except RowErrors as error:
                _apply_row_errors(error, form, points, lots)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                audit(request, Action.UPDATE, plan.patient, f"Treatment session #{session.pk}")
                if request.POST.get("action") != "sign":
                    messages.success(request, "The session log was saved.")
                    return redirect("treatments:session_log", pk=session.pk)
                return _sign(request, session)
    formulation = session.formulation or plan.cocktail.current
    audit(request, Action.VIEW, plan.patient, f"Treatment session #{session.pk}")
    return render(
        request,
        "treatments/session_form.html",
        {
            "session": session,
            "plan": plan,
            "patient": plan.patient,
            "form": form,
            "points": points,
            "lots": lots,
            "diagrams": [(d, DIAGRAM_LABELS[d]) for d in plan_diagrams(plan)],
            "alerts": patient_clinical_alerts(patient=plan.patient),
            "formulation": formulation,
            "warnings": session_warnings(formulation=formulation, patient=plan.patient),
            "problems": sign_problems(session),
            "lots_suggested": lots.suggested,
            "number": session_number(session=session),
        },
    )


@requires(Capability.VIEW_CLINICAL)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = session_get_for_user(user=request.user, pk=pk)
    session, sessions = session_with_plan(session=found)
    plan = found.plan
    amendments: dict[str, list[SessionAmendment]] = {}
    for amendment in session.amendments.all():
        amendments.setdefault(amendment.field, []).append(amendment)
    audit(request, Action.VIEW, plan.patient, f"Treatment session #{session.pk}")
    of_kind = [s for s in sessions if s.kind == session.kind and s.is_started]
    return render(
        request,
        "treatments/session_detail.html",
        {
            "session": session,
            "plan": plan,
            "patient": plan.patient,
            "alerts": patient_clinical_alerts(patient=plan.patient),
            "amendments": amendments,
            "addenda": amendments.get("", []),
            "of_kind": len(of_kind) if session.kind == "maintenance" else plan.initial_sessions,
            "problems": sign_problems(session) if session.status == "in_progress" else [],
            "diagrams": [(d, DIAGRAM_LABELS[d]) for d in plan_diagrams(plan)],
            "amendable": AMENDABLE_FIELDS,
            "zone_total": sum((v for _, v in session.zone_volumes), Decimal(0)),
        },
    )


def _sign(request: HttpRequest, session: TreatmentSession) -> HttpResponse:
    """Sign, or say what is missing (the log itself is saved either way)."""
    try:
        services.session_sign(session=session, by=request.user)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
        return redirect("treatments:session_log", pk=session.pk)
    audit(request, Action.UPDATE, session.plan.patient, f"Treatment session #{session.pk} signed")
    messages.success(request, "The session is signed. Corrections are now made as amendments.")
    return redirect(_session_url(session))


@require_POST
@requires(Capability.EDIT_CLINICAL)
def session_sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _sign(request, session_get_for_user(user=request.user, pk=pk))


@requires(Capability.EDIT_CLINICAL)
def session_amend(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_get_for_user(user=request.user, pk=pk)
    if not session.is_signed:
        return redirect(_session_url(session))
    initial = {"field": request.GET.get("field", "")}
    if initial["field"] in AMENDABLE_FIELDS:
        value = getattr(session, initial["field"])
        initial["new_value"] = "" if value is None else value
    form = AmendmentForm(request.POST or None, initial=initial)

    done = save_audited(
        request,
        form,
        lambda data: services.session_amend(session=session, by=request.user, **data),
        action=Action.UPDATE,
        patient=session.plan.patient,
        what=lambda amendment: f"Treatment session #{pk} amended",
        success="The amendment was added to the record.",
        next_url=_session_url(session),
    )
    if done:
        return done
    return render(
        request,
        "treatments/session_amend.html",
        {
            "form": form,
            "session": session,
            "plan": session.plan,
            "patient": session.plan.patient,
            "current": {field: getattr(session, field) for field in AMENDABLE_FIELDS},
        },
    )
