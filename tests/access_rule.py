"""One row of the URL access table (see tests/access.py)."""

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
