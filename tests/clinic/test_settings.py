"""Settings come from the environment, and production refuses to start without its secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "engine": s.DATABASES["default"]["ENGINE"],
    "name": str(s.DATABASES["default"]["NAME"]),
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "broker": s.CELERY_BROKER_URL,
    "email": s.EMAIL_BACKEND,
    "email_host": s.EMAIL_HOST,
    "tz": s.TIME_ZONE,
    "use_tz": s.USE_TZ,
    "hosts": s.ALLOWED_HOSTS,
    "secure_cookies": s.SESSION_COOKIE_SECURE,
}))
"""


def _load(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with exactly this environment."""
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "clinic.settings"}
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _load({"DEBUG": "0", "ALLOWED_HOSTS": "clinic.example"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_newcomer_defaults_use_sqlite_eager_tasks_and_console_email():
    result = _load({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("var/db.sqlite3")
    assert values["eager"] is True
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["tz"] == "Europe/Paris"
    assert values["use_tz"] is True


def test_production_settings_read_from_environment():
    result = _load(
        {
            "DEBUG": "0",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "clinic.example,www.clinic.example",
            "DATABASE_URL": "postgres://meso:pw@db.internal:5432/meso",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3",
            "EMAIL_URL": "smtp+tls://mailer:pw@smtp.clinic.example:587",
            "TIME_ZONE": "America/Montreal",
        }
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "meso"
    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["email_host"] == "smtp.clinic.example"
    assert values["tz"] == "America/Montreal"
    assert values["hosts"] == ["clinic.example", "www.clinic.example"]
    assert values["secure_cookies"] is True


def test_test_run_uses_the_database_from_the_environment():
    """CI points DATABASE_URL at PostgreSQL; the suite must really run there."""
    expected = os.environ.get("DATABASE_URL", "sqlite")
    engine = settings.DATABASES["default"]["ENGINE"]
    if expected.startswith("postgres"):
        assert engine == "django.db.backends.postgresql"
    else:
        assert engine == "django.db.backends.sqlite3"


def test_production_collectstatic_succeeds_with_the_manifest_storage(tmp_path):
    """The release step: hashed, compressed static files, with every CSS url() resolvable."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DEBUG": "0",
        "SECRET_KEY": "s" * 60,
        "ALLOWED_HOSTS": "clinic.example",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert "vendor/bootstrap/bootstrap.min.css" in manifest["paths"]
    assert "vendor/htmx/htmx.min.js" in manifest["paths"]
