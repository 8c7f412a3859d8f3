"""The medical screening questionnaire asked at every consultation (shared/DOMAIN.md).

Each "yes" becomes a Contraindication of the question's kind. Some are absolute by nature
(``always_absolute``: the practitioner cannot mark them relative); the others default to
relative and the practitioner may raise them to absolute.
"""

from __future__ import annotations

from dataclasses import dataclass

from patients.models import Contraindication

Kind = Contraindication.Kind


@dataclass(frozen=True)
class Question:
    kind: str
    text: str
    always_absolute: bool = False
    hint: str = ""

    @property
    def key(self) -> str:
        return str(self.kind)

    @property
    def default_severity(self) -> str:
        if self.always_absolute:
            return Contraindication.Severity.ABSOLUTE
        return Contraindication.Severity.RELATIVE


QUESTIONS: tuple[Question, ...] = (
    Question(Kind.PREGNANCY, "Is the patient pregnant or breastfeeding?", always_absolute=True),
    Question(Kind.ANTICOAGULANTS, "Does the patient take anticoagulant or antiplatelet drugs?"),
    Question(Kind.BLEEDING_DISORDER, "Does the patient have a bleeding disorder?"),
    Question(
        Kind.SKIN_INFECTION,
        "Active skin infection, herpes or inflammation at the treatment site?",
        always_absolute=True,
        hint="Absolute while active: resolve it once healed.",
    ),
    Question(
        Kind.INGREDIENT_ALLERGY,
        "Known allergy to any cocktail ingredient?",
        hint="Record the ingredients below: a cocktail containing one is refused.",
    ),
    Question(Kind.AUTOIMMUNE, "Does the patient have an autoimmune disease?"),
    Question(Kind.DIABETES, "Uncontrolled diabetes?"),
    Question(Kind.CANCER, "Cancer currently under treatment?"),
    Question(Kind.KELOID, "Tendency to keloid scars?"),
    Question(Kind.ISOTRETINOIN, "Isotretinoin taken in the last 6 months?"),
)

QUESTIONS_BY_KEY: dict[str, Question] = {question.key: question for question in QUESTIONS}
