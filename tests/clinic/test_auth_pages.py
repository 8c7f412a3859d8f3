"""Login, logout and password change as a member of staff uses them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_right_password_lands_on_home(client, practitioner):
    response = client.post(reverse("login"), {"username": "dr.martin", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Sophie" in home.content.decode()


def test_login_with_wrong_password_says_so_and_keeps_username(client, practitioner):
    response = client.post(reverse("login"), {"username": "dr.martin", "password": "nope"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please enter a correct username and password" in body
    assert 'value="dr.martin"' in body


def test_logout_is_a_post_and_ends_the_session(practitioner_client):
    response = practitioner_client.post(reverse("logout"))
    assert response.status_code == 302
    assert practitioner_client.get(reverse("home")).status_code == 302


def test_password_change_rejects_a_weak_password_at_the_field(practitioner_client):
    response = practitioner_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()


def test_password_change_works(practitioner_client, practitioner):
    new = "a-much-longer-passphrase-42"
    response = practitioner_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(pk=practitioner.pk).check_password(new)


def test_navigation_follows_the_role(admin_client, receptionist_client):
    admin_page = admin_client.get(reverse("home")).content.decode()
    reception_page = receptionist_client.get(reverse("home")).content.decode()
    assert reverse("admin:index") in admin_page
    assert reverse("admin:index") not in reception_page
    assert "Clinic manager" in admin_page
    assert "Receptionist" in reception_page


def test_the_browsers_icon_request_is_sent_to_the_logo(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/img/logo.svg")
