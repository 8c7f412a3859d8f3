"""Reads for exports: what a treatment summary shows, which plans a batch holds, the sessions
of the CSV. Each runs a constant number of queries, however many plans and sessions."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from clinic.lib.runs import consecutive_runs
from cocktails.models import FormulationComponent
from patients.models import Consent, ConsentText, Patient
from patients.selectors import ClinicalAlerts, patient_clinical_alerts
from treatments.exports.models import ExportJob
from treatments.models import InjectionPoint, TreatmentPlan, TreatmentSession
from treatments.selectors import PlanSummary, plan_diagrams, plan_summaries
from treatments.selectors.plans import _session_prefetches
from treatments.zones import Zone

if TYPE_CHECKING:
    from clinic.roles import User


@dataclass(frozen=True)
class ZoneRow:
    """The sites of one zone in a session: their numbers on the map, depth and volume."""

    label: str
    numbers: tuple[int, ...]
    depths: tuple[Decimal, ...]
    volume: Decimal

    @property
    def depth_label(self) -> str:
        return _range_label(self.depths, "mm")

    @property
    def numbers_label(self) -> str:
        """The site numbers with runs folded, as 1-4, 7, 9-10 (with en dashes)."""
        return _runs_label(self.numbers)


def _runs_label(numbers: Sequence[int]) -> str:
    return ", ".join(
        str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}"  # noqa: RUF001 (en dash)
        for run in consecutive_runs(sorted(numbers), 1)
    )


def _range_label(values: Sequence[Decimal], unit: str) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    if low == high:
        return f"{low:g} {unit}"
    return f"{low:g}–{high:g} {unit}"  # noqa: RUF001 (an en dash in a range)


@dataclass
class PlanSection:
    """One plan in a summary: its PlanSummary (sessions decorated as described there, plus
    ``components``, ``zone_rows``, ``depth_label`` and ``diagrams``) and the treatment
    consents that cover its indication."""

    summary: PlanSummary
    consents: list[Consent]

    @property
    def plan(self) -> TreatmentPlan:
        return self.summary.plan

    @property
    def abridged(self) -> bool:
        """Whether some sessions have only their line in the list (see FULL_RECORDS)."""
        return not all(session.in_full for session in self.summary.started_sessions)


@dataclass
class SummaryDocument:
    """What a treatment summary PDF shows: the patient, their active allergies and open
    contraindications, their plans, who asked for it and when."""

    patient: Patient
    # What the doctor reading the summary must know before anything else: the same alerts
    # the patient's clinical pages show (removed allergies, resolved contraindications left out).
    alerts: ClinicalAlerts
    sections: list[PlanSection]
    generated_at: datetime.datetime
    generated_by: User | None
    # True for the summary of every plan of the patient, False for one plan's.
    whole_record: bool

    @property
    def sessions_given(self) -> int:
        return sum(len(section.summary.started_sessions) for section in self.sections)

    @property
    def patient_age(self) -> int:
        return self.patient.age_on(timezone.localdate(self.generated_at))


# How many of a plan's latest sessions the summary gives in full (facts, zones, lots with
# their expiry, notes, injection map); an earlier session with notes, an adverse event or an
# amendment is given in full too, and every session has its line in the plan's list. A full
# record with its map costs WeasyPrint about 70 ms, a line about 3 ms: a two-year course of 50
# sessions printed in full took 6 seconds and 28 pages (bench/results.md).
FULL_RECORDS = 3


def _decorate_for_print(summaries: Sequence[PlanSummary]) -> None:
    """Give each started session its depth range and ``in_full``: whether the summary prints
    its full record (see FULL_RECORDS); and each full record its cocktail components (one
    query for all), its sites grouped by zone and the diagrams they are drawn on."""
    full: list[tuple[TreatmentSession, list[str]]] = []
    for summary in summaries:
        diagrams = plan_diagrams(summary.plan)
        full_from = len(summary.started_sessions) - FULL_RECORDS
        for index, session in enumerate(summary.started_sessions):
            session.depth_label = _range_label([p.depth_mm for p in session.points.all()], "mm")
            session.in_full = bool(
                index >= full_from
                or session.notes
                or session.reaction_notes
                or session.amendments.all()
                or session.adverse_events.all()
            )
            if session.in_full:
                full.append((session, diagrams))
    components: dict[int, list[FormulationComponent]] = defaultdict(list)
    formulation_ids = {s.formulation_id for s, _ in full if s.formulation_id}
    if formulation_ids:
        for component in FormulationComponent.objects.filter(
            formulation_id__in=formulation_ids
        ).select_related("product", "ingredient"):
            components[component.formulation_id].append(component)
    for session, diagrams in full:
        session.components = components.get(session.formulation_id, [])
        points = list(session.points.all())
        session.zone_rows = _zone_rows(points)
        used = {p.diagram for p in points}
        session.diagrams = [d for d in diagrams if d in used] + sorted(used - set(diagrams))
        for amendment in session.amendments.all():
            amendment.field_label = (
                TreatmentSession._meta.get_field(amendment.field).verbose_name
                if amendment.field
                else ""
            )


def _zone_rows(points: Sequence[InjectionPoint]) -> list[ZoneRow]:
    grouped: dict[str, list[tuple[int, InjectionPoint]]] = {}
    for number, point in enumerate(points, start=1):
        grouped.setdefault(point.zone, []).append((number, point))
    return [
        ZoneRow(
            label=Zone(zone).label if zone in Zone.values else zone,
            numbers=tuple(number for number, _ in rows),
            depths=tuple(point.depth_mm for _, point in rows),
            volume=sum((point.volume_ml for _, point in rows), Decimal(0)),
        )
        for zone, rows in grouped.items()
    ]


def _treatment_consents(patient: Patient) -> list[Consent]:
    return list(
        patient.consents.filter(text__kind=ConsentText.Kind.TREATMENT)
        .select_related("text", "witnessed_by")
        .defer("signature_png")
        .order_by("signed_at", "pk")
    )


def summary_document(
    *,
    patient: Patient,
    by: User | None,
    plans: Sequence[TreatmentPlan] | None = None,
) -> SummaryDocument:
    """The summary of `plans` (with patient, practitioner and cocktail loaded), or of every
    plan of the patient when None. Twelve queries at most, whatever the record holds."""
    whole_record = plans is None
    if plans is None:
        plans = list(
            TreatmentPlan.objects.filter(patient=patient)
            .select_related("practitioner", "cocktail")
            .order_by("start_date", "pk")
        )
        for plan in plans:
            plan.patient = patient
    summaries = plan_summaries(plans=plans)
    _decorate_for_print(summaries)
    consents = _treatment_consents(patient) if plans else []
    sections = [
        PlanSection(
            summary=summary,
            consents=[c for c in consents if c.text.indication in ("", summary.plan.indication)],
        )
        for summary in summaries
    ]
    return SummaryDocument(
        patient=patient,
        alerts=patient_clinical_alerts(patient=patient),
        sections=sections,
        generated_at=timezone.now(),
        generated_by=by,
        whole_record=whole_record,
    )


# --- Which sessions and plans an export covers ------------------------------------------------


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _performed_between(
    date_from: datetime.date | None, date_to: datetime.date | None, prefix: str = ""
) -> Q:
    """Sessions performed on those days of the clinic's calendar (both ends included)."""
    condition = Q()
    if date_from:
        condition &= Q(**{f"{prefix}performed_at__gte": _local_midnight(date_from)})
    if date_to:
        end = _local_midnight(date_to + datetime.timedelta(days=1))
        condition &= Q(**{f"{prefix}performed_at__lt": end})
    return condition


def plans_for_batch(
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    indication: str = "",
) -> QuerySet[TreatmentPlan]:
    """Plans of `indication` (any, if blank) with a session given within the dates (if any),
    by patient name."""
    plans = TreatmentPlan.objects.all()
    if indication:
        plans = plans.filter(indication=indication)
    if date_from or date_to:
        given = TreatmentSession.objects.filter(
            _performed_between(date_from, date_to),
            plan=OuterRef("pk"),
            status__in=TreatmentSession.STARTED,
        )
        plans = plans.filter(Exists(given))
    return plans.order_by("patient__last_name", "patient__first_name", "start_date", "pk")


def sessions_for_csv(
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    indication: str = "",
) -> QuerySet[TreatmentSession]:
    """Sessions given (started or signed) within the dates, oldest first, with everything a
    CSV row shows. Iterate with ``.iterator(chunk_size=…)``: eight queries per chunk."""
    sessions = TreatmentSession.objects.filter(
        _performed_between(date_from, date_to), status__in=TreatmentSession.STARTED
    )
    if indication:
        sessions = sessions.filter(plan__indication=indication)
    return (
        sessions.select_related(
            "plan__patient", "practitioner", "signed_by", "formulation__cocktail"
        )
        .prefetch_related(
            # The plan page's: sites, lots still in use, amendments, adverse events.
            *_session_prefetches(),
            Prefetch(
                "formulation__components",
                queryset=FormulationComponent.objects.select_related("product", "ingredient"),
            ),
        )
        .order_by("performed_at", "pk")
    )


def patient_ids_of(sessions: QuerySet[TreatmentSession]) -> list[int]:
    """The patients whose sessions are in `sessions` (one query)."""
    return list(sessions.order_by().values_list("plan__patient_id", flat=True).distinct())


def export_jobs(*, limit: int = 20) -> list[ExportJob]:
    """The latest batch exports, newest first, with who asked for them."""
    return list(ExportJob.objects.select_related("created_by")[:limit])
