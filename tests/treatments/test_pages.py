"""The treatment pages: who sees them, how many queries they run, and bad input at the field."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from cocktails.models import LotUsage
from patients import services as patient_services
from patients.models import Consent, ConsentText
from tests.cocktails.factories import LotFactory, ProductFactory
from tests.treatments.scenarios import signed_session, start
from treatments import services
from treatments.models import (
    AdverseEvent,
    Outcome,
    SessionAmendment,
    TreatmentPlan,
    TreatmentSession,
)

pytestmark = pytest.mark.django_db


def _url(name: str, *args: int) -> str:
    return reverse(f"treatments:{name}", args=args)


# Who sees what.


def test_receptionists_never_see_clinical_session_data(scene, practitioner, receptionist_client):
    session = signed_session(scene, practitioner)
    for url in (
        _url("plan_list"),
        _url("today"),
        _url("plan_detail", scene.plan.pk),
        _url("session_detail", session.pk),
        _url("session_log", session.pk),
        _url("session_amend", session.pk),
        _url("outcome_create", scene.plan.pk),
    ):
        response = receptionist_client.get(url)
        assert response.status_code == 403, url
        assert scene.patient.last_name not in response.content.decode()


def test_reading_a_session_is_recorded_in_the_audit_log(scene, practitioner, practitioner_client):
    session = signed_session(scene, practitioner)
    practitioner_client.get(_url("session_detail", session.pk))
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert (event.user, event.patient) == (practitioner, scene.patient)
    assert event.what == f"Treatment session #{session.pk}"


# Constant queries at two sizes.


def _grow_plan(scene, practitioner, sessions: int) -> None:
    for index in range(sessions):
        session = signed_session(scene, practitioner)
        services.adverse_event_record(
            session=session,
            by=practitioner,
            kind=AdverseEvent.Kind.BRUISING,
            onset_on=timezone.localdate(),
            severity=AdverseEvent.Severity.MILD,
        )
        services.outcome_record(
            plan=scene.plan,
            by=practitioner,
            session=session,
            assessed_on=timezone.localdate(),
            gais_practitioner=3 - index % 2,
        )
        services.session_amend(
            session=session, by=practitioner, field="notes", new_value="Fine", reason="Called"
        )
    services.plan_sessions_reserve(plan=scene.plan, kind="initial", count=1, booked_session_ids=[])


@pytest.mark.parametrize("sessions", [1, 3])
def test_the_plan_page_runs_the_same_queries_whatever_the_plan_holds(
    scene, practitioner, practitioner_client, django_assert_num_queries, sessions
):
    _grow_plan(scene, practitioner, sessions)
    url = _url("plan_detail", scene.plan.pk)
    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        response = practitioner_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-index="') == 0  # no map on the plan page
    assert len(response.context["summary"].started_sessions) == sessions


# The login session and its idle-timeout refresh (4), the user and their roles (2), the plan
# (1), its sessions with their sites, lots, amendments, adverse events and their lots (6),
# outcomes (1), appointments holding booked sessions (1), the audit entry (1), the estimate
# (3), the clinical alerts (2).
PLAN_PAGE_QUERIES = 21


@pytest.mark.parametrize("points", [1, 8])
def test_the_session_page_runs_the_same_queries_whatever_the_session_holds(
    scene, practitioner, practitioner_client, django_assert_num_queries, points
):
    from tests.treatments.scenarios import face_points, log_data, lots

    session = start(scene.plan, practitioner)
    services.session_record(
        session=session,
        by=practitioner,
        data=log_data(total_volume_ml=Decimal("0.25") * points),
        points=face_points(*["0.25"] * points),
        lots=lots(scene.catalogue),
    )
    session = services.session_sign(session=session, by=practitioner)
    for _ in range(1 + points // 4):
        services.session_amend(
            session=session, by=practitioner, field="notes", new_value=f"x{_}", reason="y"
        )
        services.adverse_event_record(
            session=session,
            by=practitioner,
            kind=AdverseEvent.Kind.SWELLING,
            onset_on=timezone.localdate(),
            severity=AdverseEvent.Severity.MILD,
        )
    with django_assert_num_queries(SESSION_PAGE_QUERIES):
        response = practitioner_client.get(_url("session_detail", session.pk))
    assert len(re.findall(r'<g class="map-point[ "]', response.content.decode())) == points


def test_a_lot_recalled_after_the_session_is_marked_on_its_page(
    scene, practitioner, practitioner_client, django_assert_num_queries
):
    from cocktails.services import lot_recall

    session = signed_session(scene, practitioner)
    # As on the query-count page above: an adverse event, whose lots are one more query.
    services.adverse_event_record(
        session=session,
        by=practitioner,
        kind=AdverseEvent.Kind.SWELLING,
        onset_on=timezone.localdate(),
        severity=AdverseEvent.Severity.MILD,
        lots=[scene.catalogue.ha_lot],
    )
    lot_recall(lot=scene.catalogue.ha_lot, reason="Notice 2024-17: sterility not assured")
    recalled_on = timezone.localdate().strftime("%-d %b %Y")
    with django_assert_num_queries(SESSION_PAGE_QUERIES):
        response = practitioner_client.get(_url("session_detail", session.pk))
    html = response.content.decode()
    assert html.count('data-testid="lot-recalled"') == 1  # the vitamin C lot is not recalled
    assert f"Recalled on {recalled_on}: Notice 2024-17: sterility not assured" in html


# The login session and its refresh (4), the user and their roles (2), the session (1), the
# plan's sessions with their sites, lots, amendments, adverse events and their lots (6), the
# audit entry (1), the clinical alerts (2).
SESSION_PAGE_QUERIES = 16


@pytest.mark.parametrize("extra", [0, 3])
def test_the_day_list_runs_the_same_queries_whatever_the_day_holds(
    scene, practitioner, practitioner_client, django_assert_num_queries, extra
):
    from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory
    from tests.treatments.scenarios import (
        accepted_plan,
        booked_today,
        consenting_patient,
        today_at,
    )

    treatment = AppointmentTypeFactory(name="Treatment session", kind="treatment")
    review = AppointmentTypeFactory(name="Review", kind="review", duration_minutes=20)
    start(scene.plan, practitioner, session=booked_today(scene.plan, 8, treatment))
    AppointmentFactory(
        patient=consenting_patient(witness=practitioner),
        practitioner=practitioner,
        appointment_type=review,
        start=today_at(9),
    )
    for index in range(extra):
        # Booked without the plan: the day list finds the session logged for the patient.
        patient = consenting_patient(witness=practitioner)
        plan = accepted_plan(patient=patient, practitioner=practitioner, cocktail=scene.face_glow)
        AppointmentFactory(
            patient=patient,
            practitioner=practitioner,
            appointment_type=treatment,
            start=today_at(10 + index),
        )
        start(plan, practitioner)
    with django_assert_num_queries(DAY_LIST_QUERIES):
        response = practitioner_client.get(_url("today"))
    items = response.context["day_list"].items
    assert len(items) == 2 + extra
    assert all(item.session is not None for item in items if item.is_treatment)


# The login session and its refresh (4), the user and their roles (2), practitioners (1),
# appointments (1), the sessions they hold (1), sessions logged that day (1), the patients'
# running plans (1), alerts (2), unsigned sessions from earlier days (1). (Consents are read,
# two queries, only when a session is still to start.)
DAY_LIST_QUERIES = 14


# Pages show what matters.


def test_a_proposed_plan_shows_its_estimate_and_how_to_accept(
    scene, practitioner, practitioner_client, settings
):
    settings.CLINIC_SESSION_FEE = Decimal("80")
    TreatmentPlan.objects.filter(pk=scene.plan.pk).update(
        status="proposed", accepted_at=None, accepted_estimate=None
    )
    html = practitioner_client.get(_url("plan_detail", scene.plan.pk)).content.decode()
    assert "Estimate for the patient" in html
    assert "€392.00" in html  # 4 sessions of €18 of cocktail and a €80 fee
    assert 'data-testid="accept-plan"' in html
    response = practitioner_client.post(_url("plan_accept", scene.plan.pk), follow=True)
    assert "The patient accepted the plan" in response.content.decode()
    scene.plan.refresh_from_db()
    assert scene.plan.accepted_estimate == Decimal("392.00")


def test_a_signed_session_shows_amendments_beside_the_original(
    scene, practitioner, practitioner_client
):
    session = signed_session(scene, practitioner, pain_score=2)
    response = practitioner_client.post(
        _url("session_amend", session.pk),
        {"field": "pain_score", "new_value": "5", "reason": "Patient called back"},
        follow=True,
    )
    html = response.content.decode()
    assert "The amendment was added to the record." in html
    assert "5/10" in html
    assert "Patient called back" in html
    assert 'Originally: <span class="amendment-old">2</span>' in html


def test_editing_a_signed_session_sends_to_its_record_and_changes_nothing(
    scene, practitioner, practitioner_client
):
    session = signed_session(scene, practitioner, notes="Original")
    response = practitioner_client.post(
        _url("session_log", session.pk), {"notes": "Changed", "action": "save"}, follow=True
    )
    assert "corrections are made as amendments" in response.content.decode()
    session.refresh_from_db()
    assert session.notes == "Original"


def test_a_blocked_start_says_why_and_starts_nothing(scene, practitioner, practitioner_client):
    from patients.models import Contraindication

    Contraindication.objects.create(
        patient=scene.patient, kind="pregnancy", severity="absolute", recorded_by=practitioner
    )
    response = practitioner_client.post(
        _url("session_begin", scene.plan.pk),
        {"contraindications_reviewed": "on", "photos_taken": "on"},
    )
    assert response.status_code == 200
    assert "Absolute contraindication: Pregnancy or breastfeeding." in response.content.decode()
    assert not TreatmentSession.objects.exists()


def test_before_photos_are_refused_at_their_box_without_the_photo_consent(
    scene, practitioner, practitioner_client
):
    from patients.models import Consent
    from patients.services import consent_withdraw

    consent = Consent.objects.get(patient=scene.patient, text__kind="photo")
    consent_withdraw(consent=consent, by=practitioner, reason="No photos, please")
    url = _url("session_begin", scene.plan.pk)
    assert 'data-testid="no-photo-consent"' in practitioner_client.get(url).content.decode()
    response = practitioner_client.post(
        url, {"contraindications_reviewed": "on", "photos_taken": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "photos_taken": [
            "The patient has no photo consent in force: no photos can be recorded for this "
            "session. Leave the box unticked, or have the photo consent signed first."
        ]
    }
    assert not TreatmentSession.objects.exists()
    response = practitioner_client.post(url, {"contraindications_reviewed": "on"})
    session = TreatmentSession.objects.get()
    assert response.status_code == 302
    assert not session.photos_taken
    detail = practitioner_client.get(_url("session_detail", session.pk)).content.decode()
    assert "No before photos (no photo consent)" in detail


def test_the_pre_checks_warn_of_a_session_sooner_than_the_plans_interval(
    scene, practitioner, practitioner_client
):
    five_days_ago = timezone.now() - datetime.timedelta(days=5)
    signed_session(scene, practitioner, performed_at=five_days_ago)
    day = timezone.localdate(five_days_ago)
    url = _url("session_begin", scene.plan.pk)
    html = practitioner_client.get(url).content.decode()
    assert 'data-testid="interval-warning"' in html
    assert (
        f"The last session was on {day.day} {day:%B %Y} (5 days ago); this plan&#x27;s "
        "interval is 14 days."
    ) in html
    # A warning, not a refusal: the session starts.
    assert not re.search(r'data-testid="start-session-submit"[^>]* disabled', html)
    response = practitioner_client.post(
        url, {"contraindications_reviewed": "on", "photos_taken": "on"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(("days_ago", "warned"), [(0, True), (13, True), (14, False)])
def test_the_interval_warning_counts_days_on_the_clinics_calendar(
    scene, practitioner, practitioner_client, days_ago, warned
):
    signed_session(
        scene, practitioner, performed_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    html = practitioner_client.get(_url("session_begin", scene.plan.pk)).content.decode()
    assert ('data-testid="interval-warning"' in html) is warned
    if days_ago == 0:
        assert "(today); this plan" in html


def test_the_first_session_has_no_interval_warning(scene, practitioner_client):
    html = practitioner_client.get(_url("session_begin", scene.plan.pk)).content.decode()
    assert 'data-testid="interval-warning"' not in html


def test_an_allergy_to_the_cocktail_is_shown_before_the_pre_checks_are_ticked(
    scene, practitioner, practitioner_client
):
    from tests.cocktails.factories import AllergyFactory

    AllergyFactory(patient=scene.patient, ingredient=scene.catalogue.ha)
    response = practitioner_client.get(_url("session_begin", scene.plan.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="cocktail-refused"' in html
    assert "Refused: the patient is allergic to Test hyaluronic acid (in Mesolab HA 10)." in html
    assert re.search(r'data-testid="start-session-submit"[^>]* disabled', html)


def test_the_pre_checks_page_shows_no_refusal_for_a_safe_cocktail(
    scene, practitioner, practitioner_client
):
    html = practitioner_client.get(_url("session_begin", scene.plan.pk)).content.decode()
    assert 'data-testid="cocktail-refused"' not in html
    assert not re.search(r'data-testid="start-session-submit"[^>]* disabled', html)


def test_a_plan_with_a_cocktail_the_patient_is_allergic_to_is_refused_at_the_cocktail_field(
    scene, practitioner, practitioner_client
):
    from tests.cocktails.factories import AllergyFactory

    AllergyFactory(patient=scene.patient, ingredient=scene.catalogue.ha)
    response = practitioner_client.post(
        _url("plan_create") + f"?patient={scene.patient.pk}", _plan_post(scene, practitioner)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["cocktail"] == [
        "Refused: the patient is allergic to Test hyaluronic acid (in Mesolab HA 10). "
        "Choose another cocktail."
    ]
    assert TreatmentPlan.objects.count() == 1  # the scene's own


def _plan_post(scene, practitioner) -> dict:
    """The new-plan form, filled in: five fortnightly Face glow sessions from today."""
    return {
        "indication": "facial_rejuvenation",
        "body_areas": ["face"],
        "cocktail": scene.face_glow.pk,
        "practitioner": practitioner.pk,
        "initial_sessions": "5",
        "interval_days": "14",
        "maintenance_every_days": "",
        "start_date": timezone.localdate().isoformat(),
    }


def _log_post(scene, **overrides):
    data = {
        "performed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "cocktail": scene.face_glow.pk,
        "technique": "nappage",
        "needle_gauge": "30",
        "needle_length_mm": "4",
        "total_volume_ml": "1.00",
        "pain_score": "3",
        "aftercare": "Usual advice",
        "points-TOTAL_FORMS": "1",
        "points-INITIAL_FORMS": "0",
        "points-0-diagram": "face",
        "points-0-x": "0.5",
        "points-0-y": "0.3",
        "points-0-zone": "forehead",
        "points-0-depth_mm": "1.5",
        "points-0-volume_ml": "1.0",
        "lots-TOTAL_FORMS": "1",
        "lots-INITIAL_FORMS": "0",
        "lots-0-lot": scene.catalogue.ha_lot.pk,
        "lots-0-vials": "1",
        "lots-0-volume_ml": "2",
        "action": "save",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"total_volume_ml": "1.50"}, "The sites add up to 1.00 ml, not 1.50 ml"),
        ({"points-0-depth_mm": "16"}, "less than or equal to 15"),
        ({"lots-0-lot": "other"}, "which is not in Face glow v1"),
        ({"lots-0-lot": "expired"}, "expired on"),
        # Said in the lot's cell, named: the vials column is too narrow for a sentence.
        ({"lots-0-vials": "0"}, 'data-testid="vials-error">Vials: '),
    ],
)
def test_bad_log_input_is_shown_at_its_field_and_nothing_is_saved(
    scene, practitioner, practitioner_client, overrides, message
):
    session = start(scene.plan, practitioner)
    if overrides.get("lots-0-lot") == "other":
        overrides["lots-0-lot"] = LotFactory(
            product=ProductFactory(name="Other"), lot_number="O"
        ).pk
    elif overrides.get("lots-0-lot") == "expired":
        overrides["lots-0-lot"] = LotFactory(
            product=scene.catalogue.ha_vial,
            lot_number="HA-OLD",
            received_on=timezone.localdate() - datetime.timedelta(days=90),
            expiry_date=timezone.localdate() - datetime.timedelta(days=1),
        ).pk
    response = practitioner_client.post(
        _url("session_log", session.pk), _log_post(scene, **overrides)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Nothing was saved" in html
    assert not LotUsage.objects.exists()
    assert not session.points.exists()


def test_every_error_of_the_log_comes_back_in_one_submit(scene, practitioner, practitioner_client):
    session = start(scene.plan, practitioner)
    future = timezone.localtime() + datetime.timedelta(hours=2)
    response = practitioner_client.post(
        _url("session_log", session.pk),
        _log_post(
            scene,
            performed_at=future.strftime("%Y-%m-%dT%H:%M"),
            needle_length_mm="40",  # refused by the form
            total_volume_ml="1.50",  # the sites add up to 1.00 ml
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["needle_length_mm"]
    assert errors["performed_at"] == ["The session cannot be in the future."]
    assert errors["total_volume_ml"] == [
        "The sites add up to 1.00 ml, not 1.50 ml: correct a site's volume or the total."
    ]
    assert not LotUsage.objects.exists()
    assert not session.points.exists()


def test_a_row_refused_by_the_service_is_shown_with_a_field_refused_by_the_form(
    scene, practitioner, practitioner_client
):
    session = start(scene.plan, practitioner)
    other = LotFactory(product=ProductFactory(name="Other"), lot_number="O")
    response = practitioner_client.post(
        _url("session_log", session.pk),
        _log_post(scene, **{"pain_score": "11", "lots-0-lot": other.pk}),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["pain_score"]
    lot_row = response.context["lots"].forms[0]
    assert "which is not in Face glow v1" in " ".join(lot_row.errors["lot"])
    assert not LotUsage.objects.exists()


def test_too_few_vials_are_said_with_the_forms_own_errors(scene, practitioner, practitioner_client):
    session = start(scene.plan, practitioner)
    response = practitioner_client.post(
        _url("session_log", session.pk),
        _log_post(scene, **{"pain_score": "11", "lots-0-vials": "12"}),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["pain_score"]
    lot_row = response.context["lots"].forms[0]
    assert lot_row.errors["vials"] == ["Lot HA-001 has only 10 vials left."]
    assert 'data-testid="vials-error">Vials: Lot HA-001 has only 10 vials left.' in (
        response.content.decode()
    )
    assert not LotUsage.objects.exists()


def test_save_and_sign_signs_a_complete_log(scene, practitioner, practitioner_client):
    session = start(scene.plan, practitioner)
    response = practitioner_client.post(
        _url("session_log", session.pk), _log_post(scene, action="sign"), follow=True
    )
    assert "The session is signed." in response.content.decode()
    session.refresh_from_db()
    assert session.is_signed
    assert LotUsage.objects.get().lot == scene.catalogue.ha_lot


def test_save_and_sign_keeps_an_incomplete_log_and_says_what_is_missing(
    scene, practitioner, practitioner_client
):
    session = start(scene.plan, practitioner)
    response = practitioner_client.post(
        _url("session_log", session.pk),
        _log_post(scene, action="sign", pain_score=""),
        follow=True,
    )
    html = response.content.decode()
    assert "cannot be signed yet" in html
    assert "Record the pain score." in html
    session.refresh_from_db()
    assert session.status == "in_progress"
    assert session.points.count() == 1


def test_a_review_dated_before_its_session_is_refused_at_the_field(
    scene, practitioner, practitioner_client
):
    session = signed_session(scene, practitioner)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = practitioner_client.post(
        _url("outcome_create", scene.plan.pk),
        {"assessed_on": yesterday.isoformat(), "session": session.pk, "gais_practitioner": "2"},
    )
    assert response.status_code == 200
    assert "before the session it follows" in response.content.decode()
    assert not Outcome.objects.exists()


def test_an_adverse_event_is_reported_from_the_session_page(
    scene, practitioner, practitioner_client
):
    session = signed_session(scene, practitioner)
    response = practitioner_client.post(
        _url("adverse_event_create", session.pk),
        {
            "kind": "nodule",
            "onset_on": timezone.localdate().isoformat(),
            "severity": "moderate",
            "outcome": "ongoing",
            "lots": [scene.catalogue.ha_lot.pk],
        },
        follow=True,
    )
    assert "recorded against the session" in response.content.decode()
    event = AdverseEvent.objects.get()
    assert list(event.lots.all()) == [scene.catalogue.ha_lot]


def test_a_plan_is_proposed_from_the_patients_latest_concerns(
    scene, practitioner, practitioner_client
):
    page = practitioner_client.get(_url("plan_create") + f"?patient={scene.patient.pk}")
    assert page.status_code == 200
    response = practitioner_client.post(
        _url("plan_create") + f"?patient={scene.patient.pk}", _plan_post(scene, practitioner)
    )
    plan = TreatmentPlan.objects.latest("pk")
    assert response["Location"] == _url("plan_detail", plan.pk)
    assert (plan.initial_sessions, plan.maintenance_every_days) == (5, None)
    assert plan.status == "proposed"


def test_a_pain_score_that_is_not_a_number_is_refused_in_words_at_its_field(
    scene, practitioner, practitioner_client
):
    session = signed_session(scene, practitioner)
    response = practitioner_client.post(
        _url("session_amend", session.pk),
        {"field": "pain_score", "new_value": "abc", "reason": "Patient called back"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_value"] == ["Enter a whole number from 0 to 10."]
    assert "must be an integer" not in response.content.decode()
    assert not SessionAmendment.objects.exists()


def test_no_amendment_without_a_reason(scene, practitioner, practitioner_client):
    session = signed_session(scene, practitioner)
    response = practitioner_client.post(
        _url("session_amend", session.pk), {"field": "notes", "new_value": "x", "reason": ""}
    )
    assert response.status_code == 200
    assert not SessionAmendment.objects.exists()


@pytest.mark.parametrize("sessions", [1, 3])
def test_the_pre_checks_page_runs_the_same_queries_whatever_the_patient_holds(
    scene, practitioner, practitioner_client, django_assert_num_queries, sessions
):
    from tests.patients.factories import AllergyFactory, ContraindicationFactory

    _grow_plan(scene, practitioner, sessions)
    for index in range(sessions):
        AllergyFactory(patient=scene.patient, substance=f"Substance {index}")
        ContraindicationFactory(patient=scene.patient, recorded_by=practitioner)
    with django_assert_num_queries(PRECHECK_PAGE_QUERIES):
        response = practitioner_client.get(_url("session_begin", scene.plan.pk))
    assert response.status_code == 200
    assert len(response.context["alerts"].allergies) == sessions


# The login session and its refresh, the user and their roles, the plan, today's photos, the
# cocktail's composition and the patient's allergies (the safety review), the sessions given,
# the clinical alerts, the consents, the last signed session.
PRECHECK_PAGE_QUERIES = 19


def test_the_pre_checks_warn_that_a_minor_needs_a_guardians_consent(
    scene, practitioner, practitioner_client
):
    url = _url("session_begin", scene.plan.pk)
    assert 'data-testid="minor-warning"' not in practitioner_client.get(url).content.decode()
    today = timezone.localdate()
    scene.patient.date_of_birth = today.replace(year=today.year - 17)
    scene.patient.save()
    # Her consents, signed by a parent.
    Consent.objects.filter(patient=scene.patient).update(
        signed_name="Claire Moreau", signer=Consent.Signer.GUARDIAN
    )
    html = practitioner_client.get(url).content.decode()
    assert (
        f"{scene.patient.first_name} is 17: the treatment consent must be signed by a parent or "
        "legal guardian."
    ) in html
    # A warning, not a refusal: the session starts.
    assert not re.search(r'data-testid="start-session-submit"[^>]* disabled', html)


@pytest.mark.parametrize("sessions", [1, 3])
def test_the_pre_checks_refuse_a_consent_the_patient_signed_herself_as_a_minor(
    scene, practitioner, practitioner_client, django_assert_num_queries, sessions
):
    _grow_plan(scene, practitioner, sessions)
    # Born 16 years and 3 weeks ago: she signed the general consent two years ago, at 14.
    today = timezone.localdate()
    patient = scene.patient
    patient.date_of_birth = today.replace(year=today.year - 16) - datetime.timedelta(days=21)
    patient.save()
    url = _url("session_begin", scene.plan.pk)
    with django_assert_num_queries(PRECHECK_PAGE_QUERIES):
        html = practitioner_client.get(url).content.decode()
    text = ConsentText.objects.get(kind="treatment", superseded_at__isnull=True)
    assert (
        f"“{text.title}” (version {text.version}) is not in force. Signed by "
        f"{patient.first_name} herself at 14: a parent or legal guardian must sign it again. "
        f'<a href="{reverse("patients:consent_sign", args=[patient.pk])}?text={text.pk}">'
        "Have it signed again</a>."
    ) in html
    assert re.search(r'data-testid="start-session-submit"[^>]* disabled', html)
    response = practitioner_client.post(
        url, {"contraindications_reviewed": "on", "photos_taken": ""}
    )
    assert response.status_code == 200
    assert "is not in force. Signed by" in " ".join(response.context["form"].non_field_errors())
    # A parent signs it again: the pre-checks pass. (Her photo consent, also signed as a minor,
    # is not in force either: no photos are taken.)
    patient_services.consent_sign(
        patient=patient,
        text=text,
        signed_name="Claire Moreau",
        signer=Consent.Signer.GUARDIAN,
        witnessed_by=practitioner,
    )
    assert "Valid signed consent" in practitioner_client.get(url).content.decode()
    response = practitioner_client.post(url, {"contraindications_reviewed": "on"})
    assert response.status_code == 302
