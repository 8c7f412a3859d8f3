from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import staff, views

admin.site.site_header = "Mesoclinic back office"
admin.site.site_title = "Mesoclinic"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("staff/", include((staff.urlpatterns, "staff"))),
    path("patients/", include("patients.urls")),
    path("cocktails/", include("cocktails.urls")),
    path("treatments/", include("treatments.urls")),
    path("scheduling/", include("scheduling.urls")),
    path("reports/", include("scheduling.reports.urls")),
    path("admin/", admin.site.urls),
]

# The benchmark's floor views (bench/views.py): never mounted in production.
if settings.BENCHMARK:
    urlpatterns.append(path("bench/", include("bench.urls")))
