"""Reads for the clinic manager's Staff page."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from clinic.lib.history import Change, FieldChange
from clinic.models import AuditEvent
from clinic.roles import practitioner_name

User = get_user_model()


def staff_list(*, status: str = "active") -> QuerySet:
    """Every staff account (``status`` "active", "inactive" or "all"), by name, with its
    groups in one more query."""
    accounts = User.objects.prefetch_related("groups").order_by(
        "-is_active", "last_name", "first_name", "username"
    )
    if status == "active":
        return accounts.filter(is_active=True)
    if status == "inactive":
        return accounts.filter(is_active=False)
    return accounts


_ACTIONS = {
    AuditEvent.Action.CREATE: "created",
    AuditEvent.Action.UPDATE: "changed",
    AuditEvent.Action.INVITE: "invited",
}


def staff_changes(*, user: User, limit: int = 20) -> list[Change]:
    """The last changes made to `user`'s account on the Staff page, newest first: one query."""
    events = (
        AuditEvent.objects.filter(staff_member=user)
        .select_related("user")
        .order_by("-at", "-pk")[:limit]
    )
    return [
        Change(
            when=event.at,
            who=practitioner_name(event.user) if event.user else event.username or "System",
            what=event.what,
            action=_ACTIONS.get(event.action, "changed"),
            fields=tuple(
                FieldChange(label, old or "—", new or "—") for label, old, new in event.changes
            ),
        )
        for event in events
    ]
