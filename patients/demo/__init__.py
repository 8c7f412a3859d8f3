"""Demo patients for `manage.py seed_demo` (who they are: people.py): three dozen people
written by hand (one pregnant patient whose treatment is blocked, an allergy, contraindications
resolved since) and a hundred and eighty more made up from name lists, so that the practice
has about ten new patients a month over its past (clinic/demo.py's `past_start`). Each came to
a consultation on a weekday of that past (some a second time, for another concern), signed
the consents there, and was registered a few days before.

Everything goes through the services; the records are then dated when they happened (the
services stamp "now"), with their change history, so the patient page and the home page's
"new this month" read like a real practice's. The treatments and scheduling demos, which
run later, build each patient's courses and appointments on these consultations.

Idempotent: consent texts are published once, and a patient already present (same name and
date of birth) is left alone with everything that hangs from them.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Callable

import phonenumbers
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic.demo import Backdating, past_start
from cocktails.choices import Indication
from cocktails.models import Ingredient
from patients import services
from patients.demo.people import (
    BODY,
    FACE,
    MORE_PATIENTS,
    PEOPLE,
    SCALP,
    DemoPatient,
    more_people,
)
from patients.models import ConsentText, Consultation, Patient
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

EMAIL_DOMAINS = ("example.fr", "example.com", "example.org")
STREETS = ("rue Oberkampf", "boulevard Voltaire", "rue de Charonne", "avenue Parmentier")


def _mobile(rng: random.Random) -> str:
    """A French mobile number in a range that is really allocated (not every 06 range is)."""
    while True:
        number = f"+336{rng.randrange(10_000_000, 100_000_000)}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone()
    )


def _weekday(day: datetime.date, first: datetime.date) -> datetime.date:
    """`day`, or the Friday before it when it falls from Saturday to Monday (both demo
    practitioners see patients from Tuesday to Friday), but not before `first`."""
    moved = day - datetime.timedelta(days={5: 1, 6: 2, 0: 3}.get(day.weekday(), 0))
    while moved < first or moved.weekday() in (5, 6, 0):
        moved += datetime.timedelta(days=1)
    return moved


def _consent_texts(out: Callable[[str], None], today: datetime.date) -> dict[str, ConsentText]:
    manager = get_user_model().objects.filter(username="manager").first()
    # The texts in force were published before the demo's past began, the first general
    # text long before.
    published = _at(past_start(today) - datetime.timedelta(days=40), 9)
    first_published = _at(today - datetime.timedelta(days=3 * 365), 9)
    wanted = (
        # The general text had a first version, replaced: old signatures no longer count.
        (ConsentText.Kind.TREATMENT, "", "General treatment consent", GENERAL_CONSENT_V1),
        (ConsentText.Kind.TREATMENT, "", "General treatment consent", GENERAL_CONSENT),
        (ConsentText.Kind.TREATMENT, SCALP, "Hair restoration consent", HAIR_CONSENT),
        (ConsentText.Kind.PHOTO, "", "Photo consent", PHOTO_CONSENT),
    )
    for kind, indication, title, body in wanted:
        if not ConsentText.objects.filter(kind=kind, indication=indication, body=body).exists():
            text = services.consent_text_publish(
                kind=kind, indication=indication, title=title, body=body, by=manager
            )
            when = first_published if body == GENERAL_CONSENT_V1 else published
            ConsentText.objects.filter(pk=text.pk).update(published_at=when)
            ConsentText.objects.filter(
                kind=kind, indication=indication, version__lt=text.version
            ).update(superseded_at=when)
            out(f"published consent text: {title}")
    current = ConsentText.objects.filter(superseded_at__isnull=True)
    return {f"{text.kind}:{text.indication}": text for text in current}


def seed(out: Callable[[str], None]) -> None:
    users = get_user_model().objects.in_bulk(
        ["dr.martin", "dr.nguyen", "reception"], field_name="username"
    )
    practitioners = [users[name] for name in ("dr.martin", "dr.nguyen") if name in users]
    today = timezone.localdate()
    texts = _consent_texts(out, today)
    rng = random.Random(1789)  # noqa: S311 (demo data, not security)
    dates = Backdating()
    made = 0
    present = set(Patient.objects.values_list("first_name", "last_name", "date_of_birth"))
    for index, person in enumerate((*PEOPLE, *more_people())):
        if (person.first_name, person.last_name, person.born) in present:
            continue
        _seed_patient(
            person, index, rng, today, practitioners, texts, dates, users.get("reception")
        )
        made += 1
        if index < len(PEOPLE):
            out(f"created patient {person.first_name} {person.last_name}")
    dates.save()
    if made > len(PEOPLE):
        out(f"created {made - len(PEOPLE)} more patients")


def _seed_patient(
    person: DemoPatient,
    index: int,
    rng: random.Random,
    today: datetime.date,
    practitioners: list,
    texts: dict[str, ConsentText],
    dates: Backdating,
    desk: object,
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
    first_day = past_start(today)
    # The consultation: on a weekday of the demo's past.
    if person.consulted is not None:
        consulted_on = _weekday(today - datetime.timedelta(days=person.consulted), first_day)
    else:
        span = (today - first_day).days - 3
        ago = span - int(span * person.when) if person.when is not None else rng.randrange(span)
        consulted_on = _weekday(today - datetime.timedelta(days=3 + ago), first_day)
    consulted_at = _at(consulted_on, 10 + index % 3, 25)
    # Registered when the consultation was booked, a few days before it.
    registered_at = _at(consulted_on - datetime.timedelta(days=rng.randrange(2, 15)), 9, 40)
    registered = {"created_at": registered_at}
    if patient.reminder_consent_at is not None:
        registered["reminder_consent_at"] = registered_at
    background = {
        name: value
        for name, value in (
            ("fitzpatrick_type", person.fitzpatrick),
            ("current_medications", person.medications),
        )
        if value
    }
    if not person.concerns or not practitioners:
        if background:
            services.patient_update_clinical(patient=patient, data=background)
        dates.add(
            patient,
            created=registered_at,
            changed=registered_at,
            by=desk,
            then_by=desk,
            **registered,
        )
        return
    practitioner = practitioners[index % len(practitioners)]
    # The clinical background is reviewed at the consultation.
    consultation = _consultation(
        person, patient, practitioner, consulted_on, rng, person.flags, background
    )
    # Registered by the front desk; the background reviewed by the practitioner.
    dates.add(
        patient,
        created=registered_at,
        changed=consulted_at,
        by=desk,
        then_by=practitioner,
        **registered,
    )
    dates.add(consultation, created=consulted_at, by=practitioner, created_at=consulted_at)
    if person.allergies:
        # An allergy the catalogue does not hold is recorded in words.
        allergies = list(patient.allergies.select_related("ingredient"))
        known = {allergy.ingredient.name for allergy in allergies if allergy.ingredient}
        for substance in set(person.allergies) - known:
            allergies.append(
                services.allergy_record(
                    patient=patient, by=practitioner, substance=substance, reaction="Hives"
                )
            )
        for allergy in allergies:
            dates.add(allergy, created=consulted_at, by=practitioner, recorded_at=consulted_at)
    resolved_at = min(
        timezone.now(), _at(consulted_on + datetime.timedelta(days=person.resolved_after), 10)
    )
    for item in patient.contraindications.all() if person.flags else ():
        dates.add(item, created=consulted_at, by=practitioner, recorded_at=consulted_at)
        if item.kind in person.resolve:
            services.contraindication_resolve(
                contraindication=item, by=practitioner, reason=person.resolve[item.kind]
            )
            dates.add(item, changed=resolved_at, then_by=practitioner, resolved_at=resolved_at)
    # Most patients with a consultation signed the general consent there; some the photo one
    # too, and those who came about their hair its own consent.
    signing = []
    if not person.declines and (index >= len(PEOPLE) or index % 5 != 3) and "treatment:" in texts:
        signing.append(texts["treatment:"])
    if index % 2 == 0 and "photo:" in texts:
        signing.append(texts["photo:"])
    if any(indication == SCALP for indication, _ in person.concerns):
        signing.append(texts.get(f"treatment:{SCALP}"))
    _sign(patient, [text for text in signing if text], practitioner, consulted_at, dates)

    # A second visit, months later, about another concern.
    if person.later:
        again = consulted_on + datetime.timedelta(days=rng.randrange(60, 200))
        again = _weekday(again, consulted_on + datetime.timedelta(days=1))
        if again < today - datetime.timedelta(days=3):
            second = _consultation(person, patient, practitioner, again, rng, {}, {})
            again_at = _at(again, 14 + index % 3, 25)
            dates.add(second, created=again_at, by=practitioner, created_at=again_at)
            if any(indication == SCALP for indication, _ in person.later) and not any(
                indication == SCALP for indication, _ in person.concerns
            ):
                _sign(patient, [texts.get(f"treatment:{SCALP}")], practitioner, again_at, dates)


def _consultation(
    person: DemoPatient,
    patient: Patient,
    practitioner: object,
    consulted_on: datetime.date,
    rng: random.Random,
    flags: dict[str, tuple[str, str]],
    background: dict[str, object],
) -> Consultation:
    screening = {
        question.key: services.ScreeningAnswer(
            yes=question.key in flags,
            severity=flags.get(question.key, (question.default_severity, ""))[0],
            note=flags.get(question.key, ("", ""))[1],
        )
        for question in QUESTIONS
    }
    first = not patient.consultations.exists()
    concerns = person.concerns if first else person.later
    goals = {
        FACE: (
            "Fresher, more rested look before a wedding in the spring.",
            "Less visible fine lines; nothing that looks 'done'.",
            "Brighter skin and a firmer neck.",
        ),
        SCALP: ("Slow the thinning at the crown.", "Denser hair at the temples."),
        BODY: (
            "Smoother skin texture on the thighs for the summer.",
            "Firmer skin on the back of the thighs.",
        ),
        Indication.SCARS: ("Flatter, less visible acne scars.", "A less visible scar."),
        Indication.BODY_CONTOURING: (
            "Lose the small bulge on the lower abdomen that sport does not shift.",
            "A smoother waistline.",
        ),
    }
    return services.consultation_create(
        patient=patient,
        practitioner=practitioner,
        consulted_on=consulted_on,
        concerns=concerns,
        goals=rng.choice(goals[concerns[0][0]]),
        expectations="Understands results are gradual and need maintenance.",
        expectations_realistic=rng.choice(("yes", "yes", "partly")),
        pain_tolerance=rng.randrange(3, 9),
        needle_aversion=rng.choice(("none", "none", "mild", "strong")),
        budget=rng.choice((None, 300, 450, 600, 900)),
        screening=screening,
        allergens=list(Ingredient.objects.filter(name__in=person.allergies)) if first else [],
        background=background,
    )


def _sign(
    patient: Patient,
    texts: list[ConsentText],
    witness: object,
    at: datetime.datetime,
    dates: Backdating,
) -> None:
    for text in texts:
        consent = services.consent_sign(
            patient=patient, text=text, signed_name=patient.full_name, witnessed_by=witness
        )
        dates.add(consent, created=at, by=witness, signed_at=at)


__all__ = ["MORE_PATIENTS", "PEOPLE", "seed"]
