"""The app's URLs with the floor views mounted, for serving them in-process from the bench
command (gunicorn mounts them through BENCHMARK=1, see clinic/urls.py)."""

from __future__ import annotations

from django.urls import include, path

from clinic.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    *(p for p in app_urlpatterns if str(p.pattern) != "bench/"),
    path("bench/", include("bench.urls")),
]
