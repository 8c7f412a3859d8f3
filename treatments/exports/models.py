"""The export log: each batch of treatment summaries a clinic manager asked for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format

from cocktails.choices import Indication


class ExportJob(models.Model):
    """A batch of treatment summaries: the plans of one indication and/or with sessions in a
    date range, each rendered to PDF by a Celery task into one zip file under
    MEDIA_ROOT/exports/. The file is deleted once expired; the row stays, as the log of what
    left the clinic, when and at whose request."""

    class Status(models.TextChoices):
        PENDING = "pending", "Queued"
        RUNNING = "running", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    ACTIVE = (Status.PENDING, Status.RUNNING)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    date_from = models.DateField("sessions from", null=True, blank=True)
    date_to = models.DateField("sessions until", null=True, blank=True)
    indication = models.CharField(max_length=30, choices=Indication.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Plans in the batch, and how many are in the zip so far.
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Set when the build starts; the zip is written next to it as "<name>.part" until done.
    file = models.FileField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField("size (bytes)", null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_from__isnull=False) | Q(date_to__isnull=False) | ~Q(indication=""),
                name="export_has_a_filter",
            ),
            models.CheckConstraint(
                condition=Q(date_from__isnull=True)
                | Q(date_to__isnull=True)
                | Q(date_from__lte=F("date_to")),
                name="export_dates_in_order",
            ),
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="export_done_le_total"),
            models.CheckConstraint(
                condition=~Q(status="ready")
                | (~Q(file="") & Q(finished_at__isnull=False, expires_at__isnull=False)),
                name="export_ready_has_file",
            ),
        ]
        indexes = [
            # What the periodic sweep looks for: files to expire, builds that never ended.
            models.Index(
                fields=["expires_at"], name="export_ready_idx", condition=Q(status="ready")
            ),
            models.Index(
                fields=["created_at"],
                name="export_active_idx",
                condition=Q(status__in=["pending", "running"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Batch export #{self.pk}: {self.scope}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def scope(self) -> str:
        """What the batch holds, for people: the indication, then the days of its sessions."""
        parts = []
        if self.indication:
            parts.append(Indication(self.indication).label)
        if self.date_from and self.date_to:
            parts.append(f"sessions {_day(self.date_from)} – {_day(self.date_to)}")  # noqa: RUF001
        elif self.date_from:
            parts.append(f"sessions from {_day(self.date_from)}")
        elif self.date_to:
            parts.append(f"sessions until {_day(self.date_to)}")
        return ", ".join(parts) if parts else "All plans"

    @property
    def download_name(self) -> str:
        return f"treatment-summaries-{self.pk}-{self.created_at:%Y%m%d}.zip"


def _day(day: object) -> str:
    return date_format(day, "j M Y")
