"""The expected answer of every URL for every role: the table the access tests walk.

Each app adds a row for each URL it adds; a URL without a row fails
``test_every_url_has_an_access_rule``. ``ok`` lists the roles that get the page (200);
the others get 403; anonymous visitors are sent to the login page unless ``anonymous`` says
otherwise; a signed-in account with no role gets ``no_role`` (403 unless stated).
URLs with parameters name a ``kwargs`` callable that builds them from the ``world`` fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from clinic.roles import Role

ALL_STAFF = frozenset(Role)
CLINICAL = frozenset({Role.ADMIN, Role.PRACTITIONER})
ADMIN_ONLY = frozenset({Role.ADMIN})


LOGIN = 0  # the anonymous answer "302 to the login page"


@dataclass(frozen=True)
class Rule:
    ok: frozenset[Role] = ALL_STAFF
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    # What an allowed GET answers: 200 for pages; 405 for POST-only actions.
    ok_status: int = 200
    anonymous: int = LOGIN
    no_role: int = 403
    # Overrides for single roles, e.g. {Role.PRACTITIONER: 404} for another's record.
    special: dict[Role, int] = field(default_factory=dict)

    def expected(self, role: Role) -> int:
        return self.special.get(role, self.ok_status if role in self.ok else 403)


RULES: dict[str, Rule] = {
    "home": Rule(),
    "health": Rule(anonymous=200, no_role=200),
    # A signed-in user is sent on from the login page.
    "login": Rule(anonymous=200, ok_status=302, no_role=302),
    "logout": Rule(ok_status=405, no_role=405),
    # Any signed-in account may change its own password.
    "password_change": Rule(no_role=200),
    "password_change_done": Rule(no_role=200),
}
