"""What the clinic manager reads when a practitioner is deactivated: the appointments still
booked with them (registered with clinic.staff_notes from SchedulingConfig.ready)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Min
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import urlencode

from clinic.staff_notes import StaffNote
from scheduling import clock
from scheduling.models import Appointment

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Booked or confirmed: appointments a patient still expects to keep.
UPCOMING = (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED)


def upcoming_appointments(*, user: AbstractBaseUser) -> StaffNote | None:
    """One query: how many of their appointments from now on are still booked, and when the
    first one is (the week the calendar link opens on)."""
    found = Appointment.objects.filter(
        practitioner=user, start__gte=clock.now(), status__in=UPCOMING
    ).aggregate(count=Count("pk"), first=Min("start"))
    count = found["count"]
    if not count:
        return None
    query = {"who": user.pk, "date": clock.local(found["first"]).date().isoformat()}
    return StaffNote(
        text=f"They still have {count} upcoming appointment{pluralize(count)}: move or cancel "
        f"{'it' if count == 1 else 'them'}.",
        url=f"{reverse('scheduling:week')}?{urlencode(query)}",
        link_text="See them in the week calendar",
    )
