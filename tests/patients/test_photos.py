"""Photos: EXIF stripped on upload, files served only to clinical staff, side-by-side view,
removal with a reason (the photo kept for the record)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from patients import services
from patients.models import Photo
from tests.patients.helpers import GPS_IFD, a_while_ago, jpeg_with_gps, photo_post, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def consenting(patient, practitioner, consent_texts):
    services.consent_sign(
        patient=patient,
        text=consent_texts.photo,
        signed_name=patient.full_name,
        witnessed_by=practitioner,
    )
    return patient


def _stored(photo: Photo, field: str = "image") -> Image.Image:
    with getattr(photo, field).open("rb") as handle:
        return Image.open(io.BytesIO(handle.read()))


def test_the_fixture_jpeg_really_carries_gps():
    exif = Image.open(io.BytesIO(jpeg_with_gps())).getexif()
    assert exif.get_ifd(GPS_IFD)
    assert exif[0x010F] == "PhoneMaker"


def test_exif_and_gps_are_stripped_from_an_uploaded_jpeg(practitioner_client, consenting):
    url = reverse("patients:photo_upload", args=[consenting.pk])
    response = practitioner_client.post(url, photo_post())
    assert response.status_code == 302
    photo = Photo.objects.get()
    for field in ("image", "thumbnail"):
        stored = _stored(photo, field)
        assert stored.format == "JPEG"
        assert not stored.getexif(), f"EXIF left in the {field}"
        assert "exif" not in stored.info and "comment" not in stored.info
    with photo.image.open("rb") as handle:
        raw = handle.read()
    assert b"PhoneMaker" not in raw and b"Rue des Lilas" not in raw
    assert (photo.width, photo.height) == (640, 480)
    assert max(_stored(photo, "thumbnail").size) <= 480


def test_a_sideways_phone_photo_is_stored_upright():
    from patients.imaging import clean_photo

    image = Image.new("RGB", (300, 100), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    cleaned = clean_photo(upload(out.getvalue()))
    assert (cleaned.width, cleaned.height) == (100, 300)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 not an image", "scan.pdf", "not a photo we can read"),
        (b"", "empty.jpg", "empty"),
        (b"GIF89a" + b"\x00" * 20, "anim.gif", "not a photo we can read"),
    ],
)
def test_non_images_are_refused_at_the_field(
    practitioner_client, consenting, content, name, message
):
    url = reverse("patients:photo_upload", args=[consenting.pk])
    response = practitioner_client.post(url, photo_post(image=upload(content, name)))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["image"])
    assert not Photo.objects.exists()


def test_a_gif_image_is_refused_as_a_format(practitioner_client, consenting):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    url = reverse("patients:photo_upload", args=[consenting.pk])
    response = practitioner_client.post(url, photo_post(image=upload(out.getvalue(), "a.gif")))
    assert "GIF images are not accepted" in " ".join(response.context["form"].errors["image"])


def test_an_oversize_upload_is_refused(practitioner_client, consenting, settings):
    settings.PATIENT_PHOTO_MAX_BYTES = 1024 * 1024
    big = jpeg_with_gps() + b"\x00" * (1024 * 1024)
    url = reverse("patients:photo_upload", args=[consenting.pk])
    response = practitioner_client.post(url, photo_post(content=big))
    assert "larger than 1 MB" in " ".join(response.context["form"].errors["image"])
    assert not Photo.objects.exists()


def test_a_photo_date_in_the_future_is_refused(practitioner_client, consenting):
    url = reverse("patients:photo_upload", args=[consenting.pk])
    response = practitioner_client.post(url, photo_post(taken_on="2999-01-01"))
    assert "taken_on" in response.context["form"].errors


def test_no_upload_without_photo_consent(practitioner_client, patient, consent_texts):
    url = reverse("patients:photo_upload", args=[patient.pk])
    page = practitioner_client.get(url)
    assert "has no photo consent in force" in page.text
    response = practitioner_client.post(url, photo_post())
    assert response.status_code == 200
    assert not Photo.objects.exists()


@pytest.fixture
def photo(consenting, practitioner):
    return services.photo_upload(
        patient=consenting,
        by=practitioner,
        upload=upload(jpeg_with_gps()),
        kind="before",
        area="face",
        angle="front",
        taken_on=a_while_ago(60),
    )


def test_the_photo_file_is_served_to_clinical_staff_only(
    client, receptionist_client, practitioner_client, admin_client, photo
):
    url = reverse("patients:photo_file", args=[photo.patient_id, photo.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert receptionist_client.get(url).status_code == 403
    for allowed in (practitioner_client, admin_client):
        response = allowed.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    thumb = practitioner_client.get(url, {"size": "thumb"})
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size[0] <= 480


def test_there_is_no_public_media_url(client, photo):
    assert client.get("/media/" + photo.image.name).status_code in (302, 404)


def test_compare_shows_the_first_and_latest_photo_of_an_area(
    practitioner_client, photo, practitioner
):
    later = services.photo_upload(
        patient=photo.patient,
        by=practitioner,
        upload=upload(jpeg_with_gps()),
        kind="after",
        area="face",
        angle="front",
        taken_on=a_while_ago(1),
    )
    services.photo_upload(
        patient=photo.patient,
        by=practitioner,
        upload=upload(jpeg_with_gps()),
        kind="before",
        area="scalp",
        angle="top",
        taken_on=a_while_ago(1),
    )
    url = reverse("patients:photo_compare", args=[photo.patient_id])
    page = practitioner_client.get(url)
    assert (page.context["left"], page.context["right"]) == (photo, later)
    scalp = Photo.objects.get(area="scalp")
    mixed = practitioner_client.get(url, {"left": photo.pk, "right": scalp.pk})
    assert mixed.context["right"] == later
    assert "same area" in mixed.text


def test_a_photo_of_another_patient_is_404(practitioner_client, photo):
    from tests.patients.factories import PatientFactory

    other = PatientFactory()
    url = reverse("patients:photo_file", args=[other.pk, photo.pk])
    assert practitioner_client.get(url).status_code == 404


# Removing a photo: out of the gallery and comparisons, kept for the record.


def test_removing_a_photo_takes_it_out_of_the_gallery_and_keeps_it_for_the_record(
    practitioner_client, practitioner, photo
):
    gallery = reverse("patients:photo_list", args=[photo.patient_id])
    assert f"/photos/{photo.pk}/remove/" in practitioner_client.get(gallery).text
    url = reverse("patients:photo_remove", args=[photo.patient_id, photo.pk])
    form = practitioner_client.get(url)
    assert form.status_code == 200 and "Remove the photo" in form.text
    response = practitioner_client.post(url, {"reason": "Uploaded to the wrong record"})
    assert response.status_code == 302 and response["Location"] == gallery
    photo.refresh_from_db()
    assert photo.removed_at is not None
    assert photo.removed_reason == "Uploaded to the wrong record"
    assert photo.image.storage.exists(photo.image.name)  # never deleted
    assert photo.history.first().history_user == practitioner
    assert f"/photos/{photo.pk}/" not in practitioner_client.get(gallery).text
    compare = practitioner_client.get(reverse("patients:photo_compare", args=[photo.patient_id]))
    assert photo not in [p for _, group in compare.context["groups"] for p in group]
    # The patient page's change history says so.
    page = practitioner_client.get(reverse("patients:detail", args=[photo.patient_id]))
    assert "Uploaded to the wrong record" in page.text


def test_a_removed_photo_is_no_longer_served_at_any_of_its_urls(practitioner_client, photo):
    services.photo_remove(photo=photo, reason="Uploaded to the wrong record")
    url = reverse("patients:photo_file", args=[photo.patient_id, photo.pk])
    assert practitioner_client.get(url).status_code == 404
    assert practitioner_client.get(url, {"size": "thumb"}).status_code == 404
    compare = reverse("patients:photo_compare", args=[photo.patient_id])
    page = practitioner_client.get(compare, {"left": photo.pk, "right": photo.pk})
    assert f"/photos/{photo.pk}/" not in page.text
    # Its removal page only says it was done, without the image.
    remove = reverse("patients:photo_remove", args=[photo.patient_id, photo.pk])
    response = practitioner_client.get(remove)
    assert response.status_code == 302
    assert f"/photos/{photo.pk}/" not in response["Location"]


def test_a_photo_is_not_removed_without_a_reason(practitioner_client, photo):
    url = reverse("patients:photo_remove", args=[photo.patient_id, photo.pk])
    response = practitioner_client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    photo.refresh_from_db()
    assert photo.removed_at is None


def test_a_removed_photo_is_not_removed_twice(practitioner_client, photo):
    services.photo_remove(photo=photo, reason="Blurred")
    url = reverse("patients:photo_remove", args=[photo.patient_id, photo.pk])
    response = practitioner_client.post(url, {"reason": "Again"})
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.removed_reason == "Blurred"
    with pytest.raises(ValidationError):
        services.photo_remove(photo=photo, reason="Again")


def test_a_receptionist_cannot_remove_a_photo(receptionist_client, photo):
    url = reverse("patients:photo_remove", args=[photo.patient_id, photo.pk])
    assert receptionist_client.post(url, {"reason": "No"}).status_code == 403
    photo.refresh_from_db()
    assert photo.removed_at is None
