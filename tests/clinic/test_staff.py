"""The clinic manager's Staff page: the list, adding a colleague by invitation, the edit rules
(no self-lockout, a last manager, superusers read-only) and the account history."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic import services
from clinic.models import AuditEvent
from clinic.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "violet-harbour-lantern-42"


def _add(client: Client, **fields: str):
    data = {
        "first_name": "Chloé",
        "last_name": "Petit",
        "email": "chloe.petit@example.test",
        "username": "",
        "role": Role.RECEPTIONIST.value,
        **fields,
    }
    return client.post(reverse("staff:add"), data)


def _edit(client: Client, user, **fields):
    user.refresh_from_db()
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": services.staff_role(user).value,
        "is_active": "on" if user.is_active else "",
        **fields,
    }
    return client.post(
        reverse("staff:detail", args=[user.pk]), {k: v for k, v in data.items() if v}
    )


def _invite_link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def _errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


# --- Who gets the pages ----------------------------------------------------------------------


def test_practitioner_and_receptionist_are_refused_every_staff_page(
    practitioner_client, receptionist_client, admin_user
):
    for client in (practitioner_client, receptionist_client):
        assert client.get(reverse("staff:list")).status_code == 403
        assert client.get(reverse("staff:add")).status_code == 403
        assert _add(client).status_code == 403
        assert client.get(reverse("staff:detail", args=[admin_user.pk])).status_code == 403
        resend = client.post(reverse("staff:invitation_resend", args=[admin_user.pk]))
        assert resend.status_code == 403
    assert not User.objects.filter(email="chloe.petit@example.test").exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("staff:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_is_in_the_managers_navigation_only(admin_client, practitioner_client):
    assert reverse("staff:list") in admin_client.get(reverse("home")).content.decode()
    assert reverse("staff:list") not in practitioner_client.get(reverse("home")).content.decode()


# --- The list ------------------------------------------------------------------------------


def test_list_shows_each_account_and_filters_on_active(
    admin_client, practitioner, other_practitioner, receptionist
):
    other_practitioner.is_active = False
    other_practitioner.save()
    page = admin_client.get(reverse("staff:list")).content.decode()
    assert "Sophie Martin" in page and "dr.martin" in page and "Practitioner" in page
    assert "Léa Bernard" in page and "Receptionist" in page
    assert "Paul Nguyen" not in page
    inactive = admin_client.get(reverse("staff:list"), {"status": "inactive"}).content.decode()
    assert "Paul Nguyen" in inactive and "Deactivated" in inactive
    assert "Sophie Martin" not in inactive


@pytest.mark.parametrize("extra", [2, 20])
def test_list_runs_a_constant_number_of_queries(
    admin_client, make_staff, django_assert_num_queries, extra
):
    for n in range(extra):
        make_staff(f"staff{n}", list(Role)[n % 3], first_name="Ann", last_name=f"N{n}")
    admin_client.get(reverse("staff:list"))  # the session's expiry is pushed back once
    # Session, user, user's roles, accounts, their groups.
    with django_assert_num_queries(5):
        response = admin_client.get(reverse("staff:list"), {"status": "all"})
    assert response.content.decode().count('data-testid="staff-') >= extra + 1


# --- Adding a colleague ----------------------------------------------------------------------


def test_added_colleague_gets_an_invitation_that_sets_a_password_and_signs_in(
    admin_client, admin_user
):
    response = _add(admin_client)
    chloe = User.objects.get(email="chloe.petit@example.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:detail", args=[chloe.pk])
    assert chloe.username == "chloe.petit"
    assert not chloe.has_usable_password()
    assert chloe.is_active and not chloe.is_staff
    assert services.staff_role(chloe) is Role.RECEPTIONIST

    (message,) = mail.outbox
    assert message.to == ["chloe.petit@example.test"]
    assert "Mesoclinic" in message.subject
    assert "Claire Durand" in message.body and "Mesoclinic" in message.body
    assert "chloe.petit" in message.body
    # Nothing else about the clinic's accounts or data: no other person, no password.
    assert PASSWORD not in message.body and "manager" not in message.body
    html = message.alternatives[0][0]
    assert _invite_link(message) in html

    # Follow the link as the colleague would: Django sends on to a one-time set-password page.
    colleague = Client()
    page = colleague.get(_invite_link(message), follow=True)
    assert "Choose a new password" in page.content.decode()
    done = colleague.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    signed_in = colleague.post(
        reverse("login"), {"username": "chloe.petit", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert colleague.get(reverse("home")).status_code == 200
    # The link works once.
    again = Client().get(_invite_link(message), follow=True)
    assert "This link no longer works" in again.content.decode()


def test_a_manager_added_reaches_the_back_office(admin_client):
    _add(admin_client, role=Role.ADMIN.value, email="boss@example.test")
    assert User.objects.get(email="boss@example.test").is_staff


def test_suggested_username_is_made_unique(admin_client, make_staff):
    make_staff("chloe.petit", Role.PRACTITIONER, email="other@example.test")
    _add(admin_client)
    assert User.objects.filter(username="chloe.petit2").exists()


def test_a_chosen_username_is_kept(admin_client):
    _add(admin_client, username="cpetit")
    assert User.objects.get(email="chloe.petit@example.test").username == "cpetit"


@pytest.mark.parametrize(
    ("field", "fields", "said"),
    [
        ("first_name", {"first_name": ""}, "This field is required."),
        ("last_name", {"last_name": ""}, "This field is required."),
        ("email", {"email": ""}, "This field is required."),
        ("email", {"email": "not-an-email"}, "Enter a valid email address."),
        ("email", {"email": "SOPHIE@example.test"}, "already has this email"),
        ("username", {"username": "DR.MARTIN"}, "This username is taken."),
        ("username", {"username": "has space"}, "Enter a valid username"),
        ("role", {"role": "surgeon"}, "Select a valid choice."),
    ],
)
def test_each_add_error_is_shown_at_its_field_with_the_input_kept(
    admin_client, practitioner, field, fields, said
):
    practitioner.email = "sophie@example.test"
    practitioner.save()
    response = _add(admin_client, **fields)
    assert response.status_code == 200
    assert any(said in error for error in _errors(response, field))
    assert 'value="Petit"' in response.content.decode() or field == "last_name"
    assert not mail.outbox
    assert not User.objects.filter(last_name="Petit").exists()


def test_a_deactivated_colleagues_email_may_be_reused(admin_client, practitioner):
    practitioner.email = "chloe.petit@example.test"
    practitioner.is_active = False
    practitioner.save()
    assert _add(admin_client).status_code == 302


def test_a_failing_mail_server_still_adds_the_account_and_says_so(admin_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on discard
    response = _add(admin_client, email="chloe@example.test")
    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    assert "could not be sent" in page
    assert 'data-testid="invitation-resend"' in page


def test_the_invitation_can_be_sent_again_and_old_links_stop_working(admin_client):
    _add(admin_client)
    chloe = User.objects.get(email="chloe.petit@example.test")
    first = _invite_link(mail.outbox[0])
    response = admin_client.post(reverse("staff:invitation_resend", args=[chloe.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert "This link no longer works" in Client().get(first, follow=True).content.decode()
    assert (
        "Choose a new password"
        in Client().get(_invite_link(mail.outbox[1]), follow=True).content.decode()
    )


def test_no_invitation_for_someone_who_has_a_password(admin_client, receptionist):
    response = admin_client.post(
        reverse("staff:invitation_resend", args=[receptionist.pk]), follow=True
    )
    assert "already chosen a password" in response.content.decode()
    assert not mail.outbox


# --- Editing a colleague -----------------------------------------------------------------------


def test_manager_changes_a_colleagues_name_email_and_role(admin_client, admin_user, receptionist):
    response = _edit(
        admin_client, receptionist, last_name="Moreau", email="lea@example.test", role="admin"
    )
    assert response.status_code == 302
    receptionist.refresh_from_db()
    assert receptionist.last_name == "Moreau" and receptionist.email == "lea@example.test"
    assert services.staff_role(receptionist) is Role.ADMIN
    assert receptionist.is_staff  # the back office follows the role
    _edit(admin_client, receptionist, role="receptionist")
    receptionist.refresh_from_db()
    assert not receptionist.is_staff
    assert receptionist.groups.count() == 1

    page = admin_client.get(reverse("staff:detail", args=[receptionist.pk])).content.decode()
    assert "Bernard" in page and "Moreau" in page and "Claire Durand" in page
    event = AuditEvent.objects.filter(staff_member=receptionist).first()
    assert event.user == admin_user
    assert event.changes == [["Role", "Clinic manager", "Receptionist"]]


def test_a_manager_cannot_deactivate_themselves(admin_client, admin_user):
    response = _edit(admin_client, admin_user, is_active="")
    assert response.status_code == 200
    assert any("lock yourself out" in e for e in _errors(response, "is_active"))
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_a_manager_cannot_drop_their_own_manager_role(admin_client, admin_user):
    response = _edit(admin_client, admin_user, role="practitioner")
    assert any("lock yourself out" in e for e in _errors(response, "role"))
    assert services.staff_role(admin_user) is Role.ADMIN


def test_the_last_active_manager_is_kept(make_staff, admin_user):
    """Two managers demote each other from two tabs: the second change is refused."""
    other = make_staff("manager2", Role.ADMIN, first_name="Marc", last_name="Roux")
    fields = {"first_name": "", "last_name": "", "email": "", "is_active": True}
    services.staff_update(user=other, by=admin_user, role=Role.PRACTITIONER, **fields)
    with pytest.raises(services.ValidationError) as refused:
        services.staff_update(user=admin_user, by=other, role=Role.PRACTITIONER, **fields)
    assert "last active clinic manager" in str(refused.value.message_dict["role"])
    with pytest.raises(services.ValidationError) as refused:
        services.staff_update(
            user=admin_user, by=other, role=Role.ADMIN, **{**fields, "is_active": False}
        )
    assert "last active clinic manager" in str(refused.value.message_dict["is_active"])
    assert services.staff_role(User.objects.get(pk=admin_user.pk)) is Role.ADMIN


def test_a_superusers_account_is_read_only(admin_client):
    root = User.objects.create_superuser("root", "root@example.test", PASSWORD)
    page = admin_client.get(reverse("staff:detail", args=[root.pk])).content.decode()
    assert 'data-testid="read-only"' in page and "disabled" in page
    response = admin_client.post(
        reverse("staff:detail", args=[root.pk]),
        {"first_name": "X", "last_name": "Y", "email": "x@example.test", "role": "receptionist"},
        follow=True,
    )
    assert (
        "read-only" in response.content.decode() or "back office only" in response.content.decode()
    )
    root.refresh_from_db()
    assert root.is_active and root.first_name == "" and root.is_staff


def test_edit_errors_are_shown_at_the_field(admin_client, practitioner, receptionist):
    response = _edit(admin_client, receptionist, email="DR@EXAMPLE.TEST", first_name="")
    practitioner.email = "dr@example.test"
    practitioner.save()
    response = _edit(admin_client, receptionist, email="DR@example.test")
    assert any("already has this email" in e for e in _errors(response, "email"))
    response = _edit(admin_client, receptionist, first_name="", role="nurse")
    assert _errors(response, "first_name") and _errors(response, "role")


def test_deactivated_users_open_session_gets_the_login_page(
    admin_client, receptionist, receptionist_client
):
    assert receptionist_client.get(reverse("home")).status_code == 200
    response = _edit(admin_client, receptionist, is_active="")
    assert response.status_code == 302
    after = receptionist_client.get(reverse("home"))
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("login"))
    # Their stored sessions are gone too: reactivating the account brings none back.
    _edit(admin_client, receptionist, is_active="on")
    assert receptionist_client.get(reverse("home")).status_code == 302


def test_deactivating_a_practitioner_with_booked_appointments_says_how_many(
    admin_client, practitioner
):
    from scheduling import clock
    from tests.scheduling.factories import AppointmentFactory

    start = clock.now() + datetime.timedelta(days=3)
    AppointmentFactory(practitioner=practitioner, start=start)
    AppointmentFactory(practitioner=practitioner, start=start + datetime.timedelta(days=1))
    AppointmentFactory(
        practitioner=practitioner,
        start=start + datetime.timedelta(days=2),
        status="cancelled",
        cancel_reason="Patient asked",
    )
    response = _edit(admin_client, practitioner, is_active="")
    page = admin_client.get(response["Location"]).content.decode()
    assert "still have 2 upcoming appointments" in page
    week = f"{reverse('scheduling:week')}?who={practitioner.pk}&amp;date="
    assert week in page


@pytest.mark.parametrize("extra", [1, 10])
def test_colleague_page_runs_a_constant_number_of_queries(
    admin_client, admin_user, receptionist, django_assert_num_queries, extra
):
    for n in range(extra):
        _edit(admin_client, receptionist, last_name=f"Bernard{n}")
    admin_client.get(reverse("staff:detail", args=[receptionist.pk]))
    # Session, user, user's roles, the colleague, their groups, the history with its authors.
    with django_assert_num_queries(6):
        response = admin_client.get(reverse("staff:detail", args=[receptionist.pk]))
    assert response.content.decode().count("change-item") == extra


def test_the_invitation_goes_through_a_real_mail_server_and_its_link_works(
    admin_client, smtp_server
):
    assert _add(admin_client).status_code == 302
    [received] = smtp_server.messages
    assert received["To"] == "chloe.petit@example.test"
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "Claire Durand" in text
    link = re.search(r"https?://\S+", text).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = Client().get(f"/{path}", follow=True).content.decode()
    assert "Choose a new password" in page


def test_the_back_office_audit_log_finds_the_changes_to_a_staff_account(admin_client):
    _add(admin_client)
    listing = admin_client.get(reverse("admin:clinic_auditevent_changelist"), {"q": "chloe.petit"})
    assert listing.status_code == 200
    shown = listing.content.decode()
    assert "Staff account added as Receptionist" in shown
    assert "Invitation sent" in shown
