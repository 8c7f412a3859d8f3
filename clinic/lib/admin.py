"""Back-office helpers shared by the apps' admin modules."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class SuperuserEditsOnly:
    """A ModelAdmin mixin for records the app edits through a service that keeps rules the
    back office would skip (who may do it, overlaps, locks, history with a reason): clinic
    managers only read them here, the superuser keeps the back office."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)
