"""Recording access to health data. Views call `audit_record`; auth events arrive by signal."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from clinic.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from patients.models import Patient


def audited(
    action: AuditEvent.Action, *, patient_kwarg: str, what: str
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: once the view has answered 200, record that the signed-in user did
    `action` (usually VIEW) on the patient whose id is the URL argument `patient_kwarg`.

    Refused or missing pages (403/404) record nothing: nothing was seen. One INSERT a view.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and request.method in {"GET", "HEAD"}:
                audit_record(
                    request=request, action=action, patient_id=kwargs[patient_kwarg], what=what
                )
            return response

        return wrapped

    return decorator


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _entry(
    *,
    request: HttpRequest | None,
    action: AuditEvent.Action,
    what: str,
    user: AbstractBaseUser | None,
    username: str = "",
) -> dict[str, Any]:
    """The fields every entry shares: who (by default the request's signed-in user), what,
    from which address and page."""
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    return {
        "user": user,
        "username": username or (user.get_username() if user is not None else ""),
        "action": action,
        "what": what[:200],
        "path": request.get_full_path()[:500] if request is not None else "",
        "ip_address": _client_ip(request),
    }


def audit_record(
    *,
    request: HttpRequest | None,
    action: AuditEvent.Action,
    patient: Patient | None = None,
    patient_id: int | None = None,
    what: str = "",
    user: AbstractBaseUser | None = None,
    username: str = "",
) -> AuditEvent:
    """Write one audit entry about `patient` (or the patient whose id is `patient_id`), if any.
    `user` defaults to the request's signed-in user."""
    return AuditEvent.objects.create(
        patient_id=patient.pk if patient is not None else patient_id,
        **_entry(request=request, action=action, what=what, user=user, username=username),
    )


def audit_record_many(
    *,
    request: HttpRequest | None,
    action: AuditEvent.Action,
    patient_ids: Iterable[int],
    what: str,
    user: AbstractBaseUser | None = None,
) -> int:
    """One entry per patient, written in bulk: for exports that cover many records, so that
    each patient's own log shows who took their data out. Returns how many were written."""
    common = _entry(request=request, action=action, what=what, user=user)
    events = [AuditEvent(patient_id=pk, **common) for pk in patient_ids]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


@receiver(user_logged_in, dispatch_uid="clinic.audit.login")
def _on_login(
    sender: object, request: HttpRequest, user: AbstractBaseUser, **kwargs: object
) -> None:
    audit_record(request=request, action=AuditEvent.Action.LOGIN, user=user)


@receiver(user_logged_out, dispatch_uid="clinic.audit.logout")
def _on_logout(
    sender: object, request: HttpRequest, user: AbstractBaseUser | None, **kwargs: object
) -> None:
    if user is not None:
        audit_record(request=request, action=AuditEvent.Action.LOGOUT, user=user)


@receiver(user_login_failed, dispatch_uid="clinic.audit.login_failed")
def _on_login_failed(
    sender: object,
    credentials: dict[str, str],
    request: HttpRequest | None = None,
    **kwargs: object,
) -> None:
    audit_record(
        request=request,
        action=AuditEvent.Action.LOGIN_FAILED,
        username=credentials.get("username", "")[:150],
    )


@receiver(user_locked_out, dispatch_uid="clinic.audit.locked_out")
def _on_locked_out(
    sender: object, request: HttpRequest | None = None, username: str = "", **kwargs: object
) -> None:
    audit_record(request=request, action=AuditEvent.Action.LOCKED_OUT, username=username or "")
