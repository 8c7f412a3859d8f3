"""Build the search key of patients created before it existed (see patients/search.py)."""

from django.db import migrations

from patients.search import build_search_key


def forward(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    batch = []
    for patient in Patient.objects.only("first_name", "last_name", "email", "phone").iterator(
        chunk_size=2000
    ):
        patient.search_key = build_search_key(
            first_name=patient.first_name,
            last_name=patient.last_name,
            email=patient.email,
            phone=patient.phone,
        )
        batch.append(patient)
        if len(batch) == 2000:
            Patient.objects.bulk_update(batch, ["search_key"])
            batch = []
    Patient.objects.bulk_update(batch, ["search_key"])


class Migration(migrations.Migration):
    dependencies = [("patients", "0003_records_consultations_consents_photos")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
