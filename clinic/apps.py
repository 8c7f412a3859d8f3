from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: AppConfig, **kwargs: object) -> None:
    from clinic.services import roles_sync

    roles_sync()


class ClinicConfig(AppConfig):
    """The project package as an app: staff roles, the site layout and shared commands."""

    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        # Permissions are created by Django's own post_migrate handlers, so the admin group can
        # only be granted them after migrate; dispatch_uid keeps this to one run per migrate.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="clinic.sync_roles")
        # Connect the audit log's receivers for sign-in, sign-out and failed sign-in.
        from clinic import audit  # noqa: F401
