"""Two transactions at once on PostgreSQL, in a set order: a competitor writes and holds its
transaction open, ours runs into what it holds (a row, a constraint's check, a lock), and the
competitor commits as soon as ours waits. For tests of locks and constraints."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")
Competitor = Callable[[threading.Event, threading.Event], None]


def _release_once_someone_waits_on_a_lock(release: threading.Event) -> None:
    """Poll from a third connection until a backend of this database waits on a lock (ours,
    blocked by the competitor's open transaction), then let the competitor commit. Gives up
    after 30 seconds, or as soon as `release` is set by someone else."""
    try:
        with connection.cursor() as cursor:
            for _ in range(3000):
                if release.is_set():
                    break
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.01)
    finally:
        release.set()
        connection.close()


def against_an_open_transaction(competitor: Competitor, ours: Callable[[], T]) -> T:
    """Run `competitor(holding, go_on)` in a thread, on its own connection. Once it has set
    `holding`, run `ours()` here; `go_on` is set as soon as our transaction waits on a lock
    (or once ours is over, when it never waited). Returns what `ours` returns, or raises what
    it raises, once the competitor is done."""
    holding = threading.Event()
    go_on = threading.Event()

    def run() -> None:
        try:
            competitor(holding, go_on)
        finally:
            connection.close()

    other = threading.Thread(target=run)
    other.start()
    assert holding.wait(timeout=30)
    watcher = threading.Thread(target=_release_once_someone_waits_on_a_lock, args=(go_on,))
    watcher.start()
    try:
        return ours()
    finally:
        go_on.set()
        other.join(timeout=30)
        watcher.join(timeout=30)
