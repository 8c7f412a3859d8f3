import re

from django.db import migrations

# An appointment message's key before it named the practitioner: appointment:<pk>@<start>,
# and /<lead>m for a reminder.
OLD_KEY = re.compile(r"^(appointment:\d+@\d{8}T\d{6}Z)(/\d+m)?$")
BATCH = 500


def forward(apps, schema_editor):
    # Every message about an appointment was about the practitioner it is with now (until
    # now an appointment never changed hands), and its key names them as new keys do, so a
    # message planned, sent or cancelled before this migration is never planned again.
    OutboxMessage = apps.get_model("scheduling", "OutboxMessage")
    rows = (
        OutboxMessage.objects.filter(appointment__isnull=False, practitioner__isnull=True)
        .select_related("appointment")
        .only("pk", "key", "appointment__practitioner_id")
    )
    batch = []
    for message in rows.iterator(chunk_size=BATCH):
        practitioner_id = message.appointment.practitioner_id
        message.practitioner_id = practitioner_id
        match = OLD_KEY.match(message.key)
        if match:
            message.key = f"{match[1]}/with:{practitioner_id}{match[2] or ''}"
        batch.append(message)
        if len(batch) >= BATCH:
            OutboxMessage.objects.bulk_update(batch, ["practitioner", "key"])
            batch = []
    OutboxMessage.objects.bulk_update(batch, ["practitioner", "key"])


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0009_outboxmessage_practitioner")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
