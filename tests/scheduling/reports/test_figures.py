"""Every figure of the report against records whose answer is known (scenes.py, beside this):
months on the clinic's calendar, not UTC's; what counts as attended, cancelled or a no-show;
which maintenance dates came due and were kept; adverse events per 100 sessions; GAIS by
indication; and one practitioner's share of each."""

from __future__ import annotations

import pytest

from scheduling.reports.selectors import Period, Report
from tests.scheduling.reports import scenes
from tests.scheduling.reports.scenes import FEB, JAN, MAR, TODAY

pytestmark = pytest.mark.django_db


def _report(practitioner=None) -> Report:
    return Report(Period(first=JAN, last=MAR, practitioner=practitioner), today=TODAY)


def _figures(table) -> dict[tuple[str, ...], tuple]:
    return {row.csv_keys: row.values for row in [*table.rows, *table.totals]}


class TestTreatmentActivity:
    @pytest.fixture
    def scene(self, practitioner, other_practitioner, cocktail):
        return scenes.activity(practitioner, other_practitioner, cocktail)

    def test_sessions_plans_and_new_patients_by_month_of_the_clinic(self, scene):
        assert _figures(_report().activity_table()) == {
            # Sessions given, new plans, new patients.
            ("2026-01",): (1, 1, 1),
            ("2026-02",): (2, 1, 1),
            ("2026-03",): (1, 1, 1),
            ("Total",): (4, 3, 3),
        }

    def test_one_practitioner_counts_their_sessions_plans_and_first_consultations(
        self, scene, practitioner
    ):
        assert _figures(_report(practitioner).activity_table()) == {
            ("2026-01",): (1, 1, 1),
            ("2026-02",): (1, 0, 1),
            ("2026-03",): (1, 1, 0),
            ("Total",): (3, 2, 2),
        }

    def test_split_by_indication_for_the_period(self, scene):
        figures = _figures(_report().indication_table())
        # Sessions given, share of sessions, new plans.
        assert figures[("Facial rejuvenation",)] == (2, 50.0, 1)
        assert figures[("Hair restoration",)] == (1, 25.0, 1)
        assert figures[("Cellulite reduction",)] == (1, 25.0, 1)
        assert figures[("Scar reduction",)] == (0, 0.0, 0)
        assert figures[("Total",)] == (4, 100.0, 3)


class TestAppointments:
    @pytest.fixture
    def scene(self, frozen, practitioner, other_practitioner):
        scenes.appointments(practitioner, other_practitioner)

    def test_booked_attended_cancelled_no_shows_and_rate_by_month(self, scene):
        assert _figures(_report().appointments_table()) == {
            # Booked, attended, cancelled, no-shows, still booked, no-show rate.
            ("2026-01",): (0, 0, 0, 0, 0, None),
            ("2026-02",): (5, 3, 1, 1, 0, 25.0),
            ("2026-03",): (2, 0, 0, 1, 1, 100.0),
            ("Total",): (7, 3, 1, 2, 1, 40.0),
        }

    def test_one_practitioner_counts_their_appointments(self, scene, practitioner):
        figures = _figures(_report(practitioner).appointments_table())
        assert figures[("2026-02",)] == (4, 2, 1, 1, 0, 33.3)
        assert figures[("Total",)] == (6, 2, 1, 2, 1, 50.0)


class TestMaintenanceKept:
    @pytest.fixture
    def plans(self, practitioner, other_practitioner, cocktail):
        return scenes.maintenance(practitioner, other_practitioner, cocktail)

    def test_due_dates_kept_missed_and_open_by_month_due(self, plans):
        figures = _figures(_report().maintenance_table())
        assert figures == {
            ("2026-01",): scenes.MAINTENANCE_EXPECTED[JAN],
            ("2026-02",): scenes.MAINTENANCE_EXPECTED[FEB],
            ("2026-03",): scenes.MAINTENANCE_EXPECTED[MAR],
            ("Total",): (8, 3, 3, 2, 50.0),
        }

    def test_one_practitioner_counts_the_plans_they_lead(self, plans, other_practitioner):
        figures = _figures(_report(other_practitioner).maintenance_table())
        assert figures[("2026-02",)] == (1, 1, 0, 0, 100.0)
        assert figures[("Total",)] == (1, 1, 0, 0, 100.0)

    def test_a_booking_within_the_window_keeps_the_date_and_none_misses_it(self, plans):
        """The two plans the brief names, alone: due in January, one booked 22 days after
        its date, the other with nothing booked."""
        from treatments.models import TreatmentPlan

        TreatmentPlan.objects.exclude(pk__in=[plans["booked"].pk, plans["missed"].pk]).update(
            maintenance_every_days=None
        )
        figures = _figures(_report().maintenance_table())
        assert figures[("2026-01",)] == (2, 1, 1, 0, 50.0)
        assert figures[("Total",)] == (2, 1, 1, 0, 50.0)


class TestSafetyAndOutcomes:
    @pytest.fixture
    def scene(self, practitioner, other_practitioner, cocktail):
        scenes.safety(practitioner, other_practitioner, cocktail)

    def test_adverse_events_by_month_of_their_session_and_per_100_sessions(self, scene):
        assert _figures(_report().safety_table()) == {
            # Sessions given, adverse events, severe, per 100 sessions.
            ("2026-01",): (1, 2, 0, 200.0),
            ("2026-02",): (2, 1, 1, 50.0),
            ("2026-03",): (2, 1, 0, 50.0),
            ("Total",): (5, 4, 1, 80.0),
        }

    def test_adverse_events_by_kind_and_severity(self, scene):
        figures = _figures(_report().adverse_event_table())
        # Mild, moderate, severe, all, per 100 sessions.
        assert figures[("Bruising",)] == (2, 0, 0, 2, 40.0)
        assert figures[("Nodules or granuloma",)] == (0, 0, 1, 1, 20.0)
        assert figures[("Swelling",)] == (0, 1, 0, 1, 20.0)
        assert figures[("Infection",)] == (0, 0, 0, 0, 0.0)
        assert figures[("Total",)] == (2, 1, 1, 4, 80.0)

    def test_gais_by_indication_and_rater(self, scene):
        figures = _figures(_report().gais_table())
        # Very much improved, much improved, improved, no change, worse, reviews, improved %.
        assert figures[("Facial rejuvenation", "Practitioner")] == (1, 1, 1, 0, 0, 3, 100.0)
        assert figures[("Facial rejuvenation", "Patient")] == (0, 1, 0, 1, 0, 2, 50.0)
        assert figures[("Hair restoration", "Practitioner")] == (0, 0, 0, 0, 1, 1, 0.0)
        assert figures[("Hair restoration", "Patient")] == (0, 0, 1, 0, 0, 1, 100.0)
        assert figures[("Scar reduction", "Patient")] == (0, 0, 0, 0, 0, 0, None)
        assert figures[("All indications", "Practitioner")] == (1, 1, 1, 0, 1, 4, 75.0)
        assert figures[("All indications", "Patient")] == (0, 1, 1, 1, 0, 3, 66.7)

    def test_one_practitioner_counts_their_sessions_events_and_reviews(self, scene, practitioner):
        assert _figures(_report(practitioner).safety_table())[("Total",)] == (3, 3, 1, 100.0)
        gais = _figures(_report(practitioner).gais_table())
        assert gais[("All indications", "Practitioner")] == (1, 1, 1, 0, 0, 3, 100.0)
        assert gais[("Hair restoration", "Practitioner")] == (0, 0, 0, 0, 0, 0, None)


def test_headlines_sum_up_the_period(practitioner, other_practitioner, cocktail):
    scenes.safety(practitioner, other_practitioner, cocktail)
    scenes.appointments(practitioner, other_practitioner)
    headlines = {h.label: (h.value, h.detail) for h in _report().headlines()}
    assert headlines["Sessions given"][0] == "5"
    assert headlines["No-show rate"] == ("40.0 %", "2 of 5 appointments attended or missed")
    assert headlines["Maintenance kept"][0] == "\u2014"  # nothing came due
    assert headlines["Adverse events per 100 sessions"] == ("80.0", "4 events, 1 severe")
