"""Measure the main pages with real HTTP on gunicorn (wrk), next to the floor, on the database
the settings point at (seeded by `manage.py seed_scale`). See the README's "Benchmark".

Everything is bounded: each load run lasts `duration` seconds on 127.0.0.1, in-process loops
stop after a count or a time, and gunicorn is stopped when the run ends, whatever happens.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client, override_settings

from bench import targets
from bench.sqltime import StatementTimer
from cocktails.selectors import lot_recipients
from patients.models import Patient
from scheduling import clock
from scheduling.availability import SeriesSlot
from scheduling.models import Appointment, AppointmentType
from scheduling.outbox.services import outbox_sweep
from scheduling.services import appointment_series_book, series_propose
from treatments.exports.documents import summary_pdf as render_summary_pdf
from treatments.exports.selectors import summary_document
from treatments.models import TreatmentPlan

HOST = "127.0.0.1"
WORKERS = 2
THREADS = 2
CONNECTIONS = 8
IN_PROCESS_RUNS = 30
IN_PROCESS_SECONDS = 20.0

LUA = """
local paths = {%(paths)s}
local cookies = {%(cookies)s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1], {["Cookie"] = cookies[(n %% #cookies) + 1]})
end
done = function(summary, latency, requests)
  io.write(string.format(
    "BENCH {\\"p50\\": %%f, \\"p95\\": %%f, \\"requests\\": %%d, \\"us\\": %%d, "
    .. "\\"non2xx\\": %%d, \\"errors\\": %%d}\\n",
    latency:percentile(50), latency:percentile(95), summary.requests, summary.duration,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""


def _lua_list(items: list[str]) -> str:
    return ", ".join(json.dumps(item) for item in items)


def session_cookies(user: Any, count: int) -> list[str]:
    """One signed-in session per load-generator connection, as a login would leave it."""
    cookies = []
    for _ in range(count):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    return cookies


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _server_env(port: int, static_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "0",
            "BENCHMARK": "1",
            # The sessions handed to wrk are signed in this process: same key.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": str(static_root),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "bench.settings",
        }
    )
    return env


@contextlib.contextmanager
def gunicorn(port: int) -> Iterator[str]:
    """gunicorn with 2 sync workers on 127.0.0.1, production settings; stopped on exit."""
    static_root = Path(tempfile.mkdtemp(prefix="mc-bench-static-"))
    env = _server_env(port, static_root)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "clinic.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        start_new_session=True,
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/bench/constant/", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        shutil.rmtree(static_root, ignore_errors=True)


def wrk(base: str, paths: list[str], cookies: list[str], duration: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"paths": _lua_list(paths), "cookies": _lua_list(cookies or [""])})
    try:
        result = subprocess.run(
            [
                shutil.which("wrk") or "wrk",
                f"-t{THREADS}",
                f"-c{CONNECTIONS}",
                f"-d{duration}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=duration + 60,
        )
    finally:
        os.unlink(script.name)
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures: {result.stdout} {result.stderr}")
    raw = json.loads(line.removeprefix("BENCH "))
    return {
        "p50_ms": raw["p50"] / 1000,
        "p95_ms": raw["p95"] / 1000,
        "rps": raw["requests"] / (raw["us"] / 1_000_000),
        "requests": raw["requests"],
        "failed": raw["non2xx"] + raw["errors"],
    }


def served(user: Any | None, urls: list[str], runs: int = 10) -> dict[str, float]:
    """One request at a time through the whole middleware stack, in this process (after a
    warm-up of each address): its SQL statements, and the median time it takes to serve and
    of that, the time spent in SQL. What is left is Python: ORM, templates, middleware."""
    with override_settings(ROOT_URLCONF="bench.urlconf"):
        return _served(user, urls, runs)


def _served(user: Any | None, urls: list[str], runs: int) -> dict[str, float]:
    client = Client(SERVER_NAME=HOST)
    if user is not None:
        client.force_login(user)
    for url in urls:
        client.get(url)
    totals, sql, counts = [], [], []
    for index in range(runs):
        url = urls[index % len(urls)]
        with connection.execute_wrapper(timer := StatementTimer()):
            t0 = time.perf_counter()
            response = client.get(url)
            totals.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        sql.append(timer.ms)
        counts.append(timer.count)
    return {
        "queries": counts[0],
        "served_ms": statistics.median(totals),
        "sql_ms": statistics.median(sql),
    }


def timed(action: Callable[[], object]) -> dict[str, float]:
    """Run `action` up to IN_PROCESS_RUNS times (at most IN_PROCESS_SECONDS), single-threaded."""
    action()  # warm-up
    with connection.execute_wrapper(queries := StatementTimer()):
        action()
    durations = []
    started = time.monotonic()
    while len(durations) < IN_PROCESS_RUNS and time.monotonic() - started < IN_PROCESS_SECONDS:
        t0 = time.perf_counter()
        action()
        durations.append((time.perf_counter() - t0) * 1000)
    durations.sort()
    return {
        "p50_ms": statistics.median(durations),
        "p95_ms": durations[min(len(durations) - 1, round(0.95 * (len(durations) - 1)))],
        "rps": 1000 / statistics.mean(durations),
        "requests": len(durations),
        "queries": queries.count,
        "failed": 0,
    }


def series_booking(world: targets.World) -> Callable[[], object]:
    """Book ten weekly sessions a month ahead, then roll back, so the data does not grow."""
    practitioner = world.practitioner
    patient = Patient.objects.get(pk=world.plans[0].patient_id)
    kind = AppointmentType.objects.get(kind=AppointmentType.Kind.TREATMENT, is_active=True)
    first = clock.now().replace(hour=8, minute=0, second=0, microsecond=0) + datetime.timedelta(
        days=35
    )
    proposals = series_propose(
        patient=patient,
        practitioner=practitioner,
        appointment_type=kind,
        first_start=first,
        count=10,
        interval_days=7,
    )
    slots = [SeriesSlot(start=p.slot.start, room=p.slot.room) for p in proposals if p.slot]
    if len(slots) != 10:
        raise RuntimeError("No room for a 10-session series in the seeded diary.")

    def book() -> None:
        with transaction.atomic():
            appointment_series_book(
                patient=patient,
                practitioner=practitioner,
                appointment_type=kind,
                slots=slots,
                interval_days=7,
                booked_by=practitioner,
            )
            transaction.set_rollback(True)

    return book


def summary_pdf(world: targets.World) -> tuple[TreatmentPlan, Callable[[], object]]:
    """The treatment summary PDF of the plan with the most sessions, as its view renders it."""
    plan = (
        TreatmentPlan.objects.annotate(n=Count("sessions"))
        .order_by("-n", "pk")
        .select_related("patient")
    ).first()
    user = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()

    def render() -> bytes:
        document = summary_document(
            patient=plan.patient, by=user or world.practitioner, plans=[plan]
        )
        return render_summary_pdf(document=document)

    return plan, render


def reminder_scan() -> None:
    """One sweep of the patient-email outbox over every appointment, as beat runs it each
    minute, on the seeded outbox (history only: everything now due is still to plan, the
    worst case), rolled back so every run starts from the same state and nothing is queued."""
    with transaction.atomic():
        outbox_sweep()
        transaction.set_rollback(True)


def run(*, duration: int, port: int, out: Callable[[str], None]) -> dict[str, Any]:
    world = targets.world()
    user = world.practitioner
    pages = targets.pages(world)
    cookies = session_cookies(user, CONNECTIONS)
    patient_ids = [plan.patient_id for plan in world.plans]
    rows: list[dict[str, Any]] = []

    def add(
        name: str,
        kind: str,
        figures: dict[str, float],
        queries: int | None,
        goal_ms: float | None = None,
    ) -> None:
        row = {"name": name, "kind": kind, "queries": queries, "goal_ms": goal_ms, **figures}
        rows.append(row)
        out(
            f"{name:<45} p50 {row['p50_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f} ms  "
            f"{row['rps']:8.1f}/s  {queries if queries is not None else '-'} queries"
        )

    with gunicorn(port or free_port()) as base:
        floors = [
            ("Floor: fixed response", ["/bench/constant/"], [], None),
            ("Floor: one indexed query", [f"/bench/query/{pk}/" for pk in patient_ids], [], None),
            # The same fixed response for a signed-in user: what the session and the
            # authentication cost every request, before any page does its own work.
            ("Floor: fixed response, signed in", ["/bench/constant/"], cookies, user),
            # The app's layout around one indexed query, signed in: what any screen costs
            # before its own queries and markup.
            (
                "Floor: app layout and one query, signed in",
                [f"/bench/layout/{pk}/" for pk in patient_ids],
                cookies,
                user,
            ),
        ]
        for name, paths, jar, who in floors:
            alone = served(who, paths)
            counted = int(alone.pop("queries"))
            # A signed-in floor's count is the session's and the user's, not the floor's own.
            queries = None if who else counted
            add(name, "floor", {**wrk(base, paths, jar, duration), **alone}, queries)
        for page in pages:
            alone = served(user, page.urls)
            queries = int(alone.pop("queries"))
            add(page.name, "http", {**wrk(base, page.urls, cookies, duration), **alone}, queries)

    book = series_booking(world)
    add("Book a 10-session series (in-process)", "in-process", *_split(timed(book)))
    plan, render = summary_pdf(world)
    add(
        f"Treatment summary PDF, {plan.sessions.count()} sessions (in-process)",
        "in-process",
        *_split(timed(render)),
        goal_ms=1000,
    )
    add(
        f"Reminder scan, {Appointment.objects.count():,} appointments (in-process)",
        "in-process",
        *_split(timed(reminder_scan)),
        goal_ms=5000,
    )
    recipients = lambda: list(lot_recipients(lot=world.lot))  # noqa: E731
    add(
        f"Lot traceability query, {world.lot.usages.count():,} uses (in-process)",
        "in-process",
        *_split(timed(recipients)),
    )
    return {
        "date": datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "patients": Patient.objects.count(),
        "duration_s": duration,
        "rows": rows,
    }


def _split(figures: dict[str, float]) -> tuple[dict[str, float], int]:
    queries = int(figures.pop("queries"))
    return figures, queries
