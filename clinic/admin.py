from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse

from clinic.audit import audit_record, audit_record_many
from clinic.lib.admin import SuperuserEditsOnly
from clinic.models import AuditEvent
from clinic.roles import Role

User = get_user_model()


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Searchable by patient, staff account, user and date; nothing can be added, changed or
    deleted."""

    list_display = ("at", "username", "action", "patient", "staff_member", "what", "ip_address")
    list_filter = ("action", ("at", admin.DateFieldListFilter))
    search_fields = (
        "username",
        "patient__last_name",
        "patient__first_name",
        "staff_member__username",
        "staff_member__last_name",
        "what",
        "path",
    )
    date_hierarchy = "at"
    list_select_related = ("patient", "user", "staff_member")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """A back-office page that shows health data records who saw which patient, as the app's
    pages do: one entry per record opened (its form or its change history) and, for a list,
    one per patient on the page shown. ``patient_path`` is the attribute path from a row to
    its patient's id ("patient_id", "plan.patient_id", "pk" for patients themselves); the
    list must select what that path crosses (``list_select_related``)."""

    patient_path = "patient_id"

    def _patient_id(self, obj: Any) -> int | None:
        value = obj
        for name in self.patient_path.split("."):
            value = getattr(value, name) if value is not None else None
        return value

    def _what(self, obj: Any | None = None) -> str:
        name = (
            self.model._meta.verbose_name
            if obj is not None
            else self.model._meta.verbose_name_plural
        )
        return f"Back office: {name}" + (f" #{obj.pk}" if obj is not None else " (list)")

    def _seen(self, request: HttpRequest, response: HttpResponse, object_id: str) -> None:
        if response.status_code != 200 or request.method not in {"GET", "HEAD"}:
            return
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            audit_record(
                request=request,
                action=AuditEvent.Action.VIEW,
                patient_id=self._patient_id(obj),
                what=self._what(obj),
            )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        self._seen(request, response, object_id)
        return response

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        self._seen(request, response, object_id)
        return response

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        response = super().history_form_view(request, object_id, version_id, extra_context)
        self._seen(request, response, object_id)
        return response

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if response.status_code == 200 and changelist is not None:
            patient_ids = {self._patient_id(obj) for obj in changelist.result_list} - {None}
            audit_record_many(
                request=request,
                action=AuditEvent.Action.VIEW,
                patient_ids=sorted(patient_ids),
                what=self._what(),
            )
        return response


# Staff accounts. A role is a group whose name the code knows (clinic.roles.Role), so the
# groups are not offered here to rename or delete: that would lock a whole role out. A clinic
# manager who is not a superuser edits a colleague's name, email, active flag and role; the
# superuser flag, per-user permissions and superusers' own accounts are for superusers only,
# and the back-office flag follows the role (managers reach this site).
admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(User)
class StaffAdmin(SuperuserEditsOnly, UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "role", "is_active")
    list_filter = ("is_active", "groups")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Role")
    def role(self, obj: Any) -> str:
        names = {group.name for group in obj.groups.all()}
        return ", ".join(role.label for role in Role if role.value in names) or "—"

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return [
            (None, {"fields": ("username", "password")}),
            ("Personal info", {"fields": ("first_name", "last_name", "email")}),
            ("Role", {"fields": ("is_active", "groups")}),
            ("Important dates", {"fields": ("last_login", "date_joined")}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("last_login", "date_joined") if obj is not None else ()

    # Clinic managers add and change colleagues on the app's Staff page (clinic/staff.py),
    # whose service keeps the rules (no self-lockout, a last manager stays one, invitations
    # instead of typed passwords); here they only read (SuperuserEditsOnly).
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Staff sign clinical records: an account is deactivated, never deleted.
        return False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        is_staff = user.is_superuser or user.groups.filter(name=Role.ADMIN.value).exists()
        if user.is_staff != is_staff:
            user.is_staff = is_staff
            user.save(update_fields=["is_staff"])
