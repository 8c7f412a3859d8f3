"""The health endpoint answers 200 when its dependencies answer, 503 when one does not."""

from __future__ import annotations

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler

from clinic.lib.health import broker_status, database_status

pytestmark = pytest.mark.django_db


def test_health_is_ok_without_login_and_without_broker(client, settings):
    settings.BROKER_CONFIGURED = False
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_checks_a_configured_redis_broker(client, settings):
    settings.BROKER_CONFIGURED = True
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_is_503_when_the_broker_is_down(client, settings):
    settings.BROKER_CONFIGURED = True
    # Nothing listens on port 1: a real refused connection, not a mock.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["status"] == "error"


def test_database_check_reports_an_unreachable_database():
    config = {**connections.settings["default"]}
    if config["ENGINE"].endswith("sqlite3"):
        config["NAME"] = "/nonexistent-dir/none.sqlite3"
    else:
        config["PORT"] = "1"
    handler = ConnectionHandler({"default": config})
    try:
        assert database_status(handler["default"]) == "unavailable"
    finally:
        handler.close_all()


def test_database_check_is_ok_on_the_live_database():
    assert database_status(connections["default"]) == "ok"


def test_broker_check_reports_refused_connection():
    assert broker_status("redis://127.0.0.1:1/0", timeout=0.5) == "unavailable"
