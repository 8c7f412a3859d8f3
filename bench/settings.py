"""Production settings for the benchmark's gunicorn, with one change: static files use plain
storage, so no collectstatic run is needed (the load never asks for static files, and the
manifest storage refuses the vendored Bootstrap bundle's missing source map)."""

from __future__ import annotations

from clinic.settings import *  # noqa: F403
from clinic.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
