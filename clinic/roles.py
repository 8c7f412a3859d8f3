"""Staff roles and what each may do: the one place every view asks.

A role is a Django group (created by clinic/migrations/0001_roles.py). Views never test group
names themselves; they ask for a capability with ``@requires(Capability.X)`` or ``can(user, X)``,
and the table ``ROLE_CAPABILITIES`` below says which roles hold it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest, HttpResponse

    User = AbstractBaseUser | AnonymousUser


class Role(StrEnum):
    ADMIN = "admin"
    PRACTITIONER = "practitioner"
    RECEPTIONIST = "receptionist"

    @property
    def label(self) -> str:
        return {
            Role.ADMIN: "Clinic manager",
            Role.PRACTITIONER: "Practitioner",
            Role.RECEPTIONIST: "Receptionist",
        }[self]


class Capability(StrEnum):
    """Something a page or action needs. Add one here when a feature needs a new kind of right."""

    USE_APP = "use_app"
    VIEW_PATIENTS = "view_patients"
    EDIT_PATIENT_CONTACT = "edit_patient_contact"
    VIEW_CLINICAL = "view_clinical"
    EDIT_CLINICAL = "edit_clinical"
    MANAGE_CATALOGUE = "manage_catalogue"
    VIEW_CATALOGUE = "view_catalogue"
    BOOK_APPOINTMENTS = "book_appointments"
    EXPORT_RECORDS = "export_records"
    # Exports that span many patients (batches of summaries, the sessions CSV): admins only.
    BULK_EXPORT = "bulk_export"
    MANAGE_STAFF = "manage_staff"


_ALL = frozenset(Capability)

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: _ALL,
    Role.PRACTITIONER: frozenset(
        {
            Capability.USE_APP,
            Capability.VIEW_PATIENTS,
            Capability.EDIT_PATIENT_CONTACT,
            Capability.VIEW_CLINICAL,
            Capability.EDIT_CLINICAL,
            Capability.VIEW_CATALOGUE,
            Capability.BOOK_APPOINTMENTS,
            Capability.EXPORT_RECORDS,
        }
    ),
    # Receptionists see contact and scheduling data, never clinical notes.
    Role.RECEPTIONIST: frozenset(
        {
            Capability.USE_APP,
            Capability.VIEW_PATIENTS,
            Capability.EDIT_PATIENT_CONTACT,
            Capability.BOOK_APPOINTMENTS,
        }
    ),
}


def user_roles(user: User) -> frozenset[Role]:
    """The user's roles, read once per request object and cached on it."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_mesoclinic_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        if user.is_superuser:
            cached |= {Role.ADMIN}
        user._mesoclinic_roles = cached
    return cached


def primary_role(user: User) -> Role | None:
    """The role a page greets the user by: the most powerful one they hold."""
    roles = user_roles(user)
    return next((role for role in Role if role in roles), None)


def capabilities(user: User) -> frozenset[Capability]:
    caps: frozenset[Capability] = frozenset()
    for role in user_roles(user):
        caps |= ROLE_CAPABILITIES[role]
    return caps


def can(user: User, capability: Capability) -> bool:
    return capability in capabilities(user)


def requires(capability: Capability) -> Callable[[Callable[..., HttpResponse]], Callable]:
    """View decorator: 403 unless the logged-in user's role holds ``capability``.

    Anonymous users never get here: LoginRequiredMiddleware sends them to the login page first.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorator


def practitioner_name(user: AbstractBaseUser) -> str:
    """How every page and message names a member of staff: full name, else username."""
    return user.get_full_name() or user.get_username()


def practitioners(*, former: bool = False) -> QuerySet:
    """Active staff in the practitioner role, by name: the people appointments and treatment
    sessions are with (every app's practitioner lists and choices). With `former`, those whose
    account was deactivated too: the people past work was with (the reports)."""
    active = {} if former else {"is_active": True}
    return (
        get_user_model()
        .objects.filter(groups__name=Role.PRACTITIONER.value, **active)
        .order_by("last_name", "first_name", "pk")
        .distinct()
    )


def staff_members(*, former: bool = False) -> QuerySet:
    """Staff in any role (and superusers), by name; with `former`, the deactivated too, after
    the active: the people a past record may name (who received a lot, for instance)."""
    active = {} if former else {"is_active": True}
    roles = Q(groups__name__in=[role.value for role in Role]) | Q(is_superuser=True)
    return (
        get_user_model()
        .objects.filter(roles, **active)
        .order_by("-is_active", "last_name", "first_name", "pk")
        .distinct()
    )
