"""Checks behind the health endpoint. Each returns "ok" or a short error name, never raises."""

from __future__ import annotations

import logging

from django.db.backends.base.base import BaseDatabaseWrapper
from kombu import Connection

logger = logging.getLogger(__name__)


def database_status(connection: BaseDatabaseWrapper) -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the database is not usable
        logger.warning("health: database check failed: %s", exc)
        return "unavailable"
    return "ok"


def broker_status(url: str, timeout: float = 2.0) -> str:
    try:
        with Connection(url, connect_timeout=timeout, transport_options={"max_retries": 0}) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # kombu raises transport-specific errors
        logger.warning("health: broker check failed: %s", exc)
        return "unavailable"
    return "ok"
