"""Dump and restore the database and the media files (patient photos).

A backup is a folder holding `database.dump` (PostgreSQL's custom format, from pg_dump; or a
copy of the SQLite file in development), `media.tar.gz` and `manifest.json` (when, which
engine, row counts per table, to check a restore against). Restoring needs an EMPTY database:
it refuses to write over one that has tables, so a mistake cannot destroy live data.
"""

from __future__ import annotations

import datetime
import json
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection

DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    pass


def _pg_env_and_args(db: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = {"PGPASSWORD": str(db.get("PASSWORD") or "")}
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    import os

    result = subprocess.run(  # noqa: S603 - fixed programs, arguments from settings
        command, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def row_counts() -> dict[str, int]:
    """Rows in every table of the project's models, to compare a restore with its backup."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
    }


def backup_create(*, target: Path) -> dict[str, Any]:
    """Write a backup of the configured database and MEDIA_ROOT into the folder `target`."""
    target.mkdir(parents=True, exist_ok=True)
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args(db)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                *args,
                "--file",
                str(target / DUMP),
                str(db["NAME"]),
            ],
            env,
        )
    elif connection.vendor == "sqlite":
        source = sqlite3.connect(str(db["NAME"]))
        with sqlite3.connect(str(target / DUMP)) as copy:
            source.backup(copy)
        source.close()
    else:
        raise BackupError(f"no backup for the {connection.vendor} engine")
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / MEDIA, "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname="media")
    manifest = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "engine": connection.vendor,
        "counts": row_counts(),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def backup_restore(*, source: Path) -> dict[str, Any]:
    """Restore the backup in folder `source` into the configured, empty database and media."""
    manifest = json.loads((source / MANIFEST).read_text())
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"this backup is from {manifest['engine']}, the database is {connection.vendor}"
        )
    if connection.introspection.table_names():
        raise BackupError("the database is not empty: restore only into a new, empty database")
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args(db)
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                *args,
                "--dbname",
                str(db["NAME"]),
                str(source / DUMP),
            ],
            env,
        )
        # pg_trgm comes back with its default operator cost: set it as migration 0006 does.
        with connection.cursor() as cursor:
            cursor.execute("ALTER FUNCTION word_similarity_commutator_op(text, text) COST 100")
    else:
        connection.close()
        shutil.copyfile(source / DUMP, str(db["NAME"]))
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / MEDIA, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("media/")]
        for member in members:
            member.name = member.name.removeprefix("media/")
        archive.extractall(media_root, members=[m for m in members if m.name], filter="data")
    return manifest
