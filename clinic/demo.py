"""Demo staff for `manage.py seed_demo`. Apps may add a `demo.py` with a `seed(out)` function."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model

from clinic.roles import Role
from clinic.services import roles_sync, staff_create

# The password is printed by seed_demo; it only ever exists on demo databases.
DEMO_PASSWORD = "mesoclinic-demo"  # noqa: S105

DEMO_STAFF: tuple[dict[str, str | Role], ...] = (
    {"username": "manager", "first_name": "Claire", "last_name": "Durand", "role": Role.ADMIN},
    {
        "username": "dr.martin",
        "first_name": "Sophie",
        "last_name": "Martin",
        "role": Role.PRACTITIONER,
    },
    {
        "username": "dr.nguyen",
        "first_name": "Paul",
        "last_name": "Nguyen",
        "role": Role.PRACTITIONER,
    },
    {
        "username": "reception",
        "first_name": "Léa",
        "last_name": "Bernard",
        "role": Role.RECEPTIONIST,
    },
)


def seed(out: Callable[[str], None]) -> None:
    roles_sync()
    User = get_user_model()
    for person in DEMO_STAFF:
        if User.objects.filter(username=person["username"]).exists():
            continue
        staff_create(
            username=str(person["username"]),
            password=DEMO_PASSWORD,
            role=Role(person["role"]),
            first_name=str(person["first_name"]),
            last_name=str(person["last_name"]),
            email=f"{person['username']}@mesoclinic.test",
        )
        out(f"created {person['role']} {person['username']}")
