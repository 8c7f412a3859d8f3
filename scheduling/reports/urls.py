from __future__ import annotations

from django.urls import path

from scheduling.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("<slug:table>.csv", views.report_csv, name="csv"),
]
