from django.db import migrations


def forward(apps, schema_editor):
    # One switch per kind, on, so the clinic manager finds them all in the back office.
    MessageKindSwitch = apps.get_model("scheduling", "MessageKindSwitch")
    for kind in ("confirmation", "appointment_reminder"):
        MessageKindSwitch.objects.get_or_create(kind=kind, defaults={"is_enabled": True})


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_outbox")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
