"""The outcome chart: server-drawn SVG geometry, with no script and no style attribute."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.template.loader import render_to_string

from cocktails.choices import Indication
from treatments.charts import outcome_chart
from treatments.models import Outcome

d = datetime.date


def _outcomes(*rows):
    return [
        Outcome(assessed_on=day, measure=Decimal(value) if value is not None else None, **extra)
        for day, value, extra in rows
    ]


def test_hair_density_rises_up_the_chart_as_it_improves():
    chart = outcome_chart(
        indication=Indication.HAIR_RESTORATION,
        outcomes=_outcomes((d(2026, 1, 5), "118", {}), (d(2026, 3, 2), "146", {})),
    )
    first, last = chart.series[0].points
    assert chart.title == "Hair density"
    assert first.x == chart.plot_left and last.x == chart.plot_right
    assert last.y < first.y  # higher density, higher on the page
    assert chart.plot_top <= last.y and first.y <= chart.plot_bottom
    assert first.label == "5 Jan: 118 hairs/cm²"
    assert chart.series[0].path.startswith(f"M{first.x:.1f},{first.y:.1f} L")


def test_gais_puts_very_much_improved_at_the_top():
    chart = outcome_chart(
        indication=Indication.FACIAL_REJUVENATION,
        outcomes=_outcomes(
            (d(2026, 1, 5), None, {"gais_practitioner": 4, "gais_patient": 3}),
            (d(2026, 2, 5), None, {"gais_practitioner": 1, "gais_patient": 2}),
        ),
    )
    practitioner, patient = chart.series
    assert practitioner.points[1].y == chart.plot_top
    assert practitioner.points[0].y > patient.points[0].y
    assert patient.dashed
    assert "Practitioner: 5 Jan: No change, 5 Feb: Very much improved" in chart.description


def test_an_empty_chart_says_so():
    chart = outcome_chart(indication=Indication.CELLULITE, outcomes=[])
    assert chart.is_empty
    assert chart.description == "Cellulite Severity Scale. No review recorded yet."


def test_the_chart_markup_passes_the_content_security_policy():
    chart = outcome_chart(
        indication=Indication.SCARS,
        outcomes=_outcomes((d(2026, 1, 5), "9", {}), (d(2026, 2, 5), "5", {})),
    )
    html = render_to_string("treatments/_outcome_chart.html", {"chart": chart})
    assert "<svg" in html and "<path" in html
    assert not re.search(r"\sstyle\s*=|<script|\son[a-z]+\s*=", html)
