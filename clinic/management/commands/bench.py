"""Run the benchmark against the database the settings point at; see the README."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench import report, runner


class Command(BaseCommand):
    help = (
        "Measure the main pages over HTTP on gunicorn (wrk) next to the floor; save the "
        "figures as bench/results/<label>.json and rewrite bench/results.md and the plot."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("label", help="Name of this data size, e.g. 10k.")
        parser.add_argument("--duration", type=int, default=10, help="Seconds per page (max 60).")
        parser.add_argument("--port", type=int, default=0, help="Default: a free one.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["duration"] <= 60:
            raise CommandError("--duration is between 1 and 60 seconds.")
        from weasyprint.text.ffi import harfbuzz_subset

        if harfbuzz_subset is None:
            self.stderr.write(
                "libharfbuzz-subset0 is missing: WeasyPrint falls back to fontTools and the PDF "
                "figure will be about 0.6 s slower (scripts/ensure-services.sh installs it)."
            )
        results = runner.run(
            duration=options["duration"], port=options["port"], out=self.stdout.write
        )
        folder = Path(settings.BASE_DIR) / "bench" / "results"
        folder.mkdir(exist_ok=True)
        (folder / f"{options['label']}.json").write_text(json.dumps(results, indent=1) + "\n")
        written = report.write(folder)
        self.stdout.write(self.style.SUCCESS(f"Wrote {', '.join(map(str, written))}."))
