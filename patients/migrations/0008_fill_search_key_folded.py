"""Rebuild every patient's search key after patients/search.py learnt to fold letters that
Unicode decomposition leaves whole (ø, ı, ł, đ, æ, œ, ß, þ) and to hold a compound last name
written together ("le goff legoff"): keys built before would miss "sondergaard" or "legoff".
"""

from django.db import migrations

from patients.search import build_search_key

BATCH = 2000


def forward(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    batch = []
    patients = Patient.objects.only("first_name", "last_name", "email", "phone", "search_key")
    for patient in patients.order_by("pk").iterator(chunk_size=BATCH):
        key = build_search_key(
            first_name=patient.first_name,
            last_name=patient.last_name,
            email=patient.email,
            phone=patient.phone,
        )
        if key == patient.search_key:
            continue
        patient.search_key = key
        batch.append(patient)
        if len(batch) == BATCH:
            Patient.objects.bulk_update(batch, ["search_key"])
            batch = []
    Patient.objects.bulk_update(batch, ["search_key"])


class Migration(migrations.Migration):
    dependencies = [("patients", "0007_allergy_plural")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
