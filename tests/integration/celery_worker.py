"""A real Celery worker process for integration tests, against the test database.

Use it from any integration test (the patient emails, the PDF batch export):

    pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

    def test_it(celery_worker):
        worker = celery_worker(EMAIL_URL="smtp://127.0.0.1:2525")  # extra environment
        some_task.delay(...)                 # the test process now sends to the real broker
        wait_for(lambda: ..., timeout=10)    # poll the database for the outcome
        worker.wait_idle()                   # nothing queued, reserved or running any more

`celery_worker` starts `celery -A clinic worker --pool=solo` with DEBUG=1, DATABASE_URL set to
the database pytest-django created (data must be committed: use transaction=True), and
CELERY_BROKER_URL set to Redis database 5; it waits until the worker answers a ping. For the
test's duration the test process's Celery app sends to that broker instead of running tasks
in-process. Every worker is killed at teardown, and the broker database is emptied before and
after, so a test never sees another's messages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection

from clinic.celery import app

BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/5")
ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def wait_for(condition: Callable[[], object], *, timeout: float = 10, every: float = 0.1) -> None:
    """Poll `condition` until it is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still false after {timeout} s: {getattr(condition, '__name__', '')}")
        time.sleep(every)


def database_url() -> str:
    """The test database (test_<name>), as a URL for another process."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class CeleryWorker:
    def __init__(self, environment: dict[str, str]) -> None:
        self.hostname = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.environment = environment
        self.process: subprocess.Popen | None = None
        descriptor, name = tempfile.mkstemp(prefix="celery-worker-", suffix=".log")
        os.close(descriptor)
        self.log_path = Path(name)

    def start(self, *, timeout: float = 20) -> CeleryWorker:
        command = [str(CELERY), "-A", "clinic", "worker", "--pool=solo", "--loglevel=INFO"]
        command += ["--hostname", self.hostname, "--without-gossip", "--without-mingle"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group, so killing it never touches the test run.
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not app.control.ping(destination=[self.hostname], timeout=0.3):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"the Celery worker did not start:\n{self.log[-3000:]}")
        return self

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL, as when a machine dies: no warm shutdown, no acknowledgement."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def wait_idle(self, *, timeout: float = 10) -> None:
        """Until the queue is empty and the worker has nothing running, reserved or waiting
        for a retry."""
        queue = redis.Redis.from_url(BROKER_URL)
        inspect = app.control.inspect(destination=[self.hostname], timeout=1)

        def idle() -> bool:
            if queue.llen("celery"):
                return False
            for look in (inspect.active, inspect.reserved, inspect.scheduled):
                if any((look() or {}).values()):
                    return False
            return True

        wait_for(idle, timeout=timeout, every=0.2)


def _empty_broker() -> None:
    redis.Redis.from_url(BROKER_URL).flushdb()


def _reconnect() -> None:
    """Forget pooled broker connections and producers, so the next message goes to the
    broker_url configured now. `app.close()` alone skips this when its connection pool is empty
    (as after tasks ran in-process), leaving producers bound to the in-memory broker."""
    app.close()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_broker() -> Iterator[object]:
    """The test process's Celery app sends to the real broker for this test, then back."""
    keep = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    # Every app's tasks module, as a worker loads them: a task first imported after the app
    # was finalized (by an earlier test) would otherwise not be found when it is sent.
    app.loader.import_default_modules()
    _empty_broker()
    app.conf.update(task_always_eager=False, broker_url=BROKER_URL)
    _reconnect()
    yield app
    app.conf.update(keep)
    _reconnect()
    _empty_broker()


@pytest.fixture
def celery_worker(
    transactional_db: None, celery_broker: object
) -> Iterator[Callable[..., CeleryWorker]]:
    """Start workers with `celery_worker(**extra_environment)`; all are killed at teardown
    (before the test database is emptied)."""
    workers: list[CeleryWorker] = []

    def start(**extra: str) -> CeleryWorker:
        environment = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": BROKER_URL,
            # A worker running as root warns, and carries on.
            "C_FORCE_ROOT": "1",
            **extra,
        }
        worker = CeleryWorker(environment).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()
        worker.log_path.unlink(missing_ok=True)
