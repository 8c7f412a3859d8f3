from django.db import migrations


def forward(apps, schema_editor):
    # Each switch's state when its history begins, so the history knows a kind that is off
    # today: switched back on later, it then sends only what is due from that moment (the
    # outbox reads the moment of the switch from this history).
    MessageKindSwitch = apps.get_model("scheduling", "MessageKindSwitch")
    HistoricalMessageKindSwitch = apps.get_model("scheduling", "HistoricalMessageKindSwitch")
    HistoricalMessageKindSwitch.objects.bulk_create(
        HistoricalMessageKindSwitch(
            id=switch.pk,
            kind=switch.kind,
            is_enabled=switch.is_enabled,
            changed_at=switch.changed_at,
            changed_by_id=switch.changed_by_id,
            history_date=switch.changed_at,
            history_type="+",
            history_change_reason="As it was when its history began.",
        )
        for switch in MessageKindSwitch.objects.order_by("pk")
    )


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0012_message_kind_switch_changed_by_history")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
