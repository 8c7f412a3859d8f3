"""Where one page's time goes: SQL statements with their own time, the rest (Python, templates),
and optionally PostgreSQL's plan of the slowest statements. A tool for fixing what
`manage.py bench` finds; it prints figures and changes nothing."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from bench.sqltime import StatementTimer


class Command(BaseCommand):
    help = "Time one GET as a signed-in user: total, SQL, slowest statements (and their plans)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("url", help="Path and query string, e.g. /patients/12/")
        parser.add_argument("--user", required=True, help="Username to sign in as.")
        parser.add_argument("--runs", type=int, default=3, help="Timed runs after a warm-up.")
        parser.add_argument("--top", type=int, default=5, help="Slowest statements to list.")
        parser.add_argument(
            "--explain", action="store_true", help="EXPLAIN ANALYZE the slowest statements."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        response = client.get(options["url"])
        if response.status_code != 200:
            raise CommandError(f"{options['url']} answered {response.status_code}.")
        best: tuple[float, StatementTimer] = (float("inf"), StatementTimer())
        for _ in range(max(1, options["runs"])):
            with connection.execute_wrapper(timer := StatementTimer()):
                t0 = time.perf_counter()
                client.get(options["url"])
                total = (time.perf_counter() - t0) * 1000
            if total < best[0]:
                best = (total, timer)
        total, timer = best
        self.stdout.write(
            f"{options['url']}: {total:.1f} ms, {timer.count} queries, SQL {timer.ms:.1f} ms, "
            f"rest {total - timer.ms:.1f} ms, {len(response.content):,} bytes"
        )
        for statement in timer.slowest(options["top"]):
            self.stdout.write(f"\n{statement.seconds * 1000:8.2f} ms  {statement.sql[:600]}")
            if options["explain"] and statement.sql.lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, statement.params)
                    for (line,) in cursor.fetchall():
                        self.stdout.write(f"    {line}")
