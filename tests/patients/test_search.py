"""Patient search: what each kind of query finds, on PostgreSQL's trigram index."""

from __future__ import annotations

import datetime
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from patients.models import Patient
from patients.search import build_search_key, normalise, parse_query
from patients.selectors import ArchiveFilter, patient_search
from tests.patients.factories import PatientFactory
from tests.patients.helpers import log_consultation
from tests.sqlite import run_on_sqlite

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


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Søndergaard", "sondergaard"),
        ("YILMAZ Yılmaz", "yilmaz yilmaz"),  # noqa: RUF001 (a Turkish dotless i)
        ("Łukasz Wałęsa", "lukasz walesa"),
        ("Đorđević", "dordevic"),
        ("Ævarsdóttir", "aevarsdottir"),
        ("Œuvray", "oeuvray"),
        ("Straße", "strasse"),
        ("Þórsson", "thorsson"),
        ("D’Angelo", "d'angelo"),  # noqa: RUF001 (a typographic apostrophe)
    ],
)
def test_normalise_folds_latin_letters_that_do_not_decompose(name, expected):
    assert normalise(name) == expected


def test_search_key_holds_a_compound_last_name_written_together():
    assert build_search_key(first_name="Erwan", last_name="Le Goff") == "erwan le goff legoff"
    assert build_search_key(first_name="Inès", last_name="Martin-Dubois") == (
        "ines martin-dubois martindubois"
    )
    assert build_search_key(first_name="Luca", last_name="D\u2019Angelo") == (
        "luca d'angelo dangelo"
    )
    assert build_search_key(first_name="Marie", last_name="Dupont") == "marie dupont"


def test_commas_and_semicolons_in_a_query_separate_words():
    assert parse_query("Dubois, Hélène").terms == ("dubois", "helene")
    assert parse_query("Dubois;Hélène").terms == ("dubois", "helene")


@pytest.fixture
def spelled(db):
    """Names a caller spells out, and how the receptionist then types them."""
    return [
        PatientFactory(first_name="Mette", last_name="Søndergaard", email=""),
        PatientFactory(first_name="Elif", last_name="Yılmaz", email=""),  # noqa: RUF001
        PatientFactory(first_name="Erwan", last_name="Le Goff", email=""),
        PatientFactory(first_name="Hélène", last_name="Dubois", email=""),
        PatientFactory(first_name="Paweł", last_name="Łukaszewski", email=""),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sondergaard", "Søndergaard"),
        ("Søndergaard", "Søndergaard"),
        ("yilmaz", "Yılmaz"),  # noqa: RUF001 (a Turkish dotless i)
        ("legoff", "Le Goff"),
        ("le goff", "Le Goff"),
        ("Dubois, Hélène", "Dubois"),
        ("dubois;helene", "Dubois"),
        ("pawel lukaszewski", "Łukaszewski"),
    ],
)
def test_search_finds_names_as_they_are_typed(practitioner, spelled, query, expected):
    # Every word is in the key, so the patient is an exact match (found on SQLite too), not
    # a trigram near miss that PostgreSQL alone would offer.
    patient = next(p for p in spelled if p.last_name == expected)
    assert all(term in patient.search_key for term in parse_query(query).terms)
    assert _found(practitioner, query)[0] == expected


def test_the_data_migration_rebuilds_stale_search_keys(spelled):
    Patient.objects.filter(last_name="Søndergaard").update(search_key="mette søndergaard")
    Patient.objects.filter(last_name="Le Goff").update(search_key="erwan le goff")
    import_module("patients.migrations.0008_fill_search_key_folded").forward(apps, None)
    keys = dict(Patient.objects.values_list("last_name", "search_key"))
    assert keys["Søndergaard"].startswith("mette sondergaard ")
    assert keys["Le Goff"].startswith("erwan le goff legoff ")


SQLITE_SEARCH = """
import datetime
import django
django.setup()
from django.db import connection
from clinic.roles import Role
from clinic.services import roles_sync, staff_create
from patients.models import Patient
from patients.selectors import patient_search

assert connection.vendor == "sqlite"
roles_sync()
doctor = staff_create(username="doc", password="x", role=Role.PRACTITIONER)
names = [("Mette", "Søndergaard"), ("Elif", "Y\u0131lmaz"), ("Erwan", "Le Goff"),
         ("Hélène", "Dubois"), ("Marie", "Dupont")]
born = datetime.date(1990, 1, 1)
for first, last in names:
    Patient.objects.create(first_name=first, last_name=last, date_of_birth=born)
for query in ("sondergaard", "yilmaz", "legoff", "Dubois, Hélène"):
    found = [p.last_name for p in patient_search(user=doctor, query=query)]
    print(f"{query}: {found}")
"""


def test_the_same_searches_work_on_sqlite(sqlite_database):
    printed = run_on_sqlite(sqlite_database, SQLITE_SEARCH)
    assert printed.splitlines() == [
        "sondergaard: ['Søndergaard']",
        "yilmaz: ['Yılmaz']",  # noqa: RUF001 (a Turkish dotless i)
        "legoff: ['Le Goff']",
        "Dubois, Hélène: ['Dubois']",
    ]


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
