"""Writes for staff accounts and roles."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from clinic.roles import Role

User = get_user_model()

# The apps whose model permissions the clinic manager holds in the Django admin.
ADMIN_SITE_APPS = ("auth", "patients", "cocktails", "treatments", "scheduling", "clinic")


def roles_sync() -> None:
    """Make sure every role group exists and the admin group holds the admin-site permissions.

    Runs after every migrate (so permissions of new models reach the clinic manager) and from
    test fixtures, which flush the groups the migration created.
    """
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    admin_group = Group.objects.get(name=Role.ADMIN.value)
    admin_group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=ADMIN_SITE_APPS)
    )


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create a staff account in one role. Clinic managers also reach the Django admin."""
    group, _ = Group.objects.get_or_create(name=role.value)
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=role is Role.ADMIN,
    )
    user.groups.add(group)
    return user
