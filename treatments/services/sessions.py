"""Writes for sessions: start (behind the pre-checks), log, sign, amend.

The stock rule: the lots a session records are taken from stock (`lot_consume`, which
writes the traceability ledger) in the same transaction as the session's log, so stock,
ledger and session always agree; when any lot is refused (expired, recalled, not enough
vials) nothing of that save is kept. A lot removed from the log before signing is given back
with `lot_usage_cancel`, which keeps its ledger row, marked cancelled.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format

from clinic.roles import practitioner_name
from cocktails.choices import Region
from cocktails.models import Cocktail, Formulation, Lot
from cocktails.services import cocktail_freeze_current, lot_consume, lot_usage_cancel
from patients.selectors import (
    patient_has_photo_consent,
    patient_treatment_blockers,
    treatment_consent_signed_at,
)
from treatments import diary
from treatments.models import (
    MAX_DEPTH_MM,
    InjectionPoint,
    SessionAmendment,
    SessionLot,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.selectors import (
    allowed_products,
    blocking_findings,
    plan_diagrams,
    session_cocktail_choices,
)
from treatments.services.plans import plan_refresh
from treatments.zones import ZONE_DIAGRAM, Zone

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser

Status = TreatmentSession.Status
CENT = Decimal("0.01")

DEFAULT_AFTERCARE = (
    "No make-up for 12 hours. No sun, sauna, swimming pool or sport for 24 hours. "
    "Mild redness and small bumps settle within a day or two; call the practice if "
    "swelling, pain or redness grows after 48 hours."
)

# The scalar fields of the log that session_record writes.
LOG_FIELDS = (
    "performed_at",
    "antiseptic",
    "numbing_cream",
    "numbing_minutes",
    "technique",
    "needle_gauge",
    "needle_length_mm",
    "total_volume_ml",
    "pain_score",
    "reactions",
    "reaction_notes",
    "aftercare",
    "notes",
)
# What an amendment may correct on a signed session (anything else: an addendum).
AMENDABLE_FIELDS = {
    "pain_score": "Pain",
    "reaction_notes": "Reactions, details",
    "aftercare": "Aftercare given",
    "notes": "Notes",
    "numbing_cream": "Numbing cream",
    "numbing_minutes": "Numbing time",
}
# Carried over from the previous session of the plan: how this patient is usually treated.
CARRIED_OVER = (
    "antiseptic",
    "numbing_cream",
    "numbing_minutes",
    "technique",
    "needle_gauge",
    "needle_length_mm",
)


@dataclass(frozen=True)
class PointInput:
    diagram: str
    zone: str
    depth_mm: Decimal
    volume_ml: Decimal
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True)
class LotInput:
    lot: Lot
    vials: int
    volume_ml: Decimal


class RowErrors(ValidationError):
    """Problems in rows of the log's tables: `rows` maps ("points" or "lots", row index) to
    {field: message}, so the page shows each message in its row. Nothing was saved."""

    def __init__(
        self, rows: dict[tuple[str, int], dict[str, str]], fields: dict[str, str] | None = None
    ) -> None:
        self.rows = rows
        self.fields = fields or {}
        messages = [m for errors in rows.values() for m in errors.values()]
        super().__init__(list(self.fields.values()) + messages)


def _blocking_errors(plan: TreatmentPlan) -> list[str]:
    return [
        blocker.message
        for blocker in patient_treatment_blockers(patient=plan.patient, indication=plan.indication)
    ]


@transaction.atomic
def session_start(
    *,
    plan: TreatmentPlan,
    by: User,
    contraindications_reviewed: bool,
    photos_taken: bool,
    session: TreatmentSession | None = None,
) -> TreatmentSession:
    """Pass the pre-checks and open the session's log (a booked `session`, or a new one).

    Refused, with every reason at once, while: the plan is not accepted (or is over); the
    patient has an open absolute contraindication, an archived record, or no valid signed
    consent for the indication; the contraindications were not reviewed; the before photos
    were not taken; or the plan's cocktail is now refused for the patient (an allergy
    recorded since it was made).

    Before photos are required of a patient who signed the photo consent, and refused for one
    who did not: a session must not claim photos the patient never agreed to (the treatment
    itself does not depend on the photo consent).
    """
    plan = TreatmentPlan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
    if not plan.is_treating:
        raise ValidationError(
            "The patient has not accepted this plan yet."
            if plan.status == TreatmentPlan.Status.PROPOSED
            else f"This plan is {plan.get_status_display().lower()}: no session can start."
        )
    if session is not None:
        session = TreatmentSession.objects.select_for_update().get(pk=session.pk)
        if session.plan_id != plan.pk:
            raise ValidationError("This session belongs to another plan.")
        if session.status != Status.PLANNED:
            raise ValidationError("This session has already started.")
    if plan.sessions.filter(status=Status.IN_PROGRESS).exists():
        raise ValidationError("A session of this plan is being logged: continue it, or sign it.")
    errors: dict[str, list[str]] = {}
    if blocked := _blocking_errors(plan):
        errors["__all__"] = blocked
    if not contraindications_reviewed:
        errors["contraindications_reviewed"] = [
            "Review the contraindications and allergies above, then tick the box."
        ]
    photo_consent = patient_has_photo_consent(patient=plan.patient)
    if photos_taken and not photo_consent:
        errors["photos_taken"] = [
            "The patient has no photo consent in force: no photos can be recorded for this "
            "session. Leave the box unticked, or have the photo consent signed first."
        ]
    elif not photos_taken and photo_consent:
        errors["photos_taken"] = ["Take the before photos first (same angles as last time)."]
    refusals = blocking_findings(formulation_id=plan.cocktail.current_id, patient=plan.patient)
    if refusals:
        errors.setdefault("__all__", []).extend(
            f"{message} Change the plan's cocktail." for message in refusals
        )
    if errors:
        raise ValidationError(errors)

    if session is None:
        done = plan.sessions.filter(
            kind=TreatmentSession.Kind.INITIAL, status__in=TreatmentSession.STARTED
        ).count()
        kind = (
            TreatmentSession.Kind.INITIAL
            if done < plan.initial_sessions
            else TreatmentSession.Kind.MAINTENANCE
        )
        session = TreatmentSession(plan=plan, kind=kind)
    previous = plan.sessions.filter(status=Status.SIGNED).order_by("-performed_at", "-pk").first()
    for field in CARRIED_OVER:
        setattr(session, field, getattr(previous, field) if previous else getattr(session, field))
    now = timezone.now()
    session.status = Status.IN_PROGRESS
    session.practitioner = by
    session.started_at = session.performed_at = now
    session.contraindications_reviewed = session.consent_verified = True
    session.photos_taken = photos_taken
    session.aftercare = session.aftercare or DEFAULT_AFTERCARE
    session._history_user = by
    session.save()
    diary.session_logged(session_id=session.pk, signed=False, by=by)
    plan_refresh(plan=plan)
    return session


def _lock_for_log(session: TreatmentSession, by: User) -> TreatmentSession:
    locked = (
        TreatmentSession.objects.select_for_update(of=("self",))
        .select_related("plan__patient", "plan__cocktail", "formulation")
        .get(pk=session.pk)
    )
    if locked.status == Status.SIGNED:
        raise ValidationError("A signed session cannot be edited: add an amendment instead.")
    if locked.status != Status.IN_PROGRESS:
        raise ValidationError("Start the session (pre-checks) before logging it.")
    if locked.practitioner_id != by.pk:
        name = practitioner_name(locked.practitioner)
        raise ValidationError(f"Only {name}, who gave this session, can log and sign it.")
    return locked


def _performed_at_error(session: TreatmentSession, performed_at: datetime.datetime) -> str:
    """What is wrong with `performed_at` as the time of `session`'s injections; "" if none.

    Not before the patient signed the treatment consent the plan needs: the record would read
    as treatment before consent. (It may come before the pre-checks' time in the app: a
    practitioner who logs a session after giving it ticks them afterwards.) The page gives the
    time to the minute, so the signature is compared to the minute too."""
    if performed_at > timezone.now() + datetime.timedelta(minutes=10):
        return "The session cannot be in the future."
    plan = session.plan
    signed = treatment_consent_signed_at(patient=plan.patient, indication=plan.indication)
    if signed is not None and performed_at < signed.replace(second=0, microsecond=0):
        local = timezone.localtime(signed)
        return (
            "The injections cannot come before the patient signed the treatment consent, on "
            f"{local:%d/%m/%Y} at {local:%H:%M}."
        )
    if timezone.localdate(performed_at) < plan.start_date - datetime.timedelta(days=365):
        return "Check the date: it is long before the plan started."
    return ""


def _point_errors(points: Sequence[PointInput], diagrams: set[str]) -> dict[int, dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    for index, point in enumerate(points):
        problems: dict[str, str] = {}
        if point.zone not in Zone.values:
            problems["zone"] = "Choose the zone."
        elif ZONE_DIAGRAM[point.zone] != point.diagram:
            problems["zone"] = f"{Zone(point.zone).label} is not on this diagram."
        elif point.diagram not in diagrams:
            problems["zone"] = f"{Region(point.diagram).label} is not treated in this plan."
        if not 0 <= point.depth_mm <= MAX_DEPTH_MM:
            problems["depth_mm"] = f"The depth is between 0 and {MAX_DEPTH_MM} mm."
        if point.volume_ml <= 0:
            problems["volume_ml"] = "Enter the volume injected here, more than 0 ml."
        placed = [value for value in (point.x, point.y) if value is not None]
        if len(placed) == 1 or any(not 0 <= value <= 1 for value in placed):
            problems["zone"] = "This point is outside the diagram: place it again."
        if problems:
            rows[index] = problems
    return rows


def _lot_errors(
    lots: Sequence[LotInput], formulation: Formulation, products: dict[int, Any]
) -> dict[int, dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    for index, line in enumerate(lots):
        problems: dict[str, str] = {}
        product = line.lot.product
        if line.lot.product_id not in products:
            problems["lot"] = (
                f"Lot {line.lot.lot_number} is {product}, which is not in {formulation}."
            )
        if line.vials < 1:
            problems["vials"] = "At least one vial."
        if line.volume_ml <= 0:
            problems["volume_ml"] = "Enter the volume used, more than 0 ml."
        elif line.vials >= 1 and line.volume_ml > line.vials * product.volume_ml:
            problems["volume_ml"] = (
                f"{line.vials} vial{'s' if line.vials > 1 else ''} of {product.volume_ml:g} ml "
                f"hold {line.vials * product.volume_ml:g} ml at most."
            )
        if problems:
            rows[index] = problems
    return rows


def _volume_error(total: Decimal | None, points: Sequence[PointInput]) -> str:
    if total is None or not points:
        return ""
    summed = sum((point.volume_ml for point in points), Decimal(0)).quantize(CENT)
    if summed != total.quantize(CENT):
        return (
            f"The sites add up to {summed:.2f} ml, not {total:.2f} ml: "
            "correct a site's volume or the total."
        )
    return ""


def _lot_key(lot_id: int, vials: int, volume_ml: Decimal) -> tuple[int, int, Decimal]:
    return lot_id, vials, volume_ml.quantize(CENT)


def _lot_changes(
    current: Sequence[SessionLot], lots: Sequence[LotInput]
) -> tuple[list[SessionLot], list[int]]:
    """What saving `lots` does to the session's lots `current`: the rows given back to stock
    (no longer in the log) and the positions in `lots` of the rows taken from it. A row the
    same as one already held (lot, vials, volume) stays as it is, without touching stock."""
    wanted = Counter(_lot_key(line.lot.pk, line.vials, line.volume_ml) for line in lots)
    returned = []
    for row in current:
        key = _lot_key(row.lot_id, row.vials, row.volume_ml)
        if wanted[key]:
            wanted[key] -= 1
        else:
            returned.append(row)
    taken = []
    for index, line in enumerate(lots):
        key = _lot_key(line.lot.pk, line.vials, line.volume_ml)
        if wanted[key]:
            wanted[key] -= 1
            taken.append(index)
    return returned, taken


def _held_lots(session: TreatmentSession) -> list[SessionLot]:
    """The session's lots in use, with their ledger rows (which a save may cancel)."""
    return list(
        session.lots.filter(usage__cancelled_at__isnull=True).select_related("usage", "lot")
    )


def _stock_errors(
    held: Sequence[SessionLot], lots: Sequence[LotInput], used_at: datetime.datetime | None
) -> dict[int, dict[str, str]]:
    """What `lot_consume` would refuse when the log is saved (a lot recalled, expired on the
    day of the session, or with fewer vials left than the new rows take, counting those this
    save gives back), found before anything is written so that it comes back with the log's
    other errors in one submit. `lot_consume`, with the lot's row locked, still has the last
    word when two sessions race for the last vials."""
    returned, taken = _lot_changes(held, lots)
    given_back = Counter()
    for row in returned:
        given_back[row.lot_id] += row.vials
    needed = Counter()
    for index in taken:
        needed[lots[index].lot.pk] += lots[index].vials
    used_on = timezone.localdate(used_at) if used_at is not None else None
    rows: dict[int, dict[str, str]] = {}
    for index in taken:
        lot = lots[index].lot
        left = lot.quantity_left + given_back[lot.pk]
        if lot.is_recalled:
            rows[index] = {"lot": f"Lot {lot.lot_number} has been recalled."}
        elif used_on is not None and lot.is_expired_on(used_on):
            expired = date_format(lot.expiry_date, "j M Y")
            rows[index] = {"lot": f"Lot {lot.lot_number} expired on {expired}."}
        elif needed[lot.pk] > left:
            message = f"Lot {lot.lot_number} has only {left} vial{pluralize(left)} left"
            if needed[lot.pk] > lots[index].vials:
                message += f": its rows in this log take {needed[lot.pk]}"
            rows[index] = {"vials": message + "."}
    return rows


def _sync_lots(
    session: TreatmentSession,
    held: Sequence[SessionLot],
    lots: Sequence[LotInput],
    formulation: Formulation,
    by: User,
) -> dict[tuple[str, int], dict[str, str]]:
    """Make the session's lots what `lots` says: unchanged rows stay, removed ones are given
    back to stock, new ones are taken from it. Returns the rows a lot refused."""
    returned, taken = _lot_changes(held, lots)
    for row in returned:
        lot_usage_cancel(
            usage=row.usage, by=by, reason="Removed from the session log before signing."
        )
    errors: dict[tuple[str, int], dict[str, str]] = {}
    for index in taken:
        line = lots[index]
        try:
            usage = lot_consume(
                lot=line.lot,
                quantity=line.vials,
                patient=session.plan.patient,
                practitioner=session.practitioner,
                used_at=session.performed_at,
                formulation=formulation,
                volume_ml=line.volume_ml,
                reference=f"Treatment session #{session.pk}",
            )
        except ValidationError as error:
            errors["lots", index] = {"lot": " ".join(error.messages)}
            continue
        SessionLot.objects.create(
            session=session, lot=line.lot, vials=line.vials, volume_ml=line.volume_ml, usage=usage
        )
    return errors


@dataclass
class LogProblems:
    """What session_record refuses in a log before writing anything: `fields` (the time, the
    cocktail) by field, `rows` of the sites and lots tables as in RowErrors, `total` the
    total volume's; `formulation` is the cocktail version the log would record."""

    fields: dict[str, list[str]]
    rows: dict[tuple[str, int], dict[str, str]]
    total: str
    formulation: Formulation
    # The session's lots in use as the check read them (none read when `lots` was not given),
    # which session_record then makes what the log says.
    held: list[SessionLot]

    def __bool__(self) -> bool:
        return bool(self.fields or self.rows or self.total)


def session_log_problems(
    *,
    session: TreatmentSession,
    data: Mapping[str, Any],
    cocktail: Cocktail | None,
    points: Sequence[PointInput] | None,
    lots: Sequence[LotInput] | None,
) -> LogProblems:
    """Check a log as session_record does, without writing. The page also calls it when some
    of its own fields are invalid, with what it could read (a key missing from `data`, or
    `points` or `lots` None, is not checked), so that every error comes back in one submit."""
    plan = session.plan
    cocktail = cocktail or plan.cocktail
    fields: dict[str, list[str]] = {}
    if cocktail.pk not in {c.pk for c in session_cocktail_choices(plan=plan)}:
        fields["cocktail"] = [f"{cocktail.name} is not a current cocktail for {plan}."]
    performed_at = data.get("performed_at")
    if performed_at is not None and (problem := _performed_at_error(session, performed_at)):
        fields["performed_at"] = [problem]
    if session.formulation is None or session.formulation.cocktail_id != cocktail.pk:
        formulation = cocktail.current
    else:
        formulation = session.formulation
    if "cocktail" not in fields and (
        refusals := blocking_findings(formulation_id=formulation.pk, patient=plan.patient)
    ):
        fields["cocktail"] = refusals

    rows: dict[tuple[str, int], dict[str, str]] = {}
    held: list[SessionLot] = []
    if points is not None:
        for index, problems in _point_errors(points, set(plan_diagrams(plan))).items():
            rows["points", index] = problems
    if lots is not None:
        products = allowed_products(formulation=formulation)
        for index, problems in _lot_errors(lots, formulation, products).items():
            rows["lots", index] = problems
        held = _held_lots(session)
        for index, problems in _stock_errors(held, lots, data.get("performed_at")).items():
            # A row's own error (a lot of another product…) says more than its stock.
            rows["lots", index] = problems | rows.get(("lots", index), {})
    total = _volume_error(data.get("total_volume_ml"), points) if points is not None else ""
    return LogProblems(fields=fields, rows=rows, total=total, formulation=formulation, held=held)


@transaction.atomic
def session_record(
    *,
    session: TreatmentSession,
    by: User,
    data: Mapping[str, Any],
    points: Sequence[PointInput],
    lots: Sequence[LotInput],
    cocktail: Cocktail | None = None,
) -> TreatmentSession:
    """Save the log of a session in progress: its fields (`data`, keys from LOG_FIELDS), the
    injection sites and the lots used. The cocktail's current version is frozen and recorded
    as the exact version injected. Raises RowErrors (rows of the sites or lots tables) or a
    ValidationError keyed by field; then nothing is saved, stock included."""
    unknown = set(data) - set(LOG_FIELDS)
    if unknown:
        raise TypeError(f"session_record cannot set {sorted(unknown)}")
    session = _lock_for_log(session, by)
    cocktail = cocktail or session.plan.cocktail
    performed_at = data.get("performed_at") or session.performed_at
    problems = session_log_problems(
        session=session,
        data={**data, "performed_at": performed_at},
        cocktail=cocktail,
        points=points,
        lots=lots,
    )
    if problems.fields:
        raise ValidationError(problems.fields)
    if problems.rows or problems.total:
        raise RowErrors(
            problems.rows, {"total_volume_ml": problems.total} if problems.total else None
        )
    formulation = problems.formulation

    for field, value in data.items():
        setattr(session, field, value)
    session.performed_at = performed_at
    session.reactions = list(session.reactions or [])
    if session.formulation_id != formulation.pk:
        formulation = cocktail_freeze_current(cocktail=cocktail)
    session.formulation = formulation
    session._history_user = by
    session.save()

    refused = _sync_lots(session, problems.held, lots, formulation, by)
    if refused:
        # Raising undoes this whole save: the lots already taken go back with it.
        raise RowErrors(refused)

    for point in session.points.all():
        point._history_user = by
        point.delete()
    for position, point in enumerate(points):
        injection_point(session, position, point).save(force_insert=True)
    return session


def injection_point(session: TreatmentSession, position: int, point: PointInput) -> InjectionPoint:
    """The (unsaved) injection point `position` of `session` that `point` describes."""
    return InjectionPoint(
        session=session,
        position=position,
        diagram=point.diagram,
        zone=point.zone,
        x=point.x,
        y=point.y,
        depth_mm=point.depth_mm,
        volume_ml=point.volume_ml,
    )


def sign_problems(session: TreatmentSession) -> list[tuple[str, str]]:
    """What still stops `session` from being signed, as (field, message); empty when none."""
    problems = []
    if session.formulation_id is None:
        problems.append(("cocktail", "Record the cocktail injected."))
    if not session.technique:
        problems.append(("technique", "Record the technique."))
    if session.needle_gauge is None or session.needle_length_mm is None:
        problems.append(("needle_gauge", "Record the needle (gauge and length)."))
    points = list(session.points.all())
    if not points:
        problems.append(("points", "Place at least one injection site on the map."))
    summed = sum((point.volume_ml for point in points), Decimal(0))
    if session.total_volume_ml is None:
        problems.append(("total_volume_ml", "Record the total volume injected."))
    elif points and summed.quantize(CENT) != session.total_volume_ml.quantize(CENT):
        problems.append(
            (
                "total_volume_ml",
                f"The sites add up to {summed:.2f} ml, not {session.total_volume_ml:.2f} ml.",
            )
        )
    used = list(
        session.lots.filter(usage__cancelled_at__isnull=True).select_related("lot__product")
    )
    if not used:
        problems.append(("lots", "Record the lots used (they are traced in case of a recall)."))
    else:
        # What was injected came out of these vials: more than they hold is a typing slip
        # (a volume per site entered as the total, a lot left out), not a record to sign.
        held = sum((row.vials * row.lot.product.volume_ml for row in used), Decimal(0))
        if summed > held:
            problems.append(
                (
                    "total_volume_ml",
                    f"The sites add up to {summed:.2f} ml, but the lots used hold "
                    f"{held:.2f} ml at most: check the volumes, or record the other vials.",
                )
            )
    if session.pain_score is None:
        problems.append(("pain_score", "Record the pain score."))
    if not session.aftercare.strip():
        problems.append(("aftercare", "Record the aftercare advice given."))
    return problems


@transaction.atomic
def session_sign(*, session: TreatmentSession, by: User) -> TreatmentSession:
    """Sign a complete log: from now on it is read-only (corrections are amendments)."""
    session = _lock_for_log(session, by)
    problems = sign_problems(session)
    if problems:
        raise ValidationError(
            {"__all__": ["The session cannot be signed yet:"] + [m for _, m in problems]}
        )
    session.status = Status.SIGNED
    session.signed_at = timezone.now()
    session.signed_by = by
    session._history_user = by
    session.save(update_fields=["status", "signed_at", "signed_by", "updated_at"])
    plan_refresh(plan=TreatmentPlan.objects.select_for_update().get(pk=session.plan_id))
    diary.session_logged(session_id=session.pk, signed=True, by=by)
    return session


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def _whole_number_problem(field: models.Field) -> str:
    """For a whole-number field, what it takes, in words, from its own validators ("Enter a
    whole number from 0 to 10."); "" for any other field. Django's own messages ("“abc” value
    must be an integer.") speak of types, not of the record."""
    if not isinstance(field, models.IntegerField):
        return ""
    lows = [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
    if lows and highs:
        return f"Enter a whole number from {max(lows)} to {min(highs)}."
    return "Enter a whole number."


@transaction.atomic
def session_amend(
    *, session: TreatmentSession, by: User, field: str, new_value: str, reason: str
) -> SessionAmendment:
    """Correct a signed session: the amendment keeps the old value, the new one, the reason,
    the author and the time; the session shows the corrected value beside the original.
    `field` empty adds a note to the record (an addendum)."""
    session = TreatmentSession.objects.select_for_update().get(pk=session.pk)
    errors: dict[str, str] = {}
    if not session.is_signed:
        raise ValidationError("Only a signed session is amended; edit the log instead.")
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Say why the record is corrected."
    if field and field not in AMENDABLE_FIELDS:
        errors["field"] = "This part of the record cannot be amended: add a note instead."
    new_value = new_value.strip()
    value: Any = new_value
    model_field = TreatmentSession._meta.get_field(field) if field in AMENDABLE_FIELDS else None
    if model_field is not None:
        try:
            value = model_field.clean(new_value or None, session)
        except ValidationError as error:
            errors["new_value"] = _whole_number_problem(model_field) or " ".join(error.messages)
        else:
            if value is None and not model_field.null:
                value = ""
            if value == getattr(session, field):
                errors["new_value"] = "This is the value already recorded."
    elif not new_value:
        errors["new_value"] = "Write the note to add."
    if errors:
        raise ValidationError(errors)
    amendment = SessionAmendment.objects.create(
        session=session,
        field=field,
        old_value=_shown(getattr(session, field)) if field else "",
        new_value=_shown(value),
        reason=reason,
        by=by,
    )
    if model_field is not None:
        setattr(session, field, value)
        session._history_user = by
        session.save(update_fields=[field, "updated_at"])
    return amendment
