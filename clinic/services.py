"""Writes for staff accounts and roles."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from clinic.lib.email import email_build
from clinic.models import AuditEvent
from clinic.roles import Role, practitioner_name

User = get_user_model()
logger = logging.getLogger(__name__)

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
    password: str | None,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create a staff account in one role. Clinic managers also reach the Django admin.
    Without a password the account cannot sign in until its owner chooses one (an invitation:
    `staff_invite`)."""
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


# --- The clinic manager's Staff page -----------------------------------------------------

LOCKOUT = "You would lock yourself out: another clinic manager has to do this."
LAST_MANAGER = "{name} is the last active clinic manager: make someone else a clinic manager first."
READ_ONLY = "A superuser's account is changed in the back office only."


def staff_role(user: User) -> Role | None:
    """The role an account holds on the Staff page: its most powerful group. (A superuser's
    implicit manager rights are not a group, so they do not show here.)"""
    names = {group.name for group in user.groups.all()}
    return next((role for role in Role if role.value in names), None)


def _email_taken(email: str, *, exclude: User | None = None) -> bool:
    found = User.objects.filter(is_active=True, email__iexact=email)
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.exists()


def staff_username_suggest(*, first_name: str, last_name: str) -> str:
    """``first.last`` in lower-case ASCII, with 2, 3… added until no account has it."""
    base = (
        ".".join(part for part in (slugify(first_name), slugify(last_name)) if part).replace(
            "-", "."
        )[:140]
        or "staff"
    )
    candidate, n = base, 1
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list(
            "username", flat=True
        )
    }
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _audit(*, by: User | None, user: User, action: str, what: str, changes: list) -> None:
    AuditEvent.objects.create(
        user=by,
        username=by.get_username() if by is not None else "",
        action=action,
        staff_member=user,
        what=what[:200],
        changes=changes,
    )


def staff_invitation_send(*, user: User, by: User, site_url: str) -> bool:
    """Email `user` a link to choose their password (Django's password-reset token, opened
    by the password_reset_confirm page). The link names nothing but the clinic, who invited
    them and their username. True once the mail server took it; False if it did not, so the
    page can say so and offer to send it again. Each invitation is recorded."""
    link = site_url.rstrip("/") + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    message = email_build(
        name="staff-invitation",
        to=[user.email],
        context={
            "first_name": user.first_name or user.get_username(),
            "username": user.get_username(),
            "invited_by": practitioner_name(by),
            "link": link,
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        },
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        logger.exception("The invitation to staff account %s could not be sent.", user.pk)
        return False
    _audit(by=by, user=user, action=AuditEvent.Action.INVITE, what="Invitation sent", changes=[])
    return True


@dataclass(frozen=True)
class StaffInvited:
    user: User
    sent: bool


def staff_invite(
    *,
    by: User,
    first_name: str,
    last_name: str,
    email: str,
    role: Role,
    site_url: str,
    username: str = "",
) -> StaffInvited:
    """Add a colleague with no password and email them a link to choose one.

    The email must be unique among active staff (case-insensitive), the username among all
    accounts; an empty username is suggested from the name."""
    email = email.strip()
    with transaction.atomic():
        errors: dict[str, str] = {}
        if _email_taken(email):
            errors["email"] = "An active colleague already has this email address."
        if username and User.objects.filter(username__iexact=username).exists():
            errors["username"] = "This username is taken."
        if errors:
            raise ValidationError(errors)
        user = staff_create(
            username=username or staff_username_suggest(first_name=first_name, last_name=last_name),
            password=None,
            role=role,
            first_name=first_name,
            last_name=last_name,
            email=email,
        )
        _audit(
            by=by,
            user=user,
            action=AuditEvent.Action.CREATE,
            what=f"Staff account added as {role.label}",
            changes=[["Role", "", role.label], ["Email", "", email]],
        )
    return StaffInvited(user=user, sent=staff_invitation_send(user=user, by=by, site_url=site_url))


def staff_invitation_resend(*, user: User, by: User, site_url: str) -> bool:
    """Send the invitation again to an active colleague who never chose a password. A fresh
    unusable password makes the links sent before stop working."""
    if user.has_usable_password():
        raise ValidationError(f"{practitioner_name(user)} has already chosen a password.")
    if not user.is_active:
        raise ValidationError(f"{practitioner_name(user)}'s account is deactivated.")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return staff_invitation_send(user=user, by=by, site_url=site_url)


def _sessions_end(user: User) -> int:
    """Delete `user`'s stored sessions, so that reactivating the account later does not bring
    an old sign-in back. (A deactivated user's session is refused on the next request anyway:
    ModelBackend.get_user turns inactive users away.) Only database sessions can be found."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    from django.contrib.sessions.models import Session

    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def staff_update(
    *,
    user: User,
    by: User,
    first_name: str,
    last_name: str,
    email: str,
    role: Role,
    is_active: bool,
) -> list[list[str]]:
    """Change a colleague's name, email, role and active flag: the Staff page's rules.

    A superuser's account is read-only here; nobody deactivates themselves or drops their
    own manager role; the last active clinic manager stays one. ``is_staff`` follows the
    role, as in the back office. Returns the changes as ``[label, old, new]`` rows (also
    recorded in the audit log)."""
    # Managers' rows are locked first, so two managers demoting each other at the same
    # moment are taken one after the other and the second one sees the first's change.
    active_managers = User.objects.filter(
        Q(is_superuser=True) | Q(groups__name=Role.ADMIN.value), is_active=True
    ).values("pk")
    managers = list(
        User.objects.select_for_update()
        .filter(pk__in=active_managers)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    user = User.objects.prefetch_related("groups").get(pk=user.pk)
    if user.is_superuser:
        raise ValidationError(READ_ONLY)
    email = email.strip()
    old_role = staff_role(user)
    stays_manager = is_active and role is Role.ADMIN
    errors: dict[str, str] = {}
    if user.pk == by.pk and not is_active:
        errors["is_active"] = LOCKOUT
    if user.pk == by.pk and role is not Role.ADMIN and old_role is Role.ADMIN:
        errors["role"] = LOCKOUT
    if not errors and user.pk in managers and not stays_manager and len(managers) == 1:
        field = "is_active" if not is_active else "role"
        errors[field] = LAST_MANAGER.format(name=practitioner_name(user))
    if email and email.lower() != user.email.lower() and _email_taken(email, exclude=user):
        errors["email"] = "An active colleague already has this email address."
    if is_active and not user.is_active and _email_taken(user.email or "-", exclude=user):
        errors["is_active"] = (
            "An active colleague now has this account's email address: change it first."
        )
    if errors:
        raise ValidationError(errors)

    changes: list[list[str]] = []
    for label, attr, new in (
        ("First name", "first_name", first_name),
        ("Last name", "last_name", last_name),
        ("Email", "email", email),
    ):
        if getattr(user, attr) != new:
            changes.append([label, getattr(user, attr), new])
            setattr(user, attr, new)
    if old_role is not role:
        changes.append(["Role", old_role.label if old_role else "", role.label])
        user.groups.remove(*Group.objects.filter(name__in=[r.value for r in Role]))
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    if user.is_active != is_active:
        changes.append(["Active", "yes" if user.is_active else "no", "yes" if is_active else "no"])
        user.is_active = is_active
    user.is_staff = role is Role.ADMIN
    user.save()
    if not is_active:
        _sessions_end(user)
    if changes:
        _audit(
            by=by,
            user=user,
            action=AuditEvent.Action.UPDATE,
            what="Staff account changed: " + ", ".join(label.lower() for label, *_ in changes),
            changes=changes,
        )
    return changes
