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
from django.test.utils import CaptureQueriesContext


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
        best: tuple[float, list[dict[str, str]]] = (float("inf"), [])
        for _ in range(max(1, options["runs"])):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                client.get(options["url"])
                total = (time.perf_counter() - t0) * 1000
            if total < best[0]:
                best = (total, list(captured.captured_queries))
        total, queries = best
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        self.stdout.write(
            f"{options['url']}: {total:.1f} ms, {len(queries)} queries, SQL {sql_ms:.1f} ms, "
            f"rest {total - sql_ms:.1f} ms, {len(response.content):,} bytes"
        )
        slowest = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[: options["top"]]
        for query in slowest:
            self.stdout.write(f"\n{float(query['time']) * 1000:8.1f} ms  {query['sql'][:600]}")
            if options["explain"] and query["sql"].lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    for (line,) in cursor.fetchall():
                        self.stdout.write(f"    {line}")
