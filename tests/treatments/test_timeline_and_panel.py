"""Plans and sessions on the patient's timeline, and the home page's treatments panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.roles import user_roles
from tests.treatments.scenarios import accepted_plan, consenting_patient, signed_session, start
from treatments.dashboard import panels

pytestmark = pytest.mark.django_db


def test_plans_and_sessions_are_on_the_clinical_timeline_only(
    scene, practitioner, practitioner_client, receptionist_client
):
    session = signed_session(scene, practitioner)
    url = reverse("patients:detail", args=[scene.patient.pk])
    html = practitioner_client.get(url).content.decode()
    assert reverse("treatments:plan_detail", args=[scene.plan.pk]) in html
    assert reverse("treatments:session_detail", args=[session.pk]) in html
    other = receptionist_client.get(url).content.decode()
    assert "Facial rejuvenation plan" not in other
    assert reverse("treatments:session_detail", args=[session.pk]) not in other


def test_the_home_panel_recalls_unsigned_sessions(scene, practitioner, practitioner_client):
    session = start(scene.plan, practitioner)
    response = practitioner_client.get(reverse("home"))
    html = response.content.decode()
    assert 'data-testid="panel-treatments"' in html
    assert reverse("treatments:session_log", args=[session.pk]) in html


def test_receptionists_get_no_treatments_panel(receptionist_client):
    html = receptionist_client.get(reverse("home")).content.decode()
    assert "panel-treatments" not in html


@pytest.mark.parametrize("plans", [1, 3])
def test_the_home_panel_runs_two_queries(scene, practitioner, rf, django_assert_num_queries, plans):
    start(scene.plan, practitioner)
    for _ in range(plans - 1):
        patient = consenting_patient(witness=practitioner)
        start(
            accepted_plan(patient=patient, practitioner=practitioner, cocktail=scene.face_glow),
            practitioner,
        )
    request = rf.get("/")
    request.user = practitioner
    assert user_roles(practitioner)  # the roles are read once per request, before the panels
    with django_assert_num_queries(2):
        (panel,) = panels(request)
    assert len(panel.context["unsigned"]) == plans


def test_plans_and_sessions_are_registered_as_clinical_sources():
    from clinic.roles import Capability
    from patients.timeline import registered_sources

    sources = registered_sources()
    assert sources["treatments.plans"] == Capability.VIEW_CLINICAL
    assert sources["treatments.sessions"] == Capability.VIEW_CLINICAL
