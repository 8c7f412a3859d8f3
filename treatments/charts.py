"""The outcome chart of a plan, drawn on the server as plain SVG geometry.

No JavaScript chart library: `outcome_chart` turns a plan's outcomes into coordinates, and
``templates/treatments/_outcome_chart.html`` draws them with presentation attributes only (no
CSS, no script), so the same markup works in the page, under the strict CSP, and in a PDF.

The chart follows the indication's measure (hair density, cellulite scale, circumference,
scar scale). Facial rejuvenation has none: its chart follows GAIS, best at the top.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import date_format

from treatments.measures import measure_for
from treatments.models import Gais, Outcome, TreatmentSession

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 20, 18, 40
TEAL, AMBER, INK_MUTED = "#0f766e", "#d97706", "#6b7280"


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: tuple[ChartPoint, ...]
    dashed: bool = False

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if index == 0 else 'L'}{point.x:.1f},{point.y:.1f}"
            for index, point in enumerate(self.points)
        )


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass
class Chart:
    title: str
    unit: str
    series: list[Series] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    sessions: list[float] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(series.points for series in self.series)

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT

    @property
    def plot_top(self) -> int:
        return TOP

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def plot_width(self) -> int:
        return self.plot_right - self.plot_left

    @property
    def plot_height(self) -> int:
        return self.plot_bottom - self.plot_top

    @property
    def legend(self) -> list[Series]:
        return [series for series in self.series if series.points]

    @property
    def description(self) -> str:
        """What a screen reader says about the chart: every value, in order."""
        parts = [
            f"{series.name}: " + ", ".join(point.label for point in series.points)
            for series in self.series
            if series.points
        ]
        return f"{self.title}. " + ("; ".join(parts) if parts else "No review recorded yet.")


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks if span else 1
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def _day_label(day: datetime.date) -> str:
    return date_format(day, "j M")


def outcome_chart(
    *,
    indication: str,
    outcomes: Sequence[Outcome],
    sessions: Sequence[TreatmentSession] = (),
) -> Chart:
    """The chart of `outcomes` over the course, with the days of the signed `sessions` marked
    along the time axis. No query: everything comes loaded."""
    measure = measure_for(indication)
    session_days = [s.performed_on for s in sessions if s.is_signed and s.performed_on]
    if measure is not None:
        rows = [(o.assessed_on, o.measure) for o in outcomes if o.measure is not None]
        chart = Chart(title=measure.label, unit=measure.scale)
        values = [float(value) for _, value in rows]
        low, high = (min(values), max(values)) if values else (0.0, 0.0)
        step = _nice_step(max(high - low, 1.0))
        low = max(float(measure.minimum), math.floor(low / step) * step)
        high = min(float(measure.maximum), math.ceil(high / step) * step)
        if high <= low:
            if low - step >= float(measure.minimum):
                low -= step
            else:
                high += step
        series_rows = [(measure.label, TEAL, rows, False)]
        if not measure.higher_is_better:
            chart.note = "Lower is better."
        y_values = [low + index * step for index in range(round((high - low) / step) + 1)]
    else:
        chart = Chart(
            title="Global Aesthetic Improvement Scale",
            unit="",
            note="1 very much improved, 3 improved, 4 no change, 5 worse.",
        )
        low, high = 1.0, 5.0
        series_rows = [
            (
                "Practitioner",
                TEAL,
                [(o.assessed_on, o.gais_practitioner) for o in outcomes if o.gais_practitioner],
                False,
            ),
            (
                "Patient",
                AMBER,
                [(o.assessed_on, o.gais_patient) for o in outcomes if o.gais_patient],
                True,
            ),
        ]
        y_values = [1.0, 2.0, 3.0, 4.0, 5.0]

    days = [day for _, _, rows, _ in series_rows for day, _ in rows] + session_days
    if not days:
        return chart
    first, last = min(days), max(days)
    if first == last:
        first, last = first - datetime.timedelta(days=7), last + datetime.timedelta(days=7)
    span = (last - first).days
    plot_w = chart.plot_right - chart.plot_left
    plot_h = chart.plot_bottom - chart.plot_top

    def x_of(day: datetime.date) -> float:
        return chart.plot_left + plot_w * (day - first).days / span

    def y_of(value: float) -> float:
        share = (value - low) / (high - low)
        # GAIS: 1 (very much improved) at the top; measures: the larger value at the top.
        return chart.plot_top + plot_h * (share if measure is None else 1 - share)

    for name, colour, rows, dashed in series_rows:
        points = []
        for day, value in sorted(rows, key=lambda row: row[0]):
            if measure is None:
                label = f"{_day_label(day)}: {Gais(value).label}"
            else:
                shown = Decimal(value).quantize(Decimal(10) ** -measure.decimals)
                label = f"{_day_label(day)}: {shown} {measure.unit}".rstrip()
            points.append(ChartPoint(x_of(day), y_of(float(value)), label))
        chart.series.append(Series(name, colour, tuple(points), dashed))
    for value in y_values:
        chart.y_ticks.append(Tick(y_of(value), f"{value:g}"))
    tick_count = min(6, span // 7 + 1) if span >= 7 else 2
    for index in range(tick_count):
        day = first + datetime.timedelta(days=round(span * index / max(tick_count - 1, 1)))
        chart.x_ticks.append(Tick(x_of(day), _day_label(day)))
    chart.sessions = [x_of(day) for day in session_days]
    return chart
