"""Fixtures for integration tests: a real Celery worker (tests/integration/celery_worker.py)."""

from tests.integration.celery_worker import celery_broker, celery_worker  # noqa: F401
