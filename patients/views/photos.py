"""Clinical photos: upload, gallery, side-by-side comparison, removal (kept for the record)
and the role-checked file view."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from clinic.audit import audited
from clinic.lib.forms import save_form
from clinic.models import AuditEvent
from clinic.roles import Capability, requires
from cocktails.choices import BodyArea
from patients import services
from patients.forms import PhotoUploadForm
from patients.models import Photo
from patients.selectors import (
    patient_clinical_alerts,
    patient_get_for_user,
    patient_has_photo_consent,
    patient_photos,
    photo_get_for_user,
)
from patients.views.common import reason_page


def _by_area(photos: list[Photo]) -> list[tuple[str, list[Photo]]]:
    ordered = sorted(photos, key=lambda photo: (photo.area, photo.taken_on, photo.pk))
    return [
        (BodyArea(area).label, list(group))
        for area, group in groupby(ordered, key=lambda photo: photo.area)
    ]


@requires(Capability.VIEW_CLINICAL)
@audited(AuditEvent.Action.VIEW, patient_kwarg="patient_pk", what="photos")
def photo_list(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, pk=patient_pk)
    photos = list(patient_photos(patient=patient))
    return render(
        request,
        "patients/photo_list.html",
        {
            "patient": patient,
            "groups": _by_area(photos),
            "alerts": patient_clinical_alerts(patient=patient),
        },
    )


@requires(Capability.EDIT_CLINICAL)
def photo_upload(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, pk=patient_pk)
    consented = patient_has_photo_consent(patient=patient)
    form = PhotoUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not consented:
            form.add_error(None, "The patient has no photo consent in force.")
        else:
            done = save_form(
                request,
                form,
                lambda data: services.photo_upload(
                    patient=patient,
                    by=request.user,
                    upload=data["image"],
                    kind=data["kind"],
                    area=data["area"],
                    angle=data["angle"],
                    taken_on=data["taken_on"],
                    notes=data["notes"],
                ),
                success="The photo was added; its metadata was removed.",
                next_url=reverse("patients:photo_list", kwargs={"patient_pk": patient.pk}),
            )
            if done:
                return done
    return render(
        request,
        "patients/photo_form.html",
        {
            "form": form,
            "patient": patient,
            "consented": consented,
            "alerts": patient_clinical_alerts(patient=patient),
        },
    )


@requires(Capability.EDIT_CLINICAL)
def photo_remove(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    # A removed photo is found here only to say so: the page then shows nothing of it.
    photo = photo_get_for_user(
        user=request.user, pk=pk, patient_pk=patient_pk, include_removed=True
    )
    gallery = reverse("patients:photo_list", kwargs={"patient_pk": patient_pk})
    return reason_page(
        request,
        act=lambda reason: services.photo_remove(photo=photo, reason=reason),
        success="The photo was removed from the gallery.",
        next_url=gallery,
        template="patients/photo_remove.html",
        context={"photo": photo, "patient": photo.patient, "cancel_url": gallery},
        placeholder="For example: uploaded to the wrong record",
        already="This photo was already removed." if photo.removed_at else "",
    )


@never_cache
@requires(Capability.VIEW_CLINICAL)
def photo_file(request: HttpRequest, patient_pk: int, pk: int) -> FileResponse:
    """The image bytes, to staff whose role sees clinical data; ``?size=thumb`` for the
    thumbnail. Never cached by shared caches, never guessed from a public path."""
    photo = photo_get_for_user(user=request.user, pk=pk, patient_pk=patient_pk)
    stored = photo.thumbnail if request.GET.get("size") == "thumb" else photo.image
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("The photo file is missing.") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.jpg"'
    return response


@requires(Capability.VIEW_CLINICAL)
@audited(AuditEvent.Action.VIEW, patient_kwarg="patient_pk", what="photo comparison")
def photo_compare(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """Two photos of the same area side by side; by default the first and the latest."""
    patient = patient_get_for_user(user=request.user, pk=patient_pk)
    photos = list(patient_photos(patient=patient).order_by("taken_on", "pk"))
    by_pk = {str(photo.pk): photo for photo in photos}
    left, right = by_pk.get(request.GET.get("left", "")), by_pk.get(request.GET.get("right", ""))
    if left is None or right is None:
        groups = [group for _, group in _by_area(photos) if len(group) > 1]
        if groups:
            left, right = groups[0][0], groups[0][-1]
    elif left.area != right.area:
        messages.error(request, "Compare two photos of the same area.")
        right = next(
            (photo for photo in reversed(photos) if photo.area == left.area and photo != left),
            None,
        )
    return render(
        request,
        "patients/photo_compare.html",
        {
            "patient": patient,
            "groups": _by_area(photos),
            "left": left,
            "right": right,
            "alerts": patient_clinical_alerts(patient=patient),
        },
    )
