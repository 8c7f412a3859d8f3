"""bench/results.md and the latency-against-size plot, from the saved runs (results/*.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REFERENCE = "Floor: one indexed query"


def _runs(folder: Path) -> list[dict[str, Any]]:
    runs = [json.loads(path.read_text()) for path in folder.glob("*.json")]
    return sorted(runs, key=lambda run: run["patients"])


def _table(run: dict[str, Any]) -> list[str]:
    floor = next(r for r in run["rows"] if r["name"] == REFERENCE)
    lines = [
        f"### {run['patients']:,} patients ({run['date']}, {run['cores']} cores)",
        "",
        "| What | p50 ms | p95 ms | req/s | SQL queries | p95 / query floor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in run["rows"]:
        queries = "" if row["queries"] is None else str(row["queries"])
        ratio = row["p95_ms"] / floor["p95_ms"]
        if not row["requests"]:
            lines.append(
                f"| {row['name']} | no answer within the {run['duration_s']} s run "
                f"({row['failed']} failed) | | 0 | {queries} | |"
            )
            continue
        lines.append(
            f"| {row['name']} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['rps']:.0f} "
            f"| {queries} | {ratio:.1f}x |"
        )
    return [*lines, ""]


def plot(runs: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [row["name"] for row in runs[-1]["rows"]]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for name in names:
        points = [
            (run["patients"], row["p95_ms"])
            for run in runs
            for row in run["rows"]
            if row["requests"] and row["name"].split(",")[0] == name.split(",")[0]
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", label=name.split(",")[0])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("patients in the database")
    ax.set_ylabel("p95 latency (ms)")
    ax.set_title("Mesoclinic: p95 latency against data size (gunicorn, 2 workers, wrk -c8)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
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
        "in the same run.",
        "",
        "![p95 latency against data size](latency.png)",
        "",
        "Not measured on this branch: the reminder scan over all due appointments (issue 7) "
        "and the treatment summary PDF (issue 8) are being built on other branches; add them "
        "to bench/runner.py once merged. The machine running these figures was shared with "
        "other jobs (load average about 4 on 2 cores), so compare rows within one run, not "
        "across runs.",
        "",
    ]
    for run in runs:
        lines += _table(run)
    md.write_text("\n".join(lines))
    plot(runs, png)
    return [md, png]
