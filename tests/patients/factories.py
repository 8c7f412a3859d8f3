from __future__ import annotations

import datetime

import factory

from patients.models import Allergy, Contraindication, Patient


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    date_of_birth = factory.Sequence(lambda n: datetime.date(1960, 1, 1) + datetime.timedelta(n))
    sex = Patient.Sex.FEMALE
    email = factory.Sequence(lambda n: f"patient{n}@example.fr")
    phone = factory.Sequence(lambda n: f"+336120{n:05d}")


class ContraindicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contraindication

    patient = factory.SubFactory(PatientFactory)
    kind = Contraindication.Kind.ANTICOAGULANTS
    severity = Contraindication.Severity.RELATIVE
    note = ""


class AllergyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allergy

    patient = factory.SubFactory(PatientFactory)
    substance = "Latex"
