"""`manage.py backup DIR`: dump the database and media files into DIR (see clinic/lib/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic.lib.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the media files (patient photos) into a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", type=Path, help="folder to write the backup into")

    def handle(self, *args: Any, target: Path, **options: Any) -> None:
        try:
            manifest = backup_create(target=target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["counts"].values())
        self.stdout.write(self.style.SUCCESS(f"Backed up {rows} rows and the media to {target}"))
