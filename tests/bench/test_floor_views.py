"""The benchmark's floor views (bench/views.py), served as the bench serves them in-process
(bench/urlconf.py); gunicorn mounts them only with BENCHMARK=1."""

from __future__ import annotations

import pytest

from tests.patients.factories import PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urlconf")]


def test_the_layout_floor_is_the_apps_page_around_one_query(
    practitioner_client, django_assert_num_queries
):
    patient = PatientFactory(last_name="Rousseau")
    url = f"/bench/layout/{patient.pk}/"
    practitioner_client.get(url)  # the session's idle refresh, written once a minute
    with django_assert_num_queries(4):  # session, user, their roles, the patient's name
        response = practitioner_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rousseau" in page
    assert 'id="sidebar"' in page
    assert practitioner_client.get("/bench/layout/0/").status_code == 404


def test_the_layout_floor_asks_for_a_login(client):
    patient = PatientFactory()
    response = client.get(f"/bench/layout/{patient.pk}/")
    assert response.status_code == 302
    assert "/login" in response["Location"]
