"""The reports page and its CSV files: the clinic manager's only; months checked at their
field (never a 500); the same figures in the page and the files, spreadsheet-safe; and a
constant number of queries whatever the number of records."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from clinic.roles import Role
from scheduling.reports.selectors import TABLES, Column, Row, Table
from tests.scheduling.conftest import field_errors
from tests.scheduling.reports import scenes

pytestmark = pytest.mark.django_db
PAGE = reverse("reports:report")
PERIOD = {"start": "2026-01", "end": "2026-03"}


def _csv(client, table: str, **query: str) -> list[list[str]]:
    response = client.get(reverse("reports:csv", kwargs={"table": table}), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{table}-')
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def everything(practitioner, other_practitioner, cocktail):
    scenes.activity(practitioner, other_practitioner, cocktail)
    scenes.appointments(practitioner, other_practitioner)
    scenes.maintenance(practitioner, other_practitioner, cocktail)
    scenes.safety(practitioner, other_practitioner, cocktail)


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.RECEPTIONIST])
def test_only_the_clinic_manager_reads_the_reports(role_clients, role):
    assert role_clients[role].get(PAGE).status_code == 403
    csv_url = reverse("reports:csv", kwargs={"table": "activity"})
    assert role_clients[role].get(csv_url).status_code == 403


def test_the_reports_are_in_the_managers_navigation(admin_client, practitioner_client):
    assert f'href="{PAGE}"' in admin_client.get(reverse("home")).content.decode()
    assert f'href="{PAGE}"' not in practitioner_client.get(reverse("home")).content.decode()


def test_by_default_the_last_twelve_full_months_and_this_one(frozen, admin_client):
    response = admin_client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "March 2025 to March 2026, the whole practice." in html
    assert 'value="2025-03"' in html and 'value="2026-03"' in html
    months = response.context["report"].period.months
    assert len(months) == 13
    assert "Mar 2026 (to date)" in html


def test_the_page_shows_every_table_with_its_legend_and_csv_link(
    frozen, admin_client, everything, practitioner
):
    response = admin_client.get(PAGE, {**PERIOD, "practitioner": practitioner.pk})
    html = response.content.decode()
    assert "January 2026 to March 2026, the work of Sophie Martin." in html
    for slug in TABLES:
        assert f'data-testid="table-{slug}"' in html
        link = reverse("reports:csv", kwargs={"table": slug})
        assert f"{link}?start=2026-01&amp;end=2026-03&amp;practitioner={practitioner.pk}" in html
    assert "<dt>No-show rate</dt> <dd>No-shows, of the appointments attended or missed.</dd>" in (
        html
    )
    # Aggregates only: no patient is named.
    for name in ("Prénom", "Nom"):
        assert name not in html


def test_a_practitioner_who_has_left_can_still_be_chosen(
    frozen, admin_client, everything, practitioner
):
    practitioner.is_active = False
    practitioner.save(update_fields=["is_active"])
    response = admin_client.get(PAGE, {**PERIOD, "practitioner": practitioner.pk})
    assert response.context["report"].period.practitioner == practitioner
    assert "Sophie Martin (left)</option>" in response.content.decode()
    assert "the work of Sophie Martin." in response.content.decode()


def test_headline_figures_sum_up_the_tables_below(frozen, admin_client, everything):
    response = admin_client.get(PAGE, PERIOD)
    html = response.content.decode()
    headlines = html[html.index('data-testid="report-headlines"') : html.index("table-activity")]
    tables = response.context["report"].tables()

    def total(slug: str, column: str) -> object:
        table = tables[slug]
        index = [c.label for c in table.columns].index(column)
        return table.totals[0].values[index]

    assert f'<div class="stat">{total("activity", "Sessions given")}</div>' in headlines
    assert f'<div class="stat">{total("appointments", "No-show rate")} %</div>' in headlines
    assert '<div class="stat">50.0 %</div>' in headlines  # maintenance kept, 3 of 6
    assert f'<div class="stat">{total("safety", "Per 100 sessions")}</div>' in headlines


class TestCsv:
    def test_each_table_reads_back_with_the_page_figures(self, frozen, admin_client, everything):
        report = admin_client.get(PAGE, PERIOD).context["report"]
        for slug, table in report.tables().items():
            rows = _csv(admin_client, slug, **PERIOD)
            assert rows[0] == table.csv_header()
            assert rows[1:] == [[str(cell) for cell in row] for row in table.csv_rows()]

    def test_the_appointments_csv_holds_the_months_and_the_total(
        self, frozen, admin_client, practitioner, other_practitioner
    ):
        scenes.appointments(practitioner, other_practitioner)
        rows = _csv(admin_client, "appointments", **PERIOD)
        assert rows == [
            [
                "Month", "Booked", "Attended", "Cancelled", "No-shows", "Still booked",
                "No-show rate",
            ],
            ["2026-01", "0", "0", "0", "0", "0", ""],
            ["2026-02", "5", "3", "1", "1", "0", "25.0"],
            ["2026-03", "2", "0", "0", "1", "1", "100.0"],
            ["Total", "7", "3", "1", "2", "1", "40.0"],
        ]  # fmt: skip

    def test_the_practitioner_filter_applies_to_the_file(
        self, frozen, admin_client, everything, other_practitioner
    ):
        query = {**PERIOD, "practitioner": str(other_practitioner.pk)}
        response = admin_client.get(reverse("reports:csv", kwargs={"table": "maintenance"}), query)
        assert (
            'filename="maintenance-2026-01-to-2026-03-drnguyen.csv"'
            in (response["Content-Disposition"])
        )
        rows = _csv(admin_client, "maintenance", **query)
        assert rows[-1] == ["Total", "1", "1", "0", "0", "100.0"]

    def test_cells_a_spreadsheet_would_run_are_defused(self, frozen, admin_client, monkeypatch):
        """The figures are numbers and fixed labels; should a cell ever start like a formula,
        the file says it as text (the CSV helper every export uses)."""
        table = Table(
            slug="activity",
            title="Test",
            headings=("Month",),
            columns=(Column("Sessions given"),),
            rows=[Row(("=HYPERLINK(1)",), (3,)), Row(("+1",), (4,))],
        )
        monkeypatch.setitem(TABLES, "activity", lambda report: table)
        assert _csv(admin_client, "activity") == [
            ["Month", "Sessions given"],
            ["'=HYPERLINK(1)", "3"],
            ["'+1", "4"],
        ]

    def test_an_unknown_table_is_not_found(self, admin_client):
        assert (
            admin_client.get(reverse("reports:csv", kwargs={"table": "patients"})).status_code
            == 404
        )

    def test_bad_months_get_the_page_with_the_error_not_a_file(self, frozen, admin_client):
        response = admin_client.get(
            reverse("reports:csv", kwargs={"table": "activity"}), {"start": "2026-13"}
        )
        assert response.status_code == 400
        assert field_errors(response.content.decode(), "start")


class TestPeriodErrors:
    @pytest.mark.parametrize(
        ("query", "field", "message"),
        [
            ({"start": "2026-13"}, "start", "Enter a month as year-month, for example 2026-03."),
            ({"start": "March"}, "start", "Enter a month as year-month, for example 2026-03."),
            ({"end": "1850-01"}, "end", "Enter a month between 1990 and 2027."),
            ({"end": "99999-01"}, "end", "Enter a month as year-month, for example 2026-03."),
            ({"start": "2026-03", "end": "2026-01"}, "end", "The last month is before the first"),
            (
                {"start": "2023-01", "end": "2026-03"},
                "start",
                "A report covers at most 36 months: this period has 39. Choose a later first "
                "month or an earlier last one.",
            ),
            ({"practitioner": "abc"}, "practitioner", "Select a valid choice."),
            ({"practitioner": "999999"}, "practitioner", "Select a valid choice."),
        ],
    )  # fmt: skip
    def test_said_at_the_field(self, frozen, admin_client, query, field, message):
        response = admin_client.get(PAGE, query)
        assert response.status_code == 200
        errors = field_errors(response.content.decode(), field)
        assert len(errors) == 1
        assert errors[0].startswith(message)
        assert response.context["report"] is None
        assert 'data-testid="report-invalid"' in response.content.decode()

    def test_thirty_six_months_are_accepted(self, frozen, admin_client):
        response = admin_client.get(PAGE, {"start": "2023-04", "end": "2026-03"})
        assert len(response.context["report"].period.months) == 36

    def test_one_month_given_makes_a_year(self, frozen, admin_client):
        period = admin_client.get(PAGE, {"end": "2025-06"}).context["report"].period
        assert (f"{period.first:%Y-%m}", f"{period.last:%Y-%m}") == ("2024-06", "2025-06")
        period = admin_client.get(PAGE, {"start": "2025-06"}).context["report"].period
        assert (f"{period.first:%Y-%m}", f"{period.last:%Y-%m}") == ("2025-06", "2026-03")


def test_the_page_reads_the_same_number_of_queries_whatever_the_records(
    frozen, admin_client, practitioner, other_practitioner, cocktail, django_assert_num_queries
):
    query = {**PERIOD, "practitioner": practitioner.pk}
    admin_client.get(PAGE)  # the session is refreshed on the first request
    scenes.activity(practitioner, other_practitioner, cocktail)
    # The session, the user, their roles; the practitioner chosen, the practitioners offered;
    # the sessions, plans, first consultations, appointments, maintenance due dates, adverse
    # events and reviews, one GROUP BY each.
    with django_assert_num_queries(12) as small:
        admin_client.get(PAGE, query)
    scenes.appointments(practitioner, other_practitioner)
    scenes.maintenance(practitioner, other_practitioner, cocktail)
    scenes.safety(practitioner, other_practitioner, cocktail)
    scenes.activity(practitioner, other_practitioner, cocktail)
    with django_assert_num_queries(len(small.captured_queries)):
        response = admin_client.get(PAGE, query)
    assert response.context["report"].maintenance  # the larger scene has due dates


def test_a_csv_file_reads_only_what_its_table_needs(
    frozen, admin_client, everything, django_assert_num_queries
):
    admin_client.get(PAGE)  # the session is refreshed on the first request
    # The session, the user and their roles, then the appointments' GROUP BY alone.
    with django_assert_num_queries(4):
        admin_client.get(reverse("reports:csv", kwargs={"table": "appointments"}), PERIOD)
