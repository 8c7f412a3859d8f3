"""Forms for the clinic manager's Staff page. They parse input; clinic/services.py decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from clinic.roles import Role

# No role is picked for the manager: a new clinic manager is a choice, never a default.
ROLE_CHOICES = [("", "Choose a role"), *((role.value, role.label) for role in Role)]


class StaffFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("active", "Active"), ("inactive", "Deactivated"), ("all", "All")],
        required=False,
    )


class _StaffFields(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(choices=ROLE_CHOICES)

    def clean_role(self) -> Role:
        return Role(self.cleaned_data["role"])


class StaffAddForm(_StaffFields):
    username = forms.CharField(
        max_length=150,
        required=False,
        validators=[UnicodeUsernameValidator()],
        help_text="Leave it empty to use first.last.",
    )
    field_order = ["first_name", "last_name", "email", "username", "role"]


class StaffEditForm(_StaffFields):
    # Accounts made in the back office may have none; a new one is added with an email.
    email = forms.EmailField(max_length=254, required=False)
    is_active = forms.BooleanField(
        required=False,
        label="Active",
        help_text="A deactivated colleague cannot sign in; their records stay signed by them.",
    )

    @classmethod
    def initial_for(cls, user: Any, role: Role | None) -> dict[str, Any]:
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "role": role.value if role else "",
            "is_active": user.is_active,
        }
