"""What the clinic app's own URLs answer to each role; merged into tests/access.py."""

from __future__ import annotations

from typing import Any

from tests.access_rule import ADMIN_ONLY, Rule

RULES: dict[str, Rule] = {
    # The Staff page is the clinic manager's only.
    "staff:list": Rule(ok=ADMIN_ONLY),
    "staff:add": Rule(ok=ADMIN_ONLY),
    "staff:detail": Rule(ok=ADMIN_ONLY, kwargs=lambda w: {"pk": w.receptionist.pk}),
    # POST only: a GET is answered 405 before any role check (the POST is tested for roles in
    # tests/clinic/test_staff.py).
    "staff:invitation_resend": Rule(
        kwargs=lambda w: {"pk": w.receptionist.pk}, ok_status=405, no_role=405
    ),
}


def populate_world(world: Any) -> None:
    """The Staff page's URLs need only the personas."""
