"""Consent texts are versioned; a signature counts only for the current version."""

from __future__ import annotations

import base64
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cocktails.choices import Indication
from patients import services
from patients.models import Consent, ConsentText
from patients.selectors import (
    patient_clinical_alerts,
    patient_consent_overview,
    patient_general_blockers,
    patient_has_photo_consent,
    patient_has_valid_consent,
    patient_treatment_blockers,
    treatment_consent_signed_at,
)
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _png(size=(120, 40)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    image.putpixel((5, 5), (0, 0, 0, 255))
    image.save(out, "PNG")
    return out.getvalue()


def _sign(patient, text, by, **extra):
    return services.consent_sign(
        patient=patient, text=text, signed_name=patient.full_name, witnessed_by=by, **extra
    )


def test_publishing_a_new_version_supersedes_the_old_one(admin_user, consent_texts):
    v2 = services.consent_text_publish(
        kind=ConsentText.Kind.TREATMENT, title="General", body="I agree, v2.", by=admin_user
    )
    consent_texts.general.refresh_from_db()
    assert v2.version == 2
    assert consent_texts.general.superseded_at is not None
    assert v2.is_current
    # The photo consent is a separate document and stays current.
    consent_texts.photo.refresh_from_db()
    assert consent_texts.photo.is_current


def test_a_signature_on_an_old_version_is_no_longer_valid(
    patient, practitioner, admin_user, consent_texts
):
    _sign(patient, consent_texts.general, practitioner)
    assert patient_has_valid_consent(patient=patient, indication=None)
    v2 = services.consent_text_publish(
        kind=ConsentText.Kind.TREATMENT, title="General", body="New risks listed.", by=admin_user
    )
    assert not patient_has_valid_consent(patient=patient, indication=None)
    with pytest.raises(ValidationError, match="replaced"):
        _sign(patient, consent_texts.general, practitioner)
    _sign(patient, v2, practitioner)
    assert patient_has_valid_consent(patient=patient, indication=Indication.SCARS)


def test_withdrawn_consent_is_not_valid(patient, practitioner, consent_texts, practitioner_client):
    consent = _sign(patient, consent_texts.general, practitioner)
    url = reverse("patients:consent_withdraw", args=[patient.pk, consent.pk])
    assert practitioner_client.post(url, {"reason": "Changed her mind"}).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_by == practitioner
    assert not patient_has_valid_consent(patient=patient, indication=None)


def test_no_treatment_consent_published_means_no_valid_consent(patient):
    assert not patient_has_valid_consent(patient=patient, indication=None)


def test_photo_consent_is_separate(patient, practitioner, consent_texts):
    _sign(patient, consent_texts.general, practitioner)
    assert not patient_has_photo_consent(patient=patient)
    _sign(patient, consent_texts.photo, practitioner)
    assert patient_has_photo_consent(patient=patient)


def test_signing_in_the_browser_stores_name_signature_witness_and_time(
    practitioner_client, patient, practitioner, consent_texts
):
    drawn = "data:image/png;base64," + base64.b64encode(_png()).decode()
    response = practitioner_client.post(
        reverse("patients:consent_sign", args=[patient.pk]),
        {
            "text": consent_texts.general.pk,
            "has_read": "on",
            "signer": "patient",
            "signed_name": "  hélène LEFÈVRE ",
            "signature": drawn,
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.witnessed_by == practitioner
    assert consent.signed_at is not None
    assert Image.open(io.BytesIO(bytes(consent.signature_png))).format == "PNG"
    image = practitioner_client.get(
        reverse("patients:consent_signature", args=[patient.pk, consent.pk])
    )
    assert image["Content-Type"] == "image/png"
    assert "no-store" in image["Cache-Control"]


@pytest.mark.parametrize("typed", ["陳美玲", "陳 美玲", "美玲 陳", "美玲陳", " 陳  美玲 "])
def test_a_name_is_accepted_in_its_native_order_with_or_without_a_space(
    patient, practitioner, consent_texts, typed
):
    patient.first_name, patient.last_name = "美玲", "陳"
    patient.save()
    consent = services.consent_sign(
        patient=patient, text=consent_texts.general, signed_name=typed, witnessed_by=practitioner
    )
    assert consent.signed_name == typed.strip()


@pytest.mark.parametrize("typed", ["美玲", "陳", "陳美", "Camille Roux", "RouxCamille Roux"])
def test_a_name_not_on_the_record_is_still_refused(patient, practitioner, consent_texts, typed):
    patient.first_name, patient.last_name = "美玲", "陳"
    patient.save()
    with pytest.raises(ValidationError) as caught:
        services.consent_sign(
            patient=patient,
            text=consent_texts.general,
            signed_name=typed,
            witnessed_by=practitioner,
        )
    assert caught.value.message_dict == {
        "signed_name": [
            "Type the patient's full name as on the record, in either order: “美玲 陳” or "
            "“陳 美玲”."
        ]
    }
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"signed_name": "Someone Else"}, "signed_name"),
        ({"signed_name": ""}, "signed_name"),
        ({"has_read": ""}, "has_read"),
        ({"signer": ""}, "signer"),
        ({"signer": "neighbour"}, "signer"),
        ({"signature": "data:image/png;base64,!!!"}, "signature"),
        (
            {"signature": "data:image/png;base64," + base64.b64encode(b"not a png").decode()},
            "signature",
        ),
        ({"signature": "javascript:alert(1)"}, "signature"),
    ],
)
def test_bad_signatures_are_refused_at_the_field(
    practitioner_client, patient, consent_texts, overrides, field
):
    data = {
        "text": consent_texts.general.pk,
        "has_read": "on",
        "signer": "patient",
        "signed_name": patient.full_name,
        "signature": "",
        **overrides,
    }
    response = practitioner_client.post(reverse("patients:consent_sign", args=[patient.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Consent.objects.exists()


def test_signing_the_same_version_twice_is_refused(patient, practitioner, consent_texts):
    _sign(patient, consent_texts.general, practitioner)
    with pytest.raises(ValidationError, match="already signed"):
        _sign(patient, consent_texts.general, practitioner)


def test_the_photo_consent_cannot_name_an_indication(admin_user):
    with pytest.raises(ValidationError):
        services.consent_text_publish(
            kind=ConsentText.Kind.PHOTO,
            indication=Indication.SCARS,
            title="Photos",
            body="x",
            by=admin_user,
        )


def test_the_clinic_manager_publishes_versions_in_the_back_office(admin_client, consent_texts):
    url = reverse("admin:patients_consenttext_add")
    data = {"kind": "treatment", "indication": "", "title": "General", "body": "Version two."}
    response = admin_client.post(url, data)
    assert response.status_code == 302
    current = ConsentText.objects.get(kind="treatment", superseded_at__isnull=True)
    assert (current.version, current.body, current.published_by.username) == (
        2,
        "Version two.",
        "manager",
    )
    # A published text cannot be edited: patients signed exactly those words.
    change = admin_client.post(
        reverse("admin:patients_consenttext_change", args=[current.pk]), {**data, "body": "x"}
    )
    assert change.status_code == 302
    current.refresh_from_db()
    assert current.body == "Version two."


def test_the_consent_page_shows_the_signed_text(
    practitioner_client, patient, practitioner, consent_texts
):
    consent = _sign(patient, consent_texts.general, practitioner, signature_png=_png())
    page = practitioner_client.get(
        reverse("patients:consent_detail", args=[patient.pk, consent.pk])
    )
    assert "I agree." in page.text
    assert "In force" in page.text
    assert reverse("patients:consent_signature", args=[patient.pk, consent.pk]) in page.text


# A patient under 18: a parent or legal guardian signs.


def _years_ago(years: int, *, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


@pytest.fixture
def minor(db):
    # 16 today, give or take: born 16 years and 20 days ago.
    return PatientFactory(
        first_name="Inès", last_name="Moreau", date_of_birth=_years_ago(16, days=20)
    )


@time_machine.travel(datetime.datetime(2026, 3, 16, 10, tzinfo=datetime.UTC))
@pytest.mark.parametrize(("born", "refused"), [((2008, 3, 17), True), ((2008, 3, 16), False)])
def test_a_patient_signs_their_own_consent_from_their_18th_birthday(
    practitioner, consent_texts, born, refused
):
    patient = PatientFactory(
        first_name="Léa", last_name="Petit", date_of_birth=datetime.date(*born)
    )
    if not refused:
        assert _sign(patient, consent_texts.general, practitioner).signer == "patient"
        return
    with pytest.raises(ValidationError) as caught:
        _sign(patient, consent_texts.general, practitioner)
    assert caught.value.message_dict == {
        "signer": ["Léa is 17: a parent or legal guardian signs for a patient under 18."]
    }
    assert not Consent.objects.exists()


def _guardian_signs(patient, text, by, name: str = "Claire Moreau") -> Consent:
    return services.consent_sign(
        patient=patient,
        text=text,
        signed_name=name,
        signer=Consent.Signer.GUARDIAN,
        witnessed_by=by,
    )


def test_a_parent_signs_for_a_minor_with_their_own_name(minor, practitioner, consent_texts):
    consent = _guardian_signs(minor, consent_texts.general, practitioner, " Claire Moreau ")
    assert (consent.signed_name, consent.signer) == ("Claire Moreau", "guardian")
    assert patient_has_valid_consent(patient=minor, indication=None)


def test_a_guardian_signature_in_the_patients_name_is_refused(minor, practitioner, consent_texts):
    with pytest.raises(ValidationError) as caught:
        services.consent_sign(
            patient=minor,
            text=consent_texts.general,
            signed_name="moreau inès",
            signer=Consent.Signer.GUARDIAN,
            witnessed_by=practitioner,
        )
    assert caught.value.message_dict == {
        "signed_name": ["This is the patient's name: type the parent's or guardian's."]
    }


def test_a_guardian_may_sign_for_an_adult_under_legal_protection(
    patient, practitioner, consent_texts
):
    consent = services.consent_sign(
        patient=patient,
        text=consent_texts.general,
        signed_name="Marc Lefèvre",
        signer=Consent.Signer.GUARDIAN,
        witnessed_by=practitioner,
    )
    assert consent.signer == "guardian"


def _signing(text, **fields) -> dict:
    return {"text": text.pk, "has_read": "on", "signature": "", **fields}


def test_the_signing_page_of_a_minor_asks_for_a_guardian_and_keeps_the_input(
    practitioner_client, minor, consent_texts
):
    url = reverse("patients:consent_sign", args=[minor.pk])
    page = practitioner_client.get(url)
    assert page.context["form"]["signer"].value() == "guardian"
    assert "Inès is 16: a parent or legal guardian signs, with their own name." in page.text
    refused = practitioner_client.post(
        url, _signing(consent_texts.general, signer="patient", signed_name="Inès Moreau")
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "signer": ["Inès is 16: a parent or legal guardian signs for a patient under 18."]
    }
    assert 'value="Inès Moreau"' in refused.text
    signed = practitioner_client.post(
        url, _signing(consent_texts.general, signer="guardian", signed_name="Claire Moreau")
    )
    assert signed.status_code == 302
    consent = Consent.objects.get()
    detail = practitioner_client.get(
        reverse("patients:consent_detail", args=[minor.pk, consent.pk])
    )
    assert 'Claire Moreau <span class="text-muted">(parent or legal guardian)</span>' in (
        detail.text
    )


def test_the_signing_page_of_an_adult_has_the_patient_sign(practitioner_client, patient):
    page = practitioner_client.get(reverse("patients:consent_sign", args=[patient.pk]))
    assert page.context["form"]["signer"].value() == "patient"
    assert 'data-testid="minor-signer"' not in page.text


def test_the_patient_header_marks_a_patient_under_18(practitioner_client, minor, patient):
    for who, marked in ((minor, True), (patient, False)):
        page = practitioner_client.get(reverse("patients:detail", args=[who.pk]))
        assert ('data-testid="minor-badge"' in page.text) is marked


# A consent the patient signed themselves while under 18 (a row from before the guardian rule,
# or imported) stays on record but is not in force.


def _own_signature(patient, text, by) -> Consent:
    """The patient's own signature now, as the app took it before the guardian rule (the
    service refuses it today, so the row is written as an import would)."""
    return Consent.objects.create(
        patient=patient,
        text=text,
        signed_name=patient.full_name,
        signer=Consent.Signer.PATIENT,
        signed_at=timezone.now(),
        witnessed_by=by,
    )


@pytest.mark.parametrize(
    ("signed", "age"),
    [
        # 11:00 in Paris on the day before her 18th birthday: signed at 17.
        (datetime.datetime(2026, 3, 16, 10, tzinfo=datetime.UTC), 17),
        # 00:30 in Paris on her birthday (still the 16th in UTC): signed at 18.
        (datetime.datetime(2026, 3, 16, 23, 30, tzinfo=datetime.UTC), None),
        (datetime.datetime(2026, 3, 17, 10, tzinfo=datetime.UTC), None),
    ],
)
def test_a_patients_own_signature_counts_from_their_18th_birthday(
    practitioner, consent_texts, signed, age
):
    patient = PatientFactory(
        first_name="Léa", last_name="Petit", date_of_birth=datetime.date(2008, 3, 17)
    )
    with time_machine.travel(signed, tick=False):
        consent = _own_signature(patient, consent_texts.general, practitioner)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC)):
        consent = Consent.objects.select_related("patient", "text").get(pk=consent.pk)
        assert consent.signed_as_minor_age == age
        assert consent.is_valid is (age is None)
        assert patient_has_valid_consent(patient=patient, indication=None) is (age is None)


@pytest.fixture
def signed_as_minor(minor, practitioner, consent_texts) -> Consent:
    """Inès (16 and 20 days) signed the general consent herself ten days ago, at 16."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10)):
        return _own_signature(minor, consent_texts.general, practitioner)


def _general(overview):
    return next(status for status in overview if status.text.title == "General")


MINOR_NOTE = "Signed by Inès herself at 16: a parent or legal guardian must sign it again."


def test_a_minors_own_signature_is_missing_from_the_overview_and_blocks_treatment(
    minor, signed_as_minor, consent_texts, django_assert_num_queries
):
    with django_assert_num_queries(2):
        overview = patient_consent_overview(patient=minor)
    general = _general(overview)
    assert (general.signature, general.minor_signature) == (None, signed_as_minor)
    assert signed_as_minor.signed_as_minor_note == MINOR_NOTE
    expected = [("consent", f"“General” (version 1) is not in force. {MINOR_NOTE}")]
    assert [(b.code, b.message) for b in patient_treatment_blockers(patient=minor)] == expected
    alerts = patient_clinical_alerts(patient=minor)
    with django_assert_num_queries(0):
        found = patient_general_blockers(patient=minor, alerts=alerts, consents=overview)
    assert [(b.code, b.message) for b in found] == expected
    assert not patient_has_valid_consent(patient=minor, indication=None)
    assert treatment_consent_signed_at(patient=minor, indication=None) is None


def test_a_minors_own_photo_consent_is_not_in_force(
    minor, practitioner, consent_texts, signed_as_minor
):
    _own_signature(minor, consent_texts.photo, practitioner)
    assert not patient_has_photo_consent(patient=minor)


def test_a_guardian_signs_again_beside_the_minors_own_signature(
    minor, signed_as_minor, practitioner, consent_texts
):
    again = _guardian_signs(minor, consent_texts.general, practitioner)
    assert patient_has_valid_consent(patient=minor, indication=None)
    assert patient_treatment_blockers(patient=minor) == []
    general = _general(patient_consent_overview(patient=minor))
    assert (general.signature, general.minor_signature) == (again, None)
    # The old row is neither deleted nor changed: it stays in the history, not in force.
    signed_as_minor.refresh_from_db()
    assert (signed_as_minor.withdrawn_at, signed_as_minor.signer) == (None, "patient")
    assert signed_as_minor.history.count() == 1
    with pytest.raises(ValidationError, match="already signed"):
        _guardian_signs(minor, consent_texts.general, practitioner, "Paul Moreau")


def test_once_an_adult_the_patient_signs_again_herself(practitioner, consent_texts):
    patient = PatientFactory(
        first_name="Inès", last_name="Moreau", sex="F", date_of_birth=datetime.date(2008, 3, 17)
    )
    with time_machine.travel(datetime.datetime(2024, 9, 2, 10, tzinfo=datetime.UTC)):
        old = _own_signature(patient, consent_texts.general, practitioner)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC)):
        old = Consent.objects.select_related("patient").get(pk=old.pk)
        assert old.signed_as_minor_note == (
            "Signed by Inès herself at 16: now an adult, she must sign it again."
        )
        assert not patient_has_valid_consent(patient=patient, indication=None)
        _sign(patient, consent_texts.general, practitioner)
        assert patient_has_valid_consent(patient=patient, indication=None)


def test_an_adults_own_signature_is_in_force(patient, practitioner, consent_texts):
    consent = _sign(patient, consent_texts.general, practitioner)
    assert consent.signed_as_minor_age is None
    assert consent.signed_as_minor_note == ""
    general = _general(patient_consent_overview(patient=patient))
    assert (general.signature, general.minor_signature) == (consent, None)
    assert patient_treatment_blockers(patient=patient) == []


def test_the_patient_page_and_the_consent_page_say_a_guardian_must_sign_again(
    practitioner_client, minor, signed_as_minor, consent_texts
):
    page = practitioner_client.get(reverse("patients:detail", args=[minor.pk])).text
    # At the consent, and in the readiness panel (laid out twice, for narrow and wide screens).
    assert page.count(MINOR_NOTE) == 3
    assert "Not ready for treatment" in page
    sign_again = reverse("patients:consent_sign", args=[minor.pk])
    assert f'href="{sign_again}?text={consent_texts.general.pk}">Sign again</a>' in page
    assert "Not in force: signed as a minor" in page  # The timeline keeps it, marked.
    # The readiness panel links to the same signature, in both its layouts.
    readiness_link = (
        f'href="{sign_again}?text={consent_texts.general.pk}" data-testid="readiness-sign"'
    )
    assert page.count(readiness_link) == 2
    detail = practitioner_client.get(
        reverse("patients:consent_detail", args=[minor.pk, signed_as_minor.pk])
    ).text
    assert f"Not in force. {MINOR_NOTE}" in detail
    assert "In force</span>" not in detail
    # The signing page the link leads to has the guardian sign, for that text.
    form = practitioner_client.get(f"{sign_again}?text={consent_texts.general.pk}")
    assert form.context["form"]["signer"].value() == "guardian"
    assert str(form.context["form"]["text"].value()) == str(consent_texts.general.pk)
