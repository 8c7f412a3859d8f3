"""`manage.py restore DIR`: restore a backup into a new, empty database (clinic/lib/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic.lib.backup import BackupError, backup_restore, row_counts


class Command(BaseCommand):
    help = "Restore a backup folder into the configured database, which must be empty."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="a folder written by `manage.py backup`")

    def handle(self, *args: Any, source: Path, **options: Any) -> None:
        try:
            manifest = backup_restore(source=source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        restored = row_counts()
        if restored != manifest["counts"]:
            raise CommandError("restored row counts differ from the backup's manifest")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(restored.values())} rows and the media from {source}"
            )
        )
