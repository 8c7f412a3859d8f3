"""The demo patients: three dozen written by hand, each with a reason to be in the demo, and
the made-up ones of the practice's past, drawn from name lists with a fixed seed (the same
people on every run, so a second run finds them all)."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from cocktails.choices import BodyArea, Indication
from patients.models import Contraindication, Patient


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
    # Days ago the consultation was; None: a weekday of the past, at random. Set for the
    # patients whose course the treatments demo writes by hand, just before it began.
    consulted: int | None = None
    # Or how far through the past it was (0: its first day, 1: today): the made-up patients
    # come at a steady rate.
    when: float | None = None
    # Did not sign the treatment consent at the consultation (so was never treated).
    declines: bool = False
    # A second consultation months later, about another concern.
    later: tuple[tuple[str, str], ...] = ()
    # Days after the consultation a contraindication was resolved (see `resolve`).
    resolved_after: int = 21


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
    DemoPatient(
        "Chloé", "Martin-Roussel", d(1986, 1, 22), F, ((BODY, BodyArea.THIGHS),), consulted=12
    ),
    DemoPatient(
        "François",
        "Girard",
        d(1972, 6, 30),
        M,
        ((SCALP, BodyArea.SCALP),),
        {Kind.ANTICOAGULANTS: (REL, "Aspirin 75 mg daily (cardiology).")},
        medications="Aspirin 75 mg daily",
    ),
    DemoPatient("Amélie", "Rousseau", d(1983, 11, 5), F, ((FACE, BodyArea.FACE),), consulted=50),
    DemoPatient(
        "Zoé", "Lambert", d(1995, 2, 17), F, ((Indication.SCARS, BodyArea.FACE),), consulted=100
    ),
    DemoPatient("Inès", "Benali", d(1989, 7, 8), F, ((BODY, BodyArea.BUTTOCKS),)),
    DemoPatient("Margaux", "Fontaine", d(1990, 12, 1), F, ((FACE, BodyArea.NECK),), consulted=75),
    DemoPatient(
        "Manon",
        "Dupont",
        d(1988, 3, 14),
        F,
        ((FACE, BodyArea.FACE),),
        {Kind.PREGNANCY: (ABS, "Breastfeeding.")},
        resolve={Kind.PREGNANCY: "Breastfeeding has ended."},
        resolved_after=75,
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
        resolved_after=14,
    ),
    DemoPatient(
        "Céline",
        "Faure",
        d(1980, 4, 2),
        F,
        (
            (Indication.BODY_CONTOURING, BodyArea.ABDOMEN),
            (Indication.BODY_CONTOURING, BodyArea.FLANKS),
        ),
        consulted=5,
    ),
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
    DemoPatient("Aurélien", "Picard", d(1985, 7, 15), M, ((SCALP, BodyArea.SCALP),), consulted=115),
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

# The made-up patients: first names by sex, and a family name each (none a hand-written
# patient's or a demo colleague's, so every name the tests look up stays unique).
FEMALE_NAMES = (
    "Julie", "Sarah", "Laura", "Émilie", "Pauline", "Mathilde", "Lucie", "Clara", "Marion",
    "Audrey", "Charlotte", "Justine", "Laure", "Aurélie", "Caroline", "Sandrine", "Nathalie",
    "Valérie", "Sophie", "Estelle", "Hélène", "Claire", "Juliette", "Louise", "Anne", "Marine",
    "Elsa", "Jeanne", "Romane", "Fatima", "Yasmine", "Leïla", "Mei", "Aiko", "Olivia", "Emma",
    "Nadia", "Sylvie", "Delphine", "Virginie",
)  # fmt: skip
MALE_NAMES = (
    "Thomas", "Nicolas", "Julien", "Maxime", "Antoine", "Karim", "Olivier", "Stéphane",
    "David", "Mehdi", "Vincent", "Sébastien", "Laurent", "Hugo", "Samuel", "Kenji",
)  # fmt: skip
FAMILY_NAMES = (
    "Bertin", "Guérin", "Bonnet", "Mercier", "Boyer", "Gauthier", "Lopez", "Clément",
    "Mathieu", "Henry", "Roussel", "Nicolas", "Barbier", "Arnaud", "Brun", "Gaillard",
    "Roche", "Vidal", "Schmitt", "Colin", "Leclerc", "Aubert", "Rey", "Lucas", "Noël",
    "Meyer", "Dumont", "Hamon", "Carpentier", "Boucher", "Fleury", "Royer", "Klein",
    "Lacroix", "Baron", "Charpentier", "Hubert", "Joly", "Rolland", "Giraud", "Leroux",
    "Collet", "Besson", "Prévost", "Huet", "Marie", "Renard", "Benoît", "Aubry", "Lemoine",
    "Bailly", "Hervé", "Leblanc", "Tessier", "Masson", "Dufour", "Menard", "Cordier",
    "Vasseur", "Bouvier", "Pichon", "Laine", "Maillard", "Lebrun", "Haddad", "Mansouri",
    "Da Silva", "Ferreira", "Rossi", "Kowalski", "Tanaka", "Chen", "Okafor", "Diallo",
    "Traoré", "Nakamura", "Jansen", "Schneider", "Andersson", "García", "Costa", "Petrov",
    "Khalil", "Benoit", "Delorme", "Valette", "Marchal", "Poulain", "Germain", "Riviere",
)  # fmt: skip
MORE_PATIENTS = 90
# What brings people in, and where: (indication, weight, [(areas, weight), ...]).
CONCERNS: tuple[tuple[str, int, tuple[tuple[tuple[str, ...], int], ...]], ...] = (
    (
        FACE,
        38,
        (
            ((BodyArea.FACE,), 5),
            ((BodyArea.FACE, BodyArea.NECK), 3),
            ((BodyArea.NECK,), 1),
            ((BodyArea.FACE, BodyArea.DECOLLETE), 1),
        ),
    ),
    (SCALP, 18, (((BodyArea.SCALP,), 1),)),
    (
        BODY,
        20,
        (
            ((BodyArea.THIGHS,), 4),
            ((BodyArea.THIGHS, BodyArea.BUTTOCKS), 3),
            ((BodyArea.BUTTOCKS,), 1),
            ((BodyArea.ARMS,), 1),
        ),
    ),
    (Indication.SCARS, 9, (((BodyArea.FACE,), 4), ((BodyArea.BACK,), 1))),
    (
        Indication.BODY_CONTOURING,
        15,
        (
            ((BodyArea.ABDOMEN,), 3),
            ((BodyArea.ABDOMEN, BodyArea.FLANKS), 3),
            ((BodyArea.FLANKS,), 1),
            ((BodyArea.ARMS,), 1),
        ),
    ),
)
# Findings at the screening: (weight in 100, kind, severity, note, medications).
FINDINGS = (
    (
        4,
        Kind.ANTICOAGULANTS,
        REL,
        "Aspirin 75 mg daily, prescribed by the cardiologist.",
        "Aspirin",
    ),
    (3, Kind.AUTOIMMUNE, REL, "Hashimoto's thyroiditis, stable.", "Levothyroxine 75 µg"),
    (2, Kind.KELOID, REL, "Raised scar after an appendectomy.", ""),
    (2, Kind.ISOTRETINOIN, REL, "Stopped isotretinoin five months ago.", ""),
    (3, Kind.SKIN_INFECTION, ABS, "Cold sore on the lower lip.", ""),
)


def _pick(rng: random.Random, weighted: tuple[tuple[object, int], ...]) -> object:
    return rng.choices([item for item, _ in weighted], [weight for _, weight in weighted])[0]


def _concern(rng: random.Random, indication: str | None = None) -> tuple[tuple[str, str], ...]:
    if indication is None:
        indication = str(_pick(rng, tuple((row[0], row[1]) for row in CONCERNS)))
    areas = next(row[2] for row in CONCERNS if row[0] == indication)
    return tuple((indication, area) for area in _pick(rng, areas))  # type: ignore[union-attr]


def more_people() -> list[DemoPatient]:
    """The made-up patients, the same ones on every run (the seed decides everything)."""
    rng = random.Random(1848)  # noqa: S311 (demo data, not security)
    people: list[DemoPatient] = []
    names: set[tuple[str, str]] = set()
    while len(people) < MORE_PATIENTS:
        concerns = _concern(rng)
        indication = concerns[0][0]
        male = rng.random() < (0.55 if indication == SCALP else 0.07)
        first_name = rng.choice(MALE_NAMES if male else FEMALE_NAMES)
        last_name = rng.choice(FAMILY_NAMES)
        if (first_name, last_name) in names:
            continue
        names.add((first_name, last_name))
        flags, resolve, medications = {}, {}, ""
        roll = rng.randrange(100)
        for weight, kind, severity, note, drug in FINDINGS:
            if roll < weight:
                flags[kind] = (severity, note)
                medications = drug
                if severity == ABS:
                    resolve[kind] = "Healed: checked before the first session."
                break
            roll -= weight
        later = ()
        if rng.random() < 0.14:
            others = [row[0] for row in CONCERNS if row[0] != indication]
            later = _concern(rng, rng.choice(others))
        people.append(
            DemoPatient(
                first_name,
                last_name,
                d(rng.randrange(1958, 2003), rng.randrange(1, 13), rng.randrange(1, 29)),
                M if male else F,
                concerns,
                flags,
                allergies=("Lidocaine",) if rng.random() < 0.03 else (),
                resolve=resolve,
                language="en" if rng.random() < 0.2 else "fr",
                fitzpatrick=rng.choice((None, None, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6)),
                medications=medications,
                later=later,
                resolved_after=rng.randrange(10, 30),
                when=(len(people) + rng.random()) / MORE_PATIENTS,
                declines=rng.random() < 0.06,
            )
        )
    return people
