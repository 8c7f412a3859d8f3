"""Starting a session behind its pre-checks, logging it with stock taken from the lots, signing
it, and correcting a signed session by amendments."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cocktails.models import LotUsage
from patients import services as patient_services
from patients.models import Consent, Contraindication
from tests.cocktails.factories import AllergyFactory, LotFactory, ProductFactory
from tests.treatments.scenarios import (
    face_points,
    log_data,
    lots,
    record,
    signed_session,
    start,
)
from treatments import services
from treatments.models import (
    InjectionPoint,
    SessionAmendment,
    SessionLot,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.services import LotInput, PointInput, RowErrors

pytestmark = pytest.mark.django_db


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# The gates before the first injection.


def test_a_session_starts_once_every_pre_check_passes(scene, practitioner):
    session = start(scene.plan, practitioner)
    assert session.status == TreatmentSession.Status.IN_PROGRESS
    assert session.practitioner == practitioner
    assert session.contraindications_reviewed and session.consent_verified
    assert session.photos_taken
    scene.plan.refresh_from_db()
    assert scene.plan.status == TreatmentPlan.Status.IN_PROGRESS


def test_an_open_absolute_contraindication_blocks_the_start(scene, practitioner):
    Contraindication.objects.create(
        patient=scene.patient, kind="pregnancy", severity="absolute", recorded_by=practitioner
    )
    with pytest.raises(ValidationError) as caught:
        start(scene.plan, practitioner)
    assert "Absolute contraindication: Pregnancy" in _messages(caught.value)
    assert not TreatmentSession.objects.exists()


def test_a_relative_contraindication_does_not_block(scene, practitioner):
    Contraindication.objects.create(
        patient=scene.patient, kind="anticoagulants", severity="relative", recorded_by=practitioner
    )
    assert start(scene.plan, practitioner).is_started


def test_a_missing_consent_blocks_the_start(scene, practitioner):
    consent = Consent.objects.get(patient=scene.patient, text__kind="treatment")
    patient_services.consent_withdraw(consent=consent, by=practitioner, reason="Changed mind")
    with pytest.raises(ValidationError) as caught:
        start(scene.plan, practitioner)
    assert "has not signed" in _messages(caught.value)


def test_a_consent_to_an_old_version_no_longer_counts(scene, practitioner, admin_user):
    patient_services.consent_text_publish(
        kind="treatment", title="General consent", body="New wording.", by=admin_user
    )
    with pytest.raises(ValidationError) as caught:
        start(scene.plan, practitioner)
    assert "has not signed" in _messages(caught.value)


@pytest.mark.parametrize(
    ("reviewed", "photos", "field"),
    [(False, True, "contraindications_reviewed"), (True, False, "photos_taken")],
)
def test_each_attestation_is_required(scene, practitioner, reviewed, photos, field):
    with pytest.raises(ValidationError) as caught:
        services.session_start(
            plan=scene.plan,
            by=practitioner,
            contraindications_reviewed=reviewed,
            photos_taken=photos,
        )
    assert list(caught.value.message_dict) == [field]
    assert not TreatmentSession.objects.exists()


def _without_photo_consent(patient, by) -> None:
    consent = Consent.objects.get(patient=patient, text__kind="photo")
    patient_services.consent_withdraw(consent=consent, by=by, reason="No photos, please")


def test_before_photos_are_refused_without_the_photo_consent(scene, practitioner):
    _without_photo_consent(scene.patient, practitioner)
    with pytest.raises(ValidationError) as caught:
        start(scene.plan, practitioner)
    assert caught.value.message_dict == {
        "photos_taken": [
            "The patient has no photo consent in force: no photos can be recorded for this "
            "session. Leave the box unticked, or have the photo consent signed first."
        ]
    }
    assert not TreatmentSession.objects.exists()


def test_a_patient_without_the_photo_consent_is_treated_without_photos(scene, practitioner):
    _without_photo_consent(scene.patient, practitioner)
    session = services.session_start(
        plan=scene.plan, by=practitioner, contraindications_reviewed=True, photos_taken=False
    )
    assert session.is_started
    assert not session.photos_taken


def test_every_reason_is_given_at_once(scene, practitioner):
    Contraindication.objects.create(
        patient=scene.patient, kind="skin_infection", severity="absolute", recorded_by=practitioner
    )
    with pytest.raises(ValidationError) as caught:
        services.session_start(
            plan=scene.plan, by=practitioner, contraindications_reviewed=False, photos_taken=False
        )
    assert set(caught.value.message_dict) == {
        "__all__",
        "contraindications_reviewed",
        "photos_taken",
    }


def test_a_plan_not_yet_accepted_cannot_start(scene, practitioner):
    TreatmentPlan.objects.filter(pk=scene.plan.pk).update(status="proposed", accepted_at=None)
    with pytest.raises(ValidationError, match="not accepted"):
        start(scene.plan, practitioner)


def test_an_allergy_to_the_cocktail_blocks_the_start(scene, practitioner):
    AllergyFactory(patient=scene.patient, ingredient=scene.catalogue.ha)
    with pytest.raises(ValidationError) as caught:
        start(scene.plan, practitioner)
    assert "allergic" in _messages(caught.value)


def test_one_session_of_a_plan_is_logged_at_a_time(scene, practitioner):
    start(scene.plan, practitioner)
    with pytest.raises(ValidationError, match="being logged"):
        start(scene.plan, practitioner)


def test_a_booked_session_is_the_one_started(scene, practitioner):
    booked = services.plan_sessions_reserve(
        plan=scene.plan, kind="initial", count=1, booked_session_ids=[]
    )[0]
    session = start(scene.plan, practitioner, session=booked)
    assert session.pk == booked.pk
    record(session, practitioner, lots=lots(scene.catalogue))
    services.session_sign(session=session, by=practitioner)
    with pytest.raises(ValidationError, match="already started"):
        start(scene.plan, practitioner, session=booked)


def test_a_session_after_the_course_is_a_maintenance_session(scene, practitioner):
    TreatmentPlan.objects.filter(pk=scene.plan.pk).update(initial_sessions=1)
    scene.plan.refresh_from_db()
    signed_session(scene, practitioner)
    scene.plan.refresh_from_db()
    assert scene.plan.status == TreatmentPlan.Status.MAINTENANCE
    assert start(scene.plan, practitioner).kind == TreatmentSession.Kind.MAINTENANCE


# The log: stock and the traceability ledger move with it.


def test_logging_takes_the_lots_from_stock_and_writes_the_ledger(scene, practitioner):
    session = start(scene.plan, practitioner)
    session = record(session, practitioner, lots=lots(scene.catalogue, ha_vials=2))
    ha, vit_c = scene.catalogue.ha_lot, scene.catalogue.c_lot
    ha.refresh_from_db()
    vit_c.refresh_from_db()
    assert (ha.quantity_left, vit_c.quantity_left) == (8, 9)
    usages = LotUsage.objects.order_by("lot__lot_number")
    assert [(u.lot.lot_number, u.quantity, u.volume_ml) for u in usages] == [
        ("HA-001", 2, Decimal("2.00")),
        ("VC-001", 1, Decimal("1.00")),
    ]
    usage = usages[0]
    assert usage.patient == scene.patient
    assert usage.practitioner == practitioner
    assert usage.used_at == session.performed_at
    assert usage.formulation == session.formulation
    assert usage.reference == f"Treatment session #{session.pk}"
    assert SessionLot.objects.filter(session=session).count() == 2
    # The version injected is frozen: adjusting the cocktail now makes a new version.
    assert session.formulation.is_frozen
    assert session.formulation == scene.face_glow.current


def test_a_refused_lot_undoes_the_whole_save_stock_included(scene, practitioner):
    session = start(scene.plan, practitioner)
    expired = LotFactory(
        product=scene.catalogue.c_vial,
        lot_number="VC-OLD",
        received_on=timezone.localdate() - datetime.timedelta(days=400),
        expiry_date=timezone.localdate() - datetime.timedelta(days=2),
    )
    with pytest.raises(RowErrors) as caught:
        services.session_record(
            session=session,
            by=practitioner,
            data=log_data(notes="Should not be kept"),
            points=face_points(),
            lots=[
                LotInput(lot=scene.catalogue.ha_lot, vials=1, volume_ml=Decimal("2")),
                LotInput(lot=expired, vials=1, volume_ml=Decimal("1")),
            ],
        )
    assert caught.value.rows == {("lots", 1): {"lot": "Lot VC-OLD expired on " + _day(expired)}}
    scene.catalogue.ha_lot.refresh_from_db()
    expired.refresh_from_db()
    assert scene.catalogue.ha_lot.quantity_left == 10
    assert expired.quantity_left == 10
    assert not LotUsage.objects.exists()
    assert not SessionLot.objects.exists()
    assert not InjectionPoint.objects.exists()
    session.refresh_from_db()
    assert session.notes == ""


def _day(lot) -> str:
    return f"{lot.expiry_date:%-d %b %Y}."


def test_a_lot_with_too_few_vials_is_refused(scene, practitioner):
    session = start(scene.plan, practitioner)
    with pytest.raises(RowErrors) as caught:
        record(
            session,
            practitioner,
            lots=[LotInput(lot=scene.catalogue.ha_lot, vials=11, volume_ml=Decimal("2"))],
        )
    assert caught.value.rows == {("lots", 0): {"vials": "Lot HA-001 has only 10 vials left."}}
    assert not LotUsage.objects.exists()


def test_stock_is_refused_with_the_logs_other_errors_before_anything_is_written(
    scene, practitioner
):
    """A site out of its diagram and too many vials: both come back from one save, instead
    of the vials only once the site is mended."""
    session = start(scene.plan, practitioner)
    points = face_points()
    points[0] = replace(points[0], zone="vertex")
    with pytest.raises(RowErrors) as caught:
        record(
            session,
            practitioner,
            points=points,
            lots=[LotInput(lot=scene.catalogue.ha_lot, vials=11, volume_ml=Decimal("2"))],
        )
    assert caught.value.rows["lots", 0] == {"vials": "Lot HA-001 has only 10 vials left."}
    assert set(caught.value.rows) == {("points", 0), ("lots", 0)}
    assert not LotUsage.objects.exists()


def test_the_vials_a_save_gives_back_count_as_left(scene, practitioner):
    """The session holds 3 vials of the lot (7 left in the fridge): a log that now says 10 in
    one row gives the 3 back before taking 10, so it fits; 11 does not."""
    session = start(scene.plan, practitioner)
    ha_lot = scene.catalogue.ha_lot
    record(session, practitioner, lots=[LotInput(lot=ha_lot, vials=3, volume_ml=Decimal("2"))])
    ha_lot.refresh_from_db()
    assert ha_lot.quantity_left == 7
    with pytest.raises(RowErrors) as caught:
        record(session, practitioner, lots=[LotInput(lot=ha_lot, vials=11, volume_ml=Decimal("2"))])
    assert caught.value.rows == {("lots", 0): {"vials": "Lot HA-001 has only 10 vials left."}}
    ha_lot.refresh_from_db()
    assert ha_lot.quantity_left == 7
    record(session, practitioner, lots=[LotInput(lot=ha_lot, vials=10, volume_ml=Decimal("2"))])
    ha_lot.refresh_from_db()
    assert ha_lot.quantity_left == 0
    assert [row.vials for row in session.lots.filter(usage__cancelled_at__isnull=True)] == [10]


def test_two_rows_of_one_lot_are_counted_together(scene, practitioner):
    session = start(scene.plan, practitioner)
    ha_lot = scene.catalogue.ha_lot
    with pytest.raises(RowErrors) as caught:
        record(
            session,
            practitioner,
            lots=[
                LotInput(lot=ha_lot, vials=6, volume_ml=Decimal("2")),
                LotInput(lot=ha_lot, vials=5, volume_ml=Decimal("1")),
            ],
        )
    message = "Lot HA-001 has only 10 vials left: its rows in this log take 11."
    assert caught.value.rows == {("lots", 0): {"vials": message}, ("lots", 1): {"vials": message}}
    assert not LotUsage.objects.exists()


def test_a_lot_recalled_after_the_page_was_read_is_refused(scene, practitioner):
    session = start(scene.plan, practitioner)
    ha_lot = scene.catalogue.ha_lot
    ha_lot.recalled_at = timezone.now()
    ha_lot.save(update_fields=["recalled_at"])
    with pytest.raises(RowErrors) as caught:
        record(session, practitioner, lots=[LotInput(lot=ha_lot, vials=1, volume_ml=Decimal("2"))])
    assert caught.value.rows == {("lots", 0): {"lot": "Lot HA-001 has been recalled."}}


def test_a_lot_of_a_product_not_in_the_cocktail_is_refused(scene, practitioner):
    session = start(scene.plan, practitioner)
    other = LotFactory(product=ProductFactory(name="Something else"), lot_number="X-1")
    with pytest.raises(RowErrors) as caught:
        record(session, practitioner, lots=[LotInput(lot=other, vials=1, volume_ml=Decimal("1"))])
    assert caught.value.rows == {
        ("lots", 0): {"lot": "Lot X-1 is Mesolab Something else, which is not in Face glow v1."}
    }
    other.refresh_from_db()
    assert other.quantity_left == 10


def test_more_ml_than_the_vials_hold_is_refused(scene, practitioner):
    session = start(scene.plan, practitioner)
    with pytest.raises(RowErrors) as caught:
        record(
            session,
            practitioner,
            lots=[LotInput(lot=scene.catalogue.ha_lot, vials=1, volume_ml=Decimal("6"))],
        )
    assert caught.value.rows["lots", 0] == {"volume_ml": "1 vial of 5 ml hold 5 ml at most."}


def test_site_volumes_must_add_up_to_the_total(scene, practitioner):
    session = start(scene.plan, practitioner)
    with pytest.raises(RowErrors) as caught:
        services.session_record(
            session=session,
            by=practitioner,
            data=log_data(total_volume_ml=Decimal("2.00")),
            points=face_points("0.5", "0.5", "0.5"),
            lots=lots(scene.catalogue),
        )
    assert caught.value.fields == {
        "total_volume_ml": "The sites add up to 1.50 ml, not 2.00 ml: "
        "correct a site's volume or the total."
    }
    assert not LotUsage.objects.exists()


@pytest.mark.parametrize(
    ("point", "field"),
    [
        (PointInput("face", "forehead", Decimal("15.5"), Decimal("0.5")), "depth_mm"),
        (PointInput("face", "forehead", Decimal("-1"), Decimal("0.5")), "depth_mm"),
        (PointInput("face", "forehead", Decimal("1"), Decimal("0")), "volume_ml"),
        (PointInput("face", "vertex", Decimal("1"), Decimal("0.5")), "zone"),
        (PointInput("scalp", "vertex", Decimal("1"), Decimal("0.5")), "zone"),
        (PointInput("face", "forehead", Decimal("1"), Decimal("0.5"), x=1.2, y=0.5), "zone"),
    ],
)
def test_a_bad_site_is_refused_in_its_row(scene, practitioner, point, field):
    session = start(scene.plan, practitioner)
    with pytest.raises(RowErrors) as caught:
        services.session_record(
            session=session,
            by=practitioner,
            data=log_data(total_volume_ml=None),
            points=[face_points("0.5")[0], point],
            lots=[],
        )
    assert list(caught.value.rows) == [("points", 1)]
    assert list(caught.value.rows["points", 1]) == [field]


def test_saving_again_takes_nothing_twice_and_a_removed_lot_goes_back(scene, practitioner):
    session = start(scene.plan, practitioner)
    record = {"session": session, "by": practitioner, "points": face_points()}
    services.session_record(data=log_data(), lots=lots(scene.catalogue), **record)
    services.session_record(data=log_data(notes="Again"), lots=lots(scene.catalogue), **record)
    scene.catalogue.ha_lot.refresh_from_db()
    assert scene.catalogue.ha_lot.quantity_left == 9
    assert LotUsage.objects.count() == 2

    only_ha = lots(scene.catalogue)[:1]
    services.session_record(data=log_data(), lots=only_ha, **record)
    scene.catalogue.c_lot.refresh_from_db()
    assert scene.catalogue.c_lot.quantity_left == 10
    cancelled = LotUsage.objects.get(lot=scene.catalogue.c_lot)
    assert cancelled.is_cancelled
    assert cancelled.cancel_reason == "Removed from the session log before signing."
    # The row stays for traceability, with its cancelled usage.
    assert SessionLot.objects.filter(session=session).count() == 2


def test_unticking_every_reaction_is_saved(scene, practitioner):
    session = start(scene.plan, practitioner)
    record(session, practitioner, lots=[], reactions=["redness", "bruising"])
    session = record(session, practitioner, lots=[], reactions=[])
    session.refresh_from_db()
    assert session.reactions == []


def test_a_session_in_the_future_is_refused(scene, practitioner):
    session = start(scene.plan, practitioner)
    with pytest.raises(ValidationError) as caught:
        services.session_record(
            session=session,
            by=practitioner,
            data=log_data(performed_at=timezone.now() + datetime.timedelta(hours=2)),
            points=[],
            lots=[],
        )
    assert caught.value.message_dict == {"performed_at": ["The session cannot be in the future."]}


def _frozen_at_42_seconds(time_machine) -> datetime.datetime:
    """Stop the clock a little later, 42 seconds into a minute (the local time)."""
    later = timezone.localtime() + datetime.timedelta(minutes=1)
    now = later.replace(second=42, microsecond=0)
    time_machine.move_to(now, tick=False)
    return now


def test_injections_before_the_consent_was_signed_are_refused(scene, practitioner, time_machine):
    now = _frozen_at_42_seconds(time_machine)
    signed = now - datetime.timedelta(minutes=10)
    Consent.objects.filter(patient=scene.patient).update(signed_at=signed)
    session = start(scene.plan, practitioner)
    with pytest.raises(ValidationError) as caught:
        services.session_record(
            session=session,
            by=practitioner,
            data=log_data(performed_at=now - datetime.timedelta(minutes=20)),
            points=face_points(),
            lots=lots(scene.catalogue),
        )
    assert caught.value.message_dict == {
        "performed_at": [
            "The injections cannot come before the patient signed the treatment consent, on "
            f"{signed:%d/%m/%Y} at {signed:%H:%M}."
        ]
    }
    assert not LotUsage.objects.exists()
    # The minute of the signature itself is accepted (the page gives no seconds).
    session = record(
        session, practitioner, lots=lots(scene.catalogue), performed_at=signed.replace(second=0)
    )
    assert session.performed_at == signed.replace(second=0)


def test_a_session_logged_after_it_was_given_may_predate_its_pre_checks(
    scene, practitioner, time_machine
):
    # Given at 10:00, logged at 10:45: the pre-checks are ticked when the log is opened.
    now = _frozen_at_42_seconds(time_machine)
    Consent.objects.filter(patient=scene.patient).update(
        signed_at=now - datetime.timedelta(hours=2)
    )
    session = start(scene.plan, practitioner)
    given = (now - datetime.timedelta(minutes=45)).replace(second=0)
    session = record(session, practitioner, lots=lots(scene.catalogue), performed_at=given)
    assert session.performed_at == given


def test_only_the_practitioner_who_gave_the_session_logs_it(
    scene, practitioner, other_practitioner
):
    session = start(scene.plan, practitioner)
    with pytest.raises(ValidationError, match="Only Sophie Martin"):
        services.session_record(
            session=session, by=other_practitioner, data=log_data(), points=[], lots=[]
        )
    with pytest.raises(ValidationError, match="Only Sophie Martin"):
        services.session_sign(session=session, by=other_practitioner)


# Signing, and what a signature means.


def test_an_incomplete_log_cannot_be_signed(scene, practitioner):
    session = start(scene.plan, practitioner)
    with pytest.raises(ValidationError) as caught:
        services.session_sign(session=session, by=practitioner)
    messages = caught.value.messages
    assert messages[0] == "The session cannot be signed yet:"
    assert "Place at least one injection site on the map." in messages
    assert "Record the lots used (they are traced in case of a recall)." in messages
    session.refresh_from_db()
    assert session.status == TreatmentSession.Status.IN_PROGRESS


def test_more_injected_than_the_lots_hold_is_not_signed(scene, practitioner):
    # 4 sites of 5 ml on the face, from one 5 ml vial.
    session = record(
        start(scene.plan, practitioner),
        practitioner,
        lots=[LotInput(lot=scene.catalogue.ha_lot, vials=1, volume_ml=Decimal("5"))],
        points=face_points("5", "5", "5", "5"),
        total_volume_ml=Decimal("20"),
    )
    assert ("total_volume_ml", _TOO_MUCH) in services.sign_problems(session)
    with pytest.raises(ValidationError) as caught:
        services.session_sign(session=session, by=practitioner)
    assert caught.value.messages == ["The session cannot be signed yet:", _TOO_MUCH]
    session.refresh_from_db()
    assert session.status == TreatmentSession.Status.IN_PROGRESS


_TOO_MUCH = (
    "The sites add up to 20.00 ml, but the lots used hold 5.00 ml at most: check the volumes, "
    "or record the other vials."
)


def test_what_the_lots_hold_counts_every_vial_opened(scene, practitioner):
    session = record(
        start(scene.plan, practitioner),
        practitioner,
        lots=[LotInput(lot=scene.catalogue.ha_lot, vials=4, volume_ml=Decimal("20"))],
        points=face_points("5", "5", "5", "5"),
        total_volume_ml=Decimal("20"),
    )
    assert services.session_sign(session=session, by=practitioner).is_signed


def test_a_signed_session_is_never_edited_again(scene, practitioner):
    session = signed_session(scene, practitioner, notes="As given")
    assert session.is_signed
    assert session.signed_by == practitioner
    with pytest.raises(ValidationError, match="add an amendment"):
        services.session_record(
            session=session, by=practitioner, data=log_data(notes="Changed"), points=[], lots=[]
        )
    session.refresh_from_db()
    assert session.notes == "As given"
    assert session.points.count() == 3


def test_an_amendment_keeps_the_original_beside_the_correction(scene, practitioner):
    session = signed_session(scene, practitioner, pain_score=3)
    amendment = services.session_amend(
        session=session,
        by=practitioner,
        field="pain_score",
        new_value="6",
        reason="Patient called: it hurt more than she said.",
    )
    assert (amendment.old_value, amendment.new_value) == ("3", "6")
    assert amendment.by == practitioner
    session.refresh_from_db()
    assert session.pain_score == 6
    assert session.is_signed
    # The history keeps the original too.
    assert [h.pain_score for h in session.history.order_by("history_date")][-2:] == [3, 6]


def test_an_addendum_is_a_note_added_to_the_record(scene, practitioner):
    session = signed_session(scene, practitioner)
    services.session_amend(
        session=session, by=practitioner, field="", new_value="Called: all fine.", reason="Check"
    )
    note = SessionAmendment.objects.get()
    assert (note.field, note.new_value) == ("", "Called: all fine.")


@pytest.mark.parametrize(
    ("field", "value", "reason", "error_field"),
    [
        ("pain_score", "6", "", "reason"),
        ("pain_score", "11", "Typo", "new_value"),
        ("pain_score", "3", "Typo", "new_value"),
        ("technique", "papule", "Typo", "field"),
        ("", "", "Nothing", "new_value"),
    ],
)
def test_a_bad_amendment_is_refused_at_its_field(
    scene, practitioner, field, value, reason, error_field
):
    session = signed_session(scene, practitioner, pain_score=3)
    with pytest.raises(ValidationError) as caught:
        services.session_amend(
            session=session, by=practitioner, field=field, new_value=value, reason=reason
        )
    assert error_field in caught.value.message_dict
    assert not SessionAmendment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pain_score", "abc", "Enter a whole number from 0 to 10."),
        ("pain_score", "7.5", "Enter a whole number from 0 to 10."),
        ("pain_score", "11", "Enter a whole number from 0 to 10."),
        ("pain_score", "-1", "Enter a whole number from 0 to 10."),
        ("numbing_minutes", "ten", "Enter a whole number from 0 to 120."),
        ("numbing_minutes", "200", "Enter a whole number from 0 to 120."),
    ],
)
def test_a_number_that_is_not_one_is_refused_in_words(scene, practitioner, field, value, message):
    session = signed_session(scene, practitioner, pain_score=3)
    with pytest.raises(ValidationError) as caught:
        services.session_amend(
            session=session, by=practitioner, field=field, new_value=value, reason="Typo"
        )
    assert caught.value.message_dict == {"new_value": [message]}


def test_an_unsigned_session_is_not_amended(scene, practitioner):
    session = start(scene.plan, practitioner)
    with pytest.raises(ValidationError, match="Only a signed session"):
        services.session_amend(
            session=session, by=practitioner, field="notes", new_value="x", reason="y"
        )
