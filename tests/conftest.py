"""Shared fixtures: the fixed personas every test can use, and the browser set-up."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from clinic.roles import Role
from clinic.services import roles_sync, staff_create
from tests import demo
from tests.integration.smtp import SMTPServer
from tests.sqlite import migrate_sqlite

# The real Celery worker fixtures (celery_worker, celery_broker), for the integration tests
# and the browser journeys that go through a worker.
pytest_plugins = ["tests.integration.celery_worker"]

# Playwright runs an event loop in the test thread; Django's ORM calls from browser tests are
# still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery-staple"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright has no option for the browser's path: use Debian's Chromium."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`.")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded files (patient photos) go to a throwaway folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def make_staff(db: None) -> Callable[..., object]:
    def make(username: str, role: Role, **extra: str) -> object:
        roles_sync()
        return staff_create(username=username, password=PASSWORD, role=role, **extra)

    return make


@pytest.fixture
def admin_user(make_staff):
    return make_staff("manager", Role.ADMIN, first_name="Claire", last_name="Durand")


@pytest.fixture
def practitioner(make_staff):
    return make_staff("dr.martin", Role.PRACTITIONER, first_name="Sophie", last_name="Martin")


@pytest.fixture
def other_practitioner(make_staff):
    return make_staff("dr.nguyen", Role.PRACTITIONER, first_name="Paul", last_name="Nguyen")


@pytest.fixture
def receptionist(make_staff):
    return make_staff("reception", Role.RECEPTIONIST, first_name="Léa", last_name="Bernard")


@pytest.fixture
def no_role_user(db: None):
    """An active account that belongs to no role: it may sign in but use nothing."""
    return get_user_model().objects.create_user(username="visitor", password=PASSWORD)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(admin_user) -> Client:  # overrides pytest-django's superuser admin_client
    return _client_for(admin_user)


@pytest.fixture
def superuser(db: None):
    """The installation's superuser: the one account that edits everything in the back
    office (clinic managers only read what the app's services write)."""
    return get_user_model().objects.create_superuser(
        "root", "root@clinic.test", PASSWORD, first_name="Marc", last_name="Leroy"
    )


@pytest.fixture
def superuser_client(superuser) -> Client:
    return _client_for(superuser)


@pytest.fixture
def practitioner_client(practitioner) -> Client:
    return _client_for(practitioner)


@pytest.fixture
def receptionist_client(receptionist) -> Client:
    return _client_for(receptionist)


@pytest.fixture
def role_clients(admin_client, practitioner_client, receptionist_client) -> dict[Role, Client]:
    return {
        Role.ADMIN: admin_client,
        Role.PRACTITIONER: practitioner_client,
        Role.RECEPTIONIST: receptionist_client,
    }


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1; Django's SMTP backend pointed at it."""
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture
def seed_demo(request, db: None) -> Callable[[], None]:
    """`call_command("seed_demo")`, seeded once per test module and put back for the next
    tests of the module that seed on the same rows (tests/demo.py): objects made before it
    must be read again after it."""
    module = request.node.nodeid.split("::")[0]
    return lambda: demo.seed_demo(module)


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    flagged = bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    )
    fixtures = getattr(item, "fixturenames", ())
    return flagged or "live_server" in fixtures or "transactional_db" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run transactional tests (browser journeys, real workers, concurrency) last, as Django
    does: their teardown flushes the database, which removes the rows data migrations made
    (the ingredient catalogue, email switches) that other tests rely on."""
    items.sort(key=_is_transactional)


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite database with every migration applied, built once per test session."""
    path = tmp_path_factory.mktemp("sqlite") / "db.sqlite3"
    migrate_sqlite(path)
    return path


@pytest.fixture
def sqlite_database(_migrated_sqlite, tmp_path) -> Path:
    """This test's own copy of the migrated SQLite database (see tests/sqlite.py)."""
    path = tmp_path / "db.sqlite3"
    shutil.copyfile(_migrated_sqlite, path)
    return path
