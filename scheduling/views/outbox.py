"""The outbox for staff: every email sent to patients, waiting or failed, and resending."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clinic.lib.params import MAX_ID, id_param, int_param
from clinic.roles import Capability, requires
from patients.models import Patient
from scheduling.models import OutboxMessage
from scheduling.outbox import selectors, services

Status = OutboxMessage.Status
PER_PAGE = 50
# The tabs of the list, in order: what needs someone first.
TABS = (
    ("", "All"),
    (Status.FAILED, "Failed"),
    (Status.PENDING, "Waiting"),
    (Status.SENT, "Sent"),
    (Status.CANCELLED, "Not sent"),
)


@requires(Capability.BOOK_APPOINTMENTS)
def outbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    patient_id = id_param(request.GET.get("patient"))
    # A page past the last is empty; one past what an offset can hold is the first.
    page = int_param(request.GET.get("page"), minimum=1, maximum=MAX_ID // PER_PAGE) or 1
    offset = (page - 1) * PER_PAGE
    # One row more than a page says whether there is a next one, without counting them all.
    rows = list(
        selectors.outbox_messages(status=status or None, patient_id=patient_id)[
            offset : offset + PER_PAGE + 1
        ]
    )
    selectors.with_resend_refusals(rows[:PER_PAGE])
    patient = (
        Patient.objects.filter(pk=patient_id).only("first_name", "last_name").first()
        if patient_id
        else None
    )
    counts = selectors.outbox_attention_counts(patient_id=patient.pk if patient else None)
    return render(
        request,
        "scheduling/outbox_list.html",
        {
            "rows": rows[:PER_PAGE],
            "status": status,
            "tabs": [(value, label, counts.get(value)) for value, label in TABS],
            "counts": counts,
            "switched_off": [
                OutboxMessage.Kind(kind).label for kind in selectors.switched_off_kinds()
            ],
            "patient": patient,
            "page": page,
            "has_next": len(rows) > PER_PAGE,
            "here": request.get_full_path(),
        },
    )


@require_POST
@requires(Capability.BOOK_APPOINTMENTS)
def outbox_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.outbox_message_for(request.user, pk)
    try:
        services.outbox_resend(message=message, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"The {message.get_kind_display().lower()} to {message.patient.full_name} is "
            "on its way again.",
        )
    back = request.POST.get("next", "")
    # Only a path on this site ("/patients/12/"), never another host.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("scheduling:outbox") + f"?status={Status.FAILED}"
    # Not redirect(): a bare word would be looked up as a URL name.
    return HttpResponseRedirect(back)
