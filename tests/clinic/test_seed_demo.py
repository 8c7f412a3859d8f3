from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from clinic.demo import DEMO_PASSWORD, DEMO_STAFF
from clinic.roles import Role, user_roles

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    """Rows in every table of our apps and auth: a second seed must add none."""
    labels = {"auth", "patients", "cocktails", "treatments", "scheduling", "clinic"}
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def test_seed_demo_creates_one_login_per_role_and_prints_them():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    users = get_user_model().objects.filter(username__in=[p["username"] for p in DEMO_STAFF])
    assert {role for user in users for role in user_roles(user)} == set(Role)
    for user in users:
        assert user.check_password(DEMO_PASSWORD)
        assert user.username in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()


def test_seed_demo_twice_creates_nothing_twice():
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
    assert first["auth.User"] == len(DEMO_STAFF)
