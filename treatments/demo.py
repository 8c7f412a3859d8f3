"""Demo treatment plans for `manage.py seed_demo`: one per indication and one in every state,
with signed sessions (injection maps, lots taken from stock), outcomes and an adverse event.

Everything goes through the services, so the demo obeys the same rules as the pages (pre-checks,
stock, signing). Sessions happened weeks ago: they are logged with their real date; only the
signing time is set afterwards to just after the session, as a practitioner would have signed.
Idempotent: a plan already present for a demo patient and indication is left alone. Runs after
the patients demo; with no demo patients it creates nothing. The scheduling demo, which runs
next, gives these sessions their appointments, has the practice's past told around them (every
other consultation's course: treatments/demo_history.py) and books the remaining sessions of
the running plans.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from clinic.demo import HOLIDAYS
from cocktails.choices import INDICATION_DEFAULTS, BodyArea, Indication, Region
from cocktails.demo import seed_patient_cocktails
from cocktails.models import EXPIRY_WARNING_DAYS, Cocktail, Lot, Product
from cocktails.services import lot_receive
from patients.models import Consent, Consultation, Patient
from patients.selectors import patient_has_photo_consent
from treatments import services
from treatments.maps import load_diagram
from treatments.models import AdverseEvent, TreatmentPlan, TreatmentSession
from treatments.services import LotInput, PointInput

Out = Callable[[str], None]
Status = TreatmentPlan.Status

# Stock delivered before the oldest demo session, just enough for the courses: the lots the
# cocktails demo put on the shelf for its stock alerts (expiring, expired, low) keep them.
DELIVERIES = (
    ("Polyrevitalising complex", "PR-5630", 300, 3),
    ("Hair complex", "CAP-HC-802", 300, 8),
    ("Biotin 5", "CAP-B5-231", 260, 7),
    ("Scar repair", "MSL-SC-38", 200, 6),
)


@dataclass(frozen=True)
class DemoSession:
    days_ago: int
    zones: tuple[str, ...]
    volume_each: str
    depth: str
    pain: int
    reactions: tuple[str, ...] = ("redness",)


@dataclass(frozen=True)
class DemoOutcome:
    days_ago: int
    gais_practitioner: int | None = None
    gais_patient: int | None = None
    satisfaction: int | None = None
    measure: str | None = None
    baseline: bool = False


@dataclass(frozen=True)
class DemoPlan:
    patient: tuple[str, str]
    indication: str
    areas: tuple[str, ...]
    cocktail: str  # a patient cocktail ("… for <first name>") or a clinic template
    status: str
    start_days: int  # from today: negative in the past
    practitioner: str = "dr.martin"
    sessions_count: int | None = None
    interval: int | None = None
    maintenance: int | str | None = "default"
    technique: str = TreatmentSession.Technique.NAPPAGE
    gauge: int = 30
    length: str = "4"
    # The products whose lots a session records, with vials and ml drawn.
    draws: tuple[tuple[str, int, str], ...] = ()
    sessions: tuple[DemoSession, ...] = ()
    outcomes: tuple[DemoOutcome, ...] = ()
    stop_reason: str = ""
    notes: str = ""
    adverse: dict[str, Any] = field(default_factory=dict)


FACE = ("forehead", "periorbital_r", "periorbital_l", "cheek_r", "cheek_l", "neck")
SCALP = ("frontal", "mid_scalp", "vertex", "temporal_r", "temporal_l", "parietal_r")

PLANS: tuple[DemoPlan, ...] = (
    DemoPlan(
        ("Amélie", "Rousseau"),
        Indication.FACIAL_REJUVENATION,
        (BodyArea.FACE, BodyArea.NECK),
        "Face glow for Amélie",
        Status.IN_PROGRESS,
        start_days=-28,
        draws=(("Polyrevitalising complex", 1, "3"), ("Vitamin C 100", 1, "1")),
        sessions=(
            DemoSession(28, FACE, "0.5", "1.5", 3, reactions=("redness", "wheals")),
            DemoSession(14, FACE, "0.5", "1.5", 2),
        ),
        outcomes=(DemoOutcome(1, gais_practitioner=3, gais_patient=2, satisfaction=4),),
        notes="Fresher look before her sister's wedding in June.",
        adverse={
            "session": 0,
            "kind": AdverseEvent.Kind.BRUISING,
            "onset": 27,
            "severity": AdverseEvent.Severity.MILD,
            "treatment": "Arnica gel and cold compresses.",
            "resolved": 22,
        },
    ),
    DemoPlan(
        ("Aurélien", "Picard"),
        Indication.HAIR_RESTORATION,
        (BodyArea.SCALP,),
        "Hair restoration standard for Aurélien",
        Status.MAINTENANCE,
        start_days=-91,
        practitioner="dr.nguyen",
        sessions_count=6,
        interval=7,
        technique=TreatmentSession.Technique.POINT_BY_POINT,
        gauge=32,
        draws=(("Hair complex", 1, "3"), ("Biotin 5", 1, "1.5")),
        sessions=(
            *(DemoSession(days, SCALP, "0.5", "2", 4) for days in (91, 84, 77, 70, 63, 56)),
            # After the course: the first monthly maintenance session.
            DemoSession(21, SCALP, "0.5", "2", 3),
        ),
        outcomes=(
            DemoOutcome(92, measure="118", baseline=True),
            DemoOutcome(63, gais_practitioner=4, gais_patient=4, satisfaction=3, measure="124"),
            DemoOutcome(35, gais_practitioner=3, gais_patient=3, satisfaction=4, measure="137"),
            DemoOutcome(21, gais_practitioner=2, gais_patient=2, satisfaction=5, measure="146"),
        ),
        notes="Slow the thinning at the crown; photos at every session, same angles.",
    ),
    DemoPlan(
        ("Zoé", "Lambert"),
        Indication.SCARS,
        (BodyArea.FACE,),
        "Scar repair",
        Status.COMPLETED,
        start_days=-75,
        sessions_count=3,
        maintenance=None,
        technique=TreatmentSession.Technique.POINT_BY_POINT,
        gauge=32,
        draws=(("Scar repair", 1, "2"),),
        sessions=tuple(
            DemoSession(days, ("cheek_l", "jawline_l"), "0.4", "1", 2) for days in (75, 54, 33)
        ),
        outcomes=(
            DemoOutcome(76, measure="9", baseline=True),
            DemoOutcome(40, gais_practitioner=3, gais_patient=3, satisfaction=4, measure="7"),
            DemoOutcome(4, gais_practitioner=2, gais_patient=2, satisfaction=5, measure="5"),
        ),
        notes="Acne scars on the left cheek.",
    ),
    DemoPlan(
        ("Margaux", "Fontaine"),
        Indication.FACIAL_REJUVENATION,
        (BodyArea.NECK,),
        "Face glow",
        Status.STOPPED,
        start_days=-50,
        draws=(("Polyrevitalising complex", 1, "3"),),
        sessions=(DemoSession(50, ("neck",), "1.5", "1.5", 4),),
        stop_reason="Moved to Lyon; continues with a practitioner there.",
    ),
    DemoPlan(
        ("Chloé", "Martin-Roussel"),
        Indication.CELLULITE,
        (BodyArea.THIGHS,),
        "Cellulite drainage",
        Status.ACCEPTED,
        start_days=3,
        practitioner="dr.nguyen",
        notes="Smoother thighs for the summer.",
    ),
    DemoPlan(
        ("Céline", "Faure"),
        Indication.BODY_CONTOURING,
        (BodyArea.ABDOMEN, BodyArea.FLANKS),
        "Body contouring PC/DC",
        Status.PROPOSED,
        start_days=10,
        notes="Wants to think about the budget first.",
    ),
)


def _label(spec: DemoPlan) -> str:
    return Indication(spec.indication).label.lower()


def _at(days_ago: int, hour: int = 10, minute: int = 30) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _deliveries(out: Out, manager: Any) -> None:
    today = timezone.localdate()
    for product_name, number, expires_in, vials in DELIVERIES:
        product = Product.objects.filter(name=product_name).first()
        if product is None or Lot.objects.filter(product=product, lot_number=number).exists():
            continue
        lot_receive(
            product=product,
            lot_number=number,
            expiry_date=today + datetime.timedelta(days=expires_in),
            quantity=vials,
            received_on=today - datetime.timedelta(days=100),
            by=manager,
        )
        out(f"received lot {number} of {product}")


def _first_to_expire(product_name: str, used_on: datetime.date, vials: int) -> Lot | None:
    """The lot a nurse takes: in date that day, received by then, soonest expiry first. Lots
    close to expiry today are left alone: they are the stock alerts the demo shows."""
    keep_until = timezone.localdate() + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    return (
        Lot.objects.filter(
            product__name=product_name,
            quantity_left__gte=vials,
            recalled_at__isnull=True,
            expiry_date__gte=used_on,
            expiry_date__gt=keep_until,
            received_on__lte=used_on,
        )
        .order_by("expiry_date", "pk")
        .first()
    )


# Half the distance between a zone's two demo sites, as a fraction of the map's width: about
# two markers' widths on the summary PDF.
SITE_SPREAD = 0.035


def _points(
    diagram: str, zones: Sequence[str], volume: Decimal, depth: Decimal, rng: random.Random
) -> list[PointInput]:
    """Two sites per zone, either side of its centre, as a practitioner would click them: far
    enough apart that their numbered markers on the map do not hide each other."""
    drawing = load_diagram(diagram)
    points = []
    for zone in zones:
        ax, ay = drawing.anchors[zone]
        for side in (-1, 1):
            points.append(
                PointInput(
                    diagram=diagram,
                    zone=zone,
                    depth_mm=depth,
                    volume_ml=volume / 2,
                    x=round(ax + side * SITE_SPREAD + rng.uniform(-0.006, 0.006), 4),
                    y=round(ay + rng.uniform(-0.015, 0.015), 4),
                )
            )
    return points


def _log_session(
    plan: TreatmentPlan, spec: DemoPlan, demo: DemoSession, rng: random.Random
) -> TreatmentSession | None:
    practitioner = plan.practitioner
    session = services.session_start(
        plan=plan,
        by=practitioner,
        contraindications_reviewed=True,
        # Before photos only of the patients who agreed to them.
        photos_taken=patient_has_photo_consent(patient=plan.patient),
    )
    performed_at = _at(demo.days_ago)
    # The pre-checks were passed just before the session, weeks ago (the service stamps the
    # time of the call, and the injections cannot come before them).
    TreatmentSession.objects.filter(pk=session.pk).update(
        started_at=performed_at - datetime.timedelta(minutes=5)
    )
    session.refresh_from_db()
    lots = []
    for product_name, vials, ml in spec.draws:
        lot = _first_to_expire(product_name, performed_at.date(), vials)
        if lot is not None:
            lots.append(LotInput(lot=lot, vials=vials, volume_ml=Decimal(ml)))
    diagram = Region.SCALP if plan.indication == Indication.HAIR_RESTORATION else Region.FACE
    volume = Decimal(demo.volume_each)
    points = _points(diagram, demo.zones, volume, Decimal(demo.depth), rng)
    session = services.session_record(
        session=session,
        by=practitioner,
        data={
            "performed_at": performed_at,
            "antiseptic": TreatmentSession.Antiseptic.CHLORHEXIDINE,
            "numbing_cream": "Lidocaine/prilocaine 5%" if demo.pain >= 3 else "",
            "numbing_minutes": 30 if demo.pain >= 3 else None,
            "technique": spec.technique,
            "needle_gauge": spec.gauge,
            "needle_length_mm": Decimal(spec.length),
            "total_volume_ml": volume * len(demo.zones),
            "pain_score": demo.pain,
            "reactions": list(demo.reactions),
            "reaction_notes": "",
            "notes": "",
        },
        points=points,
        lots=lots,
    )
    if not lots:
        return None
    session = services.session_sign(session=session, by=practitioner)
    # Signed just after the session, weeks ago (the service stamps the time of the call).
    TreatmentSession.objects.filter(pk=session.pk).update(
        signed_at=performed_at + datetime.timedelta(minutes=35)
    )
    return session


def _in_order(plan: TreatmentPlan, *, accepted_at: datetime.datetime) -> None:
    """Date the story the way it happened: consultation, then the plan proposed, consent
    signed and the plan accepted, then the sessions. The services stamp "now", and the demo
    patients' consultations and consents were seeded at random dates, so a plan begun three
    months ago would otherwise read as consented to this morning."""
    proposed_at = accepted_at - datetime.timedelta(days=4)
    TreatmentPlan.objects.filter(pk=plan.pk).update(accepted_at=accepted_at, created_at=proposed_at)
    Consultation.objects.filter(
        patient_id=plan.patient_id, consulted_on__gt=proposed_at.date()
    ).update(consulted_on=proposed_at.date() - datetime.timedelta(days=3))
    Consent.objects.filter(patient_id=plan.patient_id, signed_at__gt=accepted_at).update(
        signed_at=accepted_at - datetime.timedelta(hours=1)
    )


def _on_a_weekday(spec: DemoPlan) -> DemoPlan:
    """The story moved a few days back when its sessions would fall from Saturday to Monday
    or on a bank holiday: both demo practitioners see patients from Tuesday to Friday, where
    the scheduling demo gives each session its appointment. Every date of the story moves
    together (its sessions are whole weeks apart, so all of them land on that weekday)."""
    if not spec.sessions:
        return spec
    today = timezone.localdate()

    def workable(shift: int) -> bool:
        days = [today - datetime.timedelta(days=s.days_ago + shift) for s in spec.sessions]
        return all(
            day.weekday() in (1, 2, 3, 4) and (day.month, day.day) not in HOLIDAYS for day in days
        )

    shift = next((shift for shift in range(21) if workable(shift)), 0)
    if not shift:
        return spec
    adverse = dict(spec.adverse)
    if adverse:
        adverse["onset"] += shift
        adverse["resolved"] += shift
    return replace(
        spec,
        start_days=spec.start_days - shift,
        sessions=tuple(replace(s, days_ago=s.days_ago + shift) for s in spec.sessions),
        outcomes=tuple(replace(o, days_ago=o.days_ago + shift) for o in spec.outcomes),
        adverse=adverse,
    )


def _seed_plan(spec: DemoPlan, patient: Patient, users: dict[str, Any], out: Out) -> None:
    cocktail = (
        Cocktail.objects.filter(name=spec.cocktail, archived_at__isnull=True)
        .filter(Q(patient=patient) | Q(patient__isnull=True))
        .first()
    )
    if cocktail is None:
        out(f"skipped the {_label(spec)} plan of {patient}: no cocktail {spec.cocktail}")
        return
    course = INDICATION_DEFAULTS[spec.indication]
    practitioner = users[spec.practitioner]
    plan = services.plan_create(
        patient=patient,
        practitioner=practitioner,
        indication=spec.indication,
        body_areas=list(spec.areas),
        cocktail=cocktail,
        initial_sessions=spec.sessions_count or course.initial_sessions,
        interval_days=spec.interval or course.interval_days,
        maintenance_every_days=(
            course.maintenance_every_days if spec.maintenance == "default" else spec.maintenance
        ),
        start_date=timezone.localdate() + datetime.timedelta(days=spec.start_days),
        notes=spec.notes,
        by=practitioner,
    )
    if spec.status == Status.PROPOSED:
        out(f"proposed a {_label(spec)} plan to {patient}")
        return
    plan = services.plan_accept(plan=plan, by=practitioner)
    _in_order(plan, accepted_at=_at(max(-spec.start_days, 0) + 3, 17))
    rng = random.Random(plan.patient_id)  # noqa: S311 (demo positions, not security)
    logged = [_log_session(plan, spec, demo, rng) for demo in spec.sessions]
    if spec.adverse and logged[spec.adverse["session"]] is not None:
        adverse = spec.adverse
        services.adverse_event_record(
            session=logged[adverse["session"]],
            by=practitioner,
            kind=adverse["kind"],
            onset_on=timezone.localdate() - datetime.timedelta(days=adverse["onset"]),
            severity=adverse["severity"],
            treatment=adverse["treatment"],
            outcome=AdverseEvent.Outcome.RESOLVED,
            resolved_on=timezone.localdate() - datetime.timedelta(days=adverse["resolved"]),
        )
    signed = [session for session in logged if session is not None]
    for outcome in spec.outcomes:
        day = timezone.localdate() - datetime.timedelta(days=outcome.days_ago)
        before = [s for s in signed if s.performed_on <= day]
        services.outcome_record(
            plan=plan,
            by=practitioner,
            assessed_on=day,
            session=None if outcome.baseline or not before else before[-1],
            gais_practitioner=outcome.gais_practitioner,
            gais_patient=outcome.gais_patient,
            satisfaction=outcome.satisfaction,
            measure=Decimal(outcome.measure) if outcome.measure else None,
        )
    plan.refresh_from_db()
    if spec.status == Status.STOPPED:
        services.plan_stop(plan=plan, reason=spec.stop_reason, by=practitioner)
    out(f"created the {_label(spec)} plan of {patient} with {len(signed)} signed sessions")


def seed(out: Out) -> None:
    wanted = {spec.patient for spec in PLANS}
    patients = {
        (p.first_name, p.last_name): p
        for p in Patient.objects.filter(archived_at__isnull=True)
        if (p.first_name, p.last_name) in wanted
    }
    if not patients:
        return
    users = get_user_model().objects.in_bulk(
        ["manager", "dr.martin", "dr.nguyen"], field_name="username"
    )
    # The patients' own cocktails (the cocktails demo cannot make them: it runs first).
    seed_patient_cocktails(
        out,
        [p for key in (("Amélie", "Rousseau"), ("Aurélien", "Picard")) if (p := patients.get(key))],
    )
    _deliveries(out, users.get("manager"))
    for spec in PLANS:
        patient = patients.get(spec.patient)
        if patient is None or spec.practitioner not in users:
            continue
        if TreatmentPlan.objects.filter(patient=patient, indication=spec.indication).exists():
            continue
        _seed_plan(_on_a_weekday(spec), patient, users, out)
