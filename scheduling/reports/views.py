"""The reports page and its CSV files: clinic managers only (BULK_EXPORT). Figures are
aggregates that name no patient, so reading them writes nothing in the audit log."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from clinic.lib.csvstream import csv_lines
from clinic.roles import Capability, requires
from scheduling.reports.forms import MAX_MONTHS, ReportForm
from scheduling.reports.selectors import TABLES, Report


def _page(request: HttpRequest, form: ReportForm, *, status: int = 200) -> HttpResponse:
    report = Report(form.period()) if form.is_valid() else None
    return render(
        request,
        "scheduling/reports/report.html",
        {
            "form": form,
            "report": report,
            "query": form.query_string() if report else "",
            "max_months": MAX_MONTHS,
        },
        status=status,
    )


@requires(Capability.BULK_EXPORT)
def report(request: HttpRequest) -> HttpResponse:
    """The period's figures, month by month; bad months are said at their field."""
    return _page(request, ReportForm(request.GET))


@requires(Capability.BULK_EXPORT)
def report_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the page as a CSV file, for the same period and practitioner."""
    if table not in TABLES:
        raise Http404("No such report table.")
    form = ReportForm(request.GET)
    if not form.is_valid():
        return _page(request, form, status=400)
    period = form.period()
    chosen = TABLES[table](Report(period))
    response = HttpResponse(
        "".join(csv_lines(chosen.csv_header(), chosen.csv_rows())),
        content_type="text/csv; charset=utf-8",
    )
    who = f"-{slugify(period.practitioner.get_username())}" if period.practitioner else ""
    filename = f"{table}-{period.first:%Y-%m}-to-{period.last:%Y-%m}{who}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
