"""Patient search: what each kind of query finds, on PostgreSQL's trigram index."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from patients.models import Patient
from patients.search import build_search_key, normalise, parse_query
from patients.selectors import ArchiveFilter, patient_search
from tests.patients.factories import PatientFactory
from tests.patients.helpers import log_consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "helene": PatientFactory(
            first_name="Hélène",
            last_name="Lefèvre",
            email="h.lefevre@example.fr",
            phone="+33612345678",
            date_of_birth=datetime.date(1980, 12, 31),
        ),
        "anna": PatientFactory(
            first_name="Анна", last_name="Иванова", email="", phone="+41791234567"
        ),
        "wang": PatientFactory(first_name="芳", last_name="王", email="wang@example.com"),
        "dupont": PatientFactory(first_name="Marie", last_name="Dupont", email="md@example.org"),
        "dupuis": PatientFactory(first_name="Marc", last_name="Dupuis", email="mdp@example.org"),
    }


def _found(user, query: str, archived: str = ArchiveFilter.ACTIVE) -> list[str]:
    return [p.last_name for p in patient_search(user=user, query=query, archived=archived)]


def test_normalise_drops_accents_and_case_but_keeps_other_scripts():
    assert normalise("  Hélène   LEFÈVRE ") == "helene lefevre"
    assert normalise("Анна") == "анна"
    assert normalise("王芳") == "王芳"


def test_search_key_holds_names_email_and_both_phone_forms():
    key = build_search_key(
        first_name="Zoé", last_name="Lambert", email="Zoe@Example.fr", phone="+33612345678"
    )
    assert key == "zoe lambert zoe@example.fr 33612345678 0612345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("31/12/1980", datetime.date(1980, 12, 31)),
        ("1980-12-31", datetime.date(1980, 12, 31)),
        ("31.12.1980", datetime.date(1980, 12, 31)),
    ],
)
def test_dates_of_birth_are_recognised_in_french_and_iso_forms(raw, expected):
    assert parse_query(raw).date_of_birth == expected


def test_an_impossible_date_is_not_a_date():
    assert parse_query("31/02/1980").date_of_birth is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lefevre", ["Lefèvre"]),  # accents ignored
        ("LEFÈVRE", ["Lefèvre"]),
        ("hélène lef", ["Lefèvre"]),  # every word, in any field
        ("lef hel", ["Lefèvre"]),
        ("h.lefevre@example", ["Lefèvre"]),  # email
        ("06 12 34 56 78", ["Lefèvre"]),  # national phone format
        ("+33 6 12 34 56 78", ["Lefèvre"]),  # international
        ("06.12.34", ["Lefèvre"]),  # a partial number
        ("31/12/1980", ["Lefèvre"]),  # date of birth
        ("1980-12-31", ["Lefèvre"]),
        ("иванова", ["Иванова"]),  # Cyrillic
        ("王", ["王"]),  # Chinese
        ("+41 79 123", ["Иванова"]),
        ("marc dupu", ["Dupuis"]),
    ],
)
def test_search_finds_the_right_patient(practitioner, people, query, expected):
    assert _found(practitioner, query) == expected


def test_exact_matches_come_before_near_misses(practitioner, people):
    found = _found(practitioner, "dupu")
    assert found[0] == "Dupuis"
    assert set(found) <= {"Dupuis", "Dupont"}


def test_whole_word_matches_come_before_longer_names_then_near_misses(practitioner, people):
    PatientFactory(first_name="Ana", last_name="Martinelli", email="")
    PatientFactory(first_name="Martin", last_name="Zola", email="")
    PatientFactory(first_name="Paul", last_name="Martins", email="")
    found = _found(practitioner, "martin")
    # "Martin" as a whole word first, though Zola sorts last by name; then the names that
    # hold it, by name.
    assert found[:3] == ["Zola", "Martinelli", "Martins"]


def test_search_with_no_match_finds_nothing(practitioner, people):
    assert _found(practitioner, "zzzzqqq") == []
    assert _found(practitioner, "01/01/1901") == []


def test_a_typo_in_a_name_still_finds_the_patient_on_postgresql(practitioner, people):
    found = _found(practitioner, "dupond")
    if connection.vendor == "postgresql":
        # Trigram word similarity; the closest name first.
        assert found[0] == "Dupont"
    else:
        assert found == []


def test_archived_patients_are_hidden_unless_asked_for(practitioner, people):
    people["dupont"].archived_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    people["dupont"].save()
    assert "Dupont" not in _found(practitioner, "")
    assert _found(practitioner, "", ArchiveFilter.ARCHIVED) == ["Dupont"]
    assert "Dupont" in _found(practitioner, "", ArchiveFilter.ALL)


def test_the_search_key_follows_changes_to_the_name(practitioner, people):
    patient = people["dupuis"]
    patient.last_name = "Bérenger"
    patient.save(update_fields=["last_name"])
    assert _found(practitioner, "berenger") == ["Bérenger"]
    assert _found(practitioner, "dupuis") == []


def test_clinical_users_see_who_is_blocked_and_receptionists_do_not(
    practitioner, receptionist, people
):
    log_consultation(people["helene"], practitioner, pregnancy="absolute")
    by_name = {p.last_name: p for p in patient_search(user=practitioner, query="")}
    assert by_name["Lefèvre"].is_blocked is True
    assert by_name["Dupont"].is_blocked is False
    row = patient_search(user=receptionist, query="lefevre").get()
    assert not hasattr(row, "is_blocked")
    assert set(row.get_deferred_fields()) >= {"current_medications", "allergy_notes"}


def test_search_uses_the_trigram_index_on_postgresql(practitioner, people):
    if connection.vendor != "postgresql":
        pytest.fail("The suite runs on PostgreSQL (DATABASE_URL).")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = patient_search(user=practitioner, query="lefevre").explain()
        cursor.execute("RESET enable_seqscan")
    assert "patient_search_key_trgm" in plan


def test_list_page_search_and_htmx_partial(practitioner_client, people):
    url = reverse("patients:list")
    page = practitioner_client.get(url, {"q": "lefevre"})
    assert page.status_code == 200
    assert "Lefèvre" in page.text and "Dupont" not in page.text
    assert "<html" in page.text
    partial = practitioner_client.get(url, {"q": "dupont"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert "Dupont" in partial.text and "Lefèvre" not in partial.text


def test_list_page_paginates(practitioner_client):
    PatientFactory.create_batch(30)
    first = practitioner_client.get(reverse("patients:list"))
    assert "Page 1 of 2" in first.text
    second = practitioner_client.get(reverse("patients:list"), {"page": 2})
    assert second.text.count('class="patient-link') == 5
    assert Patient.objects.count() == 30


@pytest.mark.parametrize("size", [3, 40])
def test_list_page_runs_a_constant_number_of_queries(
    practitioner_client, practitioner, django_assert_num_queries, size
):
    for patient in PatientFactory.create_batch(size):
        if patient.pk % 2:
            log_consultation(patient, practitioner, pregnancy="absolute")
    # Session, user, roles, count, page of patients (with the blocked flag).
    with django_assert_num_queries(8):
        practitioner_client.get(reverse("patients:list"), {"q": "nom"})
