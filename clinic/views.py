from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinic.dashboard import panels_for
from clinic.lib.health import broker_status, database_status
from clinic.navigation import NAVIGATION
from clinic.roles import Capability, capabilities, requires


def greeting(moment: datetime.datetime) -> str:
    """The home page's greeting at `moment`, on the clinic's clock: morning before noon,
    afternoon until 18:00, evening from then."""
    hour = timezone.localtime(moment).hour
    if hour < 12:
        return "Good morning"
    return "Good afternoon" if hour < 18 else "Good evening"


@requires(Capability.USE_APP)
def home(request: HttpRequest) -> HttpResponse:
    """The role-aware start page: what this user's role can do today."""
    caps = capabilities(request.user)
    sections = [item for item in NAVIGATION if item.capability in caps and item.url_name != "home"]
    return render(
        request,
        "clinic/home.html",
        {
            "sections": sections,
            "panels": panels_for(request),
            "greeting": greeting(timezone.now()),
        },
    )


# Browsers ask for /favicon.ico on pages that name no icon (the Django admin's, PDFs shown in
# the browser): send them to the logo the app's own pages name.
@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    return HttpResponsePermanentRedirect(static("img/logo.svg"))


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker, if one is configured) answers; 503 otherwise."""
    checks = {"database": database_status(connection)}
    if settings.BROKER_CONFIGURED:
        checks["broker"] = broker_status(settings.CELERY_BROKER_URL)
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
