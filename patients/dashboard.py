"""Home page panels about patients (see clinic/dashboard.py)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from clinic.dashboard import Panel
from clinic.roles import Capability, can
from patients.models import Contraindication, Patient


def panels(request: HttpRequest) -> list[Panel]:
    """Patient counts for every staff role; blocked patients for clinical roles. Two queries
    at most."""
    user = request.user
    if not can(user, Capability.VIEW_PATIENTS):
        return []
    month_start = timezone.localdate().replace(day=1)
    counts = Patient.objects.filter(archived_at__isnull=True).aggregate(
        active=Count("pk"), new=Count("pk", filter=Q(created_at__date__gte=month_start))
    )
    context: dict[str, object] = {"counts": counts}
    if can(user, Capability.VIEW_CLINICAL):
        context["blocked"] = list(
            Contraindication.objects.filter(
                resolved_at__isnull=True,
                severity=Contraindication.Severity.ABSOLUTE,
                patient__archived_at__isnull=True,
            )
            .select_related("patient")
            .order_by("-recorded_at")[:5]
        )
    return [Panel(template="patients/_dashboard_panel.html", context=context)]
