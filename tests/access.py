"""The expected answer of every URL for every role: the table the access tests walk.

Each app keeps its rows in ``tests/<app>/access.py`` (a ``RULES`` dict, and a
``populate_world(world)`` function that creates the records its URLs need); they are merged
here, and a URL without a row fails ``test_every_url_has_an_access_rule``. ``ok`` lists the
roles that get the page (200); the others get 403. Anonymous visitors are sent to the login
page unless ``anonymous`` says otherwise; a signed-in account with no role gets ``no_role``.
URLs with parameters name a ``kwargs`` callable that builds them from the ``world`` fixture.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from tests.access_rule import Rule

CORE_RULES: dict[str, Rule] = {
    "home": Rule(),
    "health": Rule(anonymous=200, no_role=200),
    # Anyone's browser may ask for the icon: sent on to the logo.
    "favicon": Rule(anonymous=301, ok_status=301, no_role=301),
    # A signed-in user is sent on from the login page.
    "login": Rule(anonymous=200, ok_status=302, no_role=302),
    "logout": Rule(ok_status=405, no_role=405),
    # Any signed-in account may change its own password.
    "password_change": Rule(no_role=200),
    "password_change_done": Rule(no_role=200),
    # Password reset works for anyone: it is how a locked-out user gets back in.
    "password_reset": Rule(anonymous=200, no_role=200),
    "password_reset_done": Rule(anonymous=200, no_role=200),
    "password_reset_confirm": Rule(
        anonymous=200, no_role=200, kwargs=lambda w: {"uidb64": "MQ", "token": "not-a-token"}
    ),
    "password_reset_complete": Rule(anonymous=200, no_role=200),
}


APPS = ("clinic", "cocktails", "patients", "treatments", "scheduling", "scheduling.reports")


def _app_modules() -> list[Any]:
    return [import_module(f"tests.{app}.access") for app in APPS]


RULES: dict[str, Rule] = {**CORE_RULES}
for _module in _app_modules():
    RULES.update(_module.RULES)


def populate_world(world: Any) -> None:
    """Create the sample records URLs with parameters need, app by app in dependency order."""
    for module in _app_modules():
        module.populate_world(world)
