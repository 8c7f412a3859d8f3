"""bench/results.md and the plot, written from saved runs: the ratio to the query floor, the
goals of issue 10 met or missed, and the in-process split of a page's time."""

from __future__ import annotations

import json

from bench import report


def _row(name, kind, p95, *, queries=None, goal_ms=None, served=None, sql=None, requests=100):
    return {
        "name": name,
        "kind": kind,
        "queries": queries,
        "goal_ms": goal_ms,
        "p50_ms": p95 * 0.8,
        "p95_ms": p95,
        "rps": 500.0,
        "requests": requests,
        "failed": 0,
        "served_ms": served,
        "sql_ms": sql,
    }


def _run(patients, page_p95, pdf_p95):
    return {
        "date": "2026-11-27T12:00:00+00:00",
        "cores": 2,
        "patients": patients,
        "duration_s": 10,
        "rows": [
            _row("Floor: one indexed query", "floor", 5.0, queries=1, served=0.8, sql=0.2),
            _row("Floor: app layout and one query, signed in", "floor", 20.0, served=3.5, sql=0.6),
            _row("Patient page", "http", page_p95, queries=27, served=31.5, sql=8.25),
            _row("Plan page", "http", 14.0, queries=17, served=3.0, sql=1.0),
            _row("Lot page", "http", 0, queries=6, requests=0),
            _row("Summary PDF, 50 sessions (in-process)", "in-process", pdf_p95, goal_ms=1000),
        ],
    }


def test_results_table_gives_ratios_goals_and_the_in_process_split(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "50k.json").write_text(json.dumps(_run(50_000, 150.0, 870.0)))
    (folder / "1k.json").write_text(json.dumps(_run(1_000, 100.0, 1200.0)))

    written = report.write(folder)

    md = (tmp_path / "results.md").read_text()
    assert written == [tmp_path / "results.md", tmp_path / "latency.png"]
    assert (tmp_path / "latency.png").stat().st_size > 10_000
    # Smallest run first.
    assert md.index("### 1,000 patients") < md.index("### 50,000 patients")
    fifty = md[md.index("### 50,000 patients") :]
    assert (
        "| Patient page | 120.0 | 150.0 | 500 | 27 | 30.0x | missed (3x) | 7.5x | 31.5 (8.2) |"
        in fifty
    )
    assert "| Plan page | 11.2 | 14.0 | 500 | 17 | 2.8x | met (3x) | 0.7x | 3.0 (1.0) |" in fifty
    assert "| Lot page | no answer within the 10 s run (0 failed) |" in fifty
    assert "| 870.0 | 500 |  | 174.0x | met (< 1 s) |  |  |" in fifty
    one = md[: md.index("### 50,000 patients")]
    assert "missed (< 1 s)" in one
