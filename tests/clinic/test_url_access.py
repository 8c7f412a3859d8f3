"""Walk every URL in the URL conf as anonymous and as each role, against tests/access.py."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic.roles import Role
from tests.access import RULES, populate_world
from tests.access_rule import LOGIN

pytestmark = pytest.mark.django_db


def _named_urls(patterns=None, namespace: str = "") -> list[str]:
    names: list[str] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names += _named_urls(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{namespace}{entry.name}")
    return names


APP_URLS = sorted({name for name in _named_urls() if not name.startswith("admin:")})


@pytest.fixture
def world(admin_user, practitioner, other_practitioner, receptionist):
    """Sample records for URLs that take parameters, made by each app's tests/<app>/access.py."""
    sample = SimpleNamespace(
        admin=admin_user,
        practitioner=practitioner,
        other_practitioner=other_practitioner,
        receptionist=receptionist,
    )
    populate_world(sample)
    return sample


def test_every_url_has_an_access_rule():
    missing = [name for name in APP_URLS if name not in RULES]
    assert not missing, f"add these URLs to tests/access.py: {missing}"


def _url(name: str, world) -> str:
    rule = RULES[name]
    return reverse(name, kwargs=rule.kwargs(world) if rule.kwargs else None)


@pytest.mark.parametrize("name", APP_URLS)
def test_anonymous_is_sent_to_login_unless_the_table_says_otherwise(client, world, name):
    response = client.get(_url(name, world))
    if RULES[name].anonymous == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    else:
        assert response.status_code == RULES[name].anonymous


# What the Content-Security-Policy would block: inline scripts, event handlers, style attributes.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def _assert_csp_clean(response, label: str) -> None:
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    html = response.content.decode()
    for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE):
        match = pattern.search(html)
        assert match is None, f"{label}: CSP would block {match.group(0)[:80]!r}"


@pytest.mark.parametrize("name", APP_URLS)
def test_each_role_gets_what_the_table_says(role_clients, no_role_user, client, world, name):
    url = _url(name, world)
    for role, role_client in role_clients.items():
        response = role_client.get(url)
        assert response.status_code == RULES[name].expected(role), f"{name} as {role}"
        _assert_csp_clean(response, f"{name} as {role}")
    client.force_login(no_role_user)
    assert client.get(url).status_code == RULES[name].no_role, f"{name} without a role"


@pytest.mark.parametrize("role", list(Role))
def test_only_the_clinic_manager_reaches_the_django_admin(role_clients, role):
    response = role_clients[role].get(reverse("admin:index"))
    if role is Role.ADMIN:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_anonymous_admin_goes_to_admin_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
