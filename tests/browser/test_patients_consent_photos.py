"""A practitioner records a drawn consent signature, uploads photos and compares them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from patients import services
from patients.models import Consent, ConsentText, Photo
from tests.browser.conftest import VIEWPORTS
from tests.patients.factories import PatientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo(tmp_path: Path, name: str, shade: int) -> Path:
    image = Image.new("RGB", (900, 1200), (shade, 180, 160))
    ImageDraw.Draw(image).ellipse((200, 250, 700, 950), fill=(shade + 30, 150, 130))
    path = tmp_path / name
    out = io.BytesIO()
    image.save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_consent_signature_then_photos_side_by_side(
    page: Page, live_server, login, screenshot, practitioner, admin_user, tmp_path
):
    patient = PatientFactory(first_name="Zoé", last_name="Lambert")
    services.consent_text_publish(
        kind=ConsentText.Kind.PHOTO,
        title="Photo consent",
        body="I agree that photographs of the treated areas are kept in my record.",
        by=admin_user,
    )
    page.set_default_timeout(10_000)
    page.set_viewport_size(VIEWPORTS["tablet"])
    login(page, "dr.martin")
    page.goto(f"{live_server.url}/patients/{patient.pk}/consents/new/")
    page.get_by_label("Photo consent").check()
    expect(page.get_by_text("photographs of the treated areas")).to_be_visible()
    expect(page.get_by_label("The patient", exact=True)).to_be_checked()
    page.get_by_label("The person signing has read the text").check()
    page.get_by_label("Full name, typed by the person signing").fill("Zoé Lambert")
    pad = page.locator("[data-signature-pad]")
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 30, box["y"] + 60 + (step % 3) * 25)
    page.mouse.up()
    screenshot(page, "patients-consent-sign-tablet")
    page.get_by_role("button", name="Record signature").click()
    expect(page.locator(".alert-success")).to_contain_text("was signed")
    consent = Consent.objects.get()
    assert consent.signature_png and consent.witnessed_by == practitioner

    for name, kind, shade, when in (
        ("before.jpg", "Before", 200, "2026-01-10"),
        ("after.jpg", "After", 150, "2026-03-10"),
    ):
        page.goto(f"{live_server.url}/patients/{patient.pk}/photos/new/")
        page.locator("input[type=file]").set_input_files(str(_photo(tmp_path, name, shade)))
        page.locator("label", has_text=kind).click()
        page.get_by_label("Taken on").fill(when)
        page.get_by_role("button", name="Upload").click()
        expect(page.locator(".alert-success")).to_contain_text("metadata was removed")
    assert Photo.objects.count() == 2
    screenshot(page, "patients-photos-tablet")

    page.set_viewport_size(VIEWPORTS["laptop"])
    page.get_by_role("link", name="Compare").click()
    compare = page.get_by_test_id("photo-compare")
    expect(compare).to_contain_text("Before")
    expect(compare).to_contain_text("After")
    expect(compare.locator("img").first).to_have_js_property("complete", True)
    screenshot(page, "patients-photo-compare-laptop")

    # A photo uploaded by mistake leaves the gallery, with the reason; the file stays.
    page.goto(f"{live_server.url}/patients/{patient.pk}/photos/")
    page.locator("a.photo-remove").first.click()
    page.get_by_label("Reason").fill("Uploaded twice")
    expect(page.locator(".photo-remove-thumb")).to_have_js_property("complete", True)
    screenshot(page, "patients-photo-remove-laptop")
    page.get_by_role("button", name="Remove photo").click()
    expect(page.locator(".alert-success")).to_contain_text("removed from the gallery")
    expect(page.locator(".photo-card")).to_have_count(1)
    removed = Photo.objects.get(removed_at__isnull=False)
    assert removed.removed_reason == "Uploaded twice"
    assert Photo.objects.count() == 2


def test_a_parent_signs_for_a_patient_under_18(
    page: Page, live_server, login, screenshot, practitioner, admin_user
):
    today = timezone.localdate()
    patient = PatientFactory(
        first_name="Inès", last_name="Moreau", date_of_birth=today.replace(year=today.year - 16)
    )
    services.consent_text_publish(
        kind=ConsentText.Kind.TREATMENT, title="Treatment consent", body="I agree.", by=admin_user
    )
    page.set_default_timeout(10_000)
    page.set_viewport_size(VIEWPORTS["tablet"])
    login(page, "dr.martin")
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    expect(page.get_by_test_id("minor-badge")).to_have_text("Under 18")
    page.goto(f"{live_server.url}/patients/{patient.pk}/consents/new/")
    expect(page.get_by_test_id("minor-signer")).to_contain_text("Inès is 16")
    expect(page.get_by_label("A parent or legal guardian")).to_be_checked()
    page.get_by_label("Treatment consent").check()
    page.get_by_label("The person signing has read the text").check()
    page.get_by_label("Full name, typed by the person signing").fill("Claire Moreau")
    screenshot(page, "patients-consent-guardian-tablet")
    page.get_by_role("button", name="Record signature").click()
    expect(page.locator(".alert-success")).to_contain_text("was signed")
    consent = Consent.objects.get()
    assert (consent.signed_name, consent.signer) == ("Claire Moreau", "guardian")
