"""The report's figures: a few GROUP BY queries by month, in the clinic's time zone, whatever
the number of patients, sessions or appointments (one query per kind of record, run only when
a table needs it), and the tables the page and the CSV files both show.

A month is a month on the clinic's calendar: a session given at 00:30 in Paris on 1 March
counts in March, though it is still February in UTC.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Aggregate,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncMonth
from django.template.defaultfilters import pluralize

from clinic.lib.dates import add_months, months_between
from clinic.lib.orm import AddDays
from clinic.roles import practitioner_name
from cocktails.choices import Indication
from patients.models import Consultation
from scheduling import clock
from scheduling.models import Appointment
from scheduling.treatment_reminders import maintenance_visits
from treatments.models import AdverseEvent, Gais, Outcome, TreatmentPlan, TreatmentSession
from treatments.selectors import maintenance_due_dates, maintenance_due_on

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# A maintenance due date is kept by a visit given or booked this many days either side of it.
KEPT_WITHIN_DAYS = 30

SIGNED = TreatmentSession.Status.SIGNED
Status = Appointment.Status
ATTENDED = (Status.ARRIVED, Status.IN_TREATMENT, Status.COMPLETED)
SEVERE = AdverseEvent.Severity.SEVERE
# GAIS scores 1 to 3 say the result improved.
IMPROVED = (Gais.VERY_MUCH_IMPROVED, Gais.MUCH_IMPROVED, Gais.IMPROVED)


@dataclass(frozen=True)
class Period:
    """Whole months, from `first`'s to `last`'s (both the first day of their month), and the
    practitioner whose work alone is counted, if any."""

    first: datetime.date
    last: datetime.date
    practitioner: AbstractBaseUser | None = None

    @property
    def months(self) -> list[datetime.date]:
        return months_between(self.first, self.last)

    @property
    def end_day(self) -> datetime.date:
        """The first day after the period."""
        return add_months(self.last, 1)

    @property
    def start(self) -> datetime.datetime:
        """The clinic's midnight at which the period begins."""
        return clock.at(self.first, datetime.time())

    @property
    def end(self) -> datetime.datetime:
        return clock.at(self.end_day, datetime.time())

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"{self.first:%B %Y}"
        return f"{self.first:%B %Y} to {self.last:%B %Y}"

    @property
    def practitioner_label(self) -> str:
        return practitioner_name(self.practitioner) if self.practitioner else ""


# --- Tables ------------------------------------------------------------------------------------

COUNT, PERCENT, RATE = "count", "percent", "rate"
Value_ = int | float | None


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = COUNT
    # Drawn as a bar besides the figure, scaled to the largest of the column.
    bar: bool = False


@dataclass(frozen=True)
class Row:
    # What the page shows in the first columns ("Mar 2026"), and what the CSV file does
    # ("2026-03"); the same unless said.
    labels: tuple[str, ...]
    values: tuple[Value_, ...]
    keys: tuple[str, ...] = ()

    @property
    def csv_keys(self) -> tuple[str, ...]:
        return self.keys or self.labels


@dataclass(frozen=True)
class Cell:
    text: str
    kind: str
    bar: float | None = None


def share(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, to one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def _text(value: Value_, kind: str) -> str:
    if value is None:
        return "\u2014"  # an em dash: no figure
    if kind == PERCENT:
        return f"{value:.1f} %"
    if kind == RATE:
        return f"{value:.1f}"
    return f"{value:,}".replace(",", "\u202f")


def _plural(count: int, noun: str) -> str:
    return f"{_text(count, COUNT)} {noun}{pluralize(count)}"


def _csv_value(value: Value_) -> Value_ | str:
    if value is None:
        return ""
    return f"{value:.1f}" if isinstance(value, float) else value


@dataclass
class Table:
    """One table of the report, as the page shows it and as its CSV file holds it."""

    slug: str
    title: str
    headings: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: list[Row]
    totals: list[Row] = field(default_factory=list)
    # (term, definition): how each figure is counted, shown under the table.
    legend: tuple[tuple[str, str], ...] = ()

    @property
    def is_wide(self) -> bool:
        """Many columns: the page lets its labels wrap on a tablet."""
        return len(self.headings) + len(self.columns) > 8

    def _cells(self, row: Row, scale: Sequence[float | None]) -> list[Cell]:
        cells = []
        for value, column, largest in zip(row.values, self.columns, scale, strict=True):
            bar = None
            if largest is not None and value is not None:
                bar = round(100 * value / largest, 1) if largest else 0.0
            cells.append(Cell(_text(value, column.kind), column.kind, bar))
        return cells

    @cached_property
    def display_rows(self) -> list[tuple[Row, list[Cell]]]:
        scale: list[float | None] = []
        for index, column in enumerate(self.columns):
            figures = [row.values[index] or 0 for row in self.rows]
            scale.append(max(figures, default=0) if column.bar else None)
        return [(row, self._cells(row, scale)) for row in self.rows]

    @cached_property
    def display_totals(self) -> list[tuple[Row, list[Cell]]]:
        unscaled = [None] * len(self.columns)
        return [(row, self._cells(row, unscaled)) for row in self.totals]

    def csv_header(self) -> list[str]:
        return [*self.headings, *(column.label for column in self.columns)]

    def csv_rows(self) -> Iterator[list[Any]]:
        for row in [*self.rows, *self.totals]:
            yield [*row.csv_keys, *(_csv_value(value) for value in row.values)]


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    detail: str


# --- Queries -----------------------------------------------------------------------------------


def _month(path: str) -> TruncMonth:
    """The first day of the month, on the clinic's calendar, of the moment or day at `path`."""
    return TruncMonth(path, tzinfo=clock.clinic_tz(), output_field=DateField())


def _count_by(rows: QuerySet, *groups: Any, count: Aggregate | None = None) -> Counter[tuple]:
    """One GROUP BY query: how many of `rows` fall in each combination of `groups`."""
    names = {f"group_{index}": group for index, group in enumerate(groups)}
    counts: Counter[tuple] = Counter()
    grouped = rows.values(**names).annotate(count=count or Count("pk")).order_by()
    for row in grouped:
        counts[tuple(row[name] for name in names)] += row["count"]
    return counts


def _by(counts: Counter[tuple], position: int) -> Counter[Any]:
    """The counts added up by the value at one position of their keys."""
    totals: Counter[Any] = Counter()
    for key, count in counts.items():
        totals[key[position]] += count
    return totals


def _nest(counts: Counter[tuple]) -> defaultdict[Any, Counter[Any]]:
    """The counts by the first value of their keys, each a Counter of the second."""
    nested: defaultdict[Any, Counter[Any]] = defaultdict(Counter)
    for (first, second, *_), count in counts.items():
        nested[first][second] += count
    return nested


class Report:
    """The figures of one period. Each query runs once, when a table first needs it: the
    page reads seven, a CSV file only those of its table."""

    def __init__(self, period: Period, *, today: datetime.date | None = None) -> None:
        self.period = period
        self.today = today or clock.local_today()

    def _of_practitioner(self, rows: QuerySet, path: str) -> QuerySet:
        practitioner = self.period.practitioner
        return rows.filter(**{path: practitioner}) if practitioner else rows

    @cached_property
    def sessions(self) -> Counter[tuple]:
        """(month, indication): sessions signed, by the month they were given."""
        period = self.period
        rows = TreatmentSession.objects.filter(
            status=SIGNED, performed_at__gte=period.start, performed_at__lt=period.end
        )
        rows = self._of_practitioner(rows, "practitioner")
        return _count_by(rows, _month("performed_at"), F("plan__indication"))

    @cached_property
    def plans(self) -> Counter[tuple]:
        """(month, indication): treatment plans created."""
        period = self.period
        rows = TreatmentPlan.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
        rows = self._of_practitioner(rows, "practitioner")
        return _count_by(rows, _month("created_at"), F("indication"))

    @cached_property
    def new_patients(self) -> Counter[tuple]:
        """(month,): patients whose first consultation at the practice was that month."""
        period = self.period
        earlier = Consultation.objects.filter(
            patient=OuterRef("patient"), consulted_on__lt=OuterRef("consulted_on")
        )
        firsts = Consultation.objects.filter(
            consulted_on__gte=period.first, consulted_on__lt=period.end_day
        ).exclude(Exists(earlier))
        firsts = self._of_practitioner(firsts, "practitioner")
        return _count_by(firsts, TruncMonth("consulted_on"), count=Count("patient", distinct=True))

    @cached_property
    def appointments(self) -> Counter[tuple]:
        """(month, status): appointments by the month they were (or are) for."""
        period = self.period
        rows = Appointment.objects.filter(start__gte=period.start, start__lt=period.end)
        rows = self._of_practitioner(rows, "practitioner")
        return _count_by(rows, _month("start"), F("status"))

    @cached_property
    def maintenance(self) -> dict[datetime.date, tuple[int, int, int]]:
        """month: (came due, kept, still open), by the month of the due date."""
        period = self.period
        tz = clock.clinic_tz()
        # Due dates up to today only: the others have not come due yet.
        last_day = min(period.end_day, self.today + datetime.timedelta(days=1))
        # Plans closed before the period had no maintenance due in it: not read at all.
        plans = (
            Q(completed_at__isnull=True, stopped_at__isnull=True)
            | Q(completed_at__gte=period.start)
            | Q(stopped_at__gte=period.start)
        )
        if period.practitioner:
            plans &= Q(practitioner=period.practitioner)
        chosen = (
            maintenance_due_dates(before=last_day, plans=plans)
            .filter(due_on__gte=period.first, due_on__lt=last_day)
            .values("pk")
        )
        # The plan's next signed session after the one that set the date.
        next_signed = (
            TreatmentSession.objects.filter(
                plan=OuterRef("plan"), status=SIGNED, performed_at__gt=OuterRef("performed_at")
            )
            .order_by("performed_at")
            .values("performed_at")[:1]
        )
        due_on = maintenance_due_on()
        dues = (
            TreatmentSession.objects.filter(pk__in=chosen)
            .annotate(
                due_on=due_on,
                opens=AddDays(due_on, Value(-KEPT_WITHIN_DAYS)),
                closes=AddDays(due_on, Value(KEPT_WITHIN_DAYS)),
                # Read once per date where it is compared once (a day past any date if none).
                next_on=Coalesce(
                    TruncDate(Subquery(next_signed), tzinfo=tz),
                    Value(datetime.date.max),
                    output_field=DateField(),
                ),
                completed_on=TruncDate("plan__completed_at", tzinfo=tz),
                stopped_on=TruncDate("plan__stopped_at", tzinfo=tz),
            )
            # Still due on the day: the plan was not completed or stopped by then.
            .filter(Q(plan__completed_at__isnull=True) | Q(completed_on__gt=F("due_on")))
            .filter(Q(plan__stopped_at__isnull=True) | Q(stopped_on__gt=F("due_on")))
            # A visit given before the window moved the date on: that one never came due.
            .filter(next_on__gte=F("opens"))
        )
        given = Q(next_on__lte=F("closes"))
        visits = (
            maintenance_visits()
            .exclude(status__in=Appointment.RELEASED)
            .annotate(day=TruncDate("start", tzinfo=tz))
        )
        booked = Exists(
            visits.filter(
                patient=OuterRef("plan__patient"),
                # Wide bounds in UTC first, so each patient's visits are found on an index.
                start__gte=Cast(AddDays(OuterRef("opens"), Value(-1)), DateTimeField()),
                start__lt=Cast(AddDays(OuterRef("closes"), Value(2)), DateTimeField()),
                day__gte=OuterRef("opens"),
                day__lte=OuterRef("closes"),
            )
        )
        kept = Q(given) | booked
        rows = (
            dues.values(month=TruncMonth("due_on"))
            .annotate(
                due=Count("pk"),
                kept=Count("pk", filter=kept),
                open=Count("pk", filter=Q(closes__gte=self.today) & ~kept),
            )
            .order_by()
        )
        return {row["month"]: (row["due"], row["kept"], row["open"]) for row in rows}

    @cached_property
    def adverse_events(self) -> Counter[tuple]:
        """(month, kind, severity): adverse events, by the month of the session they followed."""
        period = self.period
        rows = AdverseEvent.objects.filter(
            session__status=SIGNED,
            session__performed_at__gte=period.start,
            session__performed_at__lt=period.end,
        )
        rows = self._of_practitioner(rows, "session__practitioner")
        return _count_by(rows, _month("session__performed_at"), F("kind"), F("severity"))

    @cached_property
    def outcomes(self) -> Counter[tuple]:
        """(indication, practitioner's GAIS, patient's GAIS): reviews of the period."""
        period = self.period
        rows = Outcome.objects.filter(assessed_on__gte=period.first, assessed_on__lt=period.end_day)
        rows = self._of_practitioner(rows, "plan__practitioner")
        return _count_by(rows, F("plan__indication"), F("gais_practitioner"), F("gais_patient"))

    # --- Tables --------------------------------------------------------------------------------

    def _month_rows(self, figures: dict[datetime.date, tuple[Value_, ...]]) -> list[Row]:
        current = self.today.replace(day=1)
        return [
            Row(
                (f"{month:%b %Y}" + (" (to date)" if month == current else ""),),
                figures[month],
                (f"{month:%Y-%m}",),
            )
            for month in self.period.months
        ]

    def activity_table(self) -> Table:
        sessions, plans, patients = _by(self.sessions, 0), _by(self.plans, 0), self.new_patients
        figures = {
            month: (sessions[month], plans[month], patients[(month,)])
            for month in self.period.months
        }
        return Table(
            slug="activity",
            title="Treatment activity by month",
            headings=("Month",),
            columns=(
                Column("Sessions given", bar=True),
                Column("New treatment plans"),
                Column("New patients"),
            ),
            rows=self._month_rows(figures),
            totals=[
                Row(
                    ("Total",), tuple(sum(column) for column in zip(*figures.values(), strict=True))
                )
            ],
            legend=(
                (
                    "Sessions given",
                    "Treatment sessions signed, course and maintenance alike, in the month "
                    "they were given (clinic time).",
                ),
                ("New treatment plans", "Plans proposed in the month, whatever became of them."),
                (
                    "New patients",
                    "Patients whose first consultation at the practice was in the month.",
                ),
                (
                    "One practitioner",
                    "Sessions they gave, plans they lead, patients whose first consultation "
                    "was with them.",
                ),
            ),
        )

    def indication_table(self) -> Table:
        sessions, plans = _by(self.sessions, 1), _by(self.plans, 1)
        all_sessions = sum(sessions.values())
        rows = [
            Row(
                (indication.label,),
                (
                    sessions[indication],
                    share(sessions[indication], all_sessions),
                    plans[indication],
                ),
            )
            for indication in Indication
        ]
        return Table(
            slug="indications",
            title="Treatment activity by indication",
            headings=("Indication",),
            columns=(
                Column("Sessions given", bar=True),
                Column("Share of sessions", kind=PERCENT),
                Column("New treatment plans"),
            ),
            rows=rows,
            totals=[
                Row(
                    ("Total",),
                    (all_sessions, share(all_sessions, all_sessions), sum(plans.values())),
                )
            ],
            legend=(
                ("Indication", "The indication of the treatment plan the session belongs to."),
                (
                    "Share of sessions",
                    "The indication's sessions given, of all those given in the period.",
                ),
            ),
        )

    @staticmethod
    def _appointment_figures(statuses: Counter[str]) -> tuple[Value_, ...]:
        attended = sum(statuses[status] for status in ATTENDED)
        no_shows = statuses[Status.NO_SHOW]
        return (
            sum(statuses.values()),
            attended,
            statuses[Status.CANCELLED],
            no_shows,
            sum(statuses[status] for status in Appointment.UPCOMING),
            share(no_shows, attended + no_shows),
        )

    def appointments_table(self) -> Table:
        by_month = _nest(self.appointments)
        figures = {
            month: self._appointment_figures(by_month[month]) for month in self.period.months
        }
        return Table(
            slug="appointments",
            title="Appointments by month",
            headings=("Month",),
            columns=(
                Column("Booked"),
                Column("Attended"),
                Column("Cancelled"),
                Column("No-shows"),
                Column("Still booked"),
                Column("No-show rate", kind=PERCENT, bar=True),
            ),
            rows=self._month_rows(figures),
            totals=[Row(("Total",), self._appointment_figures(_by(self.appointments, 1)))],
            legend=(
                (
                    "Booked",
                    "Appointments of every kind set for a time in the month, whatever became "
                    "of them.",
                ),
                ("Attended", "The patient came: arrived, in treatment or completed."),
                ("Cancelled", "Cancelled by the practice or the patient, at any time before."),
                ("No-shows", "Marked as not come by the front desk."),
                ("Still booked", "Booked or confirmed, not yet come: ahead, or not marked yet."),
                ("No-show rate", "No-shows, of the appointments attended or missed."),
                ("One practitioner", "The appointments with them."),
            ),
        )

    @staticmethod
    def _maintenance_figures(due: int, kept: int, still_open: int) -> tuple[Value_, ...]:
        missed = due - kept - still_open
        return (due, kept, missed, still_open, share(kept, kept + missed))

    def maintenance_table(self) -> Table:
        counts = self.maintenance
        figures = {
            month: self._maintenance_figures(*counts.get(month, (0, 0, 0)))
            for month in self.period.months
        }
        totals = [sum(column) for column in zip(*counts.values(), strict=True)] or [0, 0, 0]
        window = KEPT_WITHIN_DAYS
        return Table(
            slug="maintenance",
            title="Maintenance kept, by month due",
            headings=("Month",),
            columns=(
                Column("Came due"),
                Column("Kept"),
                Column("Missed"),
                Column("Still open"),
                Column("Share kept", kind=PERCENT, bar=True),
            ),
            rows=self._month_rows(figures),
            totals=[Row(("Total",), self._maintenance_figures(*totals))],
            legend=(
                (
                    "Came due",
                    "Maintenance due dates in the month, up to today. A plan's maintenance is "
                    "due its maintenance interval after its last signed session once the course "
                    "is complete (the date its page and the reminders use), while the plan is "
                    f"neither completed nor stopped; a date moved by a visit more than {window} "
                    "days early never came due.",
                ),
                (
                    "Kept",
                    f"A session of the plan was given, or a maintenance appointment of the "
                    f"patient is or was booked (not cancelled, not a no-show), within {window} "
                    "days of the due date.",
                ),
                ("Missed", f"Not kept, and {window} days have passed since the due date."),
                ("Still open", f"Not kept yet, less than {window} days after the due date."),
                ("Share kept", "Kept, of the due dates kept or missed."),
                ("One practitioner", "The plans they lead."),
            ),
        )

    def safety_table(self) -> Table:
        sessions, events = _by(self.sessions, 0), _by(self.adverse_events, 0)
        severe: Counter[datetime.date] = Counter()
        for (month, _, severity), count in self.adverse_events.items():
            if severity == SEVERE:
                severe[month] += count

        def figures(given: int, events: int, severe: int) -> tuple[Value_, ...]:
            return (given, events, severe, share(events, given))

        return Table(
            slug="safety",
            title="Adverse events by month",
            headings=("Month",),
            columns=(
                Column("Sessions given"),
                Column("Adverse events"),
                Column("Severe"),
                Column("Per 100 sessions", kind=RATE, bar=True),
            ),
            rows=self._month_rows(
                {
                    month: figures(sessions[month], events[month], severe[month])
                    for month in self.period.months
                }
            ),
            totals=[
                Row(
                    ("Total",),
                    figures(sum(sessions.values()), sum(events.values()), sum(severe.values())),
                )
            ],
            legend=(
                (
                    "Adverse events",
                    "Adverse events recorded against the sessions given in the month, whenever "
                    "they began.",
                ),
                ("Per 100 sessions", "Adverse events for every 100 sessions given."),
                ("One practitioner", "Events after the sessions they gave."),
            ),
        )

    def adverse_event_table(self) -> Table:
        by_kind = defaultdict(Counter)
        for (_, kind, severity), count in self.adverse_events.items():
            by_kind[kind][severity] += count
        given = sum(self.sessions.values())
        severities = list(AdverseEvent.Severity)

        def figures(counts: Counter[str]) -> tuple[Value_, ...]:
            events = sum(counts.values())
            return (*(counts[severity] for severity in severities), events, share(events, given))

        return Table(
            slug="adverse_events",
            title="Adverse events by kind and severity",
            headings=("Kind",),
            columns=(
                *(Column(severity.label) for severity in severities),
                Column("All", bar=True),
                Column("Per 100 sessions", kind=RATE),
            ),
            rows=[Row((kind.label,), figures(by_kind[kind])) for kind in AdverseEvent.Kind],
            totals=[Row(("Total",), figures(_by(self.adverse_events, 2)))],
            legend=(
                (
                    "Adverse events",
                    "Those after the sessions given in the period, by kind and by the severity "
                    "recorded.",
                ),
                (
                    "Per 100 sessions",
                    "Events of the kind for every 100 sessions given in the period.",
                ),
            ),
        )

    def gais_table(self) -> Table:
        raters = (("Practitioner", 1), ("Patient", 2))
        scores = list(Gais)
        distributions: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
        for key, count in self.outcomes.items():
            for rater, position in raters:
                for indication in (key[0], ""):
                    distributions[(indication, rater)][key[position]] += count

        def figures(counts: Counter[int]) -> tuple[Value_, ...]:
            rated = sum(counts[score] for score in scores)
            improved = sum(counts[score] for score in IMPROVED)
            return (*(counts[score] for score in scores), rated, share(improved, rated))

        return Table(
            slug="gais",
            title="Outcomes (GAIS) by indication",
            headings=("Indication", "Rated by"),
            columns=(
                *(Column(score.label) for score in scores),
                Column("Reviews"),
                Column("Share improved", kind=PERCENT, bar=True),
            ),
            rows=[
                Row((indication.label, rater), figures(distributions[(indication, rater)]))
                for indication in Indication
                for rater, _ in raters
            ],
            totals=[
                Row(("All indications", rater), figures(distributions[("", rater)]))
                for rater, _ in raters
            ],
            legend=(
                (
                    "GAIS",
                    "The Global Aesthetic Improvement Scale of the reviews recorded in the "
                    "period, as the practitioner and as the patient rated the result.",
                ),
                ("Reviews", "Reviews with a score from that rater."),
                ("Share improved", "Improved, much or very much improved, of those reviews."),
                ("One practitioner", "Reviews of the plans they lead."),
            ),
        )

    def headlines(self) -> list[Headline]:
        given = sum(self.sessions.values())
        appointments = self._appointment_figures(_by(self.appointments, 1))
        attended, no_shows, no_show_rate = appointments[1], appointments[3], appointments[5]
        _, kept, missed, still_open, kept_rate = self.maintenance_table().totals[0].values
        events = sum(self.adverse_events.values())
        severe = _by(self.adverse_events, 2)[SEVERE]
        return [
            Headline(
                "Sessions given",
                _text(given, COUNT),
                f"{_text(sum(self.plans.values()), COUNT)} new plans, "
                f"{_text(sum(self.new_patients.values()), COUNT)} new patients",
            ),
            Headline(
                "No-show rate",
                _text(no_show_rate, PERCENT),
                f"{no_shows} of {attended + no_shows} appointments attended or missed",
            ),
            Headline(
                "Maintenance kept",
                _text(kept_rate, PERCENT),
                f"{kept} of {_plural(kept + missed, 'due date')} kept or missed"
                + (f", {still_open} still open" if still_open else ""),
            ),
            Headline(
                "Adverse events per 100 sessions",
                _text(share(events, given), RATE),
                f"{_plural(events, 'event')}, {severe} severe",
            ),
        ]

    def tables(self) -> dict[str, Table]:
        """Every table, by the name of its CSV file."""
        return {slug: table(self) for slug, table in TABLES.items()}


# Each table by the name its CSV file goes by.
TABLES = {
    "activity": Report.activity_table,
    "indications": Report.indication_table,
    "appointments": Report.appointments_table,
    "maintenance": Report.maintenance_table,
    "safety": Report.safety_table,
    "adverse_events": Report.adverse_event_table,
    "gais": Report.gais_table,
}
