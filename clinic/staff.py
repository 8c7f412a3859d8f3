"""The clinic manager's Staff page: colleagues' accounts, added by invitation, never deleted."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from clinic import selectors, services
from clinic.forms import StaffAddForm, StaffEditForm, StaffFilterForm
from clinic.lib.forms import save_form
from clinic.roles import Capability, practitioner_name, requires
from clinic.staff_notes import deactivation_notes

User = get_user_model()
CAPABILITY = Capability.MANAGE_STAFF


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _not_sent(user: Any) -> str:
    return (
        f"The invitation email to {user.email} could not be sent. Try again with "
        "“Send the invitation again” on this page."
    )


@requires(CAPABILITY)
def staff_list(request: HttpRequest) -> HttpResponse:
    query = StaffFilterForm(request.GET)
    status = (query.is_valid() and query.cleaned_data["status"]) or "active"
    rows = [
        {"user": user, "role": services.staff_role(user), "invited": not user.has_usable_password()}
        for user in selectors.staff_list(status=status)
    ]
    return render(
        request,
        "clinic/staff_list.html",
        {"rows": rows, "status": status, "filters": StaffFilterForm.base_fields["status"].choices},
    )


@requires(CAPABILITY)
def staff_add(request: HttpRequest) -> HttpResponse:
    form = StaffAddForm(request.POST or None)

    def save(data: dict[str, Any]) -> services.StaffInvited:
        return services.staff_invite(by=request.user, site_url=_site_url(request), **data)

    def said(done: services.StaffInvited) -> str:
        name = practitioner_name(done.user)
        if not done.sent:
            return f"{name}'s account is added. " + _not_sent(done.user)
        return (
            f"{name} is added. An email to {done.user.email} invites them to choose a "
            f"password; their username is {done.user.username}."
        )

    response = save_form(
        request,
        form,
        save,
        success=said,
        next_url=lambda done: reverse("staff:detail", args=[done.user.pk]),
    )
    return response or render(request, "clinic/staff_add.html", {"form": form})


def _deactivated_message(user: Any) -> str:
    notes = deactivation_notes(user)
    said = format_html("{} is deactivated: they can no longer sign in.", practitioner_name(user))
    if not notes:
        return said
    return format_html(
        "{} {}",
        said,
        format_html_join(
            " ",
            '{} <a href="{}">{}</a>',
            ((note.text, note.url, note.link_text) for note in notes),
        ),
    )


@requires(CAPABILITY)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User.objects.prefetch_related("groups"), pk=pk)
    role = services.staff_role(user)
    read_only = user.is_superuser
    form = StaffEditForm(
        None if read_only else (request.POST or None),
        initial=StaffEditForm.initial_for(user, role),
    )
    if read_only:
        for field in form.fields.values():
            field.disabled = True

    def save(data: dict[str, Any]) -> list:
        return services.staff_update(user=user, by=request.user, **data)

    def said(changes: list) -> str:
        if not changes:
            return "Nothing to change."
        if any(label == "Active" and new == "no" for label, _, new in changes):
            return _deactivated_message(user)
        return f"{practitioner_name(user)}'s account is saved."

    if request.method == "POST" and read_only:
        messages.error(request, services.READ_ONLY)
        return redirect("staff:detail", pk=user.pk)
    response = save_form(
        request, form, save, success=said, next_url=reverse("staff:detail", args=[user.pk])
    )
    return response or render(
        request,
        "clinic/staff_detail.html",
        {
            "colleague": user,
            "role": role,
            "form": form,
            "read_only": read_only,
            "invited": not user.has_usable_password(),
            "changes": selectors.staff_changes(user=user),
        },
    )


@require_POST
@requires(CAPABILITY)
def staff_invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    try:
        sent = services.staff_invitation_resend(
            user=user, by=request.user, site_url=_site_url(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if sent:
            messages.success(request, f"The invitation is sent again to {user.email}.")
        else:
            messages.error(request, _not_sent(user))
    return redirect("staff:detail", pk=user.pk)


urlpatterns = [
    path("", staff_list, name="list"),
    path("add/", staff_add, name="add"),
    path("<int:pk>/", staff_detail, name="detail"),
    path("<int:pk>/invitation/", staff_invitation_resend, name="invitation_resend"),
]
