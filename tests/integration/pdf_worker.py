"""A real Celery worker for the batch-export tests: ``celery -A clinic worker --pool=solo`` in
a subprocess, on the test database, with Redis database 6 as its broker and the test's media
folder, so a batch goes through the broker and a separate process exactly as in production.

Use the ``pdf_worker`` fixture (import it into the test module) in tests marked
``django_db(transaction=True)``: the worker only sees committed rows. It waits until the
worker says it is ready, points this process's Celery app at the broker (restored after),
and stops the worker before the test database is flushed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.db import connection

from clinic.celery import app

BROKER_URL = "redis://127.0.0.1:6379/6"
READY_TIMEOUT = 30
STOP_TIMEOUT = 10
BASE_DIR = Path(__file__).resolve().parents[2]


@dataclass
class Worker:
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)

    def log(self) -> str:
        return "".join(self.output[-60:])


def _database_url() -> str:
    """The test database (test_<name>), as the worker's DATABASE_URL."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _read_output(worker: Worker) -> None:
    assert worker.process.stdout is not None
    for line in worker.process.stdout:
        worker.output.append(line)
        if " ready." in line:
            worker.ready.set()


def _reset_broker_connections() -> None:
    """Drop the connections and producers built from the previous broker settings, so the
    next message is published through pools made from the current ones."""
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def pdf_worker(transactional_db: None) -> Iterator[Worker]:
    if connection.vendor != "postgresql":
        pytest.fail("The worker tests need PostgreSQL: set DATABASE_URL.")
    # Messages left over from an interrupted run would be picked up first.
    redis.Redis.from_url(BROKER_URL).flushdb()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "clinic",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname=pdf-test@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker = Worker(process=process)
    threading.Thread(target=_read_output, args=(worker,), daemon=True).start()
    saved = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    try:
        if not worker.ready.wait(READY_TIMEOUT):
            pytest.fail(f"The Celery worker did not start:\n{worker.log()}")
        app.conf.update(task_always_eager=False, broker_url=BROKER_URL)
        _reset_broker_connections()
        yield worker
    finally:
        app.conf.update(**saved)
        _reset_broker_connections()
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)


def wait_for(condition, *, timeout: float = 60, what: str = "the worker") -> None:
    """Poll `condition` until it is true; fail after `timeout` seconds (a hang, not speed)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}")
        time.sleep(0.2)
