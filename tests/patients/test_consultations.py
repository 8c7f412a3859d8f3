"""Logging a consultation: concerns, screening, and the contraindications each "yes" makes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cocktails.choices import BodyArea, Indication
from patients import services
from patients.models import Allergy, Consultation, Contraindication
from patients.selectors import patient_active_allergen_ids
from tests.cocktails.factories import IngredientFactory
from tests.patients.helpers import a_while_ago, consultation_post, log_consultation, screening

pytestmark = pytest.mark.django_db


def _url(patient) -> str:
    return reverse("patients:consultation_create", args=[patient.pk])


def test_a_consultation_with_no_yes_records_concerns_and_no_contraindication(
    practitioner_client, patient
):
    response = practitioner_client.post(_url(patient), consultation_post())
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.practitioner.username == "dr.martin"
    assert consultation.pain_tolerance == 6
    assert {(c.indication, c.area) for c in consultation.concerns.all()} == {
        (Indication.FACIAL_REJUVENATION, BodyArea.FACE),
        (Indication.FACIAL_REJUVENATION, BodyArea.NECK),
    }
    assert consultation.screening["pregnancy"] is False
    assert not Contraindication.objects.exists()


def test_each_yes_becomes_a_contraindication_with_its_severity_and_note(
    practitioner_client, patient
):
    response = practitioner_client.post(
        _url(patient),
        consultation_post(
            pregnancy="yes",
            pregnancy_note="12 weeks",
            anticoagulants="yes",
            anticoagulants_severity="absolute",
            keloid="yes",
        ),
    )
    assert response.status_code == 302
    found = {c.kind: (c.severity, c.note) for c in patient.contraindications.all()}
    assert found == {
        "pregnancy": ("absolute", "12 weeks"),
        "anticoagulants": ("absolute", ""),
        "keloid": ("relative", ""),
    }


def test_pregnancy_cannot_be_marked_relative(practitioner_client, patient):
    response = practitioner_client.post(
        _url(patient), consultation_post(pregnancy="yes", pregnancy_severity="relative")
    )
    assert response.status_code == 200
    assert "pregnancy_severity" in response.context["form"].errors
    assert not Consultation.objects.exists()


def test_the_service_also_refuses_a_relative_pregnancy(patient, practitioner):
    with pytest.raises(ValidationError) as caught:
        log_consultation(patient, practitioner, pregnancy="relative")
    assert "pregnancy_severity" in caught.value.message_dict
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"pain_tolerance": "11"}, "pain_tolerance"),
        ({"pain_tolerance": "-1"}, "pain_tolerance"),
        ({"pain_tolerance": ""}, "pain_tolerance"),
        ({"consulted_on": "2999-01-01"}, "consulted_on"),
        ({"consulted_on": "1950-01-01"}, "consulted_on"),  # before the patient was born
        ({"consulted_on": "not a date"}, "consulted_on"),
        ({"pregnancy": ""}, "pregnancy"),  # every question must be answered
        ({"budget": "-10"}, "budget"),
        ({"expectations_realistic": "maybe"}, "expectations_realistic"),
        ({"ingredient_allergy": "yes"}, "ingredient_allergy_note"),
        ({"fitzpatrick_type": "7"}, "fitzpatrick_type"),
    ],
)
def test_bad_consultation_input_is_shown_at_the_field_and_nothing_is_saved(
    practitioner_client, patient, overrides, field
):
    response = practitioner_client.post(_url(patient), consultation_post(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Consultation.objects.exists()
    assert not Contraindication.objects.exists()


def test_a_consultation_needs_at_least_one_concern(practitioner_client, patient):
    data = consultation_post()
    del data[f"concern_{Indication.FACIAL_REJUVENATION}"]
    response = practitioner_client.post(_url(patient), data)
    assert "at least one concern" in " ".join(response.context["form"].non_field_errors())
    assert not Consultation.objects.exists()


def test_an_area_the_indication_is_not_done_on_is_refused(practitioner_client, patient):
    data = consultation_post(**{f"concern_{Indication.HAIR_RESTORATION}": [BodyArea.THIGHS]})
    response = practitioner_client.post(_url(patient), data)
    assert f"concern_{Indication.HAIR_RESTORATION}" in response.context["form"].errors


def test_allergens_ticked_at_screening_become_structured_allergies(practitioner_client, patient):
    lidocaine = IngredientFactory(name="Lidocaine")
    IngredientFactory(name="Biotin")
    response = practitioner_client.post(
        _url(patient),
        consultation_post(ingredient_allergy="yes", allergens=[str(lidocaine.pk)]),
    )
    assert response.status_code == 302
    assert patient_active_allergen_ids(patient=patient) == {lidocaine.pk}
    assert patient.contraindications.get().kind == "ingredient_allergy"


def test_an_allergy_already_on_record_is_not_duplicated(patient, practitioner):
    lidocaine = IngredientFactory(name="Lidocaine")
    services.allergy_record(patient=patient, by=practitioner, ingredient=lidocaine)
    services.allergy_record(patient=patient, by=practitioner, ingredient=lidocaine)
    services.allergy_record(patient=patient, by=practitioner, substance="latex")
    services.allergy_record(patient=patient, by=practitioner, substance="Latex")
    assert Allergy.objects.count() == 2


def test_a_removed_allergy_leaves_the_allergen_set(practitioner_client, patient, practitioner):
    lidocaine = IngredientFactory(name="Lidocaine")
    allergy = services.allergy_record(patient=patient, by=practitioner, ingredient=lidocaine)
    url = reverse("patients:allergy_remove", args=[patient.pk, allergy.pk])
    refused = practitioner_client.post(url, {"reason": ""})
    assert "reason" in refused.context["form"].errors
    assert practitioner_client.post(url, {"reason": "Entered in error"}).status_code == 302
    allergy.refresh_from_db()
    assert allergy.removed_reason == "Entered in error"
    assert patient_active_allergen_ids(patient=patient) == set()


def test_adding_an_allergy_needs_an_ingredient_or_a_substance(practitioner_client, patient):
    url = reverse("patients:allergy_add", args=[patient.pk])
    response = practitioner_client.post(url, {"ingredient": "", "substance": " "})
    assert "substance" in response.context["form"].errors
    assert practitioner_client.post(url, {"substance": "Latex"}).status_code == 302
    assert patient.allergies.get().substance == "Latex"


@pytest.mark.parametrize("what", ["ingredient", "substance"])
def test_adding_an_allergy_already_on_record_says_so_at_its_field(
    practitioner_client, patient, practitioner, what
):
    lidocaine = IngredientFactory(name="Lidocaine")
    services.allergy_record(patient=patient, by=practitioner, ingredient=lidocaine)
    services.allergy_record(patient=patient, by=practitioner, substance="Latex")
    url = reverse("patients:allergy_add", args=[patient.pk])
    post = {"ingredient": lidocaine.pk} if what == "ingredient" else {"substance": " latex "}
    response = practitioner_client.post(url, {**post, "reaction": "Hives"}, follow=True)
    html = response.content.decode()
    assert "The allergy was recorded." not in html
    since = timezone.localdate().strftime("%-d %b %Y")
    name = "Lidocaine" if what == "ingredient" else "Latex"
    assert response.context["form"].errors[what] == [
        f"An allergy to {name} is already recorded (since {since})."
    ]
    assert patient.allergies.count() == 2


def test_a_removed_allergy_can_be_recorded_again(practitioner_client, patient, practitioner):
    allergy = services.allergy_record(patient=patient, by=practitioner, substance="Latex")
    services.allergy_remove(allergy=allergy, reason="Entered in error")
    url = reverse("patients:allergy_add", args=[patient.pk])
    assert practitioner_client.post(url, {"substance": "Latex"}).status_code == 302
    assert patient.allergies.filter(removed_at__isnull=True).count() == 1


def test_a_yes_for_a_contraindication_still_open_does_not_duplicate_it(patient, practitioner):
    log_consultation(patient, practitioner, keloid="relative")
    log_consultation(patient, practitioner, keloid="relative", pregnancy="absolute")
    assert sorted(patient.contraindications.values_list("kind", flat=True)) == [
        "keloid",
        "pregnancy",
    ]


def test_an_archived_patient_gets_no_new_consultation(patient, practitioner, practitioner_client):
    services.patient_archive(patient=patient)
    with pytest.raises(ValidationError):
        log_consultation(patient, practitioner)
    assert practitioner_client.get(_url(patient)).status_code == 302


def test_unanswered_screening_is_refused_by_the_service(patient, practitioner):
    answers = screening()
    del answers["cancer"]
    with pytest.raises(ValidationError, match="Answer every screening question"):
        services.consultation_create(
            patient=patient,
            practitioner=practitioner,
            consulted_on=a_while_ago(1),
            expectations_realistic="yes",
            pain_tolerance=3,
            screening=answers,
            concerns=[(Indication.SCARS, BodyArea.FACE)],
        )


def test_the_consultation_page_shows_answers_and_flags(practitioner_client, patient, practitioner):
    consultation = log_consultation(patient, practitioner, pregnancy="absolute")
    page = practitioner_client.get(
        reverse("patients:consultation_detail", args=[patient.pk, consultation.pk])
    )
    assert "Is the patient pregnant or breastfeeding?" in page.text
    assert "Treatment blocked" in page.text
    assert "Facial rejuvenation · Face" in page.text


def test_consultation_dates_are_checked_against_the_birth_date(patient, practitioner):
    patient.date_of_birth = datetime.date(2000, 1, 1)
    patient.save()
    with pytest.raises(ValidationError) as caught:
        services.consultation_create(
            patient=patient,
            practitioner=practitioner,
            consulted_on=datetime.date(1999, 12, 31),
            expectations_realistic="yes",
            pain_tolerance=3,
            screening=screening(),
            concerns=[(Indication.SCARS, BodyArea.FACE)],
        )
    assert "consulted_on" in caught.value.message_dict


# Correcting what was said at a consultation.


def _edit_url(consultation) -> str:
    return reverse("patients:consultation_edit", args=[consultation.patient_id, consultation.pk])


def _correction(consultation, **changes) -> dict[str, object]:
    data = {name: getattr(consultation, name) for name in Consultation.CORRECTABLE}
    data["budget"] = "" if data["budget"] is None else data["budget"]
    return {**data, "reason": "Typing error in the goals", **changes}


def test_a_correction_saves_the_new_words_and_the_history_keeps_the_old_and_the_reason(
    practitioner_client, patient, practitioner
):
    practitioner_client.post(_url(patient), consultation_post(goals="Fewer lines"))
    consultation = Consultation.objects.get()
    detail = reverse("patients:consultation_detail", args=[patient.pk, consultation.pk])
    assert _edit_url(consultation) in practitioner_client.get(detail).text
    form = practitioner_client.get(_edit_url(consultation))
    assert form.status_code == 200 and "Fewer lines" in form.text
    response = practitioner_client.post(
        _edit_url(consultation), _correction(consultation, goals="Fewer fine lines", budget="300")
    )
    assert response.status_code == 302 and response["Location"] == detail
    consultation.refresh_from_db()
    assert (consultation.goals, consultation.budget) == ("Fewer fine lines", 300)
    latest = consultation.history.first()
    assert latest.history_type == "~" and latest.history_user == practitioner
    assert latest.history_change_reason == "Typing error in the goals"
    assert consultation.history.last().goals == "Fewer lines"
    # The patient's change history shows both values and the reason.
    page = practitioner_client.get(reverse("patients:history", args=[patient.pk])).text
    assert "Fewer lines" in page and "Fewer fine lines" in page
    assert "Reason: Typing error in the goals" in page


def test_a_correction_needs_a_reason_and_a_change(practitioner_client, patient):
    practitioner_client.post(_url(patient), consultation_post())
    consultation = Consultation.objects.get()
    no_reason = practitioner_client.post(
        _edit_url(consultation), _correction(consultation, goals="Other", reason=" ")
    )
    assert no_reason.status_code == 200 and no_reason.context["form"].errors["reason"]
    unchanged = practitioner_client.post(_edit_url(consultation), _correction(consultation))
    assert unchanged.status_code == 200
    assert "Nothing was changed." in unchanged.context["form"].non_field_errors()
    out_of_range = practitioner_client.post(
        _edit_url(consultation), _correction(consultation, pain_tolerance="11")
    )
    assert out_of_range.context["form"].errors["pain_tolerance"]
    assert consultation.history.count() == 1  # only its creation


def test_the_date_concerns_and_screening_are_not_corrected(patient, practitioner):
    consultation = log_consultation(patient, practitioner)
    with pytest.raises(ValueError, match="consulted_on"):
        services.consultation_correct(
            consultation=consultation,
            changes={"consulted_on": datetime.date(2020, 1, 1)},
            reason="Wrong date",
        )


def test_a_consultation_of_an_archived_record_is_not_corrected(
    practitioner_client, patient, practitioner
):
    consultation = log_consultation(patient, practitioner)
    services.patient_archive(patient=patient)
    response = practitioner_client.post(
        _edit_url(consultation), _correction(consultation, goals="Other")
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.goals != "Other"


def test_a_receptionist_cannot_correct_a_consultation(receptionist_client, patient, practitioner):
    consultation = log_consultation(patient, practitioner)
    response = receptionist_client.post(
        _edit_url(consultation), _correction(consultation, goals="Other")
    )
    assert response.status_code == 403


def test_the_background_reviewed_at_a_consultation_updates_the_record_and_keeps_the_old(
    practitioner_client, patient
):
    patient.current_medications = "Levothyroxine"
    patient.fitzpatrick_type = 2
    patient.save()
    page = practitioner_client.get(_url(patient))
    form = page.context["form"]
    assert (form["current_medications"].value(), form["fitzpatrick_type"].value()) == (
        "Levothyroxine",
        2,
    )
    response = practitioner_client.post(
        _url(patient),
        consultation_post(
            fitzpatrick_type="3",
            current_medications="Levothyroxine; isotretinoin since May",
            previous_treatments="Botulinum toxin, 2024",
        ),
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.fitzpatrick_type, patient.current_medications, patient.previous_treatments) == (
        3,
        "Levothyroxine; isotretinoin since May",
        "Botulinum toxin, 2024",
    )
    latest, before = patient.history.order_by("-history_id")[:2]
    today = timezone.localdate()
    assert latest.history_change_reason == f"Reviewed at the consultation of {today:%-d %B %Y}"
    assert latest.history_user.username == "dr.martin"
    assert before.current_medications == "Levothyroxine"


def test_a_background_confirmed_unchanged_writes_no_change_to_the_record(
    practitioner_client, patient
):
    patient.current_medications = "None"
    patient.save()
    versions = patient.history.count()
    response = practitioner_client.post(
        _url(patient), consultation_post(current_medications="None")
    )
    assert response.status_code == 302
    assert patient.history.count() == versions
