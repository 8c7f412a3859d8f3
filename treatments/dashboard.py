"""The home page's treatments panel: what a practitioner should not forget (two queries)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from clinic.dashboard import Panel
from clinic.roles import Capability, Role, can, user_roles
from treatments.models import TreatmentPlan, TreatmentSession

DUE_WITHIN_DAYS = 14


def panels(request: HttpRequest) -> list[Panel]:
    user = request.user
    if not can(user, Capability.VIEW_CLINICAL):
        return []
    own = Role.PRACTITIONER in user_roles(user)
    today = timezone.localdate()
    plans = TreatmentPlan.objects.filter(practitioner=user) if own else TreatmentPlan.objects
    counts = plans.aggregate(
        proposed=Count("pk", filter=Q(status=TreatmentPlan.Status.PROPOSED)),
        maintenance_due=Count(
            "pk",
            filter=Q(
                status=TreatmentPlan.Status.MAINTENANCE,
                next_maintenance_on__lte=today + datetime.timedelta(days=DUE_WITHIN_DAYS),
            ),
        ),
    )
    sessions = TreatmentSession.objects.filter(status=TreatmentSession.Status.IN_PROGRESS)
    if own:
        sessions = sessions.filter(practitioner=user)
    unsigned = list(sessions.select_related("plan__patient").order_by("performed_at")[:5])
    return [
        Panel(
            template="treatments/_panel.html",
            context={
                "own": own,
                "unsigned": unsigned,
                "due_within": DUE_WITHIN_DAYS,
                **counts,
            },
        )
    ]
