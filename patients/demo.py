"""Demo patients for `manage.py seed_demo`: a few dozen people with consultations,
contraindications (one pregnant patient whose treatment is blocked) and signed consents.

Idempotent: consent texts are published once, and a patient already present (same name and
date of birth) is left alone with everything that hangs from them.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import phonenumbers
from django.contrib.auth import get_user_model
from django.utils import timezone

from cocktails.choices import BodyArea, Indication
from cocktails.models import Ingredient
from patients import services
from patients.models import ConsentText, Contraindication, Patient
from patients.screening import QUESTIONS
from patients.search import normalise

GENERAL_CONSENT = """Mesotherapy consists of small injections of a tailored mixture of active
ingredients into the skin or the layer just beneath it.

I understand that results are gradual and temporary, that several sessions are usually
needed, and that maintenance sessions keep the result.

I have been told about the usual after-effects (redness, small bumps, pinpoint bleeding and
bruising for a few days) and the rare complications (infection, nodules, allergic reaction,
changes in skin colour), and what to do if they occur.

I have declared my medical history, medications and allergies truthfully, and will tell the
practice about any change, in particular a pregnancy."""

GENERAL_CONSENT_V1 = """I agree to mesotherapy treatment as explained by the practitioner.
I have declared my medical history and allergies."""

HAIR_CONSENT = """Hair restoration by mesotherapy needs a course of 6 to 12 sessions one to
two weeks apart, then monthly and quarterly maintenance. Results vary from person to person
and are judged on photographs taken at the same angles. The scalp may be tender for a day."""

PHOTO_CONSENT = """I agree that the practice takes photographs of the treated areas before,
during and after treatment. They are kept in my medical record, seen only by the clinical
team, and never published or shared without my separate written agreement."""


@dataclass(frozen=True)
class DemoPatient:
    first_name: str
    last_name: str
    born: datetime.date
    sex: str
    concerns: tuple[tuple[str, str], ...] = ()
    flags: dict[str, tuple[str, str]] = field(default_factory=dict)
    allergies: tuple[str, ...] = ()
    resolve: dict[str, str] = field(default_factory=dict)
    language: str = "fr"
    fitzpatrick: int | None = None
    medications: str = ""


F, M, X = Patient.Sex.FEMALE, Patient.Sex.MALE, Patient.Sex.OTHER
FACE, SCALP, BODY = (
    Indication.FACIAL_REJUVENATION,
    Indication.HAIR_RESTORATION,
    Indication.CELLULITE,
)
ABS, REL = Contraindication.Severity.ABSOLUTE, Contraindication.Severity.RELATIVE
Kind = Contraindication.Kind
d = datetime.date

PEOPLE: tuple[DemoPatient, ...] = (
    DemoPatient(
        "Camille",
        "Lefèvre",
        d(1991, 4, 12),
        F,
        ((FACE, BodyArea.FACE), (FACE, BodyArea.NECK)),
        {Kind.PREGNANCY: (ABS, "Pregnant, 14 weeks. Postpone until after breastfeeding.")},
        fitzpatrick=2,
    ),
    DemoPatient(
        "Hélène",
        "Dubois",
        d(1978, 9, 3),
        F,
        ((FACE, BodyArea.FACE), (FACE, BodyArea.DECOLLETE)),
        {Kind.INGREDIENT_ALLERGY: (REL, "Hives after a dental anaesthetic.")},
        allergies=("Lidocaine",),
        fitzpatrick=3,
    ),
    DemoPatient("Chloé", "Martin-Roussel", d(1986, 1, 22), F, ((BODY, BodyArea.THIGHS),)),
    DemoPatient(
        "François",
        "Girard",
        d(1972, 6, 30),
        M,
        ((SCALP, BodyArea.SCALP),),
        {Kind.ANTICOAGULANTS: (REL, "Aspirin 75 mg daily (cardiology).")},
        medications="Aspirin 75 mg daily",
    ),
    DemoPatient("Amélie", "Rousseau", d(1983, 11, 5), F, ((FACE, BodyArea.FACE),)),
    DemoPatient("Zoé", "Lambert", d(1995, 2, 17), F, ((Indication.SCARS, BodyArea.FACE),)),
    DemoPatient("Inès", "Benali", d(1989, 7, 8), F, ((BODY, BodyArea.BUTTOCKS),)),
    DemoPatient("Margaux", "Fontaine", d(1990, 12, 1), F, ((FACE, BodyArea.NECK),)),
    DemoPatient(
        "Manon",
        "Dupont",
        d(1988, 3, 14),
        F,
        ((FACE, BodyArea.FACE),),
        {Kind.PREGNANCY: (ABS, "Breastfeeding.")},
        resolve={Kind.PREGNANCY: "Breastfeeding ended in March."},
    ),
    DemoPatient("Béatrice", "Chevalier", d(1965, 5, 25), F, ((FACE, BodyArea.HANDS),)),
    DemoPatient("Océane", "Perrin", d(1998, 8, 9), F),
    DemoPatient(
        "Noémie",
        "Garnier",
        d(1993, 10, 19),
        F,
        ((FACE, BodyArea.FACE),),
        {Kind.SKIN_INFECTION: (ABS, "Cold sore on the upper lip.")},
        resolve={Kind.SKIN_INFECTION: "Healed, checked at the follow-up visit."},
    ),
    DemoPatient("Céline", "Faure", d(1980, 4, 2), F, ((BODY, BodyArea.ABDOMEN),)),
    DemoPatient("Élodie", "Blanc", d(1987, 9, 28), F),
    DemoPatient("Gaëlle", "Le Goff", d(1976, 1, 11), F, ((FACE, BodyArea.DECOLLETE),)),
    DemoPatient("Maëlys", "Robin", d(2001, 6, 6), F),
    DemoPatient("Solène", "Marchand", d(1984, 2, 29), F, ((BODY, BodyArea.THIGHS),)),
    DemoPatient("Thérèse", "Caron", d(1958, 12, 24), F, ((FACE, BodyArea.FACE),)),
    DemoPatient(
        "Jérôme",
        "Morel",
        d(1969, 3, 3),
        M,
        ((SCALP, BodyArea.SCALP),),
        {Kind.DIABETES: (REL, "HbA1c 8.9 %: asked the GP to review.")},
    ),
    DemoPatient("Aurélien", "Picard", d(1985, 7, 15), M, ((SCALP, BodyArea.SCALP),)),
    DemoPatient("Anaïs", "Lemaire", d(1992, 11, 30), F),
    DemoPatient("Isabelle", "Muller", d(1974, 8, 18), F, ((FACE, BodyArea.NECK),)),
    DemoPatient("Agnès", "Renaud", d(1961, 10, 7), F),
    DemoPatient("Sofía", "Hernández", d(1990, 5, 4), F, ((FACE, BodyArea.FACE),), language="en"),
    DemoPatient("Ingrid", "Søndergaard", d(1982, 2, 13), F, language="en"),
    DemoPatient(
        "Małgorzata", "Wiśniewska", d(1977, 4, 21), F, ((BODY, BodyArea.ARMS),), language="en"
    ),
    DemoPatient(
        "Thị Lan",
        "Nguyễn",
        d(1994, 9, 12),
        F,
        ((FACE, BodyArea.FACE),),
        {Kind.KELOID: (REL, "Keloid after ear piercing.")},
    ),
    DemoPatient("Siobhán", "O'Connor", d(1986, 3, 17), F, language="en"),
    DemoPatient(
        "Zeynep",
        "Yılmaz",  # noqa: RUF001 (a Turkish dotless i, not a typo)
        d(1991, 1, 9),
        F,
        ((BODY, BodyArea.FLANKS),),
    ),
    DemoPatient(
        "Olumide",
        "Adeyemi",
        d(1983, 12, 2),
        M,
        ((Indication.SCARS, BodyArea.BACK),),
        {Kind.KELOID: (REL, "Known keloid scars on the chest.")},
        language="en",
        fitzpatrick=6,
    ),
    DemoPatient("Björn", "Åkesson", d(1979, 7, 27), M, ((SCALP, BodyArea.SCALP),), language="en"),
    DemoPatient("Priya", "Raghunathan", d(1988, 6, 23), F, language="en", fitzpatrick=4),
    DemoPatient("芳", "王", d(1993, 4, 8), F, ((FACE, BodyArea.FACE),), language="en"),
    DemoPatient("Ελένη", "Παπαδοπούλου", d(1981, 8, 15), F, ((BODY, BodyArea.THIGHS),)),
    DemoPatient("Анна", "Иванова", d(1987, 11, 11), F, ((FACE, BodyArea.NECK),), language="en"),
    DemoPatient("Alex", "Moreau", d(1996, 5, 19), X),
)

EMAIL_DOMAINS = ("example.fr", "example.com", "example.org")
STREETS = ("rue Oberkampf", "boulevard Voltaire", "rue de Charonne", "avenue Parmentier")


def _mobile(rng: random.Random) -> str:
    """A French mobile number in a range that is really allocated (not every 06 range is)."""
    while True:
        number = f"+336{rng.randrange(10_000_000, 100_000_000)}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def _consent_texts(out: Callable[[str], None]) -> dict[str, ConsentText]:
    manager = get_user_model().objects.filter(username="manager").first()
    wanted = (
        # The general text had a first version, replaced: old signatures no longer count.
        (ConsentText.Kind.TREATMENT, "", "General treatment consent", GENERAL_CONSENT_V1),
        (ConsentText.Kind.TREATMENT, "", "General treatment consent", GENERAL_CONSENT),
        (ConsentText.Kind.TREATMENT, SCALP, "Hair restoration consent", HAIR_CONSENT),
        (ConsentText.Kind.PHOTO, "", "Photo consent", PHOTO_CONSENT),
    )
    for kind, indication, title, body in wanted:
        if not ConsentText.objects.filter(kind=kind, indication=indication, body=body).exists():
            services.consent_text_publish(
                kind=kind, indication=indication, title=title, body=body, by=manager
            )
            out(f"published consent text: {title}")
    current = ConsentText.objects.filter(superseded_at__isnull=True)
    return {f"{text.kind}:{text.indication}": text for text in current}


def seed(out: Callable[[str], None]) -> None:
    users = get_user_model().objects.in_bulk(["dr.martin", "dr.nguyen"], field_name="username")
    practitioners = [users[name] for name in ("dr.martin", "dr.nguyen") if name in users]
    texts = _consent_texts(out)
    rng = random.Random(1789)  # noqa: S311 (demo data, not security)
    today = timezone.localdate()
    for index, person in enumerate(PEOPLE):
        if Patient.objects.filter(
            first_name=person.first_name, last_name=person.last_name, date_of_birth=person.born
        ).exists():
            continue
        _seed_patient(person, index, rng, today, practitioners, texts)
        out(f"created patient {person.first_name} {person.last_name}")


def _seed_patient(
    person: DemoPatient,
    index: int,
    rng: random.Random,
    today: datetime.date,
    practitioners: list,
    texts: dict[str, ConsentText],
) -> None:
    # "Hélène Dubois" -> helene.dubois; names with no Latin letters get a neutral address.
    handle = re.sub(r"[^a-z.]", "", normalise(f"{person.first_name}.{person.last_name}"))
    handle = handle.strip(".") if re.search(r"[a-z]\.[a-z]", handle) else f"patient{index}"
    email = f"{handle}@{EMAIL_DOMAINS[index % 3]}" if index % 7 else ""
    patient = services.patient_create(
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=person.born,
        sex=person.sex,
        contact={
            "email": email,
            "phone": _mobile(rng),
            "address": f"{rng.randrange(1, 120)} {rng.choice(STREETS)}\n75011 Paris",
            "preferred_language": person.language,
            "emergency_contact_name": "" if index % 3 else "Partner",
            "emergency_contact_phone": "" if index % 3 else _mobile(rng),
        },
        reminder_consent=bool(email) and index % 4 != 0,
    )
    if person.fitzpatrick or person.medications:
        services.patient_update_clinical(
            patient=patient,
            data={
                "fitzpatrick_type": person.fitzpatrick,
                "current_medications": person.medications,
            },
        )
    if not person.concerns or not practitioners:
        return
    practitioner = practitioners[index % len(practitioners)]
    screening = {
        question.key: services.ScreeningAnswer(
            yes=question.key in person.flags,
            severity=person.flags.get(question.key, (question.default_severity, ""))[0],
            note=person.flags.get(question.key, ("", ""))[1],
        )
        for question in QUESTIONS
    }
    allergens = list(Ingredient.objects.filter(name__in=person.allergies))
    services.consultation_create(
        patient=patient,
        practitioner=practitioner,
        consulted_on=today - datetime.timedelta(days=rng.randrange(3, 200)),
        concerns=person.concerns,
        goals=rng.choice(
            (
                "Fresher, more rested look before a wedding in the spring.",
                "Less visible fine lines; nothing that looks 'done'.",
                "Slow the thinning at the crown.",
                "Smoother skin texture on the thighs for the summer.",
            )
        ),
        expectations="Understands results are gradual and need maintenance.",
        expectations_realistic=rng.choice(("yes", "yes", "partly")),
        pain_tolerance=rng.randrange(3, 9),
        needle_aversion=rng.choice(("none", "none", "mild", "strong")),
        budget=rng.choice((None, 300, 450, 600, 900)),
        screening=screening,
        allergens=allergens,
    )
    # An allergy the catalogue does not hold is recorded in words.
    for substance in set(person.allergies) - {item.name for item in allergens}:
        services.allergy_record(
            patient=patient, by=practitioner, substance=substance, reaction="Hives"
        )
    for item in patient.contraindications.filter(kind__in=list(person.resolve)):
        services.contraindication_resolve(
            contraindication=item, by=practitioner, reason=person.resolve[item.kind]
        )
    # Most patients with a consultation signed the general consent; some the photo one too.
    if index % 5 != 3 and "treatment:" in texts:
        services.consent_sign(
            patient=patient,
            text=texts["treatment:"],
            signed_name=patient.full_name,
            witnessed_by=practitioner,
        )
    if index % 2 == 0 and "photo:" in texts:
        services.consent_sign(
            patient=patient,
            text=texts["photo:"],
            signed_name=patient.full_name,
            witnessed_by=practitioner,
        )
    if (
        any(indication == SCALP for indication, _ in person.concerns)
        and f"treatment:{SCALP}" in texts
    ):
        services.consent_sign(
            patient=patient,
            text=texts[f"treatment:{SCALP}"],
            signed_name=patient.full_name,
            witnessed_by=practitioner,
        )
