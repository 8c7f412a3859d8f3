from django.db import migrations


def forward(apps, schema_editor):
    # One switch per treatment-based kind, on, so the clinic manager finds them in the back
    # office next to the appointment ones.
    MessageKindSwitch = apps.get_model("scheduling", "MessageKindSwitch")
    for kind in ("maintenance_due", "aftercare_check_in", "results_review"):
        MessageKindSwitch.objects.get_or_create(kind=kind, defaults={"is_enabled": True})


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0005_treatment_messages")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
