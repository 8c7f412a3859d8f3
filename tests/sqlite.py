"""Running code of the app on a SQLite database, as a newcomer's `make run` does (no
DATABASE_URL): the same migrations must apply and the rules must hold there too.

`migrate_sqlite` builds a database file once per test session (the `sqlite_database` fixture
in tests/conftest.py gives each test its own copy); `run_on_sqlite` runs a script against it in
a separate process, since the test process itself is connected to PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env(path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{path}",
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
    }


def _run(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=_env(path), capture_output=True, text=True
    )


def migrate_sqlite(path: Path) -> None:
    migrate = _run(path, "manage.py", "migrate", "-v0")
    assert migrate.returncode == 0, migrate.stderr


def run_on_sqlite(path: Path, script: str) -> str:
    """What `script` prints, run with Django set up on the SQLite database at `path`."""
    run = _run(path, "-c", script)
    assert run.returncode == 0, run.stderr
    return run.stdout
