"""Reads for treatment pages, and for the apps and issues built on top of treatments.

Each page's read runs a constant number of queries, whatever the number of sessions, points,
lots or outcomes. Entry points meant for other code:

- ``plan_summary(plan=)``: a plan with everything about its sessions, for the plan page and
  the PDF summary (issue 8);
- ``plans_maintenance_due(on_or_before=)`` and ``sessions_signed_on(day=)``: what the
  reminders (issue 7) send about;
- ``maintenance_due_dates(before=)``: every maintenance due date plans have had, for the
  reports;
- ``plans_for_booking()`` and ``plan_for_booking(user=, pk=)``: what the scheduling app's
  "book a plan" needs, without clinical detail.
"""

from treatments.selectors.booking import (
    BookingDefaults,
    maintenance_due_dates,
    maintenance_due_on,
    plan_booking_defaults,
    plan_booking_refusal,
    plan_for_booking,
    plan_sessions_to_book,
    plans_for_booking,
    plans_maintenance_due,
    sessions_signed_on,
)
from treatments.selectors.day import (
    DayItem,
    DayList,
    alerts_for_patients,
    consent_gaps,
    practitioner_day,
)
from treatments.selectors.plans import (
    Estimate,
    PlanFilter,
    PlanSummary,
    TrackStep,
    adverse_event_get_for_user,
    course_track,
    plan_counts,
    plan_diagrams,
    plan_estimate,
    plan_get_for_user,
    plan_list,
    plan_sessions,
    plan_summaries,
    plan_summary,
    session_get_for_user,
    session_number,
    session_with_plan,
    sessions_to_book,
)
from treatments.selectors.sessions import (
    allowed_products,
    blocking_findings,
    lot_suggestions,
    plan_interval_warning,
    session_cocktail_choices,
    session_lot_choices,
    session_review,
    session_warnings,
)

__all__ = [
    "BookingDefaults",
    "DayItem",
    "DayList",
    "Estimate",
    "PlanFilter",
    "PlanSummary",
    "TrackStep",
    "adverse_event_get_for_user",
    "alerts_for_patients",
    "allowed_products",
    "blocking_findings",
    "consent_gaps",
    "course_track",
    "lot_suggestions",
    "maintenance_due_dates",
    "maintenance_due_on",
    "plan_booking_defaults",
    "plan_booking_refusal",
    "plan_counts",
    "plan_diagrams",
    "plan_estimate",
    "plan_for_booking",
    "plan_get_for_user",
    "plan_interval_warning",
    "plan_list",
    "plan_sessions",
    "plan_sessions_to_book",
    "plan_summaries",
    "plan_summary",
    "plans_for_booking",
    "plans_maintenance_due",
    "practitioner_day",
    "session_cocktail_choices",
    "session_get_for_user",
    "session_lot_choices",
    "session_number",
    "session_review",
    "session_warnings",
    "session_with_plan",
    "sessions_signed_on",
    "sessions_to_book",
]
