"""The search-as-you-type patient picker that other apps' forms embed (patients:picker)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.roles import Role
from tests.patients.factories import ContraindicationFactory, PatientFactory

pytestmark = pytest.mark.django_db

URL = reverse("patients:picker")


@pytest.fixture
def juliette(db):
    return PatientFactory(
        first_name="Juliette",
        last_name="Dubois",
        date_of_birth=datetime.date(1984, 5, 2),
        phone="+33 6 11 22 33 44",
        email="juliette.dubois@example.fr",
        address="12 rue des Lilas",
        current_medications="Warfarin 5 mg",
        previous_treatments="Botulinum toxin, 2023",
        allergy_notes="Reacts to latex gloves",
    )


@pytest.mark.parametrize("role", list(Role))
def test_every_role_that_sees_patients_may_search_and_pick(role_clients, juliette, role):
    client = role_clients[role]
    assert "Juliette Dubois" in client.get(URL, {"q": "dubois"}).text
    assert (
        'data-testid="picked-patient">Juliette Dubois<'
        in client.get(URL, {"pick": juliette.pk}).text
    )


def test_an_account_without_a_role_is_refused(no_role_user, juliette):
    client = Client()
    client.force_login(no_role_user)
    assert client.get(URL, {"q": "dubois"}).status_code == 403
    assert client.get(URL, {"pick": juliette.pk}).status_code == 403
    assert client.get(URL).status_code == 403


def test_a_visitor_is_sent_to_the_login_page(client, juliette):
    response = client.get(URL, {"q": "dubois"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", list(Role))
def test_the_picker_shows_names_birth_dates_and_phones_but_no_clinical_data(
    role_clients, juliette, practitioner, role
):
    ContraindicationFactory(patient=juliette, recorded_by=practitioner)
    client = role_clients[role]
    for html in (
        client.get(URL, {"q": "juliette"}).text,
        client.get(URL, {"pick": juliette.pk}).text,
    ):
        assert "Juliette Dubois" in html and "2 May 1984" in html and "+33 6 11 22 33 44" in html
        for private in ("Warfarin", "Botulinum", "latex", "Lilas", "juliette.dubois@", "nticoag"):
            assert private not in html


def test_a_search_lists_at_most_eight_active_patients(receptionist_client, db):
    PatientFactory.create_batch(10, last_name="Martin")
    PatientFactory(first_name="Gone", last_name="Martin", archived_at=timezone.now())
    html = receptionist_client.get(URL, {"q": "martin"}).text
    assert html.count('<button type="button"') == 8 and "Gone" not in html


def test_a_search_needs_two_letters(receptionist_client, juliette):
    assert "Type at least two letters." in receptionist_client.get(URL, {"q": "j"}).text


def test_an_archived_or_unknown_patient_cannot_be_picked(receptionist_client, juliette):
    juliette.archived_at = timezone.now()
    juliette.save()
    for pick in (juliette.pk, 999999, "9" * 30, "abc"):
        response = receptionist_client.get(URL, {"pick": pick})
        assert response.status_code == 200
        assert 'name="patient" value=""' in response.text and "Juliette" not in response.text


def test_the_picker_posts_under_the_field_name_it_is_given(receptionist_client, juliette):
    picked = receptionist_client.get(URL, {"pick": juliette.pk, "field": "for_patient"}).text
    assert f'name="for_patient" value="{juliette.pk}"' in picked
    # A name that is not an identifier cannot inject markup: the default is used.
    picked = receptionist_client.get(URL, {"pick": juliette.pk, "field": '"><b>x'}).text
    assert f'name="patient" value="{juliette.pk}"' in picked and "<b>x" not in picked


def test_the_picker_answers_only_get(receptionist_client):
    assert receptionist_client.post(URL, {"q": "dubois"}).status_code == 405


@pytest.mark.parametrize("patients", [3, 30])
def test_the_picker_query_count_is_fixed(practitioner_client, django_assert_num_queries, patients):
    PatientFactory.create_batch(patients, last_name="Martin")
    # session read and refresh (4), user, roles, the search (at most eight rows, one query).
    with django_assert_num_queries(7):
        practitioner_client.get(URL, {"q": "martin"})
