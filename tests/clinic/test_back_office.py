"""The Django admin as a clinic manager (not a superuser) uses it: health data there is
read-only and every record or list opened is in the audit log, as in the app; staff accounts
can be edited but not raised to superuser, and the role groups cannot be renamed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from clinic.models import AuditEvent
from clinic.roles import Role, primary_role
from tests.conftest import PASSWORD
from tests.patients.access import populate_world
from tests.patients.factories import PatientFactory
from tests.patients.helpers import log_consultation
from tests.treatments.scenarios import clinic as treatment_clinic
from tests.treatments.scenarios import signed_session

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def world(admin_user, practitioner):
    sample = SimpleNamespace(admin=admin_user, practitioner=practitioner)
    populate_world(sample)
    return sample


def seen(patient) -> list[str]:
    return list(
        AuditEvent.objects.filter(patient=patient, action=AuditEvent.Action.VIEW)
        .order_by("pk")
        .values_list("what", flat=True)
    )


# Health data: audited, read-only.


def test_opening_a_patients_records_in_the_back_office_is_audited(admin_client, world):
    patient, consultation = world.patient, world.consultation
    pages = [
        ("admin:patients_patient_change", patient.pk, f"Back office: patient #{patient.pk}"),
        (
            "admin:patients_consultation_change",
            consultation.pk,
            f"Back office: consultation #{consultation.pk}",
        ),
        (
            "admin:patients_consultation_history",
            consultation.pk,
            f"Back office: consultation #{consultation.pk}",
        ),
    ]
    for name, pk, _ in pages:
        assert admin_client.get(reverse(name, args=[pk])).status_code == 200
    assert seen(patient) == [what for _, _, what in pages]
    entry = AuditEvent.objects.filter(patient=patient).order_by("pk").last()
    assert (entry.user, entry.path) == (
        world.admin,
        reverse("admin:patients_consultation_history", args=[consultation.pk]),
    )


def test_a_list_records_each_patient_it_showed(admin_client, world, practitioner):
    other = PatientFactory(first_name="Marc", last_name="Petit")
    log_consultation(other, practitioner, pregnancy="absolute")
    response = admin_client.get(reverse("admin:patients_contraindication_changelist"))
    assert response.status_code == 200
    assert seen(world.patient) == ["Back office: contraindications (list)"]
    assert seen(other) == ["Back office: contraindications (list)"]
    # A list narrowed to one patient records only that one.
    admin_client.get(reverse("admin:patients_contraindication_changelist"), {"q": "Petit"})
    assert len(seen(other)) == 2
    assert len(seen(world.patient)) == 1


def test_a_treatment_session_opened_in_the_back_office_is_audited_for_its_patient(
    admin_client, admin_user, practitioner
):
    scene = treatment_clinic(practitioner, admin_user)
    session = signed_session(scene, practitioner)
    url = reverse("admin:treatments_treatmentsession_change", args=[session.pk])
    assert admin_client.get(url).status_code == 200
    assert seen(scene.patient) == [f"Back office: treatment session #{session.pk}"]


def test_a_refused_or_missing_record_records_nothing(client, receptionist, world):
    client.force_login(receptionist)
    response = client.get(reverse("admin:patients_patient_change", args=[world.patient.pk]))
    assert response.status_code == 302  # to the back office's login: not staff
    assert seen(world.patient) == []


def test_patient_records_cannot_be_added_or_changed_in_the_back_office(admin_client, world):
    patient = world.patient
    url = reverse("admin:patients_patient_change", args=[patient.pk])
    page = admin_client.get(url)
    assert 'name="_save"' not in page.text
    response = admin_client.post(url, {"first_name": "Changed", "last_name": patient.last_name})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:patients_patient_add")).status_code == 403
    patient.refresh_from_db()
    assert patient.first_name == "Inès"


# Staff accounts.


def test_a_manager_reads_staff_accounts_in_the_back_office_and_changes_them_in_the_app(
    admin_client, receptionist
):
    """The Staff page keeps the rules (no self-lockout, a last manager stays one): the back
    office does not offer a way around them."""
    url = reverse("admin:auth_user_change", args=[receptionist.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    response = admin_client.post(url, {"username": receptionist.username, "is_active": ""})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:auth_user_add")).status_code == 403
    receptionist.refresh_from_db()
    assert receptionist.is_active


def test_the_superuser_edits_a_colleagues_role_and_the_back_office_access_follows_it(
    client, receptionist
):
    root = User.objects.create_superuser("root", "root@clinic.test", PASSWORD)
    client.force_login(root)
    admin_client = client
    url = reverse("admin:auth_user_change", args=[receptionist.pk])
    assert admin_client.get(url).status_code == 200
    admin_group = receptionist.groups.model.objects.get(name=Role.ADMIN.value)
    data = {
        "username": receptionist.username,
        "first_name": "Léa",
        "last_name": "Bernard",
        "email": "lea@clinic.test",
        "is_active": "on",
        "groups": [admin_group.pk],
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    receptionist = User.objects.get(pk=receptionist.pk)
    assert primary_role(receptionist) is Role.ADMIN
    assert (receptionist.is_staff, receptionist.is_superuser) == (True, False)
    assert receptionist.email == "lea@clinic.test"
    # Back to the desk: no more back office.
    desk = receptionist.groups.model.objects.get(name=Role.RECEPTIONIST.value)
    admin_client.post(url, {**data, "groups": [desk.pk]})
    receptionist = User.objects.get(pk=receptionist.pk)
    assert (receptionist.is_staff, receptionist.is_superuser) == (False, False)


def test_a_manager_cannot_change_a_superuser_nor_delete_anyone(admin_client, receptionist):
    root = User.objects.create_superuser("root", "root@clinic.test", PASSWORD)
    url = reverse("admin:auth_user_change", args=[root.pk])
    assert 'name="_save"' not in admin_client.get(url).text
    assert admin_client.post(url, {"username": "taken-over"}).status_code == 403
    delete = reverse("admin:auth_user_delete", args=[receptionist.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=receptionist.pk).exists()
    root.refresh_from_db()
    assert root.username == "root"


def test_the_role_groups_are_not_offered_for_renaming(admin_client):
    with pytest.raises(NoReverseMatch):
        reverse("admin:auth_group_changelist")
    assert admin_client.get("/admin/auth/group/").status_code == 404
