"""Writes for calendar feeds: a practitioner's private address for their appointments."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.db import transaction

from scheduling.models import CalendarFeed
from scheduling.services._common import check_practitioner

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def calendar_feed_rotate(*, practitioner: User) -> CalendarFeed:
    """Give the practitioner a new private feed address; any previous one stops working."""
    check_practitioner(practitioner)
    feed, created = CalendarFeed.objects.get_or_create(
        practitioner=practitioner, defaults={"token": _new_token()}
    )
    if not created:
        feed.token = _new_token()
        feed.save(update_fields=["token"])
    return feed


@transaction.atomic
def calendar_feed_revoke(*, practitioner: User) -> None:
    """The practitioner's feed address stops working, and there is none until a new one."""
    CalendarFeed.objects.filter(practitioner=practitioner).delete()
