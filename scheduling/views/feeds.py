"""Private calendar feeds: the settings page, new addresses, revocation, and the feed itself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic import roles
from clinic.roles import Capability, can, requires
from scheduling import feeds, selectors, services
from scheduling.models import CalendarFeed


def _manageable(request: HttpRequest) -> list:
    """Whose feeds this user manages: everyone's for a clinic manager, else their own."""
    if can(request.user, Capability.MANAGE_STAFF):
        return list(roles.practitioners())
    if selectors.is_practitioner(request.user):
        return [request.user]
    raise PermissionDenied


@require_GET
@requires(Capability.BOOK_APPOINTMENTS)
def feed_settings(request: HttpRequest) -> HttpResponse:
    people = _manageable(request)
    by_owner = {f.practitioner_id: f for f in CalendarFeed.objects.filter(practitioner__in=people)}
    rows = [
        {
            "practitioner": person,
            "feed": by_owner.get(person.pk),
            "url": request.build_absolute_uri(by_owner[person.pk].url)
            if person.pk in by_owner
            else "",
        }
        for person in people
    ]
    return render(request, "scheduling/calendarfeed_settings.html", {"rows": rows})


def _target(request: HttpRequest, practitioner_id: int):
    person = next((p for p in _manageable(request) if p.pk == practitioner_id), None)
    if person is None:
        raise Http404
    return person


@require_POST
@requires(Capability.BOOK_APPOINTMENTS)
def feed_rotate(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    person = _target(request, practitioner_id)
    services.calendar_feed_rotate(practitioner=person)
    name = selectors.practitioner_name(person)
    messages.success(request, f"New private address for {name}. Any previous one no longer works.")
    return redirect("scheduling:feed_settings")


@require_POST
@requires(Capability.BOOK_APPOINTMENTS)
def feed_revoke(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    person = _target(request, practitioner_id)
    services.calendar_feed_revoke(practitioner=person)
    messages.success(
        request, f"The calendar address of {selectors.practitioner_name(person)} no longer works."
    )
    return redirect("scheduling:feed_settings")


@login_not_required
@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics itself. The secret token is the only key: no login, since calendar apps have
    none; 404 for an unknown or revoked token, and for a practitioner no longer active."""
    subscription = get_object_or_404(
        CalendarFeed.objects.select_related("practitioner"),
        token=token,
        practitioner__is_active=True,
    )
    response = HttpResponse(
        feeds.feed_for(subscription.practitioner), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
