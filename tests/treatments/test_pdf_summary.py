"""The treatment summary PDF, rendered for real by WeasyPrint and read back with pypdf: the
right patient, sessions and lots, the name and page number on every page, clean page breaks,
names in any script; who may export it, and that every export is in the audit log.

The first pages of some documents are saved as PNG under artifacts/pdf/ (git-ignored) for a
person to look at: `pdftoppm -png -r 60`.
"""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clinic.models import AuditEvent
from cocktails.models import Ingredient
from patients.models import Contraindication
from tests.patients.factories import AllergyFactory, ContraindicationFactory, PatientFactory
from tests.treatments.courses import make_clinic, make_course, make_plan
from treatments import services
from treatments.exports.selectors import ZoneRow

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "pdf"
# A line of the list of sessions, as pypdf reads it: "M3 · 23 Oct 2026 · Sophie Martin · ...".
LEDGER_ROW = re.compile(
    r"^M?\d+ · \d+ \w{3} \d{4} · Sophie Martin · version 1, nappage", re.MULTILINE
)


@pytest.fixture
def clinic(admin_user, practitioner):
    return make_clinic(admin=admin_user, practitioner=practitioner)


def _pages(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return [page.extract_text() for page in reader.pages]


def _save_pngs(data: bytes, name: str, pages: int = 2) -> None:
    """The first pages as PNG images, for review."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", str(pages), str(pdf), str(pdf)[:-4]],
        check=True,
        timeout=60,
    )


def _assert_every_page_is_named_and_numbered(pages: list[str], patient_name: str) -> None:
    for number, text in enumerate(pages, start=1):
        assert patient_name in text, f"page {number} lacks the patient's name"
        assert f"Page {number} of {len(pages)}" in text, f"page {number} lacks its number"


def test_plan_summary_shows_patient_sessions_lots_and_events(admin_client, clinic, practitioner):
    patient = PatientFactory(first_name="Hélène", last_name="Lefèvre")
    plan = make_course(clinic, practitioner=practitioner, patient=patient, sessions=2)
    response = admin_client.get(reverse("treatments:plan_summary_pdf", args=[plan.pk]))
    pages = _pages(response)
    _save_pngs(response.content, "plan-summary")
    text = "\n".join(pages)

    assert "Treatment summary" in text
    assert "Hélène Lefèvre" in text
    assert patient.date_of_birth.strftime("%-d %B %Y") in text
    assert "Facial rejuvenation" in text
    # Consent: which text, which version, signed when.
    assert "General treatment consent" in text
    assert "In force" in text
    # Both sessions, with the cocktail's components, technique, needle, depth and zones.
    assert "Session 1 of 2" in text
    assert "Session 2 of 2" in text
    assert "Mesolab HA 10 2 ml" in text
    assert "Nappage" in text
    assert "32G, 4 mm long" in text
    assert "1.5 mm" in text
    assert "Right cheek" in text
    # Lots with their expiry, on every session.
    assert text.count("HA-7781") >= 3
    assert clinic.ha_lot.expiry_date.strftime("%-d %b %Y") in text
    # The adverse event and its outcome; the reviews; the next maintenance; the signer.
    assert "Bruising" in text
    assert "Resolved" in text
    assert "Much improved" in text
    assert plan.next_maintenance_on is not None
    assert plan.next_maintenance_on.strftime("%-d %B %Y") in text
    assert "PRACTITIONER RESPONSIBLE FOR THIS PLAN" in text
    assert "Sophie Martin" in text
    assert "Generated" in text
    _assert_every_page_is_named_and_numbered(pages, "Hélène Lefèvre")
    assert response["Content-Disposition"].startswith(
        f'inline; filename="treatment-summary-lefevre-helene-{patient.pk}-plan-{plan.pk}.pdf"'
    )


def test_the_summary_lists_active_allergies_and_open_contraindications_near_the_top(
    admin_client, clinic, practitioner
):
    patient = PatientFactory(
        first_name="Inès", last_name="Garnier", allergy_notes="Reacted to a dental anaesthetic"
    )
    plan = make_course(clinic, practitioner=practitioner, patient=patient, sessions=1)
    lidocaine = Ingredient.objects.get(name="Test lidocaine")
    AllergyFactory(patient=patient, ingredient=lidocaine, substance="", reaction="Hives")
    AllergyFactory(patient=patient, substance="Latex")
    AllergyFactory(patient=patient, substance="Penicillin", removed_at=timezone.now())
    ContraindicationFactory(
        patient=patient, note="Apixaban 5 mg twice daily", recorded_by=practitioner
    )
    ContraindicationFactory(
        patient=patient,
        kind=Contraindication.Kind.PREGNANCY,
        severity=Contraindication.Severity.ABSOLUTE,
        recorded_by=practitioner,
        resolved_at=timezone.now(),
        resolved_by=practitioner,
        resolution_reason="Delivered in March",
    )
    for url in (
        reverse("treatments:plan_summary_pdf", args=[plan.pk]),
        reverse("treatments:patient_summary_pdf", args=[patient.pk]),
    ):
        first_page = " ".join(_pages(admin_client.get(url))[0].split())
        allergies = first_page.index("Allergies")
        contraindications = first_page.index("Contraindications")
        assert first_page.index("Inès Garnier") < allergies < contraindications
        assert contraindications < first_page.index("TREATMENT PLAN NO.")
        assert "Test lidocaine (Hives); Latex" in first_page
        assert "Reacted to a dental anaesthetic" in first_page
        assert (
            "Relative Anticoagulant or antiplatelet drugs: Apixaban 5 mg twice daily" in first_page
        )
        # Removed allergies and resolved contraindications are left out.
        assert "Penicillin" not in first_page
        assert "Pregnancy" not in first_page


def test_a_summary_says_when_no_allergy_or_contraindication_is_recorded(
    admin_client, clinic, practitioner
):
    plan = make_course(clinic, practitioner=practitioner, sessions=1)
    pages = _pages(admin_client.get(reverse("treatments:plan_summary_pdf", args=[plan.pk])))
    first_page = " ".join(pages[0].split())
    assert "No known allergy recorded." in first_page
    assert "No open contraindication." in first_page


def test_a_lot_recalled_after_the_sessions_is_marked_in_the_summary(
    admin_client, clinic, practitioner
):
    from cocktails.services import lot_recall

    plan = make_course(clinic, practitioner=practitioner, sessions=2)
    lot_recall(lot=clinic.ha_lot, reason="Notice 2024-17: sterility not assured")
    recalled_on = timezone.localdate().strftime("%-d %b %Y")
    for url in (
        reverse("treatments:plan_summary_pdf", args=[plan.pk]),
        reverse("treatments:patient_summary_pdf", args=[plan.patient_id]),
    ):
        text = " ".join(" ".join(_pages(admin_client.get(url))).split())
        # Once for the plan, on each session's full record, and on each line of the list.
        assert (
            f"Lot HA-7781 (Mesolab HA 10) recalled on {recalled_on}: "
            "Notice 2024-17: sterility not assured" in text
        )
        assert "Used in session 1" in text
        assert text.count(f"HA-7781 Recalled on {recalled_on}: Notice 2024-17") == 2
        assert text.count("HA-7781 (recalled)") >= 2
        assert "VC-2209 (recalled)" not in text


def test_many_sessions_and_long_notes_flow_over_pages_that_all_carry_name_and_number(
    practitioner_client, clinic, practitioner
):
    """The one large document of the suite: twelve sessions, one with a very long note."""
    small = make_course(clinic, practitioner=practitioner, sessions=1, reviews=False)
    small_pages = _pages(
        practitioner_client.get(reverse("treatments:plan_summary_pdf", args=[small.pk]))
    )

    paragraphs = [
        f"Paragraph {n}: the patient describes how the skin felt in the days after the "
        "session, what she applied, and what she would like to change next time. " * 4
        for n in range(1, 25)
    ]
    patient = PatientFactory(first_name="Agnès", last_name="Dupré-Saint-Cyr")
    plan = make_course(
        clinic,
        practitioner=practitioner,
        patient=patient,
        sessions=12,
        days_apart=7,
        notes="\n\n".join(paragraphs) + "\n\nEnd of the long note.",
        long_note_session=3,
        # Goals long enough to push the table of sessions over the first page break.
        plan_notes="\n".join(p.replace("Paragraph", "Goal") for p in paragraphs[:3]),
    )
    response = practitioner_client.get(reverse("treatments:plan_summary_pdf", args=[plan.pk]))
    pages = _pages(response)
    _save_pngs(response.content, "plan-summary-long", pages=4)
    text = "\n".join(pages)

    assert len(pages) >= len(small_pages) + 3
    _assert_every_page_is_named_and_numbered(pages, "Agnès Dupré-Saint-Cyr")
    # Twelve sessions, five of the course then seven maintenance, each on a line of the list,
    # which runs over a page break.
    rows = [line for line in text.splitlines() if LEDGER_ROW.match(line)]
    assert len(rows) == 12
    # Each line keeps what a recall needs: the lots used, and whether it was signed.
    assert all("lots HA-7781, VC-2209 · signed" in row for row in rows)
    assert len([page for page in pages if LEDGER_ROW.search(page)]) == 2
    # Full records for the last three, and for the earlier sessions with an adverse event (the
    # first) or notes (the fourth); the other seven have their line only.
    assert "Full records follow for the last 3 sessions" in text
    full = re.findall(r"^(Session \d of 5|Maintenance session \d)", text, re.MULTILINE)
    assert full == [
        "Session 1 of 5",
        "Session 4 of 5",
        *(f"Maintenance session {n}" for n in range(5, 8)),
    ]
    # The long note is all there, in order: nothing clipped at a page break.
    positions = [text.find(f"Paragraph {n}:") for n in range(1, 25)]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert "End of the long note." in text
    note_pages = [i for i, page in enumerate(pages) if "Paragraph" in page]
    assert len(note_pages) >= 2, "the long note should run over a page break"


def test_an_amended_session_is_marked_on_its_line_in_the_list_of_sessions(
    practitioner_client, clinic, practitioner
):
    plan = make_course(clinic, practitioner=practitioner, sessions=2, reviews=False)
    first = plan.sessions.order_by("performed_at").first()
    services.session_amend(
        session=first, by=practitioner, field="pain_score", new_value="4", reason="Re-read chart"
    )
    response = practitioner_client.get(reverse("treatments:plan_summary_pdf", args=[plan.pk]))
    # A line of the list may wrap: read the text as one run of words.
    text = " ".join(" ".join(_pages(response)).split())
    signed = r"signed \d+ \w{3} \d{4}"
    # The first session's line ends "signed … · amended", right before the second's line;
    # the second's line, not amended, is followed by the legend.
    assert re.search(
        rf"\b1 · [^·]+ · Sophie Martin · [^·]+ · [^·]+ · lots [^·]+ · {signed} "
        "· amended 2 · ",
        text,
    )
    assert re.search(
        rf"\b2 · [^·]+ · Sophie Martin · [^·]+ · [^·]+ · lots [^·]+ · {signed} "
        r"On a map",
        text,
    )
    # The full record's line: "Pain 4/10 · Reactions none", no separator left on its own.
    assert "Pain 4/10 · Reactions" in text
    assert not re.search(r"·\s*·", text)


@pytest.mark.parametrize(
    ("parts", "line"),
    [
        (("1", "Pain 4/10", ""), "1 · Pain 4/10"),
        (("", "Pain 4/10", "amended"), "Pain 4/10 · amended"),
        (("1", "  ", "<b>"), "1 · &lt;b&gt;"),
        (("", "", ""), ""),
    ],
)
def test_parts_of_a_line_are_joined_without_the_empty_ones(parts, line):
    template = Template(
        '{% load summary_pdf %}{% joined "·" %}{{ a }}{% part %}{{ b }}'
        "{% part %}\n  {{ c }}\n{% endjoined %}"
    )
    assert template.render(Context(dict(zip("abc", parts, strict=True)))) == line


def test_patient_without_any_plan_gets_a_short_clear_summary(admin_client, admin_user):
    patient = PatientFactory(first_name="Noémie", last_name="Vasseur")
    response = admin_client.get(reverse("treatments:patient_summary_pdf", args=[patient.pk]))
    pages = _pages(response)
    assert len(pages) == 1
    assert "No treatment recorded" in pages[0]
    assert "Noémie Vasseur has no treatment plan" in pages[0]
    assert "Page 1 of 1" in pages[0]


def test_plan_without_sessions_says_so(admin_client, clinic, practitioner):
    plan = make_plan(clinic, practitioner=practitioner)
    pages = _pages(admin_client.get(reverse("treatments:plan_summary_pdf", args=[plan.pk])))
    assert len(pages) == 1
    assert "No session has been given in this plan yet" in pages[0]
    assert "waits for the patient's agreement" in pages[0]
    assert "None reported." in pages[0]


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [
        ("Zoë", "Ørsted-Łukasiewicz"),
        ("花子", "山田"),
        ("Ελένη", "Παπαδοπούλου"),
        ("Мария", "Иванова"),
    ],
)
def test_names_with_accents_and_other_scripts_render(admin_client, first_name, last_name):
    patient = PatientFactory(first_name=first_name, last_name=last_name)
    response = admin_client.get(reverse("treatments:patient_summary_pdf", args=[patient.pk]))
    [page] = _pages(response)
    # Extracted text: the glyphs were drawn from a font that has them (no empty boxes).
    assert f"{first_name} {last_name}" in page
    assert response["Content-Disposition"].endswith(f'-{patient.pk}-all-plans.pdf"')


def test_patient_summary_covers_every_plan(admin_client, clinic, practitioner, other_practitioner):
    patient = PatientFactory(first_name="Inès", last_name="Moreau")
    make_course(clinic, practitioner=practitioner, patient=patient, sessions=1)
    second = make_plan(
        clinic, practitioner=other_practitioner, patient=patient, body_areas=["neck"]
    )
    text = "\n".join(
        _pages(admin_client.get(reverse("treatments:patient_summary_pdf", args=[patient.pk])))
    )
    assert "All treatment plans" in text
    assert f"Treatment plan no. {second.pk}".upper() in text.upper()
    assert text.count("PRACTITIONER RESPONSIBLE FOR THIS PLAN") == 2
    assert "Paul Nguyen" in text


def test_receptionist_may_not_export_summaries(receptionist_client, clinic, practitioner):
    plan = make_course(clinic, practitioner=practitioner, sessions=1, reviews=False)
    for url in (
        reverse("treatments:plan_summary_pdf", args=[plan.pk]),
        reverse("treatments:patient_summary_pdf", args=[plan.patient_id]),
    ):
        assert receptionist_client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_every_summary_export_is_in_the_audit_log(practitioner_client, practitioner, clinic):
    plan = make_course(clinic, practitioner=practitioner, sessions=1, reviews=False)
    practitioner_client.get(reverse("treatments:plan_summary_pdf", args=[plan.pk]))
    practitioner_client.get(reverse("treatments:patient_summary_pdf", args=[plan.patient_id]))
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("pk")
    assert [(e.user_id, e.patient_id, e.what) for e in events] == [
        (practitioner.pk, plan.patient_id, f"Summary PDF of plan #{plan.pk}"),
        (practitioner.pk, plan.patient_id, "Summary PDF of all plans"),
    ]
    assert all(event.at is not None for event in events)


def test_summary_pdf_runs_the_same_queries_whatever_the_plan_holds(
    admin_client, clinic, practitioner, django_assert_num_queries
):
    one = make_course(clinic, practitioner=practitioner, sessions=1)
    three = make_course(clinic, practitioner=practitioner, sessions=3)
    admin_client.get(reverse("home"))  # the session's idle refresh, written once a minute
    counts = []
    for plan in (one, three):
        url = reverse("treatments:plan_summary_pdf", args=[plan.pk])
        # 16: the allergies and open contraindications near the top add two.
        with django_assert_num_queries(16) as captured:
            assert admin_client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("numbers", "label"),
    [
        ((3,), "3"),
        ((1, 2, 3, 4, 7, 9, 10), "1–4, 7, 9–10"),  # noqa: RUF001 (en dash)
        ((5, 2, 1), "1–2, 5"),  # noqa: RUF001 (en dash)
        ((2, 4, 6), "2, 4, 6"),
    ],
)
def test_a_zones_sites_are_listed_with_runs_folded(numbers, label):
    row = ZoneRow(label="Forehead", numbers=numbers, depths=(Decimal("1.5"),), volume=Decimal(1))
    assert row.numbers_label == label


def test_a_consent_signed_by_a_guardian_says_so(admin_client, clinic, practitioner):
    from patients.models import Consent

    plan = make_course(clinic, practitioner=practitioner, sessions=1)
    assert Consent.objects.filter(patient=plan.patient).update(
        signed_name="Claire Moreau", signer=Consent.Signer.GUARDIAN
    )
    text = "\n".join(
        _pages(admin_client.get(reverse("treatments:plan_summary_pdf", args=[plan.pk])))
    )
    assert "as “Claire Moreau”, parent or guardian" in text


def test_a_consent_the_patient_signed_as_a_minor_is_not_in_force(
    admin_client, clinic, practitioner
):
    from patients.models import Consent

    plan = make_course(clinic, practitioner=practitioner, sessions=1)
    signed = timezone.localdate(Consent.objects.filter(patient=plan.patient).get().signed_at)
    plan.patient.date_of_birth = signed.replace(year=signed.year - 16)
    plan.patient.save()
    text = "\n".join(
        _pages(admin_client.get(reverse("treatments:plan_summary_pdf", args=[plan.pk])))
    )
    assert "Not in force: signed by the patient at 16" in " ".join(text.split())
