"""The treatment plans card on a patient's overview: every plan, however far back the timeline
has pushed it, open ones first, for clinical roles only."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.roles import user_roles
from cocktails.choices import BodyArea, Indication
from patients.panels import patient_panels
from tests.patients.factories import PatientFactory
from tests.treatments.scenarios import accepted_plan, signed_session
from treatments import services
from treatments.models import TreatmentPlan
from treatments.patient_panels import SHOWN

pytestmark = pytest.mark.django_db


def overview(client, patient):
    return client.get(reverse("patients:detail", args=[patient.pk]))


def card_rows(page) -> list[int]:
    """The plan ids of the card's rows, in order."""
    return [int(part.split('"')[0]) for part in page.text.split('data-testid="patient-plan-')[1:]]


def test_the_card_lists_open_plans_before_closed_ones(scene, practitioner, practitioner_client):
    stopped = accepted_plan(
        patient=scene.patient,
        practitioner=practitioner,
        cocktail=scene.face_glow,
        start_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    services.plan_stop(plan=stopped, reason="Moved away", by=practitioner)
    proposed = services.plan_create(
        patient=scene.patient,
        practitioner=practitioner,
        cocktail=scene.face_glow,
        by=practitioner,
        indication=Indication.FACIAL_REJUVENATION,
        body_areas=[BodyArea.NECK],
        initial_sessions=3,
        interval_days=14,
        maintenance_every_days=None,
        start_date=timezone.localdate() + datetime.timedelta(days=10),
    )
    page = overview(practitioner_client, scene.patient)
    # Open plans, the latest first, then the stopped one although it starts last.
    assert card_rows(page) == [proposed.pk, scene.plan.pk, stopped.pk]
    assert reverse("treatments:plan_detail", args=[proposed.pk]) in page.text
    for status in ("Proposed", "Accepted", "Stopped"):
        assert f">{status}</span>" in page.text


def test_each_row_counts_the_signed_sessions(scene, practitioner, practitioner_client):
    signed_session(scene, practitioner)
    page = overview(practitioner_client, scene.patient)
    row = page.text.split(f'data-testid="patient-plan-{scene.plan.pk}"')[1].split("</li>")[0]
    assert '<span class="fw-semibold">1</span><span class="text-muted"> / 4 sessions</span>' in row
    assert "Face glow" in row
    assert "Sophie Martin" in row


def test_a_plan_in_maintenance_says_when_the_next_one_is_due(
    scene, practitioner, practitioner_client
):
    today = timezone.localdate()
    TreatmentPlan.objects.filter(pk=scene.plan.pk).update(
        status=TreatmentPlan.Status.MAINTENANCE,
        next_maintenance_on=today + datetime.timedelta(days=20),
    )
    page = overview(practitioner_client, scene.patient)
    due = today + datetime.timedelta(days=20)
    assert f"Maintenance due {due:%-d %b %Y}" in page.text
    TreatmentPlan.objects.filter(pk=scene.plan.pk).update(
        next_maintenance_on=today - datetime.timedelta(days=3)
    )
    page = overview(practitioner_client, scene.patient)
    late = today - datetime.timedelta(days=3)
    assert f"Maintenance overdue since {late:%-d %b %Y}" in page.text


def test_a_patient_with_more_plans_than_the_card_shows_is_sent_to_the_timeline(
    scene, practitioner, practitioner_client
):
    for _ in range(SHOWN):
        accepted_plan(patient=scene.patient, practitioner=practitioner, cocktail=scene.face_glow)
    page = overview(practitioner_client, scene.patient)
    assert len(card_rows(page)) == SHOWN
    assert "Older plans are on the" in page.text


def test_a_patient_without_a_plan_gets_an_empty_card(practitioner_client):
    page = overview(practitioner_client, PatientFactory())
    assert 'data-testid="patient-plans"' in page.text
    assert "No treatment plan yet." in page.text


def test_receptionists_get_no_plans_card(scene, receptionist, receptionist_client):
    assert patient_panels(patient=scene.patient, user=receptionist) == []
    page = overview(receptionist_client, scene.patient)
    assert page.status_code == 200
    assert "patient-plans" not in page.text


@pytest.mark.parametrize("plans", [1, 5])
def test_the_card_costs_one_query_however_many_plans(
    scene, practitioner, django_assert_num_queries, plans
):
    for _ in range(plans - 1):
        plan = accepted_plan(
            patient=scene.patient, practitioner=practitioner, cocktail=scene.face_glow
        )
        signed_session(type(scene)(**{**vars(scene), "plan": plan}), practitioner)
    assert user_roles(practitioner)  # the roles are read once per request, before the cards
    with django_assert_num_queries(1):
        (card,) = [
            panel
            for panel in patient_panels(patient=scene.patient, user=practitioner)
            if panel.template == "treatments/_patient_plans.html"
        ]
    assert len(card.context["plans"]) == plans
