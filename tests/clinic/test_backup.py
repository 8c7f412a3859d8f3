"""A backup restored into an empty database gives back the same patients, lots and photos."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from tests.cocktails.factories import LotFactory
from tests.patients.factories import PatientFactory
from tests.treatments.scenarios import clinic as treatment_clinic
from tests.treatments.scenarios import signed_session

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/pg_restore round trip"),
]


def _admin_dsn(dbname: str) -> str:
    db = connection.settings_dict
    return (
        f"host={db['HOST'] or 'localhost'} port={db['PORT'] or 5432} user={db['USER']} "
        f"password={db['PASSWORD']} dbname={dbname}"
    )


@pytest.fixture
def empty_database():
    name = f"mc_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(_admin_dsn("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _restore(source: Path, dbname: str, media: Path) -> subprocess.CompletedProcess[str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{dbname}"
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(source)],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DEBUG": "1",
            "DATABASE_URL": url,
            "MEDIA_ROOT": str(media),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_backup_restores_the_same_patients_sessions_lots_and_media(
    tmp_path, settings, empty_database, practitioner, admin_user
):
    patients = [PatientFactory(last_name=name) for name in ("Dupré", "Nguyễn", "O'Connor")]
    lots = [LotFactory(lot_number=f"HX-{n}") for n in range(3)]
    # A signed session logged through the services: points, lots taken from stock, ledger.
    scene = treatment_clinic(practitioner, admin_user)
    session = signed_session(scene, practitioner)
    patients.append(scene.patient)
    lots = [*lots, scene.catalogue.ha_lot, scene.catalogue.c_lot]
    for lot in lots:
        lot.refresh_from_db()
    photo = Path(settings.MEDIA_ROOT) / "photos" / "p1.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8 not really a jpeg")

    call_command("backup", str(tmp_path / "backup"), stdout=StringIO())
    restored_media = tmp_path / "restored-media"
    result = _restore(tmp_path / "backup", empty_database, restored_media)
    assert result.returncode == 0, result.stderr

    with psycopg2.connect(_admin_dsn(empty_database)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT last_name FROM patients_patient ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == [p.last_name for p in patients]
        cursor.execute("SELECT lot_number, quantity_left FROM cocktails_lot ORDER BY id")
        assert cursor.fetchall() == sorted(
            ((lot.lot_number, lot.quantity_left) for lot in lots),
            key=lambda row: next(lot.pk for lot in lots if lot.lot_number == row[0]),
        )
        cursor.execute(
            "SELECT status, total_volume_ml, (SELECT count(*) FROM treatments_injectionpoint p "
            "WHERE p.session_id = s.id) FROM treatments_treatmentsession s WHERE id = %s",
            [session.pk],
        )
        assert cursor.fetchone() == ("signed", session.total_volume_ml, session.points.count())
        # The append-only audit trigger came back with the schema.
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'clinic_auditevent_append_only'"
        )
        assert cursor.fetchone()[0] == 1
    assert (restored_media / "photos" / "p1.jpg").read_bytes() == photo.read_bytes()


def test_restore_refuses_a_database_that_is_not_empty(tmp_path, empty_database):
    PatientFactory()
    call_command("backup", str(tmp_path / "backup"), stdout=StringIO())
    assert _restore(tmp_path / "backup", empty_database, tmp_path / "m1").returncode == 0
    again = _restore(tmp_path / "backup", empty_database, tmp_path / "m2")
    assert again.returncode != 0
    assert "not empty" in again.stderr
