"""`manage.py profile_page` and the statement timer it shares with the benchmark's in-process
column: every statement counted and timed, the slowest listed with PostgreSQL's plan."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import targets
from bench.runner import timed
from bench.sqltime import StatementTimer
from patients.models import Patient
from tests.bench.test_seed_scale import seed

pytestmark = pytest.mark.django_db


def test_the_statement_timer_counts_and_times_each_statement():
    with connection.execute_wrapper(timer := StatementTimer()):
        Patient.objects.filter(pk=0).first()
        list(Patient.objects.filter(last_name__startswith="A")[:3])
    assert timer.count == 2
    assert all(statement.seconds > 0 for statement in timer.statements)
    assert timer.ms == pytest.approx(sum(s.seconds for s in timer.statements) * 1000)
    assert timer.slowest(1)[0].seconds == max(s.seconds for s in timer.statements)
    assert '"patients_patient"' in timer.statements[0].sql


def test_profile_page_counts_the_pages_statements_and_explains_the_slowest(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]  # where the command asks
    seed(15)
    world = targets.world()
    url = next(p for p in targets.pages(world) if p.name == "Patient page").urls[0]
    out = io.StringIO()
    call_command(
        "profile_page",
        url,
        user=world.practitioner.username,
        runs=2,
        top=2,
        explain=True,
        stdout=out,
    )
    text = out.getvalue()
    head = re.match(r"(\S+): ([\d.]+) ms, (\d+) queries, SQL ([\d.]+) ms, rest ([\d.]+) ms", text)
    assert head is not None, text[:300]
    assert head[1] == url
    assert float(head[4]) < float(head[2])
    # The same statements as a request of the page makes (its session refresh written).
    client = Client()
    client.force_login(world.practitioner)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert int(head[3]) == len(captured.captured_queries)
    assert len(re.findall(r"^\s+[\d.]+ ms  ", text, re.M)) == 2
    assert "Execution Time" in text


def test_the_in_process_rows_count_one_runs_statements_and_time_each_run():
    def two_statements():
        Patient.objects.filter(pk=0).first()
        Patient.objects.count()

    figures = timed(two_statements)
    assert figures["queries"] == 2
    assert figures["requests"] >= 1
    assert 0 < figures["p50_ms"] <= figures["p95_ms"]
