"""Back office for scheduling: the clinic's rooms, appointment types, hours and days off.

Appointments are booked, moved and cancelled in the app (through the services, which keep
the booking rules and the history); here they are read-only. So are working hours and days
off for clinic managers: the app's Hours and Days off pages keep their rules (a closure is
the manager's, no overlap, no day in the past, the clashes to move, one lock per
practitioner); the superuser keeps the back office.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from clinic.lib.admin import SuperuserEditsOnly
from clinic.roles import Role
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    AppointmentType,
    MessageKindSwitch,
    OutboxMessage,
    Room,
    TimeOff,
    WaitlistEntry,
    WorkingHours,
)
from scheduling.outbox.services import message_kind_switch, outbox_resend

PRACTITIONERS = {"groups__name": Role.PRACTITIONER.value, "is_active": True}


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "is_active")
    list_editable = ("position", "is_active")
    search_fields = ("name",)


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "duration_minutes", "gap_after_minutes", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(WorkingHours)
class WorkingHoursAdmin(SuperuserEditsOnly, SimpleHistoryAdmin):
    list_display = ("practitioner", "weekday", "starts_at", "ends_at")
    list_filter = ("practitioner", "weekday")
    list_select_related = ("practitioner",)
    ordering = ("practitioner__last_name", "weekday", "starts_at")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "practitioner":
            kwargs["queryset"] = db_field.related_model.objects.filter(**PRACTITIONERS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(TimeOff)
class TimeOffAdmin(SuperuserEditsOnly, SimpleHistoryAdmin):
    list_display = ("first_day", "last_day", "practitioner", "reason")
    list_filter = ("practitioner",)
    list_select_related = ("practitioner",)
    date_hierarchy = "first_day"
    search_fields = ("reason",)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "practitioner":
            kwargs["queryset"] = db_field.related_model.objects.filter(**PRACTITIONERS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("start", "patient", "practitioner", "appointment_type", "room", "status")
    list_filter = ("status", "appointment_type", "practitioner", "room")
    list_select_related = ("patient", "practitioner", "appointment_type", "room")
    search_fields = ("patient__last_name", "patient__first_name")
    date_hierarchy = "start"


@admin.register(AppointmentSeries)
class AppointmentSeriesAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "patient", "practitioner", "appointment_type", "count")
    list_select_related = ("patient", "practitioner", "appointment_type")
    search_fields = ("patient__last_name",)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "patient",
        "practitioner",
        "appointment_type",
        "earliest_day",
        "latest_day",
        "status",
    )
    list_filter = ("status",)
    list_select_related = ("patient", "practitioner", "appointment_type")
    search_fields = ("patient__last_name",)


# Patient emails: the outbox is written by the sweep and the send tasks only; here the clinic
# manager reads it, sends failed emails again, and switches kinds of email on or off.


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("due_at", "patient", "kind", "status", "attempts", "sent_at", "reason")
    list_filter = ("status", "kind")
    list_select_related = ("patient",)
    search_fields = ("patient__last_name", "patient__first_name", "sent_to", "key")
    date_hierarchy = "due_at"
    actions = ["send_again"]

    @admin.action(description="Send the selected failed emails again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        for message in queryset.filter(status=OutboxMessage.Status.FAILED):
            try:
                outbox_resend(message=message, by=request.user)
            except ValidationError as error:
                self.message_user(
                    request, f"{message}: {' '.join(error.messages)}", messages.WARNING
                )


@admin.register(MessageKindSwitch)
class MessageKindSwitchAdmin(admin.ModelAdmin):
    list_display = ("kind", "is_enabled", "changed_at")
    list_editable = ("is_enabled",)
    fields = ("kind", "is_enabled")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("kind",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: MessageKindSwitch, form: Any, change: bool
    ) -> None:
        # Through the app's service, as the Email switches page does: switched off, the kind's
        # waiting emails are cancelled at once; the change names who made it.
        message_kind_switch(kind=obj.kind, enabled=obj.is_enabled, by=request.user)
        saved = MessageKindSwitch.objects.get(kind=obj.kind)
        obj.pk, obj.changed_at, obj.changed_by_id = saved.pk, saved.changed_at, saved.changed_by_id
