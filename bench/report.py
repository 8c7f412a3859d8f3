"""bench/results.md and the latency-against-size plot, from the saved runs (results/*.json)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

REFERENCE = "Floor: one indexed query"
# The app's own page layout around one query, signed in (runs from before it have none).
LAYOUT = "Floor: app layout and one query, signed in"


def _runs(folder: Path) -> list[dict[str, Any]]:
    runs = [json.loads(path.read_text()) for path in folder.glob("*.json")]
    return sorted(runs, key=lambda run: run["patients"])


def _goal(row: dict[str, Any], ratio: float) -> str:
    """Issue 10's goals: a page within 3x the query floor at p95; a job under its own limit."""
    if row["kind"] == "floor":
        return ""
    if row.get("goal_ms"):
        limit = row["goal_ms"]
        met = row["p95_ms"] < limit
        return f"{'met' if met else 'missed'} (< {limit / 1000:g} s)"
    if row["kind"] == "http":
        return "met (3x)" if ratio <= 3 else "missed (3x)"
    return ""


def _alone(row: dict[str, Any]) -> str:
    """A page served one request at a time in-process: its median time, and of that, SQL."""
    if row.get("served_ms") is None:
        return ""
    return f"{row['served_ms']:.1f} ({row['sql_ms']:.1f})"


def _table(run: dict[str, Any]) -> list[str]:
    floor = next(r for r in run["rows"] if r["name"] == REFERENCE)
    layout = next((r for r in run["rows"] if r["name"] == LAYOUT), None)
    lines = [
        f"### {run['patients']:,} patients ({run['date']}, {run['cores']} cores)",
        "",
        "| What | p50 ms | p95 ms | req/s | SQL queries | p95 / query floor | goal "
        "| p95 / layout floor | alone ms (SQL) |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for row in run["rows"]:
        queries = "" if row["queries"] is None else str(row["queries"])
        ratio = row["p95_ms"] / floor["p95_ms"]
        if not row["requests"]:
            lines.append(
                f"| {row['name']} | no answer within the {run['duration_s']} s run "
                f"({row['failed']} failed) | | 0 | {queries} | | | | {_alone(row)} |"
            )
            continue
        to_layout = (
            f"{row['p95_ms'] / layout['p95_ms']:.1f}x"
            if layout and layout["requests"] and row["kind"] == "http"
            else ""
        )
        lines.append(
            f"| {row['name']} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['rps']:.0f} "
            f"| {queries} | {ratio:.1f}x | {_goal(row, ratio)} | {to_layout} | {_alone(row)} |"
        )
    return [*lines, ""]


def _key(row: dict[str, Any]) -> str:
    """A row's name without the size that changes between runs ("..., 5,058 uses")."""
    return re.sub(r", [\d,]+ [a-z]+", "", row["name"])


def plot(runs: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [_key(row) for row in runs[-1]["rows"]]
    colours = plt.get_cmap("tab20").colors
    fig, ax = plt.subplots(figsize=(11, 5.5))
    for index, key in enumerate(keys):
        points = [
            (run["patients"], row["p95_ms"])
            for run in runs
            for row in run["rows"]
            if row["requests"] and _key(row) == key
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(
                xs,
                ys,
                marker="o",
                label=key,
                color=colours[index % len(colours)],
                linestyle="--" if key.startswith("Floor") else "-",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("patients in the database")
    ax.set_ylabel("p95 latency (ms)")
    ax.set_title("Mesoclinic: p95 latency against data size (gunicorn, 2 workers, wrk -c8)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write(folder: Path) -> list[Path]:
    runs = _runs(folder)
    md = folder.parent / "results.md"
    png = folder.parent / "latency.png"
    lines = [
        "# Benchmark results",
        "",
        "Written by `manage.py bench` (see the README's Benchmark section). Pages are loaded "
        "over real HTTP: gunicorn with 2 sync workers on 127.0.0.1, production settings, "
        "wrk with 2 threads and 8 connections, each connection signed in as a practitioner "
        "(so the session refresh and the audit entry are paid). In-process rows are single-"
        "threaded Python calls. The ratio is p95 over the p95 of the one-query floor measured "
        'in the same run. "Alone" is the same page served one request at a time through '
        "the whole middleware stack in-process (median of 10, no queueing), with the part "
        "of it spent in SQL in brackets: the rest is Python (ORM, templates, middleware). "
        "The layout floor is the app's own page (sidebar, header, role check) around one "
        "indexed query, signed in: what any screen costs before its own work.",
        "",
        "![p95 latency against data size](latency.png)",
        "",
        "The reminder scan is one sweep of the patient-email outbox over the seeded data "
        "(only history in the outbox: everything due now is still to plan, the worst case), "
        "rolled back after each run; the PDF is the "
        "treatment summary of the plan with the most sessions, rendered as its view does. "
        "Goals (issue 10): every page within 3x the query floor at p95, the reminder scan "
        "under 5 s, a 50-session summary PDF under 1 s.",
        "",
    ]
    for run in runs:
        lines += _table(run)
    md.write_text("\n".join(lines))
    plot(runs, png)
    return [md, png]
