"""An absolute contraindication blocks treatment until resolved with a reason; history stays."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cocktails.choices import Indication
from patients import services
from patients.models import ConsentText, Contraindication
from patients.selectors import (
    patient_clinical_alerts,
    patient_consent_overview,
    patient_general_blockers,
    patient_treatment_blockers,
)
from tests.patients.helpers import log_consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def pregnant(patient, practitioner, consent_texts):
    services.consent_sign(
        patient=patient,
        text=consent_texts.general,
        signed_name=patient.full_name,
        witnessed_by=practitioner,
    )
    log_consultation(patient, practitioner, pregnancy="absolute", keloid="relative")
    return patient


def _codes(patient, **kwargs) -> list[str]:
    return [blocker.code for blocker in patient_treatment_blockers(patient=patient, **kwargs)]


def test_an_open_absolute_contraindication_blocks_and_a_relative_one_does_not(pregnant):
    blockers = patient_treatment_blockers(patient=pregnant)
    assert [b.code for b in blockers] == ["contraindication"]
    assert blockers[0].contraindication.kind == Contraindication.Kind.PREGNANCY
    assert "Pregnancy or breastfeeding" in blockers[0].message


def test_resolving_lifts_the_block_and_keeps_who_when_and_why(
    practitioner_client, pregnant, practitioner
):
    item = pregnant.contraindications.get(kind="pregnancy")
    url = reverse("patients:contraindication_resolve", args=[pregnant.pk, item.pk])
    response = practitioner_client.post(url, {"reason": "Pregnancy ended in May"})
    assert response.status_code == 302
    assert _codes(pregnant) == []

    item.refresh_from_db()
    assert item.resolved_by == practitioner
    assert item.resolution_reason == "Pregnancy ended in May"
    assert item.resolved_at is not None
    # The open state before resolution is kept in the change history.
    versions = list(item.history.order_by("history_date"))
    assert [v.resolved_at is None for v in versions] == [True, False]
    assert versions[-1].history_user == practitioner


def test_resolution_history_appears_on_the_patient_page(
    practitioner_client, pregnant, practitioner
):
    item = pregnant.contraindications.get(kind="pregnancy")
    services.contraindication_resolve(contraindication=item, by=practitioner, reason="Delivered")
    page = practitioner_client.get(reverse("patients:detail", args=[pregnant.pk]))
    assert "Treatment blocked" not in page.text
    assert 'data-testid="resolved-contraindications"' in page.text
    assert "“Delivered”" in page.text


def test_a_resolution_needs_a_reason(practitioner_client, pregnant):
    item = pregnant.contraindications.get(kind="pregnancy")
    url = reverse("patients:contraindication_resolve", args=[pregnant.pk, item.pk])
    response = practitioner_client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    item.refresh_from_db()
    assert item.is_open


def test_a_contraindication_is_resolved_once(pregnant, practitioner):
    item = pregnant.contraindications.get(kind="pregnancy")
    services.contraindication_resolve(contraindication=item, by=practitioner, reason="ended")
    with pytest.raises(ValidationError, match="already resolved"):
        services.contraindication_resolve(contraindication=item, by=practitioner, reason="again")


def test_the_database_refuses_a_resolution_without_reason(pregnant, practitioner):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    item = pregnant.contraindications.get(kind="pregnancy")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contraindication.objects.filter(pk=item.pk).update(
            resolved_at=timezone.now(), resolved_by=practitioner
        )


def test_the_same_kind_can_be_flagged_again_after_resolution(pregnant, practitioner):
    item = pregnant.contraindications.get(kind="pregnancy")
    services.contraindication_resolve(contraindication=item, by=practitioner, reason="ended")
    log_consultation(pregnant, practitioner, pregnancy="absolute")
    assert pregnant.contraindications.filter(kind="pregnancy").count() == 2
    assert _codes(pregnant) == ["contraindication"]


def test_missing_consent_and_archiving_block_too(patient, practitioner, consent_texts):
    assert _codes(patient) == ["consent"]
    services.patient_archive(patient=patient)
    patient.refresh_from_db()
    assert _codes(patient) == ["archived", "consent"]


def test_no_published_consent_text_blocks(patient):
    blockers = patient_treatment_blockers(patient=patient)
    assert [b.code for b in blockers] == ["consent"]
    assert "No treatment consent text" in blockers[0].message


def test_an_indication_with_its_own_consent_text_needs_it_signed(
    patient, practitioner, admin_user, consent_texts
):
    services.consent_sign(
        patient=patient,
        text=consent_texts.general,
        signed_name=patient.full_name,
        witnessed_by=practitioner,
    )
    hair = services.consent_text_publish(
        kind=ConsentText.Kind.TREATMENT,
        indication=Indication.HAIR_RESTORATION,
        title="Hair",
        body="Hair sessions.",
        by=admin_user,
    )
    assert _codes(patient, indication=Indication.FACIAL_REJUVENATION) == []
    blockers = patient_treatment_blockers(patient=patient, indication=Indication.HAIR_RESTORATION)
    assert [b.consent_text for b in blockers] == [hair]


@pytest.mark.parametrize("extra", [0, 5])
def test_blockers_run_three_queries_whatever_the_record(
    pregnant, practitioner, django_assert_num_queries, extra
):
    for _ in range(extra):
        log_consultation(pregnant, practitioner, cancer="absolute", diabetes="relative")
    with django_assert_num_queries(3):
        patient_treatment_blockers(patient=pregnant)


def _page_blockers(patient) -> list[tuple[str, str]]:
    """The blockers as the patient page works them out, from its alerts and consents."""
    alerts = patient_clinical_alerts(patient=patient)
    consents = patient_consent_overview(patient=patient)
    return [
        (b.code, b.message)
        for b in patient_general_blockers(patient=patient, alerts=alerts, consents=consents)
    ]


def _blockers(patient) -> list[tuple[str, str]]:
    return [(b.code, b.message) for b in patient_treatment_blockers(patient=patient)]


@pytest.mark.parametrize(
    "scene",
    ["no text", "not signed", "signed", "withdrawn", "new version", "blocked", "archived"],
)
def test_the_patient_page_works_out_the_same_blockers_as_the_check_before_treatment(
    scene, patient, practitioner, admin_user, consent_texts, django_assert_num_queries
):
    if scene == "no text":
        ConsentText.objects.filter(kind=ConsentText.Kind.TREATMENT).delete()
    if scene not in ("no text", "not signed"):
        consent = services.consent_sign(
            patient=patient,
            text=consent_texts.general,
            signed_name=patient.full_name,
            witnessed_by=practitioner,
        )
        if scene == "withdrawn":
            services.consent_withdraw(consent=consent, by=practitioner, reason="Changed her mind")
        if scene == "new version":
            services.consent_text_publish(
                kind=ConsentText.Kind.TREATMENT, title="General", body="v2", by=admin_user
            )
        if scene == "blocked":
            log_consultation(patient, practitioner, pregnancy="absolute", anticoagulants="absolute")
        if scene == "archived":
            services.patient_archive(patient=patient)
    patient.refresh_from_db()
    expected = _blockers(patient)
    alerts = patient_clinical_alerts(patient=patient)
    consents = patient_consent_overview(patient=patient)
    with django_assert_num_queries(0):
        found = patient_general_blockers(patient=patient, alerts=alerts, consents=consents)
    assert [(b.code, b.message) for b in found] == expected == _page_blockers(patient)
    assert bool(expected) == (scene != "signed")
