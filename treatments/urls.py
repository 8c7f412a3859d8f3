from __future__ import annotations

from django.urls import include, path

from treatments.exports import views as exports
from treatments.views import day, followup, plans, sessions

app_name = "treatments"

# Batch exports and the sessions CSV have their own namespace ("treatments:exports") so the
# navigation can tell them from the clinical pages.
export_patterns = (
    [
        path("", exports.export_list, name="list"),
        path("sessions.csv", exports.sessions_csv, name="sessions_csv"),
        path("<int:pk>/", exports.export_detail, name="detail"),
        path("<int:pk>/progress/", exports.export_progress, name="progress"),
        path("<int:pk>/download/", exports.export_download, name="download"),
    ],
    "exports",
)

urlpatterns = [
    path("", plans.plan_list_view, name="plan_list"),
    path("today/", day.today, name="today"),
    path("plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/accept/", plans.plan_accept, name="plan_accept"),
    path("plans/<int:pk>/complete/", plans.plan_complete, name="plan_complete"),
    path("plans/<int:pk>/stop/", plans.plan_stop, name="plan_stop"),
    path("plans/<int:plan_pk>/sessions/new/", sessions.session_begin, name="session_begin"),
    path("plans/<int:plan_pk>/outcomes/new/", followup.outcome_create, name="outcome_create"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/start/", sessions.session_start, name="session_start"),
    path("sessions/<int:pk>/log/", sessions.session_log, name="session_log"),
    path("sessions/<int:pk>/sign/", sessions.session_sign, name="session_sign"),
    path("sessions/<int:pk>/amend/", sessions.session_amend, name="session_amend"),
    path(
        "sessions/<int:session_pk>/adverse-events/new/",
        followup.adverse_event_create,
        name="adverse_event_create",
    ),
    path("adverse-events/<int:pk>/", followup.adverse_event_edit, name="adverse_event_edit"),
    path("plans/<int:pk>/summary.pdf", exports.plan_summary_pdf, name="plan_summary_pdf"),
    path(
        "patients/<int:patient_pk>/summary.pdf",
        exports.patient_summary_pdf,
        name="patient_summary_pdf",
    ),
    path("exports/", include(export_patterns)),
]
